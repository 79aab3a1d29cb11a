/**
 * The length IAM counts for a policy as it stands in a template, intrinsics
 * estimated. Free of aws-cdk-lib: the audit (and the CLI) measure trust
 * policies with it.
 */
import { LONGEST_PARTITION, UNRESOLVED_ARN_ESTIMATE, UNRESOLVED_VALUE_ESTIMATE } from '../constants';
import { IntrinsicContext, resolveIntrinsics } from './intrinsics';

/** What a pseudo parameter is counted as: its longest real value. */
const PSEUDO_PARAMETER_ESTIMATES: Record<string, string> = {
  'AWS::Partition': LONGEST_PARTITION,
  'AWS::AccountId': '123456789012',
  'AWS::Region': 'ap-southeast-5',
  'AWS::URLSuffix': 'amazonaws.com.cn',
};

/** What an ARN attribute (`Fn::GetAtt` of `Arn`, `TopicArn`, `StreamArn`, ...) is counted as. */
const ARN_ESTIMATE = 'x'.repeat(UNRESOLVED_ARN_ESTIMATE);

/**
 * What a policy's intrinsics count as when it is measured at synth time: pseudo
 * parameters as their longest value, an ARN attribute (`Fn::GetAtt` of `Arn`
 * or `...Arn`, also inside `Fn::Sub`) as `UNRESOLVED_ARN_ESTIMATE` characters,
 * anything else only known at deploy time (a parameter, another attribute, an
 * import) as `UNRESOLVED_VALUE_ESTIMATE` characters.
 */
export const QUOTA_CONTEXT: IntrinsicContext = {
  ref: name => Object.prototype.hasOwnProperty.call(PSEUDO_PARAMETER_ESTIMATES, name) ? PSEUDO_PARAMETER_ESTIMATES[name] : undefined,
  getAtt: (_logicalId, attribute) => attribute.endsWith('Arn') ? ARN_ESTIMATE : undefined,
  unknown: 'x'.repeat(UNRESOLVED_VALUE_ESTIMATE),
};

/**
 * The length IAM will count for a policy as it stands in a template
 * (intrinsics and all): the JSON without any whitespace, as IAM measures it
 * against its quotas, values only known at deploy time estimated (see
 * `QUOTA_CONTEXT`). The same number as
 * `JSON.stringify(resolveIntrinsics(policy, QUOTA_CONTEXT) ?? {}).replace(/\s/g, '').length`,
 * counted in one walk that builds neither the resolved policy nor its JSON
 * (only an intrinsic's value is built): the audit measures every trust policy
 * it reads.
 */
export function resolvedPolicyLength(policy: unknown): number {
  const length = measure(policy);
  return length === OMITTED ? 2 : length;
}

/** What `measure` gives for a value that JSON leaves out (`undefined`, `AWS::NoValue`). */
const OMITTED = -1;

/** Whether a value is an intrinsic function: an object of one key, `Ref` or `Fn::...`. */
function isIntrinsic(value: object): boolean {
  let key: string | undefined;
  for (const k in value) {
    if (key !== undefined) { return false; }
    key = k;
  }
  return key !== undefined && (key === 'Ref' || key.startsWith('Fn::'));
}

/** The length of a value's JSON without white space (an intrinsic's resolved value's), or OMITTED. */
function measure(value: unknown): number {
  if (typeof value === 'string') { return stringLength(value); }
  if (typeof value === 'number') { return Number.isFinite(value) ? String(value).length : 4; }
  if (typeof value === 'boolean') { return value ? 4 : 5; }
  if (value === null) { return 4; }
  if (typeof value !== 'object') { return OMITTED; }
  if (Array.isArray(value)) {
    let length = 2;
    let items = 0;
    for (const item of value) {
      const m = measure(item);
      // AWS::NoValue leaves the item out of the list; anything else JSON leaves out is null in a list
      if (m === OMITTED && typeof item === 'object' && item !== null) { continue; }
      length += m === OMITTED ? 4 : m;
      items++;
    }
    return length + Math.max(0, items - 1);
  }
  if (isIntrinsic(value)) {
    const resolved = resolveIntrinsics(value, QUOTA_CONTEXT);
    return resolved === undefined ? OMITTED : measure(resolved);
  }
  let length = 2;
  let members = 0;
  for (const key of Object.keys(value)) {
    const m = measure((value as Record<string, unknown>)[key]);
    if (m === OMITTED) { continue; }
    length += stringLength(key) + 1 + m;
    members++;
  }
  return length + Math.max(0, members - 1);
}

/** The length of a string's JSON without white space. */
function stringLength(text: string): number {
  let spaces = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    // escaped by JSON (quote, backslash, control characters, surrogates): measure its JSON
    if (c < 0x20 || c === 0x22 || c === 0x5c || (c >= 0xd800 && c <= 0xdfff)) {
      const json = JSON.stringify(text);
      return json.length - whitespaceIn(json);
    }
    if (c === 0x20 || (c >= 0xa0 && isUnicodeSpace(c))) { spaces++; }
  }
  return text.length + 2 - spaces;
}

/** How many characters of a text are white space (what `\s` matches), counted without building a new string. */
function whitespaceIn(text: string): number {
  let count = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x20 || (c >= 0x09 && c <= 0x0d) || (c >= 0xa0 && isUnicodeSpace(c))) { count++; }
  }
  return count;
}

/** The white space beyond ASCII that `\s` matches. */
function isUnicodeSpace(c: number): boolean {
  return c === 0xa0 || c === 0x1680 || (c >= 0x2000 && c <= 0x200a) || c === 0x2028 || c === 0x2029
    || c === 0x202f || c === 0x205f || c === 0x3000 || c === 0xfeff;
}
