/**
 * Matching in policies: wildcards (`*` any run of characters, `?` one
 * character), policy variables (`${aws:username}`, `${key, 'default'}`,
 * `${*}`, `${?}`, `${$}`), actions and resource ARNs.
 *
 * A pattern may hold a value only known at deploy time (the audit's
 * UNRESOLVED sentinel, from the library's one intrinsic resolver): it then
 * matches nothing it cannot match whatever that value is, and is `UNKNOWN`
 * otherwise.
 *
 * @see https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_variables.html
 * @see https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_resource.html
 * @see https://docs.aws.amazon.com/IAM/latest/UserGuide/reference-arns.html
 */
import { RequestContext } from './context';
import { Truth, UNKNOWN } from './truth';
import { UNRESOLVED } from '../audit/rules/types';

/** How a pattern is read. */
export interface PatternOptions {
  /** `*` and `?` are wildcards (the `...Like` and ARN operators, actions, resources); otherwise literal. */
  readonly wildcards: boolean;
  /** Replace policy variables from this context (only in `2012-10-17` documents); undefined: `${...}` is literal text. */
  readonly variables?: RequestContext;
  /** Compare without regard to case. */
  readonly ignoreCase?: boolean;
}

/** A pattern read into a regular expression; `unknown` when a deploy-time value or an unknown variable stands in it (read as `.*`). */
interface Compiled {
  readonly regex: RegExp;
  readonly unknown: boolean;
}

/** Stands for a deploy-time value inside a pattern being compiled. */
const HOLE = '\u0000';

const escape = (text: string): string => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

const cache = new Map<string, Compiled>();

/** The policy variables of a text (`${aws:username}`, `${aws:PrincipalTag/team, 'none'}`, `${*}`), by what is between the braces. */
export const POLICY_VARIABLE = /\$\{([^}]*)\}/g;

/** A policy variable's key and default (`${key}`, `${key, 'default'}`); no key for the special characters `${*}`, `${?}` and `${$}`. */
function parseVariable(body: string): { key?: string; fallback?: string } {
  if (body === '*' || body === '?' || body === '$') { return {}; }
  const withDefault = /^\s*([^,\s]+)\s*,\s*'([^']*)'\s*$/.exec(body);
  return withDefault ? { key: withDefault[1], fallback: withDefault[2] } : { key: body.trim() };
}

/** The context key a policy variable reads (`aws:username` of `${aws:username, 'x'}`); undefined for `${*}`, `${?}` and `${$}`. */
export function variableKey(body: string): string | undefined {
  return parseVariable(body).key;
}

/**
 * The value of a policy variable: `${key}` or `${key, 'default'}`; the special
 * characters `${*}`, `${?}` and `${$}`. A key the request does not have (and
 * no default) makes the pattern match nothing; a multivalued key too.
 */
export function variableValue(body: string, context: RequestContext): string | false | typeof UNKNOWN {
  const { key, fallback } = parseVariable(body);
  if (key === undefined) { return body; }
  const entry = context.get(key);
  if (entry === undefined) { return fallback ?? false; }
  if (entry.unknownValue) { return UNKNOWN; }
  if (entry.multiValued || entry.values.length !== 1) { return false; }
  return entry.values[0];
}

