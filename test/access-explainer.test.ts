import { Duration, Stack, Stage } from 'aws-cdk-lib';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as s3 from 'aws-cdk-lib/aws-s3';
import {
  AccessDecision,
  AccessExplainer,
  AccessLayer,
  AssumeRolePolicy,
  CrossAccountGrants,
  CrossAccountRole,
  CrossAccountRolePair,
  ExternalIdTrust,
  LayerDecision,
  OrganizationTrustPerimeter,
} from '../src';
import { useTempFolder } from './helpers/temp-folder';
import { OTHER, REGION, TRUSTED, TRUSTING, testApp } from './util';

const ALICE = `arn:aws:iam::${TRUSTED}:user/alice`;
const AUDIT = `arn:aws:iam::${TRUSTING}:role/AuditReadOnly`;
const EXTERNAL_ID = 'correct-horse-battery-staple';
const WITH_MFA = { 'sts:ExternalId': EXTERNAL_ID, 'aws:MultiFactorAuthPresent': 'true', 'aws:MultiFactorAuthAge': '300' };

/** The pair of the README: an audit role guarded by an external ID and a recent MFA, alice in the assumer group, a CI role granted too. */
function auditPair(): AccessExplainer {
  const app = testApp();
  const pair = new CrossAccountRolePair(app, 'Audit', {
    trustingAccount: TRUSTING,
    trustedAccount: TRUSTED,
    region: REGION,
    roleName: 'AuditReadOnly',
    externalIds: [EXTERNAL_ID],
    requireMfa: true,
    maxMfaAge: Duration.minutes(30),
  });
  pair.assumerGroup!.addUser(new iam.User(pair.trustedStack, 'Alice', { userName: 'alice' }));
  const ci = new iam.Role(pair.trustedStack, 'Ci', { roleName: 'ci-runner', assumedBy: new iam.ServicePrincipal('codebuild.amazonaws.com') });
  pair.role.grantAssumeRole(ci);
  return AccessExplainer.fromAssembly(app.synth().directory);
}

