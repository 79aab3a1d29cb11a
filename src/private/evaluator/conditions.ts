/**
 * Condition operators, as AWS documents them: string, numeric, date,
 * Boolean, binary, IP address and ARN operators, `Null`, the `...IfExists`
 * suffix, and the set operators `ForAnyValue:` / `ForAllValues:` over
 * multivalued keys.
 *
 * The keys of a statement's conditions are ANDed, and so are its operators;
 * the values of one key are ORed (for a negated operator: the key's value
 * must match none of them).
 *
 * @see https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition_operators.html
 * @see https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-logic-multiple-context-keys-or-values.html
 * @see https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-single-vs-multi-valued-context-keys.html
 */
import { RequestContext } from './context';
import { patternMatches } from './patterns';
import { Condition } from './policy';
import { Truth, UNKNOWN, every, not, some } from './truth';
import { UNRESOLVED } from '../audit/rules/types';

/** An operator read into its parts. */
interface Operator {
  /** `ForAnyValue` or `ForAllValues`, if given. */
  readonly set?: 'ForAnyValue' | 'ForAllValues';
  /** The operator without its set prefix and `IfExists` suffix. */
  readonly base: string;
  readonly ifExists: boolean;
}

/** The operators that hold when the key's value matches none of the policy's values (and when the key is absent). */
const NEGATED = new Set([
  'StringNotEquals', 'StringNotEqualsIgnoreCase', 'StringNotLike', 'NumericNotEquals', 'DateNotEquals', 'NotIpAddress', 'ArnNotEquals', 'ArnNotLike',
]);

/** What each positive operator tests one request value against one policy value with; the negated ones use their positive's. */
const POSITIVE_OF: Record<string, string> = {
  StringNotEquals: 'StringEquals',
  StringNotEqualsIgnoreCase: 'StringEqualsIgnoreCase',
  StringNotLike: 'StringLike',
  NumericNotEquals: 'NumericEquals',
  DateNotEquals: 'DateEquals',
  NotIpAddress: 'IpAddress',
  ArnNotEquals: 'ArnEquals',
  ArnNotLike: 'ArnLike',
};

function readOperator(operator: string): Operator {
  const set = operator.startsWith('ForAnyValue:') ? 'ForAnyValue' : operator.startsWith('ForAllValues:') ? 'ForAllValues' : undefined;
  const rest = set !== undefined ? operator.slice(set.length + 1) : operator;
  const ifExists = rest.endsWith('IfExists');
  return { set, base: ifExists ? rest.slice(0, -'IfExists'.length) : rest, ifExists };
}

