import { iamPatternMatches } from '../../policy/iam-pattern';
/** A role's trust as the rules see it: read from a synthesized template, intrinsics resolved where possible. */
export interface AuditedRole {
  /** The role's logical ID in its template. */
  readonly logicalId: string;
  /** The account of the role's stack, when it is known. */
  readonly account?: string;
  /** The partition of the role's stack, when its region is literal and known. */
  readonly partition?: string;
  /** The trust policy's statements, normalized. */
  readonly statements: TrustStatement[];
  /** The trust policy's length as IAM counts it (no whitespace). */
  readonly trustPolicyLength: number;
  /** `MaxSessionDuration` in seconds (3600 when not set). */
  readonly maxSessionDuration: number;
  /** Why the trust policy could not be read (a string that is not a JSON object); undefined when it was read or is absent. */
  readonly documentError?: string;
  /** What some statement of the trust policy has: rules say on which roles they may find anything (`TrustRule.appliesTo`). */
  readonly features: StatementFeatures;
}

/** What some statement of a trust policy has. */
export interface StatementFeatures {
  /** An `AWS` principal other than `*`. */
  readonly aws: boolean;
  /** `Principal: "*"` or `{"AWS": "*"}`. */
  readonly anyPrincipal: boolean;
  /** A `Service` principal. */
  readonly service: boolean;
  /** A `Federated` principal. */
  readonly federated: boolean;
  /** A `Condition`. */
  readonly conditions: boolean;
  /** `NotPrincipal`. */
  readonly notPrincipal: boolean;
}

/** The features of a role's statements. */
export function featuresOf(statements: readonly TrustStatement[]): StatementFeatures {
  const features = { aws: false, anyPrincipal: false, service: false, federated: false, conditions: false, notPrincipal: false };
  for (const s of statements) {
    features.aws ||= s.aws.length > 0;
    features.anyPrincipal ||= s.anyPrincipal;
    features.service ||= s.service.length > 0;
    features.federated ||= s.federated.length > 0;
    features.conditions ||= Object.keys(s.conditions).length > 0;
    features.notPrincipal ||= s.notPrincipal;
  }
  return features;
}

/** One trust statement, normalized: lists everywhere, unresolvable values as UNRESOLVED. */
export interface TrustStatement {
  readonly effect: string;
  /** `Principal: "*"` (or `{"AWS": "*"}`). */
  readonly anyPrincipal: boolean;
  /** `NotPrincipal` is set: the statement applies to everyone but the principals named. */
  readonly notPrincipal: boolean;
  readonly aws: string[];
  readonly service: string[];
  readonly federated: string[];
  readonly actions: string[];
  /** `NotAction`: the statement allows every action but these. */
  readonly notActions: string[];
  /** Operator → key → values (strings; UNRESOLVED for deploy-time values). */
  readonly conditions: Record<string, Record<string, string[]>>;
}

/** A statement of a resource or identity policy: a trust statement's parts, and what it is on. */
export interface PolicyStatement extends TrustStatement {
  readonly sid?: string;
  /** `Resource` (empty when the statement has none: a resource policy's own resource, for some services). */
  readonly resources: string[];
  /** `NotResource`: the statement applies to every resource but these. */
  readonly notResources: string[];
}

/** Stands for a value only known at deploy time (a parameter, an attribute). */
export const UNRESOLVED = '<deploy-time value>';

/**
 * A value only known at deploy time that names where it comes from, so that a
 * finding can name it: `<deploy-time value>(parameter ToolsAccount)`. It
 * contains UNRESOLVED, so whatever skips deploy-time values skips it too.
 */
export function deployTimeValue(origin: string): string {
  return `${UNRESOLVED}(${origin.replace(/[()]/g, '')})`;
}

const DEPLOY_TIME_VALUE = /<deploy-time value>(?:\(([^()]*)\))?/g;
const WHOLE_DEPLOY_TIME_VALUE = /^<deploy-time value>(?:\([^()]*\))?$/;
/** An IAM or STS ARN whose account field is a deploy-time value. */
const DEPLOY_TIME_ARN_ACCOUNT = /^arn:[^:]*:(?:iam|sts)::(<deploy-time value>(?:\([^()]*\))?):/;

/** Whether a value is, as a whole, only known at deploy time (UNRESOLVED, or a `deployTimeValue`). */
export function isDeployTime(value: unknown): boolean {
  return typeof value === 'string' && value.startsWith(UNRESOLVED) && WHOLE_DEPLOY_TIME_VALUE.test(value);
}

/** The origins named by the deploy-time values in a string (`parameter ToolsAccount`, ...), in order. */
export function deployTimeOrigins(value: string): string[] {
  return Array.from(value.matchAll(DEPLOY_TIME_VALUE), m => m[1]).filter((o): o is string => o !== undefined);
}

