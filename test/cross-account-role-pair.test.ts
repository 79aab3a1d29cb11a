import { Duration, Stage } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as iam from 'aws-cdk-lib/aws-iam';
import { CrossAccountRolePair } from '../src';
import { REGION, TRUSTED, TRUSTING, testApp } from './util';

describe('CrossAccountRolePair', () => {
  test('creates one stack per account with explicit environments', () => {
    // GIVEN
    const app = testApp();

    // WHEN
    const pair = new CrossAccountRolePair(app, 'Audit', { trustingAccount: TRUSTING, trustedAccount: TRUSTED, region: REGION, roleName: 'Auditor' });

    // THEN
    expect(pair.trustingStack.account).toBe(TRUSTING);
    expect(pair.trustedStack.account).toBe(TRUSTED);
    expect(pair.trustingStack.region).toBe(REGION);
    expect(pair.trustedStack.region).toBe(REGION);
    expect(pair.trustingStack.stackName).toBe('Audit-Trusting');
    expect(pair.trustedStack.stackName).toBe('Audit-Trusted');
    Template.fromStack(pair.trustingStack).resourceCountIs('AWS::IAM::Role', 1);
    Template.fromStack(pair.trustingStack).resourceCountIs('AWS::IAM::ManagedPolicy', 0);
    Template.fromStack(pair.trustedStack).resourceCountIs('AWS::IAM::Role', 0);
    Template.fromStack(pair.trustedStack).resourceCountIs('AWS::IAM::ManagedPolicy', 1);
  });

  test('defaults to us-east-1', () => {
    const pair = new CrossAccountRolePair(testApp(), 'Audit', { trustingAccount: TRUSTING, trustedAccount: TRUSTED, roleName: 'Auditor' });

    expect(pair.trustingStack.region).toBe('us-east-1');
  });

  test('wires the assume permission to the role by its literal ARN, and attaches it to a new group', () => {
    const pair = new CrossAccountRolePair(testApp(), 'Audit', { trustingAccount: TRUSTING, trustedAccount: TRUSTED, roleName: 'Auditor' });

    expect(pair.assumerGroup).toBeDefined();
    Template.fromStack(pair.trustedStack).hasResourceProperties('AWS::IAM::ManagedPolicy', {
      PolicyDocument: {
        Statement: [{
          Action: 'sts:AssumeRole',
          Effect: 'Allow',
          Resource: { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, `:iam::${TRUSTING}:role/Auditor`]] },
        }],
        Version: '2012-10-17',
      },
      Groups: [{ Ref: Match.stringLikeRegexp('^AssumerGroup') }],
    });
    Template.fromStack(pair.trustingStack).hasResourceProperties('AWS::IAM::Role', {
      RoleName: 'Auditor',
      AssumeRolePolicyDocument: Match.objectLike({
        Statement: [Match.objectLike({ Principal: { AWS: { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, `:iam::${TRUSTED}:root`]] } } })],
      }),
    });
  });

  test('deploys the trusting stack first', () => {
    const pair = new CrossAccountRolePair(testApp(), 'Audit', { trustingAccount: TRUSTING, trustedAccount: TRUSTED, roleName: 'Auditor' });

    expect(pair.trustedStack.dependencies).toEqual([pair.trustingStack]);
  });

  test('attaches the permission to named existing assumers instead of creating a group', () => {
    const pair = new CrossAccountRolePair(testApp(), 'Audit', {
      trustingAccount: TRUSTING,
      trustedAccount: TRUSTED,
      roleName: 'Auditor',
      assumerUserNames: ['alice'],
      assumerGroupNames: ['auditors'],
      assumerRoleNames: ['ci-runner'],
    });

    expect(pair.assumerGroup).toBeUndefined();
    const template = Template.fromStack(pair.trustedStack);
    template.resourceCountIs('AWS::IAM::Group', 0);
    template.hasResourceProperties('AWS::IAM::ManagedPolicy', { Users: ['alice'], Groups: ['auditors'], Roles: ['ci-runner'] });
  });

  test('passes MFA, organization, session and policies through to the role, and MFA to the permission', () => {
    const pair = new CrossAccountRolePair(testApp(), 'Audit', {
      trustingAccount: TRUSTING,
      trustedAccount: TRUSTED,
      roleName: 'Auditor',
      maxMfaAge: Duration.hours(1),
      trustedOrganizationId: 'o-abcdef1234',
      maxSessionDuration: Duration.hours(2),
      managedPolicies: [iam.ManagedPolicy.fromAwsManagedPolicyName('ReadOnlyAccess')],
    });

    Template.fromStack(pair.trustingStack).hasResourceProperties('AWS::IAM::Role', {
      MaxSessionDuration: 7200,
      AssumeRolePolicyDocument: Match.objectLike({
        Statement: [Match.objectLike({
          Condition: {
            StringEquals: { 'aws:PrincipalOrgID': 'o-abcdef1234' },
            Bool: { 'aws:MultiFactorAuthPresent': 'true' },
            NumericLessThan: { 'aws:MultiFactorAuthAge': '3600' },
          },
        })],
      }),
    });
    Template.fromStack(pair.trustedStack).hasResourceProperties('AWS::IAM::ManagedPolicy', {
      PolicyDocument: Match.objectLike({
        Statement: [Match.objectLike({ Condition: { Bool: { 'aws:MultiFactorAuthPresent': 'true' } } })],
      }),
    });
  });

  test('takes the external ID from a NoEcho parameter named ExternalId', () => {
    const pair = new CrossAccountRolePair(testApp(), 'Vendor', { trustingAccount: TRUSTING, trustedAccount: TRUSTED, roleName: 'Vendor', externalIdParameter: true });

    const template = Template.fromStack(pair.trustingStack);
    template.hasParameter('ExternalId', { NoEcho: true, MinLength: 2, MaxLength: 1224 });
    template.hasResourceProperties('AWS::IAM::Role', {
      AssumeRolePolicyDocument: Match.objectLike({
        Statement: [Match.objectLike({ Condition: { StringEquals: { 'sts:ExternalId': { Ref: 'ExternalId' } } } })],
      }),
    });
    expect(pair.externalIdTrust?.externalIdParameter).toBeDefined();
  });

  test('prefixes stack names with the stage name inside a stage', () => {
    const stage = new Stage(testApp(), 'Prod');

    const pair = new CrossAccountRolePair(stage, 'Audit', { trustingAccount: TRUSTING, trustedAccount: TRUSTED, roleName: 'Auditor' });

    expect(pair.trustingStack.stackName).toBe('Prod-Audit-Trusting');
    expect(pair.trustedStack.stackName).toBe('Prod-Audit-Trusted');
  });

  test('refuses literal external IDs together with the deploy-time parameter', () => {
    expect(() => new CrossAccountRolePair(testApp(), 'Vendor', {
      trustingAccount: TRUSTING, trustedAccount: TRUSTED, roleName: 'Vendor', externalIds: ['literal-external-id'], externalIdParameter: true,
    })).toThrow(/Vendor: externalIds and externalIdParameter are both set/);
  });

  test('refuses a group name when no group is created', () => {
    expect(() => new CrossAccountRolePair(testApp(), 'Audit', {
      trustingAccount: TRUSTING, trustedAccount: TRUSTED, roleName: 'Auditor', assumerUserNames: ['alice'], assumerGroupName: 'g',
    })).toThrow(/assumerGroupName is set but existing assumers are named/);
  });
});