describe('AccessExplainer, on a pair with an external ID and MFA', () => {
  let explainer: AccessExplainer;
  beforeAll(() => { explainer = auditPair(); });

  test('allows alice with the external ID and a recent MFA, naming the statements that allow it', () => {
    // GIVEN / WHEN
    const result = explainer.explain({ principal: ALICE, action: 'sts:AssumeRole', resource: AUDIT, context: WITH_MFA });

    // THEN
    expect(result.decision).toBe(AccessDecision.ALLOWED);
    expect(result.deniedBy).toEqual([]);
    const trust = result.layers.find(l => l.layer === AccessLayer.TRUST_POLICY)!;
    expect(trust.decision).toBe(LayerDecision.ALLOW);
    expect(trust.statements[0]).toMatchObject({ logicalId: expect.stringMatching(/^Role/), index: 0, effect: 'Allow', stack: 'Audit-Trusting' });
    expect(trust.statements[0].line).toBeGreaterThan(1);
    expect(trust.statements[0].file).toMatch(/AuditTrusting.*\.template\.json$/);
    const identity = result.layers.find(l => l.layer === AccessLayer.IDENTITY_POLICY)!;
    expect(identity.decision).toBe(LayerDecision.ALLOW);
    expect(identity.reason).toMatch(/managed policy .* \(stack Audit-Trusted\) allows sts:AssumeRole/);
  });

  test('completes the context from the principal and leaves its unique ID unknown', () => {
    // GIVEN / WHEN
    const result = explainer.explain({ principal: ALICE, action: 'sts:AssumeRole', resource: AUDIT, context: WITH_MFA });

    // THEN
    expect(result.requestContext).toMatchObject({
      'aws:PrincipalArn': [ALICE],
      'aws:PrincipalAccount': [TRUSTED],
      'aws:PrincipalType': ['User'],
      'aws:username': ['alice'],
      'aws:ResourceAccount': [TRUSTING],
      'sts:ExternalId': [EXTERNAL_ID],
    });
    expect(result.requestContext['aws:SourceIp']).toBeUndefined();
    expect(result.unknownContextKeys).toEqual(['aws:userid']);
  });

  test('denies alice without the external ID: the trust policy, the key, how many values it wants, and the fix', () => {
    // GIVEN / WHEN
    const result = explainer.explain({ principal: ALICE, action: 'sts:AssumeRole', resource: AUDIT, context: { 'aws:MultiFactorAuthPresent': 'true', 'aws:MultiFactorAuthAge': '300' } });

    // THEN
    expect(result.decision).toBe(AccessDecision.DENIED);
    expect(result.deniedBy).toEqual([AccessLayer.TRUST_POLICY]);
    const trust = result.layers.find(l => l.layer === AccessLayer.TRUST_POLICY)!;
    expect(trust.decision).toBe(LayerDecision.IMPLICIT_DENY);
    expect(trust.reason).toContain('`sts:ExternalId` was absent; the trust requires it to be one of 1 value');
    expect(result.fixes).toEqual([expect.stringContaining('pass the external ID the role expects')]);
    expect(result.summary).toMatch(/^denied: .* sts:AssumeRole on .*AuditReadOnly: .*sts:ExternalId/);
  });

  test('never shows the expected external ID, even when a wrong one is given', () => {
    // GIVEN / WHEN
    const result = explainer.explain({ principal: ALICE, action: 'sts:AssumeRole', resource: AUDIT, context: { ...WITH_MFA, 'sts:ExternalId': 'guess' } });

    // THEN
    expect(result.decision).toBe(AccessDecision.DENIED);
    expect(JSON.stringify(result)).not.toContain(EXTERNAL_ID);
    expect(result.layers.find(l => l.layer === AccessLayer.TRUST_POLICY)!.reason).toContain('`sts:ExternalId` was \'guess\'');
  });

  test('denies an MFA sign-in older than the role allows, saying how old it was and the limit', () => {
    // GIVEN / WHEN
    const result = explainer.explain({ principal: ALICE, action: 'sts:AssumeRole', resource: AUDIT, context: { ...WITH_MFA, 'aws:MultiFactorAuthAge': '7200' } });

    // THEN
    expect(result.decision).toBe(AccessDecision.DENIED);
    expect(result.deniedBy).toContain(AccessLayer.TRUST_POLICY);
    expect(result.layers.find(l => l.layer === AccessLayer.TRUST_POLICY)!.reason)
      .toContain('`aws:MultiFactorAuthAge` was \'7200\'; the trust requires it to be less than \'1800\'');
    expect(result.fixes).toContainEqual(expect.stringContaining('sign in with MFA again'));
  });

  test('denies a principal of another account on the trust policy alone, although its own account is not in the app', () => {
    // GIVEN / WHEN
    const result = explainer.explain({ principal: `arn:aws:iam::${OTHER}:user/mallory`, action: 'sts:AssumeRole', resource: AUDIT, context: WITH_MFA });

    // THEN the trusting side refuses: denied, not undetermined
    expect(result.decision).toBe(AccessDecision.DENIED);
    expect(result.deniedBy).toEqual([AccessLayer.TRUST_POLICY]);
    expect(result.layers.find(l => l.layer === AccessLayer.IDENTITY_POLICY)!.decision).toBe(LayerDecision.UNKNOWN);
    expect(result.fixes[0]).toContain(`its account ${OTHER} (trustedAccounts)`);
  });

  test('is undetermined for a user of the trusted account the app does not define, and says what is missing', () => {
    // GIVEN / WHEN
    const result = explainer.explain({ principal: `arn:aws:iam::${TRUSTED}:user/bob`, action: 'sts:AssumeRole', resource: AUDIT, context: WITH_MFA });

    // THEN
    expect(result.decision).toBe(AccessDecision.UNDETERMINED);
    expect(result.deniedBy).toEqual([]);
    expect(result.missing[0]).toMatch(new RegExp(`^the caller's identity-based policy in ${TRUSTED} must allow sts:AssumeRole on ${AUDIT}`));
  });

  test('denies a role session asking for two hours: role chaining caps the session at one hour', () => {
    // GIVEN the CI role, granted the assume permission, calling from its own session
    const session = `arn:aws:sts::${TRUSTED}:assumed-role/ci-runner/build-7`;

    // WHEN
    const twoHours = explainer.explain({ principal: session, action: 'sts:AssumeRole', resource: AUDIT, context: WITH_MFA, durationSeconds: 7200 });
    const oneHour = explainer.explain({ principal: session, action: 'sts:AssumeRole', resource: AUDIT, context: WITH_MFA, durationSeconds: 3600 });

    // THEN
    expect(twoHours.decision).toBe(AccessDecision.DENIED);
    expect(twoHours.deniedBy).toEqual([AccessLayer.SESSION_DURATION]);
    expect(twoHours.layers.find(l => l.layer === AccessLayer.SESSION_DURATION)!.reason).toContain('role chaining limits the new session to one hour');
    expect(oneHour.decision).toBe(AccessDecision.ALLOWED);
    expect(oneHour.principal).toBe(`arn:aws:iam::${TRUSTED}:role/ci-runner`);
  });

  test('denies session tags the role does not accept: sts:TagSession needs both sides', () => {
    // GIVEN / WHEN
    const result = explainer.explain({ principal: ALICE, action: 'sts:AssumeRole', resource: AUDIT, context: WITH_MFA, sessionTags: { team: 'ops' } });

    // THEN
    expect(result.decision).toBe(AccessDecision.DENIED);
    expect(result.deniedBy).toEqual(expect.arrayContaining([AccessLayer.TRUST_POLICY, AccessLayer.IDENTITY_POLICY]));
    expect(result.layers.filter(l => l.action === 'sts:TagSession').map(l => l.decision)).toEqual([LayerDecision.IMPLICIT_DENY, LayerDecision.IMPLICIT_DENY]);
    expect(result.fixes).toContainEqual(expect.stringContaining('allowSessionTags: true'));
  });
});