/** A rule's finding on one role. */
export interface Finding {
  readonly message: string;
  /** Where in the resource, e.g. `Properties/AssumeRolePolicyDocument/Statement/0`. */
  readonly location: string;
}

/** A trust rule: one check, one id, one severity. */
export interface TrustRule {
  /** Stable id, used to acknowledge findings: `CrossAccountTrustChecks::<id>`. */
  readonly id: string;
  readonly severity: 'error' | 'warning';
  /** What the rule guards against. */
  readonly description: string;
  /** How to comply. */
  readonly fix: string;
  /**
   * The statement features without which the rule finds nothing: the engine
   * skips a role none of whose statements has any of them, without calling
   * `check` (most roles are service roles; a test proves no finding is skipped).
   *
   * @default - every role is checked
   */
  readonly appliesTo?: ReadonlyArray<keyof StatementFeatures>;
  check(role: AuditedRole, context?: RuleContext): Finding[];
}

/** What a rule may know beyond the role's template: set by the plugin, which sees the whole app. */
export interface RuleContext {
  /** The app's `OrganizationTrustPerimeter`s, if it has any. */
  readonly perimeter?: PerimeterContext;
  /**
   * The roles and users of the app (of every template audited), by
   * `principalKey`, with the stack each is in: known once every template is
   * read (the front-ends judge the rules that need them last).
   */
  readonly appPrincipals?: ReadonlyMap<string, string>;
  /** The stack the template deploys as (its name, or its file), for messages that name stacks. */
  readonly stackName?: string;
}

/**
 * How a role or user is named across templates: its account, its kind and
 * its name, whatever its partition and path (`222222222222:role/reader`);
 * undefined for anything else.
 */
export function principalKey(arn: string): string | undefined {
  const match = /^arn:[^:]+:iam::(\d{12}):(role|user)\/(?:.*\/)?([^/]+)$/.exec(arn);
  return match !== null ? `${match[1]}:${match[2]}/${match[3]}` : undefined;
}

/** What the app's `OrganizationTrustPerimeter`s let in. */
export interface PerimeterContext {
  /** The construct paths of the perimeters, for messages. */
  readonly perimeters: string[];
  /** Accounts known to be in the organization: every perimeter's `memberAccounts` and every account with a stack in the app. */
  readonly memberAccounts: string[];
  /** Accounts the perimeters let in on an external ID. */
  readonly thirdPartyAccounts: string[];
  /**
   * The perimeters' organizations (lower case): only these (or OU paths under
   * them) narrow a statement to principals the perimeter lets in. Undefined
   * when a perimeter's is only known at deploy time: any organization narrows then.
   */
  readonly organizationIds?: string[];
}

/** A condition of a statement: an operator, a key (lower case) and its values. */
export interface ConditionEntry {
  readonly operator: string;
  readonly key: string;
  readonly values: string[];
  /**
   * Whether the condition narrows who may assume the role: it must match for
   * the statement to apply (see `requiresKey`), and no value of it matches
   * (nearly) anything. Read once, when the statement's entries are listed.
   */
  readonly narrows: boolean;
}

/** Statements are read once and never changed: their entries are listed once (every rule and the access map ask). */
const conditionEntriesCache = new WeakMap<TrustStatement, readonly ConditionEntry[]>();

/** Every key under any operator of a statement's conditions, with its operator. */
export function conditionEntries(statement: TrustStatement): readonly ConditionEntry[] {
  let entries = conditionEntriesCache.get(statement);
  if (entries === undefined) {
    const listed: ConditionEntry[] = [];
    for (const operator in statement.conditions) {
      const keys = statement.conditions[operator];
      for (const key in keys) {
        const lower = key.toLowerCase();
        listed.push({ operator, key: lower, values: keys[key], narrows: narrows(operator, lower, keys[key]) });
      }
    }
    entries = listed;
    conditionEntriesCache.set(statement, entries);
  }
  return entries;
}

/** Keys whose whole value is an account or organization: a wildcard anywhere in it matches others. */
const ACCOUNT_OR_ORG_KEYS = ['aws:principalaccount', 'aws:sourceaccount', 'aws:resourceaccount', 'aws:principalorgid', 'aws:sourceorgid', 'aws:resourceorgid'];
/** Keys whose value starts with an organization ID (`o-xxx/r-xxx/...`). */
const ORG_PATH_KEYS = ['aws:principalorgpaths', 'aws:sourceorgpaths', 'aws:resourceorgpaths'];
/** Keys whose value is an ARN, whose account field names who is meant. */
const ARN_KEYS = ['aws:principalarn', 'aws:sourcearn'];

const hasWildcard = (value: string) => /[*?]/.test(value);

/**
 * Whether a condition value matches (next to) anything, so that it narrows
 * nothing: under a wildcard-matching operator (`...Like`, `Arn...`), a value
 * that is only wildcards, or that has a wildcard in its account or
 * organization part (`o-*`, `arn:aws:iam::*:role/*`).
 */
