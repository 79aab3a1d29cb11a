import { AuditedRole, Finding, TrustStatement, accountOf, allowsAction, conditionEntries, location, requiresKey } from './types';

/** What the app's `OrganizationTrustPerimeter`s let in, for the consistency rule. */
export interface PerimeterContext {
  /** The construct paths of the perimeters, for the message. */
  readonly perimeters: string[];
  /** Accounts known to be in the organization: every perimeter's `memberAccounts` and every account with a stack in the app. */
  readonly memberAccounts: string[];
  /** Accounts the perimeters let in on an external ID. */
  readonly thirdPartyAccounts: string[];
}

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
 * The findings of the consistency rule on one role: a trust of an account that
 * the app's perimeter will deny at run time, because the account is neither a
 * known member of the organization nor a declared third party, and the trust
 * is not narrowed to an organization or OU.
 */
export function perimeterConsistencyFindings(role: AuditedRole, perimeter: PerimeterContext): Finding[] {
  return role.statements.flatMap((s, i) => {
    if (s.effect !== 'Allow' || !ASSUME_ACTIONS.some(a => allowsAction(s, a)) || narrowedToOrganization(s)) { return []; }
    const denied = Array.from(new Set(trustedAccounts(s)
      .filter(a => a !== role.account && !perimeter.memberAccounts.includes(a) && !perimeter.thirdPartyAccounts.includes(a))));
    return denied.length > 0
      ? [{ message: `trusts account(s) ${denied.join(', ')}, which the perimeter (${perimeter.perimeters.join(', ')}) will deny at run time: they are not known members of the organization nor declared third parties`, location: location(i) }]
      : [];
  });
}

/** The rule's id, severity and texts (its check needs the app's perimeters: see `perimeterConsistencyFindings`). */
export const PERIMETER_CONSISTENCY = {
  id: 'TrustOutsidePerimeter',
  severity: 'error' as const,
  description: 'The role trusts an account that the app\'s OrganizationTrustPerimeter will deny at run time',
  fix: 'the perimeter will deny this trust at run time; declare the account as a third party (with an external ID) or as a member',
};
