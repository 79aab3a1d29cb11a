import { auditContext } from '../src/private/audit/engine';
import { auditedRoles } from '../src/private/audit/roles';
import { AuditedRole, deployTimeValue, RuleContext, TRUST_RULES } from '../src/private/audit/rules';

/**
 * The engine skips a rule on a role none of whose statements has a feature
 * the rule applies to (`TrustRule.appliesTo`), without calling it. These
 * tests prove the skip hides no finding: on trust policies drawn from every
 * shape the rules look at, a rule that would be skipped finds nothing.
 */

/** A seeded random number generator (the same roles on every run). */
function generator(seed: number): () => number {
  let state = seed;
  return () => {
    state = (state * 1103515245 + 12345) % 2147483648;
    return state / 2147483648;
  };
}

const PRINCIPALS: unknown[] = [
  { AWS: 'arn:aws:iam::222222222222:root' }, { AWS: '222222222222' }, { AWS: 'arn:aws-cn:iam::222222222222:role/x' },
  { AWS: 'arn:aws:iam::999999999:root' }, { AWS: 'arn:aws:iam::111111111111:role/chained' }, { AWS: '*' }, '*',
  { AWS: deployTimeValue('parameter Tools') }, { AWS: ['arn:aws:iam::333333333333:user/u', '*'] },
  { Service: 'lambda.amazonaws.com' }, { Service: 'scheduler.amazonaws.com' }, { Service: ['sagemaker.amazonaws.com', 'ec2.amazonaws.com'] },
  { Federated: 'arn:aws:iam::111111111111:oidc-provider/token.actions.githubusercontent.com' },
  { Federated: 'cognito-identity.amazonaws.com' }, { Federated: 'arn:aws:iam::111111111111:saml-provider/idp' },
  { Federated: 'arn:aws-us-gov:iam::111111111111:oidc-provider/gitlab.com' },
];
const ACTIONS: unknown[] = ['sts:AssumeRole', 'sts:*', '*', 'sts:AssumeRoleWithWebIdentity', 'sts:AssumeRoleWithSAML', ['sts:AssumeRole', 'sts:TagSession']];
const CONDITIONS: unknown[] = [
  undefined,
  { StringEquals: { 'sts:ExternalId': 'test' } },
  { StringLike: { 'sts:ExternalId': 'abc*' } },
  { BoolIfExists: { 'aws:MultiFactorAuthPresent': 'true' } },
  { NumericLessThanIfExists: { 'aws:MultiFactorAuthAge': '3600' } },
  { StringEquals: { 'aws:PrincipalOrgID': 'o-abcdef1234' } },
  { ArnEquals: { 'aws:PrincipalArn': 'arn:aws:iam::222222222222:role/ci' } },
  { StringEquals: { 'aws:PrincipalAccount': '444444444444' } },
  { StringLike: { 'token.actions.githubusercontent.com:sub': 'repo:*' } },
  { StringEquals: { 'SAML:aud': 'https://signin.aws.amazon.com/saml', 'cognito-identity.amazonaws.com:aud': 'eu-west-1:pool' } },
];

/** A random trust policy of one or two statements, read as the audit reads it. */
function randomRole(random: () => number, i: number): AuditedRole {
  const pick = <T>(items: T[]): T => items[Math.floor(random() * items.length)];
  const statement = () => {
    const principalKey = random() < 0.1 ? 'NotPrincipal' : 'Principal';
    const condition = pick(CONDITIONS);
    return {
      Effect: random() < 0.9 ? 'Allow' : 'Deny',
      [principalKey]: pick(PRINCIPALS),
      [random() < 0.1 ? 'NotAction' : 'Action']: pick(ACTIONS),
      ...(condition !== undefined ? { Condition: condition } : {}),
    };
  };
  const document = { Version: '2012-10-17', Statement: random() < 0.3 ? [statement(), statement()] : [statement()] };
  const properties = { AssumeRolePolicyDocument: document, MaxSessionDuration: random() < 0.3 ? 7200 : 3600 };
  const region = random() < 0.5 ? 'eu-west-1' : undefined;
  return auditedRoles(`Role${i}`, properties, auditContext(region, random() < 0.5 ? '111111111111' : undefined, {}))[0];
}

/** The app's perimeter, so that TrustOutsidePerimeter looks too. */
const WITH_PERIMETER: RuleContext = { perimeter: { perimeters: ['Perimeter'], memberAccounts: ['111111111111'], thirdPartyAccounts: [] } };

describe('rules the engine skips by the features of a role', () => {
  const random = generator(17);
  const roles = Array.from({ length: 3000 }, (_, i) => randomRole(random, i));
  const skipping = TRUST_RULES.filter(rule => rule.appliesTo !== undefined);

  test('most rules say which roles they apply to', () => {
    expect(skipping.map(r => r.id).sort()).toEqual([
      'CognitoAmrNotChecked', 'CognitoAudienceNotPinned', 'CrossPartitionTrust', 'MalformedPrincipal', 'MfaIfExists', 'NotPrincipalTrust',
      'OidcAudienceNotPinned', 'OidcSubjectNotPinned', 'SamlAudienceNotPinned', 'ServiceWithoutSourceCondition', 'TrustOutsidePerimeter',
      'UnconditionedCrossAccountTrust', 'WeakExternalId', 'WildcardExternalId', 'WildcardPrincipal',
    ]);
  });

  test.each(skipping.map(rule => [rule.id, rule] as const))('%s finds nothing on a role it would be skipped on, and something on others', (_id, rule) => {
    // GIVEN the roles the engine would skip the rule on, and the others
    const skipped = roles.filter(role => !rule.appliesTo!.some(feature => role.features[feature]));
    const checked = roles.filter(role => !skipped.includes(role));

    // WHEN / THEN
    expect(skipped.length).toBeGreaterThan(100);
    expect(skipped.flatMap(role => rule.check(role, WITH_PERIMETER))).toEqual([]);
    expect(checked.flatMap(role => rule.check(role, WITH_PERIMETER)).length).toBeGreaterThan(0);
  });
});
