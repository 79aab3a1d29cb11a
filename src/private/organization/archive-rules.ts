/**
 * Access Analyzer archive rules for exactly the cross-account trusts an app
 * declares: each role's ARN with each account, organisation or OU it trusts,
 * in the fields of an external access finding.
 *
 * A finding on a role that trusts an account's root names the account
 * (`principal.AWS` = the 12-digit ID); one that trusts an IAM principal names
 * its ARN; a `Principal: "*"` narrowed to an organisation or OU names `*` with
 * the condition (`condition.aws:PrincipalOrgID`, `condition.aws:PrincipalOrgPaths`).
 *
 * @see https://docs.aws.amazon.com/IAM/latest/UserGuide/access-analyzer-reference-filter-keys.html
 */
import { DeclaredRole, isCrossAccount } from './declared-trusts';
import { accountOf } from '../audit/rules/types';
import { compareText } from '../policy/compare';

/** Values of one criterion of an archive rule: 20 at most. */
export const ARCHIVE_RULE_VALUES_MAX = 20;
/** Archive rules per analyzer: 100 by default, 1,000 at most (Service Quotas). */
export const ARCHIVE_RULES_DEFAULT_QUOTA = 100;
export const ARCHIVE_RULES_MAX_QUOTA = 1000;

/** Filter keys of external access findings. */
export const FILTER_RESOURCE = 'resource';
export const FILTER_RESOURCE_TYPE = 'resourceType';
export const FILTER_IS_PUBLIC = 'isPublic';
export const FILTER_PRINCIPAL_AWS = 'principal.AWS';
export const FILTER_ORG_ID = 'condition.aws:PrincipalOrgID';
export const FILTER_ORG_PATHS = 'condition.aws:PrincipalOrgPaths';

/** One criterion of an archive rule (a `Filter` of `AWS::AccessAnalyzer::Analyzer`). */
export interface ArchiveFilter {
  readonly property: string;
  readonly eq?: string[];
  readonly neq?: string[];
  readonly contains?: string[];
  readonly exists?: boolean;
}

/** An archive rule. */
export interface ArchiveRule {
  readonly ruleName: string;
  readonly filter: ArchiveFilter[];
}

/** The trusted side of a grant: how a finding names it. */
interface Grantee {
  /** `account`, `org` or `ou`: grants of one kind share the shape of their rules. */
  readonly kind: string;
  /** The values that name it (`principal.AWS` values, or the organisation / OU). */
  readonly values: string[];
}

const chunks = <T>(items: T[], size: number): T[][] =>
  Array.from({ length: Math.ceil(items.length / size) }, (_, i) => items.slice(i * size, (i + 1) * size));

/** The grantees of a role's cross-account trusts; anyone without an organisation or OU is public and never archived. */
function granteesOf(role: DeclaredRole): Grantee[] {
  const grantees: Grantee[] = [];
  for (const trust of role.trusts.filter(t => isCrossAccount(role, t))) {
    // an account's root is named by its ID; a principal of another account by its ARN
    trust.accountRoots.filter(a => a !== role.account).forEach(account => grantees.push({ kind: 'account', values: [account] }));
    trust.namedPrincipalArns.filter(arn => accountOf(arn) !== role.account).forEach(arn => grantees.push({ kind: 'account', values: [arn] }));
    if (trust.anyPrincipal) {
      trust.organizationIds.forEach(org => grantees.push({ kind: 'org', values: [org] }));
      trust.organizationalUnitPaths.forEach(ou => grantees.push({ kind: 'ou', values: [ou] }));
    }
  }
  return grantees;
}

/** The criteria that name the grantees of a rule. */
function granteeFilters(kind: string, values: string[]): ArchiveFilter[] {
  if (kind === 'account') { return [{ property: FILTER_PRINCIPAL_AWS, eq: values }]; }
  return [{ property: FILTER_PRINCIPAL_AWS, eq: ['*'] }, { property: kind === 'org' ? FILTER_ORG_ID : FILTER_ORG_PATHS, eq: values }];
}

/** A rule name: `[A-Za-z][A-Za-z0-9_.-]*`, at most 255 characters. */
function ruleName(kind: string, first: string): string {
  return `declared-${kind}-${first.replace(/[^A-Za-z0-9_.-]/g, '-')}`.slice(0, 240);
}

/**
 * The archive rules of a set of roles, whose ARNs `arnOf` gives.
 *
 * Grants are grouped: the grantees of one kind that are trusted by exactly the
 * same roles share rules, each with at most 20 role ARNs and 20 grantee values,
 * so that every pair a rule covers is a declared trust. Sorted, deterministic.
 */
export function archiveRules(roles: DeclaredRole[], arnOf: (role: DeclaredRole) => string): ArchiveRule[] {
  // grantee (kind + values) → the role ARNs that trust it
  const byGrantee = new Map<string, { grantee: Grantee; arns: Set<string> }>();
  for (const role of roles) {
    for (const grantee of granteesOf(role)) {
      const key = `${grantee.kind} ${grantee.values.join(' ')}`;
      const entry = byGrantee.get(key) ?? { grantee, arns: new Set<string>() };
      entry.arns.add(arnOf(role));
      byGrantee.set(key, entry);
    }
  }
  // grantees of one kind with the same roles → one group
  const groups = new Map<string, { kind: string; values: Set<string>; arns: string[] }>();
  for (const { grantee, arns } of byGrantee.values()) {
    const sortedArns = Array.from(arns).sort();
    const key = `${grantee.kind} ${sortedArns.join(' ')}`;
    const group = groups.get(key) ?? { kind: grantee.kind, values: new Set<string>(), arns: sortedArns };
    grantee.values.forEach(v => group.values.add(v));
    groups.set(key, group);
  }
  const rules: ArchiveRule[] = [];
  for (const group of Array.from(groups.values())) {
    for (const values of chunks(Array.from(group.values).sort(), ARCHIVE_RULE_VALUES_MAX)) {
      for (const arns of chunks(group.arns, ARCHIVE_RULE_VALUES_MAX)) {
        rules.push({
          ruleName: ruleName(group.kind, values[0]),
          filter: [
            { property: FILTER_RESOURCE_TYPE, eq: ['AWS::IAM::Role'] },
            { property: FILTER_IS_PUBLIC, eq: ['false'] },
            { property: FILTER_RESOURCE, eq: arns },
            ...granteeFilters(group.kind, values),
          ],
        });
      }
    }
  }
  rules.sort((a, b) => compareText(a.ruleName, b.ruleName) || compareText(JSON.stringify(a.filter), JSON.stringify(b.filter)));
  // unique names: a second rule of the same first value gets -2, -3, …
  const seen = new Map<string, number>();
  return rules.map(rule => {
    const n = (seen.get(rule.ruleName) ?? 0) + 1;
    seen.set(rule.ruleName, n);
    return n === 1 ? rule : { ...rule, ruleName: `${rule.ruleName}-${n}` };
  });
}
