import { App, Duration, Stack } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import * as iam from 'aws-cdk-lib/aws-iam';
import { AssumeRolePolicy, CrossAccountRole, CrossAccountRoleProps } from '../src';
import { AssumeRoleRequest, RequestContext, identityPoliciesFor, roleArnOf, simulateAssumeRole, trustPolicyOf } from './helpers/simulate';
import { OTHER, REGION, TRUSTED, TRUSTING, pairedStacks } from './util';

/**
 * role.grantAssumeRole(grantee) across accounts writes the trusted side as
 * AssumeRolePolicy writes it (aws-cdk#24507, aws-cdk#23090: aws-cdk-lib's own
 * grantAssumeRole writes one side and says nothing).
 */

const ROLE_NAME = 'Reader';
const ROLE_ARN = `:iam::${TRUSTING}:role/${ROLE_NAME}`;
const LITERAL_ROLE_ARN = { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ROLE_ARN]] };

function setup(props: Partial<CrossAccountRoleProps> = {}) {
  const stacks = pairedStacks();
  const role = new CrossAccountRole(stacks.trusting, 'Role', { roleName: ROLE_NAME, trustedAccounts: [TRUSTED], ...props });
  // The trusted stack is created when first used (a stack without resources does not validate).
  return { app: stacks.app, trusting: stacks.trusting, get trusted() { return stacks.trusted; }, role };
}

/** The statements of the identity policies attached to one user, group or role of the trusted stack. */
function statementsOf(stack: Stack, key: 'Users' | 'Groups' | 'Roles', construct: iam.User | iam.Group | iam.Role): unknown[] {
  const logicalId = stack.getLogicalId(construct.node.defaultChild as iam.CfnUser);
  const policies = Template.fromStack(stack).findResources('AWS::IAM::Policy', { Properties: { [key]: [{ Ref: logicalId }] } });
  type Policy = { Properties: { PolicyDocument: { Statement: unknown[] } } };
  return Object.values(policies).flatMap(p => (p as Policy).Properties.PolicyDocument.Statement);
}

