import { Template } from 'aws-cdk-lib/assertions';
import * as iam from 'aws-cdk-lib/aws-iam';
import { CrossAccountRolePair } from '../src';
import { Decision, RequestContext, identityPoliciesFor, roleArnOf, simulateAssumeRole, trustPolicyOf } from './helpers/simulate';
import { REGION, TRUSTED, TRUSTING, testApp } from './util';

/**
 * Behaviour of `trustedOrganizationalUnitPaths`: the pair's trust policy and
 * identity policy, as synthesized, evaluated by the IAM simulator for callers
 * in, below and outside the trusted OU, and without the key at all.
 */

const ALICE = `arn:aws:iam::${TRUSTED}:user/alice`;
const ORG = 'o-abcdef1234';
const PAYMENTS = `${ORG}/r-ab12/ou-ab12-11111111/`;
const PAYMENTS_EU = `${ORG}/r-ab12/ou-ab12-11111111/ou-ab12-44444444/`;
const SANDBOX = `${ORG}/r-ab12/ou-ab12-99999999/`;

/** Synthesizes a pair trusting `paths` and returns a function asking for its role as Alice with a request context. */
function deploy(paths: string[]): (context: RequestContext) => Promise<Decision> {
  const pair = new CrossAccountRolePair(testApp(), 'Pair', {
    trustingAccount: TRUSTING, trustedAccount: TRUSTED, region: REGION, roleName: 'PaymentsRead', trustedOrganizationalUnitPaths: paths,
  });
  const trusting = Template.fromStack(pair.trustingStack).toJSON();
  const trusted = Template.fromStack(pair.trustedStack).toJSON();
  const group = pair.trustedStack.getLogicalId(pair.assumerGroup!.node.defaultChild as iam.CfnGroup);
  return context => simulateAssumeRole({
    principalArn: ALICE,
    roleArn: roleArnOf(trusting, { account: TRUSTING, region: REGION }),
    trustPolicy: trustPolicyOf(trusting, { account: TRUSTING, region: REGION }),
    identityPolicies: identityPoliciesFor(trusted, { type: 'group', logicalId: group }, { account: TRUSTED, region: REGION }),
    context,
  });
}

/** What AWS puts in the request context for a principal whose account sits at `path`. */
const inOu = (path: string): RequestContext => ({ 'aws:PrincipalOrgID': ORG, 'aws:PrincipalOrgPaths': [path] });

describe('a role trusting the accounts directly in one OU', () => {
  const assume = deploy([PAYMENTS]);

  test('allows a caller whose account is in the OU', async () => {
    expect(await assume(inOu(PAYMENTS))).toBe('Allowed');
  });

  test('denies a caller whose account is in another OU of the same organization', async () => {
    expect(await assume(inOu(SANDBOX))).toBe('ImplicitlyDenied');
  });

  test('denies a caller whose account is in an OU below it (the path has no trailing *)', async () => {
    expect(await assume(inOu(PAYMENTS_EU))).toBe('ImplicitlyDenied');
  });

  test('denies a caller without aws:PrincipalOrgPaths (an account outside any organization)', async () => {
    expect(await assume({})).toBe('ImplicitlyDenied');
  });
});

describe('a role trusting an OU and the OUs below it', () => {
  const assume = deploy([`${PAYMENTS}*`]);

  test('allows a caller whose account is in the OU itself', async () => {
    expect(await assume(inOu(PAYMENTS))).toBe('Allowed');
  });

  test('allows a caller whose account is in an OU below it', async () => {
    expect(await assume(inOu(PAYMENTS_EU))).toBe('Allowed');
  });

  test('denies a caller whose account is in another OU', async () => {
    expect(await assume(inOu(SANDBOX))).toBe('ImplicitlyDenied');
  });

  test('denies a caller without aws:PrincipalOrgPaths', async () => {
    expect(await assume({})).toBe('ImplicitlyDenied');
  });
});

describe('a role trusting two OUs', () => {
  const assume = deploy([PAYMENTS, SANDBOX]);

  test('allows a caller of either OU', async () => {
    expect([await assume(inOu(PAYMENTS)), await assume(inOu(SANDBOX))]).toEqual(['Allowed', 'Allowed']);
  });

  test('denies a caller of neither', async () => {
    expect(await assume(inOu(`${ORG}/r-ab12/ou-ab12-55555555/`))).toBe('ImplicitlyDenied');
  });
});
