/**
 * The example app: two cross-account role pairs, each synthesized as two
 * stacks, one per account.
 *
 *   npx cdk synth     ->  cdk.out/<stack>.template.json for each stack
 *
 * Account IDs are placeholders (111111111111 trusts 222222222222; a vendor,
 * 333333333333, gets access with an external ID supplied at deploy time).
 */
import { App, Duration } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import { CrossAccountRolePair } from '../src';

const app = new App();

const TRUSTING_ACCOUNT = process.env.TRUSTING_ACCOUNT ?? '111111111111';
const TRUSTED_ACCOUNT = process.env.TRUSTED_ACCOUNT ?? '222222222222';
const VENDOR_ACCOUNT = process.env.VENDOR_ACCOUNT ?? '333333333333';

// Humans of the tooling account read the workload account, with a fresh MFA sign-in.
new CrossAccountRolePair(app, 'AuditAccess', {
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
new CrossAccountRolePair(app, 'VendorAccess', {
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

app.synth();
