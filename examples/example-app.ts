/**
 * The example app's content: two cross-account role pairs, each synthesized
 * as two stacks, one per account, and the organisation's perimeter and Access
 * Analyzer in a stack of the management account (examples/app.ts synthesizes it).
 *
 * Account IDs are placeholders (111111111111 trusts 222222222222; a vendor,
 * 333333333333, gets access with an external ID supplied at deploy time;
 * 999999999999 is the organisation's management account).
 */
import { App, Duration, Stack, Validations } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import { IConstruct } from 'constructs';
import { CrossAccountAccessAnalyzer, CrossAccountAccessAnalyzerType, CrossAccountRolePair, OrganizationTrustPerimeter } from '../src';

/** Adds the example pairs to an app. */
export function buildExampleApp(app: App): CrossAccountRolePair[] {

  const TRUSTING_ACCOUNT = process.env.TRUSTING_ACCOUNT ?? '111111111111';
  const TRUSTED_ACCOUNT = process.env.TRUSTED_ACCOUNT ?? '222222222222';
  const VENDOR_ACCOUNT = process.env.VENDOR_ACCOUNT ?? '333333333333';
  const MANAGEMENT_ACCOUNT = process.env.MANAGEMENT_ACCOUNT ?? '999999999999';
  const ORGANIZATION_ID = process.env.ORGANIZATION_ID ?? 'o-a1b2c3d4e5';
  const ORGANIZATION_ROOT = process.env.ORGANIZATION_ROOT ?? 'r-ab12';

  // Humans of the tooling account read the workload account, with a fresh MFA sign-in.
  const audit = new CrossAccountRolePair(app, 'AuditAccess', {
    trustingAccount: TRUSTING_ACCOUNT,
    trustedAccount: TRUSTED_ACCOUNT,
    region: 'eu-west-1',
    roleName: 'AuditReadOnly',
    description: 'Read-only audit access for the security team',
    managedPolicies: [iam.ManagedPolicy.fromAwsManagedPolicyName('ReadOnlyAccess')],
    requireMfa: true,
    maxMfaAge: Duration.hours(1),
    maxSessionDuration: Duration.hours(4),
    assumerGroupName: 'workload-auditors',
  });

  // A vendor's account reads billing data; the external ID is given at deploy time.
  const vendor = new CrossAccountRolePair(app, 'VendorAccess', {
    trustingAccount: TRUSTING_ACCOUNT,
    trustedAccount: VENDOR_ACCOUNT,
    region: 'eu-west-1',
    roleName: 'VendorCostExplorer',
    externalIdParameter: true,
    inlinePolicies: {
      CostExplorerRead: new iam.PolicyDocument({
        statements: [new iam.PolicyStatement({
          actions: ['ce:GetCostAndUsage', 'ce:GetDimensionValues'],
          resources: ['*'],
        })],
      }),
    },
  });

  // The organisation's perimeter, in the management account: no role of a member account can be
  // assumed from outside the organisation, but by the vendor above (found in the app, with its
  // external ID) and AWS services; only the CDK deployment role may change a trust policy.
  const management = new Stack(app, 'OrganizationPerimeter', {
    env: { account: MANAGEMENT_ACCOUNT, region: 'us-east-1' },
    description: 'The organisation trust perimeter: an RCP and an SCP generated from the app\'s declared trusts',
  });
  new OrganizationTrustPerimeter(management, 'Perimeter', {
    organizationId: ORGANIZATION_ID,
    targetIds: [ORGANIZATION_ROOT],
    memberAccounts: [TRUSTING_ACCOUNT, TRUSTED_ACCOUNT],
    protectTrustPolicies: true,
  });
  // IAM Access Analyzer for the whole organisation, whose archive rules are the trusts this app
  // declares: a finding that stays active is cross-account access that no stack of the app declares.
  new CrossAccountAccessAnalyzer(management, 'AccessAnalyzer', {
    analyzerType: CrossAccountAccessAnalyzerType.ORGANIZATION,
    analyzerName: 'declared-cross-account-trusts',
  });

  // cdk-nag findings that are deliberate, each with its reason.
  acknowledgeNagFinding(audit.role, 'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/ReadOnlyAccess]',
    'Auditors need read access to every service; AWS keeps ReadOnlyAccess current as services launch, which a hand-written policy would not');
  acknowledgeNagFinding(vendor.role, 'AwsSolutions-IAM5[Resource::*]',
    'Cost Explorer actions (ce:GetCostAndUsage, ce:GetDimensionValues) support no resource-level permissions, so Resource must be *');

  return [audit, vendor];
}

/**
 * Acknowledges one cdk-nag finding on a construct.
 *
 * `Validations.of(c).acknowledge()` refuses ids with '::' (aws-cdk-lib 2.262
 * keeps it for its own prefixes), but cdk-nag's finding ids contain it
 * (`AwsSolutions-IAM5[Resource::*]`). cdk-nag reads the acknowledgement
 * metadata that `acknowledge()` would write, so it is written directly.
 */
function acknowledgeNagFinding(construct: IConstruct, findingId: string, reason: string): void {
  construct.node.addMetadata(Validations.ACKNOWLEDGED_RULES_METADATA_KEY, { [findingId]: reason });
}
