import { TrustRule, TrustStatement, accountOf, allowsAction, conditionEntries, deployTimeAccountOrigin, location, requiresKey } from './types';

/** Conditions that tie another account's trust to something more than the account. */
const GUARD_KEYS = [
  'sts:ExternalId', 'aws:MultiFactorAuthPresent', 'aws:MultiFactorAuthAge',
  'aws:PrincipalOrgID', 'aws:PrincipalOrgPaths',
];

/** `aws:PrincipalArn` names specific principals, not a whole account (`arn:aws:iam::<account>:*`). */
const requiresPrincipalArn = (s: TrustStatement) => requiresKey(s, 'aws:PrincipalArn')
  && !conditionEntries(s).some(c => c.key === 'aws:principalarn' && c.values.some(v => /^[*?]*$/.test(v.split(':').slice(5).join(':'))));

/** The accounts `Principal: "*"` is narrowed to by `aws:PrincipalAccount`. */
const principalAccounts = (s: TrustStatement) => s.anyPrincipal
  ? conditionEntries(s).filter(c => c.key === 'aws:principalaccount' && requiresKey(s, 'aws:PrincipalAccount')).flatMap(c => c.values)
  : [];

/** `Null aws:MultiFactorAuthAge "false"`: the key must be present, i.e. the caller signed in with MFA. */
const requiresMfaAge = (s: TrustStatement) => conditionEntries(s).some(c =>
  c.operator === 'Null' && c.key === 'aws:multifactorauthage' && c.values.length > 0 && c.values.every(v => v.toLowerCase() === 'false'));

/** The actions that let a principal into a role. */
const ASSUME_ACTIONS = ['sts:AssumeRole', 'sts:AssumeRoleWithWebIdentity', 'sts:AssumeRoleWithSAML'];

/** The guards that no statement of `trusted` accounts has. */
const NO_GUARD = 'with no external ID, MFA, organization or principal ARN condition';

/**
 * Trust of another account with no condition: anyone that account lets call
 * sts:AssumeRole gets in, and a third party can be made a confused deputy.
 * An account only known at deploy time (a parameter, an import, a mapping
 * keyed by a parameter) is another account too, named by where it comes from;
 * the stack's own account (`AWS::AccountId`) is not.
 */
export const UNCONDITIONED_CROSS_ACCOUNT: TrustRule = {
  id: 'UnconditionedCrossAccountTrust',
  severity: 'warning',
  description: 'The role trusts another account with none of: external ID, MFA, organization, principal ARN',
  fix: 'Require sts:ExternalId for third parties, MFA for humans, aws:PrincipalOrgID inside your organization, or aws:PrincipalArn for specific principals',
  appliesTo: ['aws', 'anyPrincipal'],
  check: role => role.statements.flatMap((s, i) => {
    if (s.effect !== 'Allow' || (s.aws.length === 0 && !s.anyPrincipal)) { return []; }
    const trusted = s.anyPrincipal ? [...s.aws, ...principalAccounts(s)] : s.aws;
    if (trusted.length === 0 || GUARD_KEYS.some(key => requiresKey(s, key)) || requiresMfaAge(s) || requiresPrincipalArn(s)) { return []; }
    // A statement for sts:TagSession / sts:SetSourceIdentity alone lets nobody assume the role.
    if (!ASSUME_ACTIONS.some(a => allowsAction(s, a))) { return []; }
    const others = Array.from(new Set(trusted.map(accountOf).filter((a): a is string => a !== undefined && a !== role.account)));
    const deployTime = Array.from(new Set(trusted.map(deployTimeAccountOrigin).filter((o): o is string => o !== undefined)));
    const parts = [
      ...others.length > 0 ? [`account(s) ${others.join(', ')}`] : [],
      ...deployTime.length > 0 ? [`the account${deployTime.length > 1 ? 's' : ''} of ${deployTime.join(', ')} (known only at deploy time)`] : [],
    ];
    return parts.length > 0 ? [{ message: `trusts ${parts.join(' and ')} ${NO_GUARD}`, location: location(i) }] : [];
  }),
};
