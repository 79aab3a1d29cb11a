import { Match, Template } from 'aws-cdk-lib/assertions';
import * as iam from 'aws-cdk-lib/aws-iam';
import { AssumeRolePolicy, CrossAccountRole, CrossAccountRoleProps } from '../src';
import { RequestContext, evaluateAssumeRole, identityPoliciesFor, roleArnOf, simulateAssumeRole, trustPolicyOf } from './helpers/simulate';
import { REGION, TRUSTED, TRUSTING, pairedStacks } from './util';

const ALICE = `arn:aws:iam::${TRUSTED}:user/alice`;

/** Synthesizes a role with the given session controls, and the trusted side's permission for a group. */
function deploy(props: Partial<CrossAccountRoleProps>) {
  const { trusting, trusted } = pairedStacks();
  const role = new CrossAccountRole(trusting, 'Role', { trustedAccounts: [TRUSTED], roleName: 'Session', ...props });
  const group = new iam.Group(trusted, 'Group');
  new AssumeRolePolicy(trusted, 'Assume', { targetRoles: [role], groups: [group] });
  const trustingTemplate = Template.fromStack(trusting).toJSON();
  const trustedTemplate = Template.fromStack(trusted).toJSON();
  const ctx = { account: TRUSTING, region: REGION };
  return {
    role,
    trustingTemplate,
    trustedTemplate,
    roleArn: roleArnOf(trustingTemplate, ctx),
    trustPolicy: trustPolicyOf(trustingTemplate, ctx),
    identityPolicies: identityPoliciesFor(trustedTemplate, { type: 'group', logicalId: trusted.getLogicalId(group.node.defaultChild as iam.CfnGroup) },
      { account: TRUSTED, region: REGION }),
  };
}

type Deployed = ReturnType<typeof deploy>;

function request(deployed: Deployed, context: RequestContext, action = 'sts:AssumeRole', principalArn = ALICE) {
  return simulateAssumeRole({
    principalArn,
    roleArn: deployed.roleArn,
    trustPolicy: deployed.trustPolicy,
    identityPolicies: deployed.identityPolicies,
    context,
    action,
  });
}

describe('source identity', () => {
  const deployed = deploy({ sourceIdentityPattern: '${aws:username}' });

  test('allows sts:SetSourceIdentity in the trust and in the assume permission', () => {
    expect(deployed.role.assumeRoleActions).toEqual(['sts:AssumeRole', 'sts:SetSourceIdentity']);
    Template.fromJSON(deployed.trustingTemplate).hasResourceProperties('AWS::IAM::Role', {
      AssumeRolePolicyDocument: Match.objectLike({
        Statement: [
          Match.objectLike({ Action: 'sts:AssumeRole', Condition: { StringLike: { 'sts:SourceIdentity': '${aws:username}' } } }),
          // The AssumeRole statement checks the source identity; this one only allows setting it.
          Match.objectLike({ Action: 'sts:SetSourceIdentity', Condition: Match.absent() }),
        ],
      }),
    });
    Template.fromJSON(deployed.trustedTemplate).hasResourceProperties('AWS::IAM::ManagedPolicy', {
      PolicyDocument: Match.objectLike({ Statement: [Match.objectLike({ Action: ['sts:AssumeRole', 'sts:SetSourceIdentity'] })] }),
    });
  });

  test('allows a caller whose source identity is their own user name', async () => {
    expect(await request(deployed, { 'sts:SourceIdentity': 'alice' })).toBe('Allowed');
    expect(await request(deployed, { 'sts:SourceIdentity': 'alice' }, 'sts:SetSourceIdentity')).toBe('Allowed');
  });

  test('denies a caller who claims another identity', async () => {
    expect(await request(deployed, { 'sts:SourceIdentity': 'bob' })).toBe('ImplicitlyDenied');
  });

  test('denies a caller without a source identity', async () => {
    expect(await request(deployed, {})).toBe('ImplicitlyDenied');
  });

  test('without a pattern, requires that some source identity is set', async () => {
    const any = deploy({ requireSourceIdentity: true });
    expect(await request(any, { 'sts:SourceIdentity': 'whoever' })).toBe('Allowed');
    expect(await request(any, {})).toBe('ImplicitlyDenied');
  });
});