describe('AccessExplainer, as the README shows it', () => {
  test('denies alice without MFA, in the trust policy and in her own permission, with the fix', () => {
    // GIVEN the README's example: a pair requiring MFA, its permission attached to the user alice by name
    const app = testApp();
    const pair = new CrossAccountRolePair(app, 'Audit', {
      trustingAccount: TRUSTING, trustedAccount: TRUSTED, roleName: 'AuditReadOnly', requireMfa: true, assumerUserNames: ['alice'],
    });
    new iam.User(pair.trustedStack, 'Alice', { userName: 'alice' });

    // WHEN
    const result = AccessExplainer.fromAssembly(app.synth().directory).explain({ principal: ALICE, action: 'sts:AssumeRole', resource: AUDIT });

    // THEN what the README's comments say
    expect(result.decision).toBe(AccessDecision.DENIED);
    expect(result.deniedBy).toEqual([AccessLayer.TRUST_POLICY, AccessLayer.IDENTITY_POLICY]);
    expect(result.summary).toMatch(/^denied: .*`aws:MultiFactorAuthPresent` was absent; the policy requires it to be 'true'/);
    expect(result.fixes).toEqual([expect.stringMatching(/^sign in with MFA before the call/)]);
  });
});

describe('AccessExplainer, on roles that allow what the request carries', () => {
  test('allows session tags and a long session when the role accepts them', () => {
    // GIVEN a role allowing session tags and 4-hour sessions, and a user granted the permission by AssumeRolePolicy
    const app = testApp();
    const trusting = new Stack(app, 'Trusting', { env: { account: TRUSTING, region: REGION } });
    const trusted = new Stack(app, 'Trusted', { env: { account: TRUSTED, region: REGION } });
    const role = new CrossAccountRole(trusting, 'Deploy', {
      roleName: 'Deploy', trustedAccounts: [TRUSTED], allowSessionTags: true, maxSessionDuration: Duration.hours(4),
    });
    const alice = new iam.User(trusted, 'Alice', { userName: 'alice' });
    new AssumeRolePolicy(trusted, 'MayDeploy', { targetRoles: [role], users: [alice] });
    const explainer = AccessExplainer.fromAssembly(app.synth().directory);
    const request = { principal: ALICE, action: 'sts:AssumeRole', resource: `arn:aws:iam::${TRUSTING}:role/Deploy`, sessionTags: { team: 'ops' } };

    // WHEN
    const twoHours = explainer.explain({ ...request, durationSeconds: 7200 });
    const tooLong = explainer.explain({ ...request, durationSeconds: 20000 });

    // THEN
    expect(twoHours.decision).toBe(AccessDecision.ALLOWED);
    expect(twoHours.layers.filter(l => l.action === 'sts:TagSession').every(l => l.decision === LayerDecision.ALLOW)).toBe(true);
    expect(twoHours.requestContext['aws:TagKeys']).toEqual(['team']);
    expect(tooLong.deniedBy).toEqual([AccessLayer.SESSION_DURATION]);
    expect(tooLong.fixes[0]).toContain('at most 14400 seconds');
  });

  test('finds roles in the nested assemblies of stages', () => {
    // GIVEN a pair in a stage
    const app = testApp();
    const stage = new Stage(app, 'Prod');
    const pair = new CrossAccountRolePair(stage, 'Audit', { trustingAccount: TRUSTING, trustedAccount: TRUSTED, region: REGION, roleName: 'AuditReadOnly' });
    pair.assumerGroup!.addUser(new iam.User(pair.trustedStack, 'Alice', { userName: 'alice' }));

    // WHEN
    const result = AccessExplainer.fromAssembly(app.synth().directory).explain({ principal: ALICE, action: 'sts:AssumeRole', resource: AUDIT });

    // THEN
    expect(result.decision).toBe(AccessDecision.ALLOWED);
  });
});

