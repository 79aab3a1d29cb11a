import { AuditedRole, Finding, PerimeterContext, TrustRule, TrustStatement, accountOf, allowsAction, conditionEntries, location, requiresKey } from './types';

/** The actions that let a principal into a role. */
const ASSUME_ACTIONS = ['sts:AssumeRole', 'sts:AssumeRoleWithSAML', 'sts:AssumeRoleWithWebIdentity'];

/** The statement lets in only principals of an organization or OU, which the perimeter lets in or denies whole. */
const narrowedToOrganization = (s: TrustStatement) => requiresKey(s, 'aws:PrincipalOrgID') || requiresKey(s, 'aws:PrincipalOrgPaths');

/** The accounts a statement trusts: in `Principal`, or, for `Principal: "*"`, in a required `aws:PrincipalAccount`. */
function trustedAccounts(s: TrustStatement): string[] {
  const named = s.aws.map(accountOf);
  const byCondition = s.anyPrincipal && requiresKey(s, 'aws:PrincipalAccount')
    ? conditionEntries(s).filter(c => c.key === 'aws:principalaccount').flatMap(c => c.values) : [];
  return [...named, ...byCondition].filter((a): a is string => a !== undefined && /^\d{12}$/.test(a));
}

/**
 * The findings on one role: a trust of an account that the app's perimeter
 * will deny at run time, because the account is neither a known member of the
 * organization nor a declared third party, and the trust is not narrowed to an
 * organization or OU.
 */
function findings(role: AuditedRole, perimeter: PerimeterContext): Finding[] {
  return role.statements.flatMap((s, i) => {
    if (s.effect !== 'Allow' || !ASSUME_ACTIONS.some(a => allowsAction(s, a)) || narrowedToOrganization(s)) { return []; }
    const denied = Array.from(new Set(trustedAccounts(s)
      .filter(a => a !== role.account && !perimeter.memberAccounts.includes(a) && !perimeter.thirdPartyAccounts.includes(a))));
    return denied.length > 0
      ? [{ message: `trusts account(s) ${denied.join(', ')}, neither known members of the organization nor declared third parties of the perimeter ${perimeter.perimeters.join(', ')}`, location: location(i) }]
      : [];
  });
}

/**
 * With an `OrganizationTrustPerimeter` in the app, a trust that the perimeter
 * will deny at run time is an error at synth time. Without one, the rule finds
 * nothing (the CLI, auditing one template, never has one).
 */
export const TRUST_OUTSIDE_PERIMETER: TrustRule = {
  id: 'TrustOutsidePerimeter',
  severity: 'error',
  description: 'The role trusts an account that the app\'s OrganizationTrustPerimeter will deny at run time',
  fix: 'the perimeter will deny this trust at run time; declare the account as a third party (with an external ID) or as a member',
  appliesTo: ['aws', 'anyPrincipal'],
  check: (role, context) => context?.perimeter !== undefined ? findings(role, context.perimeter) : [],
};
