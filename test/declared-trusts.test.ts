import { Duration, NestedStack, Stack, Stage } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { CrossAccountRole, CrossAccountRoleFanout, ExternalIdTrust } from '../src';
import { OTHER, REGION, TRUSTED, TRUSTING, testApp } from './util';
import { declaredTrusts, isCrossAccount } from '../src/private/organization/declared-trusts';

const NO_GUARDS = { externalId: false, mfa: false, sourceIps: [], roleSessionNames: [], sourceIdentity: false };

describe('declaredTrusts', () => {
  test("reads a CrossAccountRole's accounts, guards, session and literal ARN", () => {
    // GIVEN
    const app = testApp();
    const stack = new Stack(app, 'Trusting', { env: { account: TRUSTING, region: REGION } });
    new CrossAccountRole(stack, 'Auditor', {
      roleName: 'Auditor',
      trustedAccounts: [TRUSTED],
      maxMfaAge: Duration.minutes(30),
      allowedSourceIps: ['203.0.113.0/24'],
      roleSessionNamePattern: '${aws:username}',
      maxSessionDuration: Duration.hours(2),
    });

    // WHEN
    const [role] = declaredTrusts(app);

    // THEN
    expect(role).toMatchObject({
      logicalId: expect.stringMatching(/^Auditor/),
      account: TRUSTING,
      partition: 'aws',
      roleName: 'Auditor',
      roleArn: `arn:aws:iam::${TRUSTING}:role/Auditor`,
      maxSessionDuration: 7200,
    });
    expect(role.trusts).toEqual([{
      accounts: [TRUSTED],
      accountRoots: [TRUSTED],
      principalArns: [],
      namedPrincipalArns: [],
      organizationIds: [],
      organizationalUnitPaths: [],
      federated: [],
      services: [],
      anyPrincipal: false,
      unresolvedPrincipals: false,
      guards: { externalId: false, mfa: true, maxMfaAgeSeconds: 1800, sourceIps: ['203.0.113.0/24'], roleSessionNames: ['${aws:username}'], sourceIdentity: false },
    }]);
  });

  test('reads plain iam.Role and iam.CfnRole trusts, in nested stacks and stages, with organisation, OU and principal ARN', () => {
    // GIVEN
    const app = testApp();
    const stage = new Stage(app, 'Prod');
    const stack = new Stack(stage, 'Workload', { env: { account: TRUSTING, region: REGION } });
    const nested = new NestedStack(stack, 'Inner');
    const plain = new iam.Role(nested, 'Plain', {
      assumedBy: new iam.AccountPrincipal(TRUSTED).withConditions({
        StringEquals: { 'sts:ExternalId': 'vendor-123456', 'aws:PrincipalOrgID': 'o-abcdef1234' },
        ArnLike: { 'aws:PrincipalArn': `arn:aws:iam::${TRUSTED}:role/ci-*` },
      }),
    });
    new s3.Bucket(stack, 'Data').grantRead(plain);
    new iam.CfnRole(stack, 'Raw', {
      roleName: 'RawOu',
      assumeRolePolicyDocument: {
        Version: '2012-10-17',
        Statement: [{
          Effect: 'Allow',
          Principal: { AWS: '*' },
          Action: 'sts:AssumeRole',
          Condition: { 'ForAnyValue:StringLike': { 'aws:PrincipalOrgPaths': 'o-abcdef1234/r-ab12/ou-ab12-11111111/*' } },
        }],
      },
    });
    new iam.Role(stack, 'Lambda', { assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com') });

    // WHEN
    const roles = declaredTrusts(app);

    // THEN
    const byPath = Object.fromEntries(roles.map(r => [r.constructPath, r]));
    expect(Object.keys(byPath)).toEqual(['Prod/Workload/Inner/Plain/Resource', 'Prod/Workload/Lambda/Resource', 'Prod/Workload/Raw']);
    expect(byPath['Prod/Workload/Inner/Plain/Resource'].account).toEqual(TRUSTING);
    expect(byPath['Prod/Workload/Inner/Plain/Resource'].roleArn).toBeUndefined();
    expect(byPath['Prod/Workload/Inner/Plain/Resource'].trusts).toEqual([expect.objectContaining({
      accounts: [TRUSTED],
      accountRoots: [TRUSTED],
      principalArns: [`arn:aws:iam::${TRUSTED}:role/ci-*`],
      namedPrincipalArns: [],
      organizationIds: ['o-abcdef1234'],
      guards: { ...NO_GUARDS, externalId: true },
    })]);
    expect(byPath['Prod/Workload/Raw']).toMatchObject({ roleArn: `arn:aws:iam::${TRUSTING}:role/RawOu` });
    expect(byPath['Prod/Workload/Raw'].trusts).toEqual([expect.objectContaining({
      anyPrincipal: true, accounts: [], organizationalUnitPaths: ['o-abcdef1234/r-ab12/ou-ab12-11111111/*'],
    })]);
    expect(byPath['Prod/Workload/Lambda/Resource'].trusts).toEqual([expect.objectContaining({ services: ['lambda.amazonaws.com'], accounts: [] })]);
    expect(roles.map(r => r.trusts.some(t => isCrossAccount(r, t)))).toEqual([true, false, true]);
  });

  test('reads an external ID trust given at deploy time as an external ID guard', () => {
    // GIVEN
    const app = testApp();
    const stack = new Stack(app, 'Trusting', { env: { account: TRUSTING, region: REGION } });
    const vendor = new ExternalIdTrust(stack, 'Vendor', { trustedAccount: OTHER });
    new CrossAccountRole(stack, 'VendorRole', { externalIdTrust: vendor });

    // WHEN
    const [role] = declaredTrusts(app);

    // THEN
    expect(role.trusts).toEqual([expect.objectContaining({ accounts: [OTHER], guards: { ...NO_GUARDS, externalId: true } })]);
  });

  test('does not count an IfExists MFA condition or a Deny statement as a trust guard', () => {
    // GIVEN
    const app = testApp();
    const stack = new Stack(app, 'Trusting', { env: { account: TRUSTING, region: REGION } });
    new iam.CfnRole(stack, 'Weak', {
      assumeRolePolicyDocument: {
        Version: '2012-10-17',
        Statement: [
          { Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${TRUSTED}:root` }, Action: 'sts:AssumeRole', Condition: { BoolIfExists: { 'aws:MultiFactorAuthPresent': 'true' } } },
          { Effect: 'Deny', Principal: { AWS: `arn:aws:iam::${OTHER}:root` }, Action: 'sts:AssumeRole' },
        ],
      },
    });

    // WHEN
    const [role] = declaredTrusts(app);

    // THEN
    expect(role.trusts).toEqual([expect.objectContaining({ accounts: [TRUSTED], guards: NO_GUARDS })]);
    expect(role.roleArn).toBeUndefined();
  });
});

describe('declaredTrusts of a StackSet', () => {
  test("reads the role of a fan-out StackSet's template, in no one account", () => {
    // GIVEN
    const app = testApp();
    new CrossAccountRoleFanout(app, 'Ops', {
      hubAccount: TRUSTED,
      roleName: 'OpsRead',
      organizationalUnitIds: ['ou-ab12-cd34ef56'],
      organizationId: 'o-abcdef1234',
      deploymentAccount: '888888888888',
      regions: [REGION],
    });

    // WHEN
    const spokes = declaredTrusts(app).filter(r => r.inStackSet);

    // THEN
    expect(spokes).toEqual([expect.objectContaining({ roleName: 'OpsRead', constructPath: 'Ops/StackSet/StackSet', trusts: [expect.objectContaining({ accounts: [TRUSTED] })] })]);
    expect(spokes[0].account).toBeUndefined();
    expect(spokes[0].roleArn).toBeUndefined();
  });
});