describe('AccessExplainer, on the caller\'s own policies', () => {
  test('names the identity policy statement that explicitly denies, with its Sid', () => {
    // GIVEN alice, granted the role, under a "deny without MFA" policy
    const app = testApp();
    const pair = new CrossAccountRolePair(app, 'Audit', { trustingAccount: TRUSTING, trustedAccount: TRUSTED, region: REGION, roleName: 'AuditReadOnly' });
    const alice = new iam.User(pair.trustedStack, 'Alice', { userName: 'alice' });
    pair.assumerGroup!.addUser(alice);
    alice.addToPolicy(new iam.PolicyStatement({
      sid: 'DenyWithoutMfa',
      effect: iam.Effect.DENY,
      notActions: ['iam:*'],
      resources: ['*'],
      conditions: { BoolIfExists: { 'aws:MultiFactorAuthPresent': 'false' } },
    }));

    // WHEN
    const result = AccessExplainer.fromAssembly(app.synth().directory).explain({ principal: ALICE, action: 'sts:AssumeRole', resource: AUDIT });

    // THEN
    expect(result.decision).toBe(AccessDecision.DENIED);
    expect(result.deniedBy).toEqual([AccessLayer.IDENTITY_POLICY]);
    const identity = result.layers.find(l => l.layer === AccessLayer.IDENTITY_POLICY)!;
    expect(identity.decision).toBe(LayerDecision.EXPLICIT_DENY);
    expect(identity.statements).toEqual([expect.objectContaining({ sid: 'DenyWithoutMfa', effect: 'Deny', logicalId: expect.stringMatching(/^AliceDefaultPolicy/) })]);
    expect(identity.reason).toContain('statement \'DenyWithoutMfa\'');
  });

  test('within one account, needs the caller\'s own permission when the trust names the account, not the caller', () => {
    // GIVEN a role trusting its own account, and two users of that account, one granted the role
    const app = testApp();
    const stack = new Stack(app, 'Ops', { env: { account: TRUSTING, region: REGION } });
    const role = new iam.Role(stack, 'BreakGlass', { roleName: 'BreakGlass', assumedBy: new iam.AccountRootPrincipal() });
    const carol = new iam.User(stack, 'Carol', { userName: 'carol' });
    new iam.User(stack, 'Dave', { userName: 'dave' });
    role.grantAssumeRole(carol);
    const explainer = AccessExplainer.fromAssembly(app.synth().directory);
    const resource = `arn:aws:iam::${TRUSTING}:role/BreakGlass`;

    // WHEN
    const granted = explainer.explain({ principal: `arn:aws:iam::${TRUSTING}:user/carol`, action: 'sts:AssumeRole', resource });
    const other = explainer.explain({ principal: `arn:aws:iam::${TRUSTING}:user/dave`, action: 'sts:AssumeRole', resource });

    // THEN
    expect(granted.decision).toBe(AccessDecision.ALLOWED);
    expect(other.decision).toBe(AccessDecision.DENIED);
    expect(other.deniedBy).toEqual([AccessLayer.IDENTITY_POLICY]);
    expect(other.layers.find(l => l.layer === AccessLayer.IDENTITY_POLICY)!.reason).toContain('has no identity-based policy');
  });

  test('within one account, lets the caller\'s own policies decide on a resource without a resource-based policy', () => {
    // GIVEN a worker role granted an IAM read and a named table's data by aws-cdk-lib's grants
    const app = testApp();
    const stack = new Stack(app, 'Service', { env: { account: TRUSTING, region: REGION } });
    const worker = new iam.Role(stack, 'Worker', { roleName: 'worker', assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com') });
    const table = new dynamodb.Table(stack, 'Orders', { tableName: 'orders', partitionKey: { name: 'id', type: dynamodb.AttributeType.STRING } });
    table.grantReadData(worker);
    worker.addToPolicy(new iam.PolicyStatement({ actions: ['iam:GetRole'], resources: [worker.roleArn] }));
    const explainer = AccessExplainer.fromAssembly(app.synth().directory);
    const session = `arn:aws:sts::${TRUSTING}:assumed-role/worker/fn`;

    // WHEN
    const getRole = explainer.explain({ principal: session, action: 'iam:GetRole', resource: `arn:aws:iam::${TRUSTING}:role/worker` });
    const getItem = explainer.explain({ principal: session, action: 'dynamodb:GetItem', resource: `arn:aws:dynamodb:${REGION}:${TRUSTING}:table/orders` });
    const putItem = explainer.explain({ principal: session, action: 'dynamodb:PutItem', resource: `arn:aws:dynamodb:${REGION}:${TRUSTING}:table/orders` });
    const fromElsewhere = explainer.explain({ principal: `arn:aws:iam::${TRUSTED}:user/alice`, action: 'iam:GetRole', resource: `arn:aws:iam::${TRUSTING}:role/worker` });

    // THEN a role's trust policy governs only its assumption; the table has no resource policy; another account cannot reach either
    expect(getRole.decision).toBe(AccessDecision.ALLOWED);
    expect(getRole.layers.map(l => l.layer)).toEqual([AccessLayer.IDENTITY_POLICY]);
    expect(getItem.decision).toBe(AccessDecision.ALLOWED);
    expect(putItem.decision).toBe(AccessDecision.DENIED);
    expect(putItem.deniedBy).toEqual([AccessLayer.IDENTITY_POLICY]);
    expect(fromElsewhere.decision).toBe(AccessDecision.DENIED);
  });

  test('denies what the caller\'s permissions boundary leaves out, naming the boundary', () => {
    // GIVEN bob, granted the role, under a boundary that allows only S3
    const app = testApp();
    const trusting = new Stack(app, 'Trusting', { env: { account: TRUSTING, region: REGION } });
    const trusted = new Stack(app, 'Trusted', { env: { account: TRUSTED, region: REGION } });
    const role = new CrossAccountRole(trusting, 'Audit', { roleName: 'AuditReadOnly', trustedAccounts: [TRUSTED] });
    const boundary = new iam.ManagedPolicy(trusted, 'OnlyS3', { statements: [new iam.PolicyStatement({ actions: ['s3:*'], resources: ['*'] })] });
    const bob = new iam.User(trusted, 'Bob', { userName: 'bob', permissionsBoundary: boundary });
    new AssumeRolePolicy(trusted, 'MayAudit', { targetRoles: [role], users: [bob] });

    // WHEN
    const result = AccessExplainer.fromAssembly(app.synth().directory).explain({ principal: `arn:aws:iam::${TRUSTED}:user/bob`, action: 'sts:AssumeRole', resource: AUDIT });

    // THEN
    expect(result.decision).toBe(AccessDecision.DENIED);
    expect(result.deniedBy).toEqual([AccessLayer.PERMISSIONS_BOUNDARY]);
  });

  test('applies a session policy given with the request', () => {
    // GIVEN the CI role of the audit pair, in a session whose session policy only allows S3
    const explainer = auditPair();
    const sessionPolicy = JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 's3:*', Resource: '*' }] });

    // WHEN
    const result = explainer.explain({
      principal: `arn:aws:sts::${TRUSTED}:assumed-role/ci-runner/build-7`, action: 'sts:AssumeRole', resource: AUDIT, context: WITH_MFA, sessionPolicy,
    });

    // THEN
    expect(result.decision).toBe(AccessDecision.DENIED);
    expect(result.deniedBy).toEqual([AccessLayer.SESSION_POLICY]);
  });
});