/** A number of a condition: decimal, integer or not a number. */
function number(text: string): number | undefined {
  if (!/^\s*[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?\s*$/.test(text)) { return undefined; }
  return Number(text);
}

/** A date of a condition: an ISO 8601 date and time, or epoch seconds. */
function date(text: string): number | undefined {
  if (/^\d+$/.test(text)) { return Number(text) * 1000; }
  const time = Date.parse(text);
  return Number.isNaN(time) ? undefined : time;
}

/** An IPv4 or IPv6 address as a big integer and its width in bits. */
function address(text: string): { value: bigint; bits: number } | undefined {
  if (/^\d{1,3}(\.\d{1,3}){3}$/.test(text)) {
    const octets = text.split('.').map(Number);
    if (octets.some(o => o > 255)) { return undefined; }
    return { value: octets.reduce((acc, o) => acc * 256n + BigInt(o), 0n), bits: 32 };
  }
  if (!/^[0-9a-fA-F:]+$/.test(text) || !text.includes(':')) { return undefined; }
  const halves = text.split('::');
  if (halves.length > 2) { return undefined; }
  const groups = (part: string) => (part === '' ? [] : part.split(':'));
  const head = groups(halves[0]);
  const tail = halves.length === 2 ? groups(halves[1]) : [];
  const missing = 8 - head.length - tail.length;
  if ((halves.length === 1 && missing !== 0) || missing < 0 || [...head, ...tail].some(g => !/^[0-9a-fA-F]{1,4}$/.test(g))) { return undefined; }
  const all = [...head, ...Array(halves.length === 2 ? missing : 0).fill('0'), ...tail];
  return { value: all.reduce((acc, g) => acc * 65536n + BigInt(parseInt(g, 16)), 0n), bits: 128 };
}

/** Whether an address is in a CIDR block (an address without a prefix length is a block of one). */
function inBlock(ip: string, block: string): boolean {
  const [base, prefix] = block.split('/');
  const a = address(ip);
  const b = address(base);
  if (a === undefined || b === undefined || a.bits !== b.bits) { return false; }
  const length = prefix === undefined ? b.bits : Number(prefix);
  if (!Number.isInteger(length) || length < 0 || length > b.bits) { return false; }
  const size = 2n ** BigInt(b.bits - length);
  return a.value / size === b.value / size;
}

/** An ARN's six fields (the resource part keeps its colons). */
function arnFields(arn: string): string[] | undefined {
  const parts = arn.split(':');
  return parts.length < 6 ? undefined : [...parts.slice(0, 5), parts.slice(5).join(':')];
}

/** `ArnEquals` / `ArnLike`: each of the six fields matched on its own, wildcards allowed, case-sensitive. */
function arnMatches(pattern: string, value: string, variables?: RequestContext): Truth {
  const p = arnFields(pattern);
  const v = arnFields(value);
  if (p === undefined || v === undefined) { return false; }
  let result: Truth = true;
  for (let i = 0; i < 6; i++) {
    const field = patternMatches(p[i], v[i], { wildcards: true, variables });
    if (field === false) { return false; }
    if (field === UNKNOWN) { result = UNKNOWN; }
  }
  return result;
}

/** Whether one request value matches one policy value under a positive operator. */
function valueMatches(base: string, policyValue: string, value: string, variables?: RequestContext): Truth {
  if (policyValue.includes(UNRESOLVED) && !['StringEquals', 'StringLike', 'ArnEquals', 'ArnLike', 'StringEqualsIgnoreCase'].includes(base)) { return UNKNOWN; }
  switch (base) {
    case 'StringEquals': return patternMatches(policyValue, value, { wildcards: false, variables });
    case 'StringEqualsIgnoreCase': return patternMatches(policyValue, value, { wildcards: false, variables, ignoreCase: true });
    case 'StringLike': return patternMatches(policyValue, value, { wildcards: true, variables });
    case 'ArnEquals':
    case 'ArnLike': return arnMatches(policyValue, value, variables);
    case 'Bool': return policyValue.toLowerCase() === value.toLowerCase();
    case 'BinaryEquals': return policyValue === value;
    case 'IpAddress': return inBlock(value, policyValue);
    default: break;
  }
  if (base.startsWith('Numeric')) {
    const [a, b] = [number(value), number(policyValue)];
    return a !== undefined && b !== undefined && compare(base.slice('Numeric'.length), a, b);
  }
  if (base.startsWith('Date')) {
    const [a, b] = [date(value), date(policyValue)];
    return a !== undefined && b !== undefined && compare(base.slice('Date'.length), a, b);
  }
  return false;
}

function compare(relation: string, a: number, b: number): boolean {
  switch (relation) {
    case 'Equals': return a === b;
    case 'LessThan': return a < b;
    case 'LessThanEquals': return a <= b;
    case 'GreaterThan': return a > b;
    case 'GreaterThanEquals': return a >= b;
    default: return false;
  }
}

/** The operators the evaluator knows (without prefix and suffix). */
const KNOWN = new Set([
  'StringEquals', 'StringNotEquals', 'StringEqualsIgnoreCase', 'StringNotEqualsIgnoreCase', 'StringLike', 'StringNotLike',
  'NumericEquals', 'NumericNotEquals', 'NumericLessThan', 'NumericLessThanEquals', 'NumericGreaterThan', 'NumericGreaterThanEquals',
  'DateEquals', 'DateNotEquals', 'DateLessThan', 'DateLessThanEquals', 'DateGreaterThan', 'DateGreaterThanEquals',
  'Bool', 'BinaryEquals', 'IpAddress', 'NotIpAddress', 'ArnEquals', 'ArnLike', 'ArnNotEquals', 'ArnNotLike',
]);

/** Whether the evaluator knows an operator. */
export function isKnownOperator(operator: string): boolean {
  const { base, set, ifExists } = readOperator(operator);
  return base === 'Null' ? set === undefined && !ifExists : KNOWN.has(base);
}

/** Policy variables are replaced in the values of the string and ARN operators of `2012-10-17` documents. */
const VARIABLE_OPERATORS = /^(String|Arn)/;

/**
 * Whether a condition holds for a request. `variables` is the request
 * context when the policy replaces variables (`Version` 2012-10-17).
 */
export function conditionHolds(condition: Condition, context: RequestContext, variablesOn: boolean): Truth {
  const operator = readOperator(condition.operator);
  if (!isKnownOperator(condition.operator)) { return false; }
  const entry = context.get(condition.key);
  if (operator.base === 'Null') {
    // Null true: the key is absent; false: present (an empty set is absent)
    const absent = entry === undefined || (!entry.unknownValue && entry.values.length === 0);
    return condition.values.some(v => v.toLowerCase() === String(absent));
  }
  const negated = NEGATED.has(operator.base);
  if (entry === undefined || (entry.multiValued && entry.values.length === 0 && !entry.unknownValue)) {
    // an absent key: ...IfExists and ForAllValues hold, ForAnyValue fails, a negated operator holds, any other fails
    if (operator.ifExists || operator.set === 'ForAllValues') { return true; }
    if (operator.set === 'ForAnyValue') { return false; }
    return negated;
  }
  if (entry.unknownValue) { return UNKNOWN; }
  const positive = POSITIVE_OF[operator.base] ?? operator.base;
  const variables = variablesOn && VARIABLE_OPERATORS.test(positive) ? context : undefined;
  /** Whether one request value passes: matches one of the policy values (a negated operator: none of them). */
  const passes = (value: string): Truth => {
    const matched = some(condition.values, policyValue => valueMatches(positive, policyValue, value, variables));
    return negated ? not(matched) : matched;
  };
  // ForAllValues: every value passes; ForAnyValue, and a single-valued operator (on a multivalued key: one of its values must pass)
  return operator.set === 'ForAllValues' ? every(entry.values, passes) : some(entry.values, passes);
}