describe('grantAssumeRole to a principal of a trusted account', () => {
  test('gives a user the role\'s literal ARN, never an export', () => {
    // GIVEN
    const { trusted, role } = setup();
    const user = new iam.User(trusted, 'Alice', { userName: 'alice' });

    // WHEN
    const grant = role.grantAssumeRole(user);

    // THEN
    expect(grant.success).toBe(true);
    expect(statementsOf(trusted, 'Users', user)).toEqual([{ Action: 'sts:AssumeRole', Effect: 'Allow', Resource: LITERAL_ROLE_ARN }]);
    expect(JSON.stringify(Template.fromStack(trusted).toJSON())).not.toContain('Fn::ImportValue');
  });

  test('gives a group and a role the same permission', () => {
    // GIVEN
    const { trusted, role } = setup();
    const group = new iam.Group(trusted, 'Operators');
    const ci = new iam.Role(trusted, 'Ci', { assumedBy: new iam.ServicePrincipal('codebuild.amazonaws.com') });

    // WHEN
    role.grantAssumeRole(group);
    role.grantAssumeRole(ci);

    // THEN
    const expected = [{ Action: 'sts:AssumeRole', Effect: 'Allow', Resource: LITERAL_ROLE_ARN }];
    expect(statementsOf(trusted, 'Groups', group)).toEqual(expected);
    expect(statementsOf(trusted, 'Roles', ci)).toEqual(expected);
  });

  test('says nothing was written only when nothing was: not for an iam.Role, whose policy aws-cdk-lib places when the app is prepared', () => {
    // GIVEN a role of the trusted account's stack (aws-cdk-lib fills its grants' dependencies in an aspect)
    const { trusting, trusted, role } = setup();
    const ci = new iam.Role(trusted, 'Ci', { assumedBy: new iam.ServicePrincipal('codebuild.amazonaws.com') });

    // WHEN
    role.grantAssumeRole(ci);

    // THEN the statement is written, and no warning says otherwise
    expect(statementsOf(trusted, 'Roles', ci)).toEqual([{ Action: 'sts:AssumeRole', Effect: 'Allow', Resource: LITERAL_ROLE_ARN }]);
    Annotations.fromStack(trusting).hasNoWarning('/Trusting/Role', Match.anyValue());
  });

  test('allows every action the trust requires: session tags and source identity', () => {
    // GIVEN
    const { trusted, role } = setup({ allowSessionTags: true, requireSourceIdentity: true });
    const user = new iam.User(trusted, 'Alice');

    // WHEN
    role.grantAssumeRole(user);

    // THEN
    expect(statementsOf(trusted, 'Users', user)).toEqual([{
      Action: ['sts:AssumeRole', 'sts:SetSourceIdentity', 'sts:TagSession'],
      Effect: 'Allow',
      Resource: LITERAL_ROLE_ARN,
    }]);
  });

  test('requires MFA on the caller\'s side when the role requires MFA', () => {
    // GIVEN
    const { trusted, role } = setup({ maxMfaAge: Duration.hours(1) });
    const user = new iam.User(trusted, 'Alice');

    // WHEN
    role.grantAssumeRole(user);

    // THEN
    expect(statementsOf(trusted, 'Users', user)).toEqual([{
      Action: 'sts:AssumeRole',
      Condition: { Bool: { 'aws:MultiFactorAuthPresent': 'true' } },
      Effect: 'Allow',
      Resource: LITERAL_ROLE_ARN,
    }]);
  });

  test('writes the statement an AssumeRolePolicy writes for the same role', () => {
    // GIVEN a role with every caller-side requirement
    const { trusted, role } = setup({ requireMfa: true, allowSessionTags: true });
    const user = new iam.User(trusted, 'Alice');

    // WHEN
    role.grantAssumeRole(user);
    const policy = new AssumeRolePolicy(trusted, 'Assume', { targetRoles: [role], requireMfa: true });

    // THEN
    const managed = Template.fromStack(trusted).findResources('AWS::IAM::ManagedPolicy');
    const managedStatements = (managed[trusted.getLogicalId(policy.policy.node.defaultChild as iam.CfnManagedPolicy)] as {
      Properties: { PolicyDocument: { Statement: unknown[] } };
    }).Properties.PolicyDocument.Statement;
    expect(statementsOf(trusted, 'Users', user)).toEqual(managedStatements);
  });

  test('accepts an account trusted through trustedPrincipalArns', () => {
    // GIVEN
    const { trusted, role } = setup({ trustedAccounts: undefined, trustedPrincipalArns: [`arn:aws:iam::${TRUSTED}:user/alice`] });
    const user = new iam.User(trusted, 'Alice', { userName: 'alice' });

    // WHEN
    role.grantAssumeRole(user);

    // THEN
    expect(statementsOf(trusted, 'Users', user)).toHaveLength(1);
  });
});

