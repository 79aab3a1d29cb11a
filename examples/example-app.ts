/**
 * The example app's content: two cross-account role pairs, each synthesized
 * as two stacks, one per account; a data-sharing pair (a KMS-encrypted bucket
 * of one account read by a role of another, the second road across accounts);
 * and the organisation's perimeter and Access Analyzer in a stack of the
 * management account (examples/app.ts synthesizes it).
 *
 * Account IDs are placeholders (111111111111 trusts 222222222222; a vendor,
 * 333333333333, gets access with an external ID supplied at deploy time;
 * 999999999999 is the organisation's management account).
 */
import { App, Duration, Stack, Token, Validations } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { IConstruct } from 'constructs';
import { CrossAccountAccessAnalyzer, CrossAccountAccessAnalyzerType, CrossAccountGrants, CrossAccountRolePair, OrganizationTrustPerimeter } from '../src';

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

  // Shared reports: the workload account's KMS-encrypted bucket, read by an analytics role of the
  // tooling account without assuming a role. The bucket's and the key's policies name the tooling
  // account, narrowed to that role and the organisation; the role's policy names the bucket, and
  // the key only through S3 for this bucket's objects.
  const owner = new Stack(app, 'SharedReports-Owner', {
    env: { account: TRUSTING_ACCOUNT, region: 'eu-west-1' },
    description: 'Shared reports: a KMS-encrypted bucket whose policy lets one role of the analytics account read it',
  });
  // S3 delivers access logs under a bucket policy, not the log-delivery ACL (the flag new CDK projects turn on).
  owner.node.setContext('@aws-cdk/aws-s3:serverAccessLogsUseBucketPolicy', true);
  const reportsKey = new kms.Key(owner, 'ReportsKey', { enableKeyRotation: true, description: 'Encrypts the shared reports' });
  // Only AWS services may create grants on the key (S3 needs none).
  reportsKey.addToResourcePolicy(new iam.PolicyStatement({
    sid: 'DenyGrantsNotForAwsResources',
    effect: iam.Effect.DENY,
    principals: [new iam.AnyPrincipal()],
    actions: ['kms:CreateGrant'],
    resources: ['*'],
    conditions: { BoolIfExists: { 'kms:GrantIsForAWSResource': 'false', 'aws:PrincipalIsAWSService': 'false' } },
  }));
  const lifecycleRules: s3.LifecycleRule[] = [{
    noncurrentVersionExpiration: Duration.days(90),
    abortIncompleteMultipartUploadAfter: Duration.days(7),
  }];
  const accessLogs = new s3.Bucket(owner, 'AccessLogs', {
    encryption: s3.BucketEncryption.S3_MANAGED,
    blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
    enforceSSL: true,
    versioned: true,
    lifecycleRules,
  });
  const reports = new s3.Bucket(owner, 'Reports', {
    bucketName: `shared-reports-${TRUSTING_ACCOUNT}`,
    encryptionKey: reportsKey,
    bucketKeyEnabled: true,
    blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
    enforceSSL: true,
    versioned: true,
    lifecycleRules,
    serverAccessLogsBucket: accessLogs,
    serverAccessLogsPrefix: 'reports/',
  });
  const reader = new Stack(app, 'SharedReports-Reader', {
    env: { account: TRUSTED_ACCOUNT, region: 'eu-west-1' },
    description: 'Shared reports: the analytics role that reads them, with its own side of the grant',
  });
  const analyst = new iam.Role(reader, 'ReportsReader', {
    roleName: 'SharedReportsReader',
    description: 'Reads the shared reports of the workload account',
    assumedBy: new iam.AccountRootPrincipal(),
  });
  CrossAccountGrants.bucketRead(reports, analyst, { organizationId: ORGANIZATION_ID });

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

  // Findings of the validation plugins (cdk-nag, the Control Tower controls) that are deliberate, each with its reason.
  acknowledgeFinding(audit.role, 'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/ReadOnlyAccess]',
    'Auditors need read access to every service; AWS keeps ReadOnlyAccess current as services launch, which a hand-written policy would not');
  acknowledgeFinding(vendor.role, 'AwsSolutions-IAM5[Resource::*]',
    'Cost Explorer actions (ce:GetCostAndUsage, ce:GetDimensionValues) support no resource-level permissions, so Resource must be *');
  // (cdk-nag names a resource as the template spells it: the partition literal where the stack writes one.)
  const partition = Token.isUnresolved(reader.partition) ? '<AWS::Partition>' : reader.partition;
  acknowledgeFinding(analyst, `AwsSolutions-IAM5[Resource::arn:${partition}:s3:::shared-reports-${TRUSTING_ACCOUNT}/*]`,
    'The role reads the reports, which are every object of the shared bucket, named by the bucket\'s exact ARN');
  acknowledgeFinding(analyst, `AwsSolutions-IAM5[Resource::arn:${partition}:kms:eu-west-1:${TRUSTING_ACCOUNT}:key/*]`,
    'The reports key\'s ARN is only known once its stack is deployed: the statement allows kms:Decrypt only through S3 (kms:ViaService) for this bucket\'s objects (kms:EncryptionContext:aws:s3:arn), and only the key policy of the reports key lets this role in');
  for (const bucket of [reports, accessLogs]) {
    acknowledgeFinding(bucket, 'cdk-validator-cfnguard::s3_event_notifications_enabled_check',
      'Nothing consumes this bucket\'s object events (reports are read on demand, logs when needed), so the example configures no notification target');
    acknowledgeFinding(bucket, 'cdk-validator-cfnguard::s3_bucket_object_lock_enabled_check',
      'Objects are replaced as they are recomputed; versioning keeps past versions for 90 days, where Object Lock would keep every version undeletable');
  }
  acknowledgeFinding(accessLogs, 'cdk-validator-cfnguard::s3_bucket_default_encryption_kms_check',
    'S3 delivers server access logs only to a bucket encrypted with S3 managed keys (SSE-S3); SSE-KMS is not supported for a log destination');
  acknowledgeFinding(accessLogs, 'cdk-validator-cfnguard::s3_bucket_logging_enabled_check',
    'This bucket receives the reports bucket\'s access logs: logging its own access would need yet another log bucket');

  return [audit, vendor];
}

/**
 * Acknowledges one finding of a validation plugin (cdk-nag, the Control
 * Tower controls) on a construct and its children.
 *
 * `Validations.of(c).acknowledge()` refuses ids with '::' (aws-cdk-lib 2.262
 * keeps it for its own prefixes), but the plugins' finding ids contain it
 * (`AwsSolutions-IAM5[Resource::*]`, `cdk-validator-cfnguard::...`). The
 * plugins' reports are filtered by the acknowledgement metadata that
 * `acknowledge()` would write, so it is written directly.
 */
function acknowledgeFinding(construct: IConstruct, findingId: string, reason: string): void {
  construct.node.addMetadata(Validations.ACKNOWLEDGED_RULES_METADATA_KEY, { [findingId]: reason });
}