describe('AccessExplainer, on resource policies', () => {
  /** A KMS-encrypted bucket in one account, granted by aws-cdk-lib to a reader role of another. */
  function sharedBucket(): AccessExplainer {
    const app = testApp();
    const data = new Stack(app, 'Data', { env: { account: TRUSTING, region: REGION } });
    const analytics = new Stack(app, 'Analytics', { env: { account: TRUSTED, region: REGION } });
    const key = new kms.Key(data, 'Key');
    key.addAlias('alias/reports');
    const bucket = new s3.Bucket(data, 'Reports', { bucketName: 'acme-reports', encryptionKey: key });
    const reader = new iam.Role(analytics, 'Reader', { roleName: 'reader', assumedBy: new iam.AccountRootPrincipal() });
    bucket.grantRead(reader);
    return AccessExplainer.fromAssembly(app.synth().directory);
  }

  test('allows the grantee to read across accounts: the bucket policy and its identity policy both allow', () => {
    // GIVEN
    const explainer = sharedBucket();

    // WHEN
    const result = explainer.explain({ principal: `arn:aws:sts::${TRUSTED}:assumed-role/reader/job`, action: 's3:GetObject', resource: 'arn:aws:s3:::acme-reports/2024/q1.csv' });

    // THEN
    expect(result.decision).toBe(AccessDecision.ALLOWED);
    const bucketPolicy = result.layers.find(l => l.layer === AccessLayer.RESOURCE_POLICY)!;
    expect(bucketPolicy.decision).toBe(LayerDecision.ALLOW);
    expect(bucketPolicy.reason).toContain('the bucket policy');
  });

  test('denies another role of the grantee\'s account: the bucket policy names the reader only', () => {
    // GIVEN / WHEN
    const result = sharedBucket().explain({
      principal: `arn:aws:sts::${TRUSTED}:assumed-role/other/job`, action: 's3:GetObject', resource: 'arn:aws:s3:::acme-reports/2024/q1.csv',
    });

    // THEN the bucket's side refuses, whatever the caller's own policies say
    expect(result.decision).toBe(AccessDecision.DENIED);
    expect(result.deniedBy).toEqual([AccessLayer.RESOURCE_POLICY]);
  });

  test('finds the named bucket among buckets whose names are generated: a bucket name is unique, so none of them can be it', () => {
    // GIVEN a reports bucket with a name, and two buckets beside it whose names CloudFormation generates
    const app = testApp();
    const data = new Stack(app, 'Data', { env: { account: TRUSTING, region: REGION } });
    const analytics = new Stack(app, 'Analytics', { env: { account: TRUSTED, region: REGION } });
    new s3.Bucket(data, 'Logs');
    new s3.Bucket(data, 'Scratch');
    const reports = new s3.Bucket(data, 'Reports', { bucketName: 'acme-reports' });
    reports.grantRead(new iam.Role(analytics, 'Reader', { roleName: 'reader', assumedBy: new iam.AccountRootPrincipal() }));
    new iam.Role(analytics, 'Crawler', { roleName: 'crawler', assumedBy: new iam.AccountRootPrincipal() })
      .addToPolicy(new iam.PolicyStatement({ actions: ['s3:GetObject'], resources: ['*'] }));
    const explainer = AccessExplainer.fromAssembly(app.synth().directory);
    const read = (role: string, bucket: string) => explainer.explain({ principal: `arn:aws:sts::${TRUSTED}:assumed-role/${role}/job`, action: 's3:GetObject', resource: `arn:aws:s3:::${bucket}/2024/q1.csv` });

    // WHEN
    const named = read('reader', 'acme-reports');
    const unnamed = read('crawler', 'data-logs-1a2b3c4d5e6f');

    // THEN an object of the named bucket is judged by its policy; any other name could be either generated one (the crawler's own policy allows it)
    expect(named.decision).toBe(AccessDecision.ALLOWED);
    expect(named.layers.find(l => l.layer === AccessLayer.RESOURCE_POLICY)!.reason).toContain('the bucket policy');
    expect(unnamed.decision).toBe(AccessDecision.UNDETERMINED);
    expect(unnamed.missing.join(' ')).toContain('several resources of the app could be arn:aws:s3:::data-logs-1a2b3c4d5e6f/2024/q1.csv');
  });

  test('finds a key by its alias and judges its key policy', () => {
    // GIVEN / WHEN
    const result = sharedBucket().explain({
      principal: `arn:aws:sts::${TRUSTED}:assumed-role/reader/job`, action: 'kms:Decrypt', resource: `arn:aws:kms:${REGION}:${TRUSTING}:alias/reports`,
    });

    // THEN
    expect(result.decision).toBe(AccessDecision.ALLOWED);
    expect(result.layers.find(l => l.layer === AccessLayer.KEY_POLICY)!.decision).toBe(LayerDecision.ALLOW);
  });
});

