/**
 * Access Analyzer archive rules for exactly the cross-account trusts and
 * resource shares an app declares: each role's (or shared resource's) ARN
 * with each account, organisation or OU it lets in, in the fields of an
 * external access finding.
 *
 * A finding on a role that trusts an account's root names the account
 * (`principal.AWS` = the 12-digit ID); one that trusts an IAM principal names
 * its ARN; a `Principal: "*"` narrowed to an organisation or OU names `*` with
 * the condition (`condition.aws:PrincipalOrgID`, `condition.aws:PrincipalOrgPaths`).
 *
 * @see https://docs.aws.amazon.com/IAM/latest/UserGuide/access-analyzer-reference-filter-keys.html
 */
import { DeclaredShare, isCrossAccountGrant } from './declared-shares';
import { DeclaredRole, Grantees, isCrossAccount } from './declared-trusts';
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

/**
 * The grantees of a role's trusts, or of a resource's grants, that reach
 * outside its own account; anyone without an organisation or OU is public
 * and never archived.
 */
function granteesOf(grants: Grantees[], ownAccount: string | undefined): Grantee[] {
  const grantees: Grantee[] = [];
  for (const grant of grants) {
    // an account's root is named by its ID; a principal of another account by its ARN
    grant.accountRoots.filter(a => a !== ownAccount).forEach(account => grantees.push({ kind: 'account', values: [account] }));
    grant.namedPrincipalArns.filter(arn => accountOf(arn) !== ownAccount).forEach(arn => grantees.push({ kind: 'account', values: [arn] }));
    if (grant.anyPrincipal) {
      grant.organizationIds.forEach(org => grantees.push({ kind: 'org', values: [org] }));
      grant.organizationalUnitPaths.forEach(ou => grantees.push({ kind: 'ou', values: [ou] }));
    }
  }
  return grantees;
}

/** The criteria that name the grantees of a rule. */
function granteeFilters(kind: string, values: string[]): ArchiveFilter[] {
  if (kind === 'account') { return [{ property: FILTER_PRINCIPAL_AWS, eq: values }]; }
  return [{ property: FILTER_PRINCIPAL_AWS, eq: ['*'] }, { property: kind === 'org' ? FILTER_ORG_ID : FILTER_ORG_PATHS, eq: values }];
}

/**
 * The resource types of Access Analyzer's external access findings that a
 * share can be on, and the word a rule's name gives each (a role's rules
 * keep the names they had, `declared-<kind>-<value>`). Access Analyzer does
 * not analyze event buses: they get no rule, and no finding to archive.
 *
 * @see https://docs.aws.amazon.com/IAM/latest/UserGuide/access-analyzer-reference-filter-keys.html
 */
export const ANALYZED_SHARE_TYPES: Record<string, string> = {
  'AWS::S3::Bucket': 's3',
  'AWS::KMS::Key': 'kms',
  'AWS::SQS::Queue': 'sqs',
  'AWS::SNS::Topic': 'sns',
  'AWS::SecretsManager::Secret': 'secret',
  'AWS::ECR::Repository': 'ecr',
  'AWS::Lambda::Function': 'lambda',
};

/** A rule name: `[A-Za-z][A-Za-z0-9_.-]*`, at most 255 characters. */
function ruleName(resourceType: string, kind: string, first: string): string {
  const word = resourceType === ROLE_TYPE ? '' : `${ANALYZED_SHARE_TYPES[resourceType] ?? 'resource'}-`;
  return `declared-${word}${kind}-${first.replace(/[^A-Za-z0-9_.-]/g, '-')}`.slice(0, 240);
}

const ROLE_TYPE = 'AWS::IAM::Role';

/** What an archive rule covers: a resource (its type and ARN), and who it lets in. */
interface Subject {
  readonly resourceType: string;
  readonly arn: string;
  readonly grantees: Grantee[];
}

/** A shared resource an archive rule can name: its ARN, and whom it is shared with. */
export interface NamedShare {
  readonly share: DeclaredShare;
  readonly arn: string;
}

/**
 * The archive rules of a set of roles, whose ARNs `arnOf` gives, and of
 * shared resources whose ARNs are known.
 *
 * Grants are grouped: the grantees of one kind that are let into exactly the
 * same resources of one type share rules, each with at most 20 resource ARNs
 * and 20 grantee values, so that every pair a rule covers is a declared trust
 * or share. Sorted, deterministic.
 */
export function archiveRules(roles: DeclaredRole[], arnOf: (role: DeclaredRole) => string, shares: NamedShare[] = []): ArchiveRule[] {
  const subjects: Subject[] = [
    ...roles.map(role => ({
      resourceType: ROLE_TYPE, arn: arnOf(role), grantees: granteesOf(role.trusts.filter(t => isCrossAccount(role, t)), role.account),
    })),
    ...shares.filter(({ share }) => ANALYZED_SHARE_TYPES[share.resource.type] !== undefined).map(({ share, arn }) => ({
      resourceType: share.resource.type, arn, grantees: granteesOf(share.grants.filter(g => isCrossAccountGrant(share, g)), share.account),
    })),
  ];
  // grantee (resource type + kind + values) → the resource ARNs it is let into
  const byGrantee = new Map<string, { resourceType: string; grantee: Grantee; arns: Set<string> }>();
  for (const subject of subjects) {
    for (const grantee of subject.grantees) {
      const key = `${subject.resourceType} ${grantee.kind} ${grantee.values.join(' ')}`;
      const entry = byGrantee.get(key) ?? { resourceType: subject.resourceType, grantee, arns: new Set<string>() };
      entry.arns.add(subject.arn);
      byGrantee.set(key, entry);
    }
  }
  // grantees of one kind let into the same resources → one group
  const groups = new Map<string, { resourceType: string; kind: string; values: Set<string>; arns: string[] }>();
  for (const { resourceType, grantee, arns } of byGrantee.values()) {
    const sortedArns = Array.from(arns).sort();
    const key = `${resourceType} ${grantee.kind} ${sortedArns.join(' ')}`;
    const group = groups.get(key) ?? { resourceType, kind: grantee.kind, values: new Set<string>(), arns: sortedArns };
    grantee.values.forEach(v => group.values.add(v));
    groups.set(key, group);
  }
  const rules: ArchiveRule[] = [];
  for (const group of Array.from(groups.values())) {
    for (const values of chunks(Array.from(group.values).sort(), ARCHIVE_RULE_VALUES_MAX)) {
      for (const arns of chunks(group.arns, ARCHIVE_RULE_VALUES_MAX)) {
        rules.push({
          ruleName: ruleName(group.resourceType, group.kind, values[0]),
          filter: [
            { property: FILTER_RESOURCE_TYPE, eq: [group.resourceType] },
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
