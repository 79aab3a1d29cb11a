import { Duration, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as iam from 'aws-cdk-lib/aws-iam';
import { AssumeRolePolicy, CrossAccountRole, CrossAccountRolePair, CrossAccountRolePairProps } from '../src';
import {
  Decision,
  RequestContext,
  identityPoliciesFor,
  roleArnOf,
  simulateAssumeRole,
  trustPolicyOf,
} from './helpers/simulate';
import { OTHER, REGION, TRUSTED, TRUSTING, pairedStacks, testApp } from './util';

/**
 * Behaviour: the policies this library synthesizes, evaluated by an IAM policy
 * simulator over a matrix of sts:AssumeRole requests. Both halves come from the
 * synthesized templates: the trust policy of the trusting stack and the
 * identity policy of the trusted stack.
 */

const ALICE = `arn:aws:iam::${TRUSTED}:user/alice`;
const MALLORY = `arn:aws:iam::${OTHER}:user/mallory`;
const ORG = 'o-abcdef1234';

/** What a caller needs to ask for the role: both halves, resolved. */
interface Deployed {
  readonly roleArn: string;
  readonly trustPolicy: unknown;
  /** The assume permission as attached to the assumer group (or role) of the trusted stack. */
  readonly identityPolicies: unknown[];
}

/** Synthesizes a pair and resolves both halves as CloudFormation would deploy them. */
function deployPair(props: Omit<CrossAccountRolePairProps, 'trustingAccount' | 'trustedAccount'>, parameters: Record<string, string> = {}): Deployed {
  const pair = new CrossAccountRolePair(testApp(), 'Pair', { trustingAccount: TRUSTING, trustedAccount: TRUSTED, region: REGION, ...props });
  const trusting = Template.fromStack(pair.trustingStack).toJSON();
  const trusted = Template.fromStack(pair.trustedStack).toJSON();
  const assumer = pair.assumerGroup
    ? { type: 'group' as const, logicalId: pair.trustedStack.getLogicalId(pair.assumerGroup.node.defaultChild as iam.CfnGroup) }
    : { type: 'role' as const, name: props.assumerRoleNames![0] };
  return {
    roleArn: roleArnOf(trusting, { account: TRUSTING, region: REGION }),
    trustPolicy: trustPolicyOf(trusting, { account: TRUSTING, region: REGION, parameters }),
    identityPolicies: identityPoliciesFor(trusted, assumer, { account: TRUSTED, region: REGION }),
  };
}

/** Asks for the role as `principalArn`, with the deployed identity policies unless others are given. */
interface Caller {
  readonly principalArn?: string;
  readonly identityPolicies?: unknown[];
}

function assume(deployed: Deployed, context: RequestContext, options: Caller = {}): Promise<Decision> {
  return simulateAssumeRole({
    principalArn: options.principalArn ?? ALICE,
    roleArn: deployed.roleArn,
    trustPolicy: deployed.trustPolicy,
    identityPolicies: options.identityPolicies ?? deployed.identityPolicies,
    context,
  });
}

describe('a plain pair', () => {
  const deployed = deployPair({ roleName: 'Reader' });

  test('allows a member of the assumer group of the trusted account', async () => {
    expect(await assume(deployed, {})).toBe('Allowed');
  });

  test('denies a principal of the trusted account without the identity policy', async () => {
    expect(await assume(deployed, {}, { identityPolicies: [] })).toBe('ImplicitlyDenied');
  });

  test('denies a principal of another account, even with an identity policy allowing it', async () => {
    expect(await assume(deployed, {}, { principalArn: MALLORY })).toBe('ImplicitlyDenied');
  });
});

describe('vendor access with literal external IDs', () => {
  const deployed = deployPair({ roleName: 'Vendor', externalIds: ['first-customer-id-0001', 'second-customer-id-002'] });

  test('allows the right external ID', async () => {
    expect(await assume(deployed, { 'sts:ExternalId': 'first-customer-id-0001' })).toBe('Allowed');
  });

  test('allows any one of the external IDs', async () => {
    expect(await assume(deployed, { 'sts:ExternalId': 'second-customer-id-002' })).toBe('Allowed');
  });

  test('denies a wrong external ID', async () => {
    expect(await assume(deployed, { 'sts:ExternalId': 'some-other-customer-01' })).toBe('ImplicitlyDenied');
  });

  test('denies a request without an external ID', async () => {
    expect(await assume(deployed, {})).toBe('ImplicitlyDenied');
  });

  test('denies another account that knows the external ID (the confused deputy\'s victim is safe)', async () => {
    expect(await assume(deployed, { 'sts:ExternalId': 'first-customer-id-0001' }, { principalArn: MALLORY })).toBe('ImplicitlyDenied');
  });

  test('denies the right external ID without the identity policy', async () => {
    expect(await assume(deployed, { 'sts:ExternalId': 'first-customer-id-0001' }, { identityPolicies: [] })).toBe('ImplicitlyDenied');
  });
});

describe('vendor access with a deploy-time external ID', () => {
  const deployed = deployPair({ roleName: 'Vendor', externalIdParameter: true }, { ExternalId: 'given-at-deploy-time-42' });

  test('allows the external ID given to cdk deploy --parameters', async () => {
    expect(await assume(deployed, { 'sts:ExternalId': 'given-at-deploy-time-42' })).toBe('Allowed');
  });

  test('denies a wrong external ID', async () => {
    expect(await assume(deployed, { 'sts:ExternalId': 'guessed-external-id-00' })).toBe('ImplicitlyDenied');
  });

  test('denies a request without an external ID', async () => {
    expect(await assume(deployed, {})).toBe('ImplicitlyDenied');
  });
});

describe('MFA for humans, within one organization', () => {
  const deployed = deployPair({ roleName: 'Admin', maxMfaAge: Duration.hours(1), trustedOrganizationId: ORG });
  const good: RequestContext = { 'aws:MultiFactorAuthPresent': 'true', 'aws:MultiFactorAuthAge': '300', 'aws:PrincipalOrgID': ORG };

  test('allows a recent MFA sign-in from the organization', async () => {
    expect(await assume(deployed, good)).toBe('Allowed');
  });

  test('denies a caller without MFA (long-term access keys)', async () => {
    expect(await assume(deployed, { 'aws:PrincipalOrgID': ORG })).toBe('ImplicitlyDenied');
  });

  test('denies a caller whose MFA flag is false', async () => {
    expect(await assume(deployed, { ...good, 'aws:MultiFactorAuthPresent': 'false' })).toBe('ImplicitlyDenied');
  });

  test('denies an MFA sign-in older than maxMfaAge', async () => {
    expect(await assume(deployed, { ...good, 'aws:MultiFactorAuthAge': '7200' })).toBe('ImplicitlyDenied');
  });

  test('denies an MFA sign-in exactly maxMfaAge old (NumericLessThan)', async () => {
    expect(await assume(deployed, { ...good, 'aws:MultiFactorAuthAge': '3600' })).toBe('ImplicitlyDenied');
  });

  test('denies a caller from another organization', async () => {
    expect(await assume(deployed, { ...good, 'aws:PrincipalOrgID': 'o-zzzzzzzzzz' })).toBe('ImplicitlyDenied');
  });

  test('denies a caller with no organization', async () => {
    const { 'aws:PrincipalOrgID': _, ...noOrg } = good;
    expect(await assume(deployed, noOrg)).toBe('ImplicitlyDenied');
  });

  test('the trusted side refuses a caller without MFA too, whatever the trust says', async () => {
    // GIVEN a role of the same name whose trust asks for nothing, and the MFA pair's identity policy
    const permissive = deployPair({ roleName: 'Admin' });

    // WHEN / THEN
    expect(await assume(permissive, {}, { identityPolicies: deployed.identityPolicies })).toBe('ImplicitlyDenied');
    expect(await assume(permissive, { 'aws:MultiFactorAuthPresent': 'true' }, { identityPolicies: deployed.identityPolicies })).toBe('Allowed');
  });
});

describe('a CI deploy role trusted by principal ARN', () => {
  const deployed = deployPair({ roleName: 'Deploy', trustedPrincipalArns: [`arn:aws:iam::${TRUSTED}:role/ci-*`], assumerRoleNames: ['ci-runner'] });
  const session = (role: string) => `arn:aws:sts::${TRUSTED}:assumed-role/${role}/build-42`;

  test('allows a session of a matching CI role', async () => {
    expect(await assume(deployed, {}, { principalArn: session('ci-runner') })).toBe('Allowed');
  });

  test('denies a session of a role that does not match, even with the identity policy', async () => {
    expect(await assume(deployed, {}, { principalArn: session('developer') })).toBe('ImplicitlyDenied');
  });

  test('denies a user of the trusted account, even with the identity policy', async () => {
    expect(await assume(deployed, {})).toBe('ImplicitlyDenied');
  });
});

describe('both halves are needed', () => {
  test('an identity policy for one role does not open another role', async () => {
    // GIVEN two roles trusting the same account, and a permission for the first only
    const { trusting, trusted } = pairedStacks();
    const first = new CrossAccountRole(trusting, 'First', { trustedAccounts: [TRUSTED], roleName: 'First' });
    new CrossAccountRole(trusting, 'Second', { trustedAccounts: [TRUSTED], roleName: 'Second' });
    const group = new iam.Group(trusted, 'Group');
    new AssumeRolePolicy(trusted, 'Assume', { targetRoles: [first], groups: [group] });
    const trustingTemplate = Template.fromStack(trusting).toJSON();
    const identityPolicies = identityPoliciesFor(Template.fromStack(trusted).toJSON(),
      { type: 'group', logicalId: trusted.getLogicalId(group.node.defaultChild as iam.CfnGroup) }, { account: TRUSTED });
    const ctx = { account: TRUSTING, region: REGION };
    const request = (name: string) => simulateAssumeRole({
      principalArn: ALICE,
      roleArn: roleArnOf(trustingTemplate, name, ctx),
      trustPolicy: trustPolicyOf(trustingTemplate, name, ctx),
      identityPolicies,
    });

    // WHEN / THEN
    expect(await request(logicalIdOf(trusting, first))).toBe('Allowed');
    expect(await request(logicalIdOf(trusting, trusting.node.findChild('Second') as CrossAccountRole))).toBe('ImplicitlyDenied');
  });

  test('a trust policy alone lets nobody in from another account', async () => {
    const deployed = deployPair({ roleName: 'Reader' });

    expect(await assume(deployed, {}, { identityPolicies: [] })).toBe('ImplicitlyDenied');
  });

  test('an identity policy alone lets nobody into a role that trusts another account', async () => {
    // GIVEN a role trusting only OTHER, and alice's permission to assume it
    const { trusting } = pairedStacks();
    new CrossAccountRole(trusting, 'Role', { trustedAccounts: [OTHER], roleName: 'Reader' });
    const template = Template.fromStack(trusting).toJSON();
    const ctx = { account: TRUSTING, region: REGION };
    const roleArn = roleArnOf(template, ctx);
    const allow = { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'sts:AssumeRole', Resource: roleArn }] };

    // WHEN / THEN
    expect(await simulateAssumeRole({ principalArn: ALICE, roleArn, trustPolicy: trustPolicyOf(template, ctx), identityPolicies: [allow] }))
      .toBe('ImplicitlyDenied');
  });
});

function logicalIdOf(stack: Stack, role: CrossAccountRole): string {
  return stack.getLogicalId(role.role.node.defaultChild as iam.CfnRole);
}