describe('AccessExplainer, on what CrossAccountGrants writes', () => {
  /** A KMS-encrypted bucket of one account, shared with CrossAccountGrants to a reader role of another. */
  function grantedBucket(): AccessExplainer {
    const app = testApp();
    const data = new Stack(app, 'Data', { env: { account: TRUSTING, region: REGION } });
    const analytics = new Stack(app, 'Analytics', { env: { account: TRUSTED, region: REGION } });
    const key = new kms.Key(data, 'Key');
    const bucket = new s3.Bucket(data, 'Reports', { bucketName: 'acme-shared', encryptionKey: key });
    CrossAccountGrants.bucketRead(bucket, new iam.Role(analytics, 'Reader', { roleName: 'reader', assumedBy: new iam.AccountRootPrincipal() }));
    new iam.Role(analytics, 'Other', { roleName: 'other', assumedBy: new iam.AccountRootPrincipal() })
      .addToPolicy(new iam.PolicyStatement({ actions: ['*'], resources: ['*'] }));
    return AccessExplainer.fromAssembly(app.synth().directory);
  }
  const READER = `arn:aws:sts::${TRUSTED}:assumed-role/reader/job`;
  const KEY = `arn:aws:kms:${REGION}:${TRUSTING}:key/1234abcd-12ab-34cd-56ef-1234567890ab`;
  const throughS3 = (bucketArn: string) => ({ 'kms:ViaService': `s3.${REGION}.amazonaws.com`, 'kms:EncryptionContext:aws:s3:arn': bucketArn });

  test('allows the grantee to read the bucket, and refuses another role of its account whose own policy allows everything', () => {
    // GIVEN
    const explainer = grantedBucket();

    // WHEN
    const reader = explainer.explain({ principal: READER, action: 's3:GetObject', resource: 'arn:aws:s3:::acme-shared/2026/q1.csv' });
    const other = explainer.explain({ principal: `arn:aws:sts::${TRUSTED}:assumed-role/other/job`, action: 's3:GetObject', resource: 'arn:aws:s3:::acme-shared/2026/q1.csv' });

    // THEN
    expect(reader.decision).toBe(AccessDecision.ALLOWED);
    expect(other.decision).toBe(AccessDecision.DENIED);
    expect(other.deniedBy).toEqual([AccessLayer.RESOURCE_POLICY]);
  });

  test('allows kms:Decrypt through S3 for the bucket\'s objects only, and never called directly', () => {
    // GIVEN
    const explainer = grantedBucket();
    const decrypt = (context: Record<string, string>) => explainer.explain({ principal: READER, action: 'kms:Decrypt', resource: KEY, context });

    // WHEN
    const viaS3 = decrypt(throughS3('arn:aws:s3:::acme-shared/2026/q1.csv'));
    const otherBucket = decrypt(throughS3('arn:aws:s3:::another-bucket/x.csv'));
    const direct = decrypt({});

    // THEN the key's ID is only known at deploy time: the app's one key of that account and region is taken to be it
    expect(viaS3.decision).toBe(AccessDecision.ALLOWED);
    expect(otherBucket.decision).toBe(AccessDecision.DENIED);
    expect(direct.decision).toBe(AccessDecision.DENIED);
    expect(direct.layers.find(l => l.layer === AccessLayer.KEY_POLICY)!.reason).toMatch(/`kms:(ViaService|EncryptionContext:aws:s3:arn)` was absent/);
  });
});

describe('AccessExplainer, on a key named by its alias', () => {
  test('matches the identity policy against the key, not the alias: KMS authorizes on the key', () => {
    // GIVEN a KMS-encrypted bucket with an alias on its key, read across accounts through CrossAccountGrants
    const app = testApp();
    const data = new Stack(app, 'Data', { env: { account: TRUSTING, region: REGION } });
    const analytics = new Stack(app, 'Analytics', { env: { account: TRUSTED, region: REGION } });
    const key = new kms.Key(data, 'Key', { alias: 'alias/data' });
    const bucket = new s3.Bucket(data, 'Reports', { bucketName: 'acme-data', encryptionKey: key });
    CrossAccountGrants.bucketRead(bucket, new iam.Role(analytics, 'Reader', { roleName: 'reader', assumedBy: new iam.AccountRootPrincipal() }));
    const explainer = AccessExplainer.fromAssembly(app.synth().directory);

    // WHEN kms:Decrypt through S3 names the alias
    const result = explainer.explain({
      principal: `arn:aws:sts::${TRUSTED}:assumed-role/reader/job`,
      action: 'kms:Decrypt',
      resource: `arn:aws:kms:${REGION}:${TRUSTING}:alias/data`,
      context: { 'kms:ViaService': `s3.${REGION}.amazonaws.com`, 'kms:EncryptionContext:aws:s3:arn': 'arn:aws:s3:::acme-data/2026/q1.csv' },
    });

    // THEN both the reader's policy (on key/* of the account) and the key policy allow, and the key's aliases are in the context
    expect(result.decision).toBe(AccessDecision.ALLOWED);
    expect(result.layers.find(l => l.layer === AccessLayer.IDENTITY_POLICY)!.decision).toBe(LayerDecision.ALLOW);
    expect(result.requestContext['kms:ResourceAliases']).toEqual(['alias/data']);
  });
});