describe('CrossAccountRolePair snapshots (logical IDs of production roles must not change)', () => {
  const snapshot = (pair: CrossAccountRolePair) => ({
    trusting: Template.fromStack(pair.trustingStack).toJSON(),
    trusted: Template.fromStack(pair.trustedStack).toJSON(),
  });

  test('plain pair', () => {
    const pair = new CrossAccountRolePair(testApp(), 'Plain', {
      trustingAccount: TRUSTING,
      trustedAccount: TRUSTED,
      region: REGION,
      roleName: 'PlainReader',
      managedPolicies: [iam.ManagedPolicy.fromAwsManagedPolicyName('ReadOnlyAccess')],
    });
    expect(snapshot(pair)).toMatchSnapshot();
  });

  test('vendor access with a deploy-time external ID', () => {
    const pair = new CrossAccountRolePair(testApp(), 'Vendor', {
      trustingAccount: TRUSTING,
      trustedAccount: TRUSTED,
      region: REGION,
      roleName: 'VendorAudit',
      externalIdParameter: true,
      trustedPrincipalArns: [`arn:aws:iam::${TRUSTED}:role/vendor-scanner`],
      assumerRoleNames: ['vendor-scanner'],
    });
    expect(snapshot(pair)).toMatchSnapshot();
  });

  test('MFA and organisation', () => {
    const pair = new CrossAccountRolePair(testApp(), 'Humans', {
      trustingAccount: TRUSTING,
      trustedAccount: TRUSTED,
      region: REGION,
      roleName: 'HumanAdmin',
      requireMfa: true,
      maxMfaAge: Duration.hours(1),
      trustedOrganizationId: 'o-abcdef1234',
      maxSessionDuration: Duration.hours(4),
      managedPolicies: [iam.ManagedPolicy.fromAwsManagedPolicyName('PowerUserAccess')],
      assumerGroupName: 'admins',
    });
    expect(snapshot(pair)).toMatchSnapshot();
  });
});
