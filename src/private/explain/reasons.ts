/**
 * The words of an explanation: which statement, which condition failed with
 * which key and values, and what would fix it.
 */
import { ConditionResult, ContextEntry, Policy, RequestContext, Statement, StatementResult, UNKNOWN, statementName } from '../evaluator';

/** Where a statement is written (the public `StatementLocation`, as the private side builds it). */
export interface Location {
  readonly policy: string;
  readonly file?: string;
  readonly line?: number;
  readonly stack?: string;
  readonly logicalId?: string;
  readonly sid?: string;
  readonly index: number;
  readonly effect: string;
}

/** Keys whose values are secrets: their expected values are counted, never shown. */
const SECRET_KEYS = ['sts:externalid'];

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;

/** Values, quoted and listed (`'a', 'b'`), or counted for a secret key. */
function values(key: string, list: readonly string[]): string {
  if (SECRET_KEYS.includes(key.toLowerCase())) { return plural(list.length, 'value'); }
  return list.map(v => `'${v}'`).join(', ');
}

/** What an operator requires of a key's value, in words. */
function requirement(operator: string, key: string, list: readonly string[]): string {
  const base = operator.replace(/^For(Any|All)Values?:/, '').replace(/IfExists$/, '');
  const set = operator.startsWith('ForAnyValue:') ? 'one of its values ' : operator.startsWith('ForAllValues:') ? 'each of its values ' : '';
  const of = values(key, list);
  const many = list.length > 1 || SECRET_KEYS.includes(key.toLowerCase());
  switch (base) {
    case 'StringEquals': case 'ArnEquals': return `${set}to be ${many ? `one of ${of}` : of}`;
    case 'StringEqualsIgnoreCase': return `${set}to be ${many ? `one of ${of}` : of} (any case)`;
    case 'StringLike': case 'ArnLike': return `${set}to match ${many ? `one of ${of}` : of}`;
    case 'StringNotEquals': case 'ArnNotEquals': case 'StringNotEqualsIgnoreCase': return `${set}not to be ${of}`;
    case 'StringNotLike': case 'ArnNotLike': return `${set}not to match ${of}`;
    case 'Bool': return `to be ${of}`;
    case 'IpAddress': return `to be in ${of}`;
    case 'NotIpAddress': return `not to be in ${of}`;
    case 'NumericLessThan': case 'DateLessThan': return `to be less than ${of}`;
    case 'NumericLessThanEquals': case 'DateLessThanEquals': return `to be at most ${of}`;
    case 'NumericGreaterThan': case 'DateGreaterThan': return `to be more than ${of}`;
    case 'NumericGreaterThanEquals': case 'DateGreaterThanEquals': return `to be at least ${of}`;
    case 'NumericEquals': case 'DateEquals': return `to be ${of}`;
    case 'NumericNotEquals': case 'DateNotEquals': return `not to be ${of}`;
    case 'Null': return list.some(v => v.toLowerCase() === 'true') ? 'to be absent' : 'to be present';
    default: return `${operator} ${of}`;
  }
}

/** What a request holds of a key, in words. */
function given(entry: ContextEntry | undefined): string {
  if (entry === undefined) { return 'was absent'; }
  if (entry.unknownValue) { return 'is only known at deploy time'; }
  if (SECRET_KEYS.includes(entry.key.toLowerCase())) { return `was '${entry.values.join("', '")}'`; }
  return entry.multiValued ? `was [${entry.values.map(v => `'${v}'`).join(', ')}]` : `was '${entry.values.join("', '")}'`;
}

/** The policy variables of values, with what they stand for in this request: `'${aws:username}' (here 'alice')`. */
function variablesMeaning(policyValues: readonly string[], context: RequestContext): string {
  const withVariables = policyValues.filter(v => /\$\{[^}]+\}/.test(v));
  const meanings = withVariables.map(v => v.replace(/\$\{([^}]+)\}/g, (whole, key: string) => {
    const entry = context.get(key.split(',')[0].trim());
    return entry !== undefined && !entry.unknownValue && entry.values.length === 1 ? entry.values[0] : whole;
  }));
  return meanings.some((m, i) => m !== withVariables[i]) ? ` (here ${meanings.map(m => `'${m}'`).join(', ')})` : '';
}