describe('AccessExplainer, with an organisation perimeter', () => {
  const MANAGEMENT = '999999999999';
  const VENDOR = '444444444444';

  function perimeterApp(): AccessExplainer {
    const app = testApp();
    const management = new Stack(app, 'Management', { env: { account: MANAGEMENT, region: REGION } });
    new OrganizationTrustPerimeter(management, 'Perimeter', { organizationId: 'o-a1b2c3d4e5', targetIds: ['r-ab12'], protectTrustPolicies: true });
    const trusting = new Stack(app, 'Trusting', { env: { account: TRUSTING, region: REGION } });
    new CrossAccountRole(trusting, 'Audit', { roleName: 'AuditReadOnly', trustedAccounts: [TRUSTED] });
    new CrossAccountRole(trusting, 'Vendor', { roleName: 'Vendor', externalIdTrust: new ExternalIdTrust(trusting, 'VendorTrust', { trustedAccount: VENDOR, externalIds: [EXTERNAL_ID] }) });
    const trusted = new Stack(app, 'Trusted', { env: { account: TRUSTED, region: REGION } });
    const alice = new iam.User(trusted, 'Alice', { userName: 'alice' });
    new AssumeRolePolicy(trusted, 'MayAudit', { targetRoleArns: [AUDIT], users: [alice] });
    alice.addToPolicy(new iam.PolicyStatement({ actions: ['iam:UpdateAssumeRolePolicy'], resources: ['*'] }));
    // the vendor's own side, in the app too: a stack of the third party's account
    const vendor = new Stack(app, 'VendorSide', { env: { account: VENDOR, region: REGION } });
    new iam.Role(vendor, 'Admin', { roleName: 'VendorAdmin', assumedBy: new iam.AccountRootPrincipal() })
      .addToPolicy(new iam.PolicyStatement({ actions: ['iam:UpdateAssumeRolePolicy'], resources: ['*'] }));
    return AccessExplainer.fromAssembly(app.synth().directory);
  }

  test('fills aws:PrincipalOrgID for an account of the organisation, so its RCP lets it in', () => {
    // GIVEN / WHEN
    const result = perimeterApp().explain({ principal: ALICE, action: 'sts:AssumeRole', resource: AUDIT });

    // THEN
    expect(result.requestContext['aws:PrincipalOrgID']).toEqual(['o-a1b2c3d4e5']);
    expect(result.decision).toBe(AccessDecision.ALLOWED);
    expect(result.layers.find(l => l.layer === AccessLayer.RCP)!.decision).toBe(LayerDecision.ALLOW);
  });

  test('denies a member account what its SCP forbids, naming the SCP statement', () => {
    // GIVEN / WHEN alice, whose own policy allows it, changes a trust policy outside the deployment role
    const result = perimeterApp().explain({ principal: ALICE, action: 'iam:UpdateAssumeRolePolicy', resource: `arn:aws:iam::${TRUSTED}:role/anything` });

    // THEN
    expect(result.decision).toBe(AccessDecision.DENIED);
    expect(result.deniedBy).toEqual([AccessLayer.SCP]);
    expect(result.layers.find(l => l.layer === AccessLayer.SCP)!.statements).toEqual([expect.objectContaining({ sid: 'DenyTrustPolicyChangesOutsideDeployment' })]);
  });

  test('takes a third party\'s account for no member, though the app has a stack there: no aws:PrincipalOrgID, no SCP', () => {
    // GIVEN / WHEN the vendor changes a trust policy of its own account
    const result = perimeterApp().explain({
      principal: `arn:aws:iam::${VENDOR}:role/VendorAdmin`, action: 'iam:UpdateAssumeRolePolicy', resource: `arn:aws:iam::${VENDOR}:role/anything`,
    });

    // THEN the organisation's SCP does not reach it: its own policy decides
    expect(result.requestContext['aws:PrincipalOrgID']).toBeUndefined();
    expect(result.layers.map(l => l.layer)).not.toContain(AccessLayer.SCP);
    expect(result.decision).toBe(AccessDecision.ALLOWED);
  });

  test('denies a third party without an external ID in the RCP, explicitly', () => {
    // GIVEN / WHEN
    const result = perimeterApp().explain({
      principal: `arn:aws:iam::${VENDOR}:role/integration`, action: 'sts:AssumeRole', resource: `arn:aws:iam::${TRUSTING}:role/Vendor`,
    });

    // THEN
    expect(result.decision).toBe(AccessDecision.DENIED);
    expect(result.deniedBy).toEqual([AccessLayer.RCP]);
    const rcp = result.layers.find(l => l.layer === AccessLayer.RCP)!;
    expect(rcp.statements).toEqual([expect.objectContaining({ sid: 'DenyThirdPartiesWithoutExternalId', stack: 'Management' })]);
  });
});