describe('session tags', () => {
  const deployed = deploy({ transitiveTagKeys: ['project'] });

  test('allows sts:TagSession in the trust and in the assume permission only when asked', () => {
    expect(deployed.role.assumeRoleActions).toEqual(['sts:AssumeRole', 'sts:TagSession']);
    expect(deploy({}).role.assumeRoleActions).toEqual(['sts:AssumeRole']);
    Template.fromJSON(deployed.trustingTemplate).hasResourceProperties('AWS::IAM::Role', {
      AssumeRolePolicyDocument: Match.objectLike({
        Statement: [
          Match.objectLike({ Action: 'sts:AssumeRole', Condition: Match.absent() }),
          Match.objectLike({ Action: 'sts:TagSession', Condition: { 'ForAllValues:StringEquals': { 'sts:TransitiveTagKeys': 'project' } } }),
        ],
      }),
    });
  });

  test('allows tagging a session with an allowed transitive key', async () => {
    expect(await request(deployed, { 'sts:TransitiveTagKeys': ['project'] }, 'sts:TagSession')).toBe('Allowed');
  });

  test('allows tags that are not transitive', async () => {
    expect(await request(deployed, {}, 'sts:TagSession')).toBe('Allowed');
  });

  test('denies another transitive key', async () => {
    expect(await request(deployed, { 'sts:TransitiveTagKeys': ['project', 'cost-center'] }, 'sts:TagSession')).toBe('ImplicitlyDenied');
  });

  test('denies tagging a session of a role that does not allow session tags', async () => {
    expect(await request(deploy({}), {}, 'sts:TagSession')).toBe('ImplicitlyDenied');
  });
});

describe('session tags and a source identity on a vendor role with an external ID', () => {
  // sts:ExternalId and sts:SourceIdentity are keys of the AssumeRole request: the Service Authorization
  // Reference lists neither for sts:TagSession, so a condition on them there would refuse every tagged session.
  const deployed = deploy({ externalIds: ['vendor-external-id-0001'], allowSessionTags: true, requireSourceIdentity: true, requireMfa: true });
  const caller = { 'aws:MultiFactorAuthPresent': 'true' };

  test('allows the AssumeRole call with the external ID, its tags and its source identity', async () => {
    expect(await request(deployed, { ...caller, 'sts:ExternalId': 'vendor-external-id-0001', 'sts:SourceIdentity': 'alice' })).toBe('Allowed');
    expect(await request(deployed, caller, 'sts:TagSession')).toBe('Allowed');
    expect(await request(deployed, { ...caller, 'sts:SourceIdentity': 'alice' }, 'sts:SetSourceIdentity')).toBe('Allowed');
  });

  test('still denies the AssumeRole call without the external ID or without a source identity', async () => {
    expect(await request(deployed, { ...caller, 'sts:SourceIdentity': 'alice' })).toBe('ImplicitlyDenied');
    expect(await request(deployed, { ...caller, 'sts:ExternalId': 'vendor-external-id-0001' })).toBe('ImplicitlyDenied');
  });

  test('keeps the conditions on the caller for the session actions too', async () => {
    expect(await request(deployed, {}, 'sts:TagSession')).toBe('ImplicitlyDenied');
    expect(await request(deployed, { 'sts:SourceIdentity': 'alice' }, 'sts:SetSourceIdentity')).toBe('ImplicitlyDenied');
  });
});

describe('role session name', () => {
  const deployed = deploy({ roleSessionNamePattern: 'ci-*' });

  test('adds StringLike sts:RoleSessionName', () => {
    Template.fromJSON(deployed.trustingTemplate).hasResourceProperties('AWS::IAM::Role', {
      AssumeRolePolicyDocument: Match.objectLike({
        Statement: [Match.objectLike({ Condition: { StringLike: { 'sts:RoleSessionName': 'ci-*' } } })],
      }),
    });
  });

  test('allows a matching session name and denies another', async () => {
    expect(await request(deployed, { 'sts:RoleSessionName': 'ci-build-42' })).toBe('Allowed');
    expect(await request(deployed, { 'sts:RoleSessionName': 'laptop' })).toBe('ImplicitlyDenied');
  });
});