/** Why a condition did not hold (or is unknown): "`sts:ExternalId` was absent; the statement requires one of 1 value". */
export function conditionReason(result: ConditionResult, context: RequestContext, what: string): string {
  const { condition } = result;
  const entry = context.get(condition.key);
  const held = result.holds === UNKNOWN ? 'may not hold' : 'does not hold';
  const meaning = SECRET_KEYS.includes(condition.key.toLowerCase()) ? '' : variablesMeaning(condition.values, context);
  return `\`${condition.key}\` ${given(entry)}; ${what} requires it ${requirement(condition.operator, condition.key, condition.values)}${meaning} (${condition.operator}, which ${held})`;
}

/** A statement of a policy, in words: "statement 'AllowAlice' of the trust policy of role Audit (stack Trusting)". */
export function statementText(policy: Policy, statement: Statement): string {
  return `${statementName(statement)} of ${policy.source.description}`;
}

/** Where a statement is, for the reports. */
export function locate(policy: Policy, statement: Statement): Location {
  const { source } = policy;
  let line: number | undefined;
  if (source.positionOf !== undefined && source.path !== undefined) {
    try {
      line = source.positionOf([...source.path, 'Statement', String(statement.index)]).line;
    } catch {
      line = undefined;
    }
  }
  return {
    policy: source.description,
    ...(source.file !== undefined ? { file: source.file } : {}),
    ...(line !== undefined ? { line } : {}),
    ...(source.stack !== undefined ? { stack: source.stack } : {}),
    ...(source.logicalId !== undefined ? { logicalId: source.logicalId } : {}),
    ...(statement.sid !== undefined ? { sid: statement.sid } : {}),
    index: statement.index,
    effect: statement.effect,
  };
}

/** The conditions of a statement that fail (or may), first the ones that surely do. */
export function failingConditions(result: StatementResult): ConditionResult[] {
  return [...result.conditions.filter(c => c.holds === false), ...result.conditions.filter(c => c.holds === UNKNOWN)];
}

/**
 * What to do about a condition that fails, by its key: the request's side
 * (pass the external ID, sign in with MFA, call from the allowed addresses,
 * name the session ...), or the policy's.
 */
export function conditionFix(result: ConditionResult): string {
  const { condition } = result;
  const key = condition.key.toLowerCase();
  const what = requirement(condition.operator, condition.key, condition.values);
  if (key === 'sts:externalid') { return 'pass the external ID the role expects (the ExternalId parameter of AssumeRole: aws sts assume-role --external-id)'; }
  if (key === 'aws:multifactorauthpresent') { return 'sign in with MFA before the call (for the CLI: get-session-token with --serial-number and --token-code, or an MFA-enabled profile)'; }
  if (key === 'aws:multifactorauthage') { return `sign in with MFA again: the MFA sign-in must be recent (aws:MultiFactorAuthAge ${what})`; }
  if (key === 'aws:sourceip') { return `call from an allowed address (aws:SourceIp ${what})`; }
  if (key === 'aws:principalorgid') { return `the caller's account must be in the organisation (aws:PrincipalOrgID ${what}); add it to the organisation, or trust it by account`; }
  if (key === 'aws:principalorgpaths') { return `the caller's account must be in the organisational unit (aws:PrincipalOrgPaths ${what})`; }
  if (key === 'aws:principalarn') { return `the caller must be the principal the policy names (aws:PrincipalArn ${what}), or the policy must name the caller`; }
  if (key === 'sts:rolesessionname') { return `name the session as the role expects (sts:RoleSessionName ${what}: aws sts assume-role --role-session-name; explain --session-name)`; }
  if (key === 'sts:sourceidentity') { return `set a source identity as the role expects (sts:SourceIdentity ${what}: aws sts assume-role --source-identity)`; }
  if (key.startsWith('aws:requesttag/') || key === 'aws:tagkeys' || key === 'sts:transitivetagkeys') { return `pass the session tags the policy expects (${condition.key} ${what}: aws sts assume-role --tags; explain --tag)`; }
  return `make the request's ${condition.key} ${what}, or change the condition`;
}