describe('AccessExplainer, on values only known at deploy time and plain templates', () => {
  const temp = useTempFolder('explainer-');

  test('is undetermined when the external ID is a deploy-time parameter', () => {
    // GIVEN an external ID trust whose ID is supplied at deploy time
    const app = testApp();
    const trusting = new Stack(app, 'Trusting', { env: { account: TRUSTING, region: REGION } });
    const trust = new ExternalIdTrust(trusting, 'Vendor', { trustedAccount: TRUSTED });
    new CrossAccountRole(trusting, 'Role', { roleName: 'AuditReadOnly', externalIdTrust: trust });
    const trusted = new Stack(app, 'Trusted', { env: { account: TRUSTED, region: REGION } });
    new AssumeRolePolicy(trusted, 'May', { targetRoleArns: [AUDIT], users: [new iam.User(trusted, 'Alice', { userName: 'alice' })] });

    // WHEN
    const result = AccessExplainer.fromAssembly(app.synth().directory)
      .explain({ principal: ALICE, action: 'sts:AssumeRole', resource: AUDIT, context: { 'sts:ExternalId': 'whatever' } });

    // THEN
    expect(result.decision).toBe(AccessDecision.UNDETERMINED);
    expect(result.missing[0]).toContain('only known at deploy time');
  });

  test('is undetermined for a role the app names only at deploy time, and says to give it a roleName', () => {
    // GIVEN a role of the trusting account whose name CloudFormation generates
    const app = testApp();
    const trusting = new Stack(app, 'Trusting', { env: { account: TRUSTING, region: REGION } });
    new iam.Role(trusting, 'Audit', { assumedBy: new iam.AccountPrincipal(TRUSTED) });
    const trusted = new Stack(app, 'Trusted', { env: { account: TRUSTED, region: REGION } });
    new AssumeRolePolicy(trusted, 'May', { targetRoleArns: [AUDIT], users: [new iam.User(trusted, 'Alice', { userName: 'alice' })] });

    // WHEN alice asks for the role by the name it got at deploy time
    const result = AccessExplainer.fromAssembly(app.synth().directory)
      .explain({ principal: ALICE, action: 'sts:AssumeRole', resource: AUDIT });

    // THEN
    expect(result.decision).toBe(AccessDecision.UNDETERMINED);
    expect(result.missing.join(' ')).toContain(`no role of the app is named AuditReadOnly in ${TRUSTING}, but 1 of its roles there has a name generated at deploy time: give the role a roleName`);
  });

  test('reads plain YAML templates with the account given, and points at the statement\'s line', () => {
    // GIVEN a trust policy written by hand in YAML, with short-form tags
    const file = temp.file('role.yaml', [
      'Resources:',
      '  Audit:',
      '    Type: AWS::IAM::Role',
      '    Properties:',
      '      RoleName: AuditReadOnly',
      '      AssumeRolePolicyDocument:',
      '        Version: "2012-10-17"',
      '        Statement:',
      '          - Sid: TrustOps',
      '            Effect: Allow',
      `            Principal: { AWS: !Sub "arn:\${AWS::Partition}:iam::${TRUSTED}:root" }`,
      '            Action: sts:AssumeRole',
      '            Condition: { Bool: { "aws:MultiFactorAuthPresent": "true" } }',
    ].join('\n'));

    // WHEN
    const result = AccessExplainer.fromTemplates([file], { account: TRUSTING })
      .explain({ principal: ALICE, action: 'sts:AssumeRole', resource: AUDIT });

    // THEN the trust refuses without MFA; alice's side is not in the templates
    expect(result.decision).toBe(AccessDecision.DENIED);
    const trust = result.layers.find(l => l.layer === AccessLayer.TRUST_POLICY)!;
    expect(trust.statements).toEqual([expect.objectContaining({ sid: 'TrustOps', line: 9, file, logicalId: 'Audit' })]);
  });

  test('refuses what it cannot read, naming the problem', () => {
    // GIVEN
    const explainer = auditPair();

    // WHEN / THEN
    expect(() => AccessExplainer.fromAssembly('/nonexistent')).toThrow(/is not a cloud assembly \(it has no manifest.json\)/);
    expect(() => explainer.explain({ principal: 'alice', action: 'sts:AssumeRole', resource: AUDIT })).toThrow(/the principal must be an IAM user or role ARN/);
    expect(() => explainer.explain({ principal: ALICE, action: 'AssumeRole', resource: AUDIT })).toThrow(/the action must be a service prefix and an action name/);
    expect(() => explainer.explain({ principal: ALICE, action: 'sts:AssumeRole', resource: 'arn:aws:s3:::bucket' })).toThrow(/needs a role ARN/);
    expect(() => explainer.explain({ principal: ALICE, action: 'sts:AssumeRole', resource: AUDIT, context: { 'aws:PrincipalAccount': OTHER } }))
      .toThrow(/contradicts the principal/);
    expect(() => AccessExplainer.fromTemplates(['x.json'], { account: '1234' })).toThrow(/account must be a 12-digit account ID, got '1234'/);
  });
});
