import {
  AuditedRole, Finding, PerimeterContext, TrustRule, TrustStatement, UNRESOLVED, accountOf, allowsAction, conditionEntries, location, requiresKey,
} from './types';

/** The actions that let a principal into a role. */
const ASSUME_ACTIONS = ['sts:AssumeRole', 'sts:AssumeRoleWithSAML', 'sts:AssumeRoleWithWebIdentity'];

/** The condition keys (lower case) that narrow a statement to an organization (`o-…`) or its OUs (`o-…/r-…/ou-…/`). */
const ORGANIZATION_KEYS = ['aws:principalorgid', 'aws:principalorgpaths'];

/** The organization a value of `aws:PrincipalOrgID` or `aws:PrincipalOrgPaths` names. */
const organizationOf = (value: string) => value.split('/')[0].toLowerCase();

/**
 * How a statement's organization conditions stand to the perimeter: narrowed
 * to it when some required `aws:PrincipalOrgID` / `aws:PrincipalOrgPaths`
 * names only the perimeter's organization (or OUs under it; a deploy-time
 * value is given the benefit of the doubt), since the conditions are ANDed;
 * otherwise the other organizations they name, which the perimeter denies.
 */
function organizationNarrowing(s: TrustStatement, perimeter: PerimeterContext): { narrowed: boolean; others: string[] } {
  const entries = conditionEntries(s).filter(c => c.narrows && ORGANIZATION_KEYS.includes(c.key));
  if (entries.length === 0) { return { narrowed: false, others: [] }; }
  const ours = perimeter.organizationIds;
  if (ours === undefined) { return { narrowed: true, others: [] }; }
  const inside = (value: string) => value.includes(UNRESOLVED) || ours.includes(organizationOf(value));
  if (entries.some(c => c.values.every(inside))) { return { narrowed: true, others: [] }; }
  return { narrowed: false, others: Array.from(new Set(entries.flatMap(c => c.values.filter(v => !inside(v)).map(organizationOf)))) };
}

/** The accounts a statement trusts: in `Principal`, or, for `Principal: "*"`, in a required `aws:PrincipalAccount`. */
function trustedAccounts(s: TrustStatement): string[] {
  const named = s.aws.map(accountOf);
  const byCondition = s.anyPrincipal && requiresKey(s, 'aws:PrincipalAccount')
    ? conditionEntries(s).filter(c => c.key === 'aws:principalaccount').flatMap(c => c.values) : [];
  return [...named, ...byCondition].filter((a): a is string => a !== undefined && /^\d{12}$/.test(a));
}

/** What an Allow statement lets in that the perimeter will deny. */
export interface OutsidePerimeter {
  /** Accounts that are neither the policy's own, nor known members, nor declared third parties. */
  readonly accounts: string[];
  /** Organizations other than the perimeter's that the statement is narrowed to (by `aws:PrincipalOrgID` / `aws:PrincipalOrgPaths`). */
  readonly organizations: string[];
}

/**
 * What an Allow statement lets in that the perimeter will deny: the accounts
 * that are neither the policy's own, nor known members of the organization,
 * nor declared third parties of the perimeter, and the other organizations it
 * names; nothing when the statement is narrowed to the perimeter's own
 * organization or OUs. The trust rule and the resource rule
 * (`ShareOutsidePerimeter`) judge alike.
 */
export function outsidePerimeter(s: TrustStatement, ownAccount: string | undefined, perimeter: PerimeterContext): OutsidePerimeter {
  const none = { accounts: [], organizations: [] };
  if (s.effect !== 'Allow') { return none; }
  const organizations = organizationNarrowing(s, perimeter);
  if (organizations.narrowed) { return none; }
  const accounts = Array.from(new Set(trustedAccounts(s)
    .filter(a => a !== ownAccount && !perimeter.memberAccounts.includes(a) && !perimeter.thirdPartyAccounts.includes(a))));
  return { accounts, organizations: organizations.others };
}

/** What a statement lets in outside the perimeter, in words; undefined when nothing. */
export function outsidePerimeterText(outside: OutsidePerimeter, perimeter: PerimeterContext): string | undefined {
  const of = `of the perimeter ${perimeter.perimeters.join(', ')}`;
  const parts = [
    ...outside.accounts.length > 0 ? [`account(s) ${outside.accounts.join(', ')}, neither known members of the organization nor declared third parties ${of}`] : [],
    ...outside.organizations.length > 0
      ? [`organization(s) ${outside.organizations.join(', ')}, not the organization ${(perimeter.organizationIds ?? []).join(', ')} ${of}`] : [],
  ];
  return parts.length > 0 ? parts.join(', and ') : undefined;
}

/**
 * The findings on one role: a trust that the app's perimeter will deny at run
 * time, of an account that is neither a known member of the organization nor
 * a declared third party, or narrowed to another organization (or its OUs),
 * the trust not being narrowed to the perimeter's organization or OUs.
 */
function findings(role: AuditedRole, perimeter: PerimeterContext): Finding[] {
  return role.statements.flatMap((s, i) => {
    if (!ASSUME_ACTIONS.some(a => allowsAction(s, a))) { return []; }
    const denied = outsidePerimeterText(outsidePerimeter(s, role.account, perimeter), perimeter);
    return denied !== undefined ? [{ message: `trusts ${denied}`, location: location(i) }] : [];
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
  description: 'The role trusts an account or organization that the app\'s OrganizationTrustPerimeter will deny at run time',
  fix: 'the perimeter will deny this trust at run time; declare the account as a third party (with an external ID) or as a member, '
    + 'and narrow to the perimeter\'s own organization or OUs only',
  appliesTo: ['aws', 'anyPrincipal'],
  check: (role, context) => context?.perimeter !== undefined ? findings(role, context.perimeter) : [],
};