/** Compiles a pattern: wildcards, variables and deploy-time holes; false when a variable has no value. */
function compile(pattern: string, options: PatternOptions): Compiled | false {
  const variables = options.variables !== undefined && pattern.includes('${') ? options.variables : undefined;
  const key = variables === undefined ? `${options.wildcards ? 'w' : 'l'}${options.ignoreCase ? 'i' : 's'}${pattern}` : undefined;
  const cached = key !== undefined ? cache.get(key) : undefined;
  if (cached !== undefined) { return cached; }
  let source = '';
  let unknown = false;
  const tokens = variables !== undefined ? /\$\{[^}]*\}|[*?]|\u0000/g : /[*?]|\u0000/g;
  let last = 0;
  for (const match of pattern.matchAll(tokens)) {
    source += escape(pattern.slice(last, match.index));
    last = match.index + match[0].length;
    const token = match[0];
    if (token === HOLE) {
      unknown = true;
      source += '.*';
    } else if (token === '*' || token === '?') {
      source += options.wildcards ? (token === '*' ? '.*' : '.') : escape(token);
    } else {
      const value = variableValue(token.slice(2, -1), variables!);
      if (value === false) { return false; }
      if (value === UNKNOWN) {
        unknown = true;
        source += '.*';
      } else {
        source += escape(value);
      }
    }
  }
  source += escape(pattern.slice(last));
  const compiled = { regex: new RegExp(`^${source}$`, options.ignoreCase ? 'is' : 's'), unknown };
  if (key !== undefined) {
    if (cache.size > 10_000) { cache.clear(); }
    cache.set(key, compiled);
  }
  return compiled;
}

/** Whether a pattern matches a value (`UNKNOWN` when a deploy-time value or an unknown variable stands in the way). */
export function patternMatches(pattern: string, value: string, options: PatternOptions): Truth {
  // the known parts must match; what the deploy-time value is decides the rest
  const compiled = compile(pattern.includes(UNRESOLVED) ? pattern.split(UNRESOLVED).join(HOLE) : pattern, options);
  if (compiled === false || !compiled.regex.test(value)) { return false; }
  return compiled.unknown ? UNKNOWN : true;
}

/** Whether an action pattern (`s3:Get*`, `*`) matches an action: wildcards, any case. */
export function actionMatches(pattern: string, action: string): Truth {
  return pattern === '*' || patternMatches(pattern, action, { wildcards: true, ignoreCase: true });
}

/** The five fixed fields of an ARN and its resource part (which may hold colons). */
interface ArnParts {
  readonly fields: string[];
  readonly resource: string;
}

function arnParts(arn: string): ArnParts | undefined {
  const parts = arn.split(':');
  return parts.length < 6 ? undefined : { fields: parts.slice(0, 5), resource: parts.slice(5).join(':') };
}

/**
 * Whether a `Resource` pattern matches a resource ARN. Each of the five
 * fixed fields is matched on its own (wildcards do not cross colons there);
 * the resource type (up to the first `/` or `:` of the resource part, which
 * cannot be wildcarded) must be the same; the rest is matched with wildcards
 * and variables. A pattern with fewer fields matches only when its last
 * character is `*`, which may then reach across colons. S3 bucket and object
 * ARNs have no resource type: their whole resource part is matched.
 */
export function resourceMatches(pattern: string, arn: string, variables?: RequestContext): Truth {
  if (pattern === '*') { return true; }
  const options: PatternOptions = { wildcards: true, variables };
  const policy = arnParts(pattern);
  const request = arnParts(arn);
  if (policy === undefined || request === undefined) {
    return policy === undefined && pattern.endsWith('*') ? patternMatches(pattern, arn, options) : pattern === arn;
  }
  let result: Truth = true;
  for (let i = 0; i < 5; i++) {
    const field = patternMatches(policy.fields[i], request.fields[i], options);
    if (field === false) { return false; }
    if (field === UNKNOWN) { result = UNKNOWN; }
  }
  const isS3 = request.fields[2] === 's3' && request.fields[3] === '' && request.fields[4] === '';
  const split = isS3 ? -1 : policy.resource.search(/[/:]/);
  const type = split < 0 ? '' : policy.resource.slice(0, split + 1);
  if (!request.resource.startsWith(type) && !type.includes(UNRESOLVED)) { return false; }
  const rest = patternMatches(type.includes(UNRESOLVED) ? policy.resource : policy.resource.slice(type.length),
    type.includes(UNRESOLVED) ? request.resource : request.resource.slice(type.length), options);
  return rest === false ? false : rest === UNKNOWN ? UNKNOWN : result;
}