export function isWildcardValue(operator: string, key: string, value: string): boolean {
  if (!/Like|^(ForAnyValue:|ForAllValues:)?Arn/.test(operator) || !hasWildcard(value)) { return false; }
  const lowerKey = key.toLowerCase();
  if (/^[*?]*$/.test(value) || ACCOUNT_OR_ORG_KEYS.includes(lowerKey)) { return true; }
  if (ORG_PATH_KEYS.includes(lowerKey)) { return hasWildcard(value.split('/')[0]); }
  if (ARN_KEYS.includes(lowerKey)) {
    const fields = value.split(':');
    return fields.length < 5 || hasWildcard(fields[4]);
  }
  return false;
}

/**
 * Whether a statement requires `key` (case-insensitive) to have a value that
 * narrows who may assume the role: under an operator that must match for the
 * statement to apply, i.e. not an `...IfExists` one (which holds when the key
 * is absent), not a `ForAllValues:` one (which holds when the key is absent
 * too), not a negated one, and with no value that matches anything (see
 * `isWildcardValue`). `aws:MultiFactorAuthPresent` counts only when it must be
 * `true`.
 */
export function requiresKey(statement: TrustStatement, key: string): boolean {
  const entries = conditionEntries(statement);
  if (entries.length === 0) { return false; }
  const lower = key.toLowerCase();
  return entries.some(c => c.narrows && c.key === lower);
}

/**
 * Whether an operator must match for its statement to apply: not an
 * `...IfExists` one, nor `ForAllValues:` (both hold when the key is absent),
 * nor a negated one, nor `Null`. By operator, read once (templates use a few).
 */
const operatorMustMatch = new Map<string, boolean>();

/** Whether a condition (its key in lower case) narrows who may assume the role: see `requiresKey`. */
function narrows(operator: string, key: string, values: string[]): boolean {
  let mustMatch = operatorMustMatch.get(operator);
  if (mustMatch === undefined) {
    mustMatch = !/IfExists$/.test(operator) && !/^ForAllValues:/.test(operator) && !/Not/.test(operator) && operator !== 'Null';
    if (operatorMustMatch.size < 1000) { operatorMustMatch.set(operator, mustMatch); }
  }
  return mustMatch
    && !values.some(v => isWildcardValue(operator, key, v))
    && !(key === 'aws:multifactorauthpresent' && values.some(v => v.toLowerCase() !== 'true'));
}

/** Whether a statement requires `aws:PrincipalArn` to name specific principals, not a whole account (`arn:aws:iam::<account>:*`). */
export function requiresPrincipalArn(s: TrustStatement): boolean {
  return requiresKey(s, 'aws:PrincipalArn')
    && !conditionEntries(s).some(c => c.key === 'aws:principalarn' && c.values.some(v => /^[*?]*$/.test(v.split(':').slice(5).join(':'))));
}

/** Whether an IAM action pattern (case-insensitive, `*` and `?` wildcards) matches an action. */
export function actionMatches(pattern: string, action: string): boolean {
  // most trust policies name exact actions: compare them without building a pattern
  return /[*?]/.test(pattern) ? iamPatternMatches(pattern, action, true) : pattern.toLowerCase() === action.toLowerCase();
}

/** Whether a statement's `Action` (or `NotAction`) covers `action`. */
export function allowsAction(statement: TrustStatement, action: string): boolean {
  return statement.notActions.length > 0
    ? !statement.notActions.some(p => actionMatches(p, action))
    : statement.actions.some(p => actionMatches(p, action));
}

/** The account of an IAM principal ARN or a bare account ID, if literal. */
export function accountOf(principal: string): string | undefined {
  if (/^\d{12}$/.test(principal)) { return principal; }
  const match = /^arn:[^:]+:(?:iam|sts)::(\d{12}):/.exec(principal);
  return match ? match[1] : undefined;
}

/**
 * Where the account of a principal known only at deploy time comes from
 * (`parameter ToolsAccount`, `import SharedAccount`, `mapping Accounts keyed by
 * parameter Env`): the principal as a whole (an account ID or an ARN given as
 * a parameter), or the account field of an IAM ARN. Undefined when the account
 * is literal, or only known as the stack's own (`AWS::AccountId`) or an
 * attribute, which name no account of another.
 */
export function deployTimeAccountOrigin(principal: string): string | undefined {
  if (!principal.includes(UNRESOLVED)) { return undefined; }
  const account = isDeployTime(principal) ? principal : DEPLOY_TIME_ARN_ACCOUNT.exec(principal)?.[1];
  return account !== undefined ? deployTimeOrigins(account)[0] : undefined;
}

export function location(index: number): string {
  return `Properties/AssumeRolePolicyDocument/Statement/${index}`;
}