describe('source IPs', () => {
  const deployed = deploy({ allowedSourceIps: ['203.0.113.0/24', '2001:db8::/32'] });

  test('adds IpAddress aws:SourceIp', () => {
    Template.fromJSON(deployed.trustingTemplate).hasResourceProperties('AWS::IAM::Role', {
      AssumeRolePolicyDocument: Match.objectLike({
        Statement: [Match.objectLike({ Condition: { IpAddress: { 'aws:SourceIp': ['203.0.113.0/24', '2001:db8::/32'] } } })],
      }),
    });
  });

  test('allows a caller from an allowed network and denies one from elsewhere', async () => {
    expect(await request(deployed, { 'aws:SourceIp': '203.0.113.7' })).toBe('Allowed');
    expect(await request(deployed, { 'aws:SourceIp': '198.51.100.7' })).toBe('ImplicitlyDenied');
  });
});

describe('session controls are merged with the other conditions', () => {
  test('external ID, session name and source identity all hold together', async () => {
    const deployed = deploy({ externalIds: ['merged-external-id-7'], roleSessionNamePattern: '${aws:username}', requireSourceIdentity: true });
    const good: RequestContext = { 'sts:ExternalId': 'merged-external-id-7', 'sts:RoleSessionName': 'alice', 'sts:SourceIdentity': 'alice' };

    expect(await request(deployed, good)).toBe('Allowed');
    expect(await request(deployed, { ...good, 'sts:ExternalId': 'wrong-external-id-00' })).toBe('ImplicitlyDenied');
    expect(await request(deployed, { ...good, 'sts:RoleSessionName': 'bob' })).toBe('ImplicitlyDenied');
    const outcome = await evaluateAssumeRole({
      principalArn: ALICE, roleArn: deployed.roleArn, trustPolicy: deployed.trustPolicy, identityPolicies: deployed.identityPolicies, context: good,
    });
    expect(outcome.decision).toBe('Allowed');
  });
});

describe('validation of session controls', () => {
  const make = (props: Partial<CrossAccountRoleProps>) => () => new CrossAccountRole(pairedStacks().trusting, 'Role', { trustedAccounts: [TRUSTED], ...props });

  test('refuses session name patterns with characters STS never accepts', () => {
    expect(make({ roleSessionNamePattern: 'ci build' })).toThrow(/roleSessionNamePattern may only contain letters, digits, .* got 'ci build' with ' '/);
  });

  test('refuses a pattern longer than a session name can be', () => {
    expect(make({ sourceIdentityPattern: 'x'.repeat(65) })).toThrow(/sourceIdentityPattern must match values of at most 64 characters/);
  });

  test('refuses an exact session name shorter than 2 characters', () => {
    expect(make({ roleSessionNamePattern: 'a' })).toThrow(/roleSessionNamePattern must be 2 to 64 characters, got 'a'/);
  });

  test('refuses a pattern that matches everything', () => {
    expect(make({ roleSessionNamePattern: '*' })).toThrow(/roleSessionNamePattern '\*' matches every value; leave it out/);
  });

  test('accepts policy variables and wildcards', () => {
    expect(make({ roleSessionNamePattern: '${aws:username}-*', sourceIdentityPattern: '${aws:username}' })).not.toThrow();
  });

  test('refuses malformed CIDR blocks and an empty list', () => {
    expect(make({ allowedSourceIps: ['203.0.113.0'] })).toThrow(/allowedSourceIps\[0\] must be a CIDR block like '203.0.113.0\/24'/);
    expect(make({ allowedSourceIps: ['300.0.113.0/24'] })).toThrow(/allowedSourceIps\[0\] must be a CIDR block/);
    expect(make({ allowedSourceIps: [] })).toThrow(/allowedSourceIps is an empty list, which would let nobody in/);
  });

  test('refuses contradictory switches', () => {
    expect(make({ sourceIdentityPattern: '${aws:username}', requireSourceIdentity: false })).toThrow(/sourceIdentityPattern is set but requireSourceIdentity is false/);
    expect(make({ transitiveTagKeys: ['project'], allowSessionTags: false })).toThrow(/transitiveTagKeys is set but allowSessionTags is false/);
  });

  test('refuses a malformed tag key', () => {
    expect(make({ transitiveTagKeys: ['bad#key'] })).toThrow(/transitiveTagKeys\[0\] must be a tag key/);
  });
});
