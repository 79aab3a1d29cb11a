/**
 * Reads a policy document in every form CloudFormation takes: an object, a
 * JSON string, and an `Fn::Sub` or `Fn::Join` that produces a JSON string. A
 * role's `AssumeRolePolicyDocument`, and the resource and identity policies
 * the audit reads too (a bucket policy, a key policy, `RepositoryPolicyText` ...).
 */
import { AuditContext, resolveForAudit } from './resolve';
import { isDeployTime, UNRESOLVED } from './rules';
import { isObject } from './template';

/** A trust policy as the audit read it. */
export interface ReadTrustDocument {
  /** The document, intrinsics resolved where possible; undefined when it is absent or could not be read. */
  readonly document?: Record<string, unknown>;
  /** Why a document that is there cannot be read: a string that is not a JSON object. */
  readonly error?: string;
}

/** A string built from an intrinsic: `partial` when deploy-time values stand in it as UNRESOLVED. */
interface BuiltString {
  readonly text: string;
  readonly partial: boolean;
}

/** `Fn::Sub`'s string, with UNRESOLVED for each variable only known at deploy time. */
function subString(ctx: AuditContext, arg: unknown): BuiltString | undefined {
  const text = resolveForAudit({ 'Fn::Sub': arg }, ctx);
  return typeof text === 'string' ? { text, partial: text.includes(UNRESOLVED) } : undefined;
}

/** `Fn::Join`'s string, with UNRESOLVED for each part only known at deploy time. */
function joinString(ctx: AuditContext, arg: unknown): BuiltString | undefined {
  if (!Array.isArray(arg) || arg.length !== 2 || typeof arg[0] !== 'string' || !Array.isArray(arg[1])) { return undefined; }
  let partial = false;
  const parts = arg[1].map(part => {
    const value = resolveForAudit(part, ctx);
    if (typeof value !== 'string') { partial = true; return UNRESOLVED; }
    if (value.includes(UNRESOLVED)) { partial = true; }
    return value;
  });
  return { text: parts.join(arg[0]), partial };
}

/**
 * Parses a trust policy written as a JSON string. A literal string that is
 * not a JSON object is an error; a built one with deploy-time values in it
 * that does not parse is only unknown (the values may be what makes it JSON).
 */
function parseDocument(built: BuiltString, form: string, noun: string): ReadTrustDocument {
  let parsed: unknown;
  try {
    parsed = JSON.parse(built.text);
  } catch (e) {
    return built.partial ? {} : { error: `${noun} is ${form} that is not JSON (${(e as Error).message})` };
  }
  if (!isObject(parsed)) {
    return built.partial ? {} : { error: `${noun} is ${form} that is JSON but not an object` };
  }
  return { document: parsed };
}

/**
 * A policy document, in any of its forms, on the branch of the `Fn::If`s that
 * `ctx.conditions` gives; `noun` names it in errors (`the trust policy`, `the key policy`).
 */
export function readPolicyDocument(raw: unknown, ctx: AuditContext, noun: string): ReadTrustDocument {
  if (raw === undefined) { return {}; }
  if (typeof raw === 'string') { return parseDocument({ text: raw, partial: false }, 'a string', noun); }
  if (!isObject(raw)) { return { error: `${noun} is a ${Array.isArray(raw) ? 'list' : typeof raw}, not a JSON object or a JSON string` }; }
  const keys = Object.keys(raw);
  if (keys.length === 1 && (keys[0] === 'Fn::Sub' || keys[0] === 'Fn::Join')) {
    const built = keys[0] === 'Fn::Sub' ? subString(ctx, raw['Fn::Sub']) : joinString(ctx, raw['Fn::Join']);
    return built === undefined ? {} : parseDocument(built, `an ${keys[0]} string`, noun);
  }
  const resolved = resolveForAudit(raw, ctx);
  if (typeof resolved === 'string') {
    // an Fn::If (or Fn::Select) whose branch is a JSON string
    return isDeployTime(resolved) ? {} : parseDocument({ text: resolved, partial: resolved.includes(UNRESOLVED) }, 'a string', noun);
  }
  return isObject(resolved) ? { document: resolved } : {};
}

/** A role's trust policy, in any of its forms, on the branch of the `Fn::If`s that `ctx.conditions` gives. */
export function readTrustDocument(raw: unknown, ctx: AuditContext): ReadTrustDocument {
  return readPolicyDocument(raw, ctx, 'the trust policy');
}