describe('grantAssumeRole refuses what cannot work', () => {
  test('fails for a principal of an account the role does not trust', () => {
    // GIVEN
    const { app, role } = setup();
    const other = new Stack(app, 'Other', { env: { account: OTHER, region: REGION } });
    const mallory = new iam.User(other, 'Mallory');

    // WHEN / THEN
    expect(() => role.grantAssumeRole(mallory)).toThrow(
      `Trusting/Role: grantAssumeRole: 'Other/Mallory' is in account ${OTHER}, which this role does not trust (it trusts ${TRUSTED}), so its trust policy would refuse the call; add ${OTHER} to trustedAccounts (or trustedPrincipalArns)`);
  });

  test('fails for a principal whose account is unknown at synth time', () => {
    // GIVEN
    const { app, role } = setup();
    const agnostic = new Stack(app, 'Agnostic');
    const user = new iam.User(agnostic, 'Someone');

    // WHEN / THEN
    expect(() => role.grantAssumeRole(user)).toThrow(/Trusting\/Role: grantAssumeRole cannot tell the account of 'Agnostic\/Someone'; give it a user, group or role in a stack with env: \{ account/);
  });

  test('fails for a principal that has no identity policy to add to', () => {
    // GIVEN a principal of the trusted account known only by its ARN
    const { role } = setup();
    const principal = new iam.ArnPrincipal(`arn:aws:iam::${TRUSTED}:user/alice`);

    // WHEN / THEN
    expect(() => role.grantAssumeRole(principal)).toThrow(/Trusting\/Role: grantAssumeRole cannot tell the account of ArnPrincipal\(arn:aws:iam::222222222222:user\/alice\); give it a user, group or role in a stack with env/);
  });
});

describe('grantAssumeRole to an imported role', () => {
  const CI_ROLE_ARN = `arn:aws:iam::${TRUSTED}:role/ci`;
  const NOT_WRITTEN = /grantAssumeRole wrote nothing for '(.*)': this app cannot change its identity policy.*give it the permission in account 222222222222, e.g. with an AssumeRolePolicy/;

  test('warns, naming the fix, when the role is imported from another account into the role\'s stack', () => {
    // GIVEN a role of the trusted account, imported where the role is defined (aws-cdk-lib makes it immutable)
    const { trusting, role } = setup();
    const ci = iam.Role.fromRoleArn(trusting, 'Ci', CI_ROLE_ARN);

    // WHEN
    role.grantAssumeRole(ci);

    // THEN nothing can carry the permission, and the warning says where to give it
    Template.fromStack(trusting).resourceCountIs('AWS::IAM::Policy', 0);
    Annotations.fromStack(trusting).hasWarning('/Trusting/Role', Match.stringLikeRegexp(NOT_WRITTEN.source.replace('(.*)', 'Trusting/Ci')));
  });

  test('warns when the role is imported from a trusted account into a stack of a third account', () => {
    // GIVEN
    const { app, trusting, role } = setup();
    const other = new Stack(app, 'Other', { env: { account: OTHER, region: REGION } });
    const ci = iam.Role.fromRoleArn(other, 'Ci', CI_ROLE_ARN);
    new iam.User(other, 'Someone');

    // WHEN
    role.grantAssumeRole(ci);

    // THEN
    Template.fromStack(other).resourceCountIs('AWS::IAM::Policy', 0);
    Annotations.fromStack(trusting).hasWarning('/Trusting/Role', Match.stringLikeRegexp(NOT_WRITTEN.source.replace('(.*)', 'Other/Ci')));
  });

  test('warns for a role imported with mutable: false in its own account\'s stack', () => {
    // GIVEN
    const { trusting, trusted, role } = setup();
    const ci = iam.Role.fromRoleArn(trusted, 'Ci', CI_ROLE_ARN, { mutable: false });
    new iam.User(trusted, 'Someone');

    // WHEN
    role.grantAssumeRole(ci);

    // THEN
    Template.fromStack(trusted).resourceCountIs('AWS::IAM::Policy', 0);
    Annotations.fromStack(trusting).hasWarning('/Trusting/Role', Match.stringLikeRegexp(NOT_WRITTEN.source.replace('(.*)', 'Trusted/Ci')));
  });

  test('writes the permission for a role imported into a stack of its own account, without a warning', () => {
    // GIVEN
    const { trusting, trusted, role } = setup();
    const ci = iam.Role.fromRoleArn(trusted, 'Ci', CI_ROLE_ARN);

    // WHEN
    const grant = role.grantAssumeRole(ci);

    // THEN the trusted stack carries the statement, attached to the imported role by name
    expect(grant.success).toBe(true);
    Template.fromStack(trusted).hasResourceProperties('AWS::IAM::Policy', {
      Roles: ['ci'],
      PolicyDocument: { Statement: [{ Action: 'sts:AssumeRole', Effect: 'Allow', Resource: LITERAL_ROLE_ARN }] },
    });
    Annotations.fromStack(trusting).hasNoWarning('/Trusting/Role', Match.anyValue());
  });
});

describe('grantAssumeRole in the role\'s own account', () => {
  test('does what iam.Role does: sts:AssumeRole on the role', () => {
    // GIVEN
    const { trusting, role } = setup();
    const user = new iam.User(trusting, 'Local');

    // WHEN
    role.grantAssumeRole(user);

    // THEN
    const roleId = trusting.getLogicalId(role.role.node.defaultChild as iam.CfnRole);
    expect(statementsOf(trusting, 'Users', user)).toEqual([{ Action: 'sts:AssumeRole', Effect: 'Allow', Resource: { 'Fn::GetAtt': [roleId, 'Arn'] } }]);
  });

  test('writes the same statement as a plain iam.Role', () => {
    // GIVEN the same grant on a CrossAccountRole and on an iam.Role
    const app = new App();
    const stack = new Stack(app, 'Stack', { env: { account: TRUSTING, region: REGION } });
    const ours = new CrossAccountRole(stack, 'Ours', { trustedAccounts: [TRUSTED] });
    const plain = new iam.Role(stack, 'Plain', { assumedBy: new iam.AccountPrincipal(TRUSTED) });
    const a = new iam.User(stack, 'A');
    const b = new iam.User(stack, 'B');

    // WHEN
    ours.grantAssumeRole(a);
    plain.grantAssumeRole(b);

    // THEN the statements differ only in the role they name
    const [ourStatement] = statementsOf(stack, 'Users', a) as Array<Record<string, unknown>>;
    const [plainStatement] = statementsOf(stack, 'Users', b) as Array<Record<string, unknown>>;
    expect({ ...ourStatement, Resource: undefined }).toEqual({ ...plainStatement, Resource: undefined });
  });
});

describe('grantAssumeRole, simulated', () => {
  const ALICE = `arn:aws:iam::${TRUSTED}:user/alice`;
  const BOB = `arn:aws:iam::${TRUSTED}:user/bob`;

  /** Deploys a role with MFA and an external ID, and grants alice (not bob) the permission to assume it. */
  function deploy() {
    const { trusting, trusted, role } = setup({ requireMfa: true, externalIds: ['vendor-external-id-01'], allowSessionTags: true });
    const alice = new iam.User(trusted, 'Alice', { userName: 'alice' });
    new iam.User(trusted, 'Bob', { userName: 'bob' });
    role.grantAssumeRole(alice);
    const trustingTemplate = Template.fromStack(trusting).toJSON();
    const trustedTemplate = Template.fromStack(trusted).toJSON();
    const ctx = { account: TRUSTED, region: REGION };
    return {
      roleArn: roleArnOf(trustingTemplate, { account: TRUSTING, region: REGION }),
      trustPolicy: trustPolicyOf(trustingTemplate, { account: TRUSTING, region: REGION }),
      alice: identityPoliciesFor(trustedTemplate, { type: 'user', name: 'alice' }, ctx),
      bob: identityPoliciesFor(trustedTemplate, { type: 'user', name: 'bob' }, ctx),
    };
  }
  const deployed = deploy();
  const good = { 'aws:MultiFactorAuthPresent': 'true', 'sts:ExternalId': 'vendor-external-id-01' };

  /** Asks for the role (or another) as `principalArn`, with the given identity policies and trust. */
  function ask(principalArn: string, identityPolicies: unknown[], context: RequestContext, more: Partial<AssumeRoleRequest> = {}) {
    return simulateAssumeRole({ principalArn, roleArn: deployed.roleArn, trustPolicy: deployed.trustPolicy, identityPolicies, context, ...more });
  }

  test('the granted user may assume the role with MFA and the external ID', async () => {
    expect(await ask(ALICE, deployed.alice, good)).toBe('Allowed');
  });

  test('the granted user may tag the session, as the trust allows', async () => {
    // sts:ExternalId is a key of the AssumeRole request only
    expect(await ask(ALICE, deployed.alice, { 'aws:MultiFactorAuthPresent': 'true' }, { action: 'sts:TagSession' })).toBe('Allowed');
  });

  test('the granted user is denied without MFA, by both sides', async () => {
    const noMfa = { ...good, 'aws:MultiFactorAuthPresent': 'false' };
    expect(await ask(ALICE, deployed.alice, noMfa)).toBe('ImplicitlyDenied');
    // the caller's side alone refuses it too, whatever a trust allowing everyone says
    const openTrust = { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${TRUSTED}:root` }, Action: 'sts:AssumeRole' }] };
    expect(await ask(ALICE, deployed.alice, noMfa, { trustPolicy: openTrust })).toBe('ImplicitlyDenied');
  });

  test('the granted user is denied without the external ID', async () => {
    expect(await ask(ALICE, deployed.alice, { 'aws:MultiFactorAuthPresent': 'true' })).toBe('ImplicitlyDenied');
  });

  test('a user of the same account without the grant is denied', async () => {
    expect(deployed.bob).toEqual([]);
    expect(await ask(BOB, deployed.bob, good)).toBe('ImplicitlyDenied');
  });

  test('the permission names only this role', async () => {
    expect(await ask(ALICE, deployed.alice, good, { roleArn: `arn:aws:iam::${TRUSTING}:role/Admin` })).toBe('ImplicitlyDenied');
  });
});
