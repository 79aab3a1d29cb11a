/**
 * The one CloudFormation intrinsic resolver of the library.
 *
 * The quota checks (a policy's length as IAM will count it), the trust checks
 * (a role's trust as the rules judge it) and the fan-out (the account of a
 * managed policy's ARN) all walk the same resolved template JSON; they differ
 * only in what they know (`ref`, `getAtt`, `conditions`) and in what a value
 * unknown at synth time becomes (`unknown`): a length estimate for the quotas,
 * the audit's UNRESOLVED sentinel for the rules.
 */

/** What a caller knows of a template, and what an unknown value becomes. */
export interface IntrinsicContext {
  /**
   * The value of `Ref` to a pseudo parameter, a parameter or a resource.
   *
   * @returns the value, or undefined when it is only known at deploy time
   * @default - every `Ref` but `AWS::NoValue` is unknown
   */
  readonly ref?: (name: string) => string | undefined;

  /**
   * The value of `Fn::GetAtt` of a resource's attribute.
   *
   * @returns the value, or undefined when it is only known at deploy time
   * @default - every attribute is unknown
   */
  readonly getAtt?: (logicalId: string, attribute: string) => string | undefined;

  /**
   * The branch each template condition takes, for `Fn::If`.
   *
   * @default - every `Fn::If` is unknown
   */
  readonly conditions?: Readonly<Record<string, boolean>>;

  /**
   * The value of `Fn::ImportValue` of an export (its name resolved).
   *
   * @returns the value, or undefined when it is only known at deploy time
   * @default - every import is unknown
   */
  readonly importValue?: (name: unknown) => string | undefined;

  /**
   * The value of `Fn::FindInMap` (its arguments resolved).
   *
   * @returns the value, or undefined when it is only known at deploy time
   * @default - every lookup is unknown
   */
  readonly findInMap?: (map: unknown, topLevelKey: unknown, secondLevelKey: unknown) => unknown;

  /**
   * Whether a resolved string stands, as a whole, for a value only known at
   * deploy time: `Fn::Split` and `Fn::Select` pass such a value through (the
   * list of a parameter, an item of it) rather than making it `unknown`, so
   * that it keeps what it says of its origin.
   *
   * @default - only `unknown` itself
   */
  readonly isUnknown?: (value: string) => boolean;

  /** What a value only known at deploy time becomes: a sentinel, or a stand-in of its estimated length. */
  readonly unknown: string;
}

/** Stands for `AWS::NoValue`: the property or list item is left out. */
const NO_VALUE = Symbol('AWS::NoValue');

/**
 * Resolves what the context allows: `Ref`, `Fn::GetAtt`, `Fn::Sub` (both
 * forms), `Fn::Join`, `Fn::Split`, `Fn::Select`, `Fn::If`, `Fn::ImportValue`,
 * `Fn::FindInMap` and `AWS::NoValue` (left out of objects and lists). Any
 * other intrinsic, and anything the context does not know, becomes
 * `context.unknown`. Values that are not intrinsics are copied.
 */
export function resolveIntrinsics(value: unknown, context: IntrinsicContext): unknown {
  const resolved = resolve(value, context);
  return resolved === NO_VALUE ? undefined : resolved;
}

/**
 * Resolves a value. What holds no intrinsic is returned as it is, not copied
 * (a list or object is copied only from its first item that resolves to
 * something else): the audit resolves every trust policy of every template,
 * and most hold few intrinsics.
 */
function resolve(value: unknown, ctx: IntrinsicContext): unknown {
  if (Array.isArray(value)) { return resolveList(value, ctx); }
  if (value === null || typeof value !== 'object') { return value; }
  const object = value as Record<string, unknown>;
  const keys = Object.keys(object);
  if (keys.length === 1 && (keys[0] === 'Ref' || keys[0].startsWith('Fn::'))) { return intrinsic(keys[0], object[keys[0]], ctx); }
  let copy: Record<string, unknown> | undefined;
  for (let i = 0; i < keys.length; i++) {
    const item = object[keys[i]];
    const resolved = resolve(item, ctx);
    if (copy === undefined && resolved !== item) {
      copy = {};
      for (let j = 0; j < i; j++) { setOwn(copy, keys[j], object[keys[j]]); }
    }
    if (copy !== undefined && resolved !== NO_VALUE) { setOwn(copy, keys[i], resolved); }
  }
  return copy ?? value;
}

/** A list, resolved: items that are `AWS::NoValue` left out. */
function resolveList(list: unknown[], ctx: IntrinsicContext): unknown[] {
  let copy: unknown[] | undefined;
  for (let i = 0; i < list.length; i++) {
    const resolved = resolve(list[i], ctx);
    if (copy === undefined && resolved !== list[i]) { copy = list.slice(0, i); }
    if (copy !== undefined && resolved !== NO_VALUE) { copy.push(resolved); }
  }
  return copy ?? list;
}

/** Sets a property as an own one, `__proto__` included (a template's key is data, never a prototype). */
function setOwn(object: Record<string, unknown>, key: string, value: unknown): void {
  if (key === '__proto__') {
    Object.defineProperty(object, key, { value, enumerable: true, writable: true, configurable: true });
  } else {
    object[key] = value;
  }
}

/** An intrinsic function (`Ref` or `Fn::...`) and its argument. */
function intrinsic(key: string, arg: unknown, ctx: IntrinsicContext): unknown {
  if (key === 'Ref') { return ref(ctx, arg); }
  if (key === 'Fn::GetAtt') {
    const [logicalId, attribute] = Array.isArray(arg) ? arg : typeof arg === 'string' ? splitOnce(arg) : [];
    return getAtt(ctx, logicalId, attribute);
  }
  if (key === 'Fn::Sub') { return sub(ctx, arg); }
  if (key === 'Fn::Join') { return join(ctx, arg); }
  if (key === 'Fn::Select') { return select(ctx, arg); }
  if (key === 'Fn::Split') { return split(ctx, arg); }
  if (key === 'Fn::ImportValue') { return ctx.importValue?.(resolve(arg, ctx)) ?? ctx.unknown; }
  if (key === 'Fn::FindInMap' && Array.isArray(arg) && arg.length >= 3) {
    const [map, top, second] = arg.slice(0, 3).map(a => resolve(a, ctx));
    return ctx.findInMap?.(map, top, second) ?? ctx.unknown;
  }
  if (key === 'Fn::If' && Array.isArray(arg) && arg.length === 3 && typeof arg[0] === 'string' && ctx.conditions?.[arg[0]] !== undefined) {
    return resolve(ctx.conditions[arg[0]] ? arg[1] : arg[2], ctx);
  }
  return ctx.unknown;
}

function ref(ctx: IntrinsicContext, name: unknown): unknown {
  if (name === 'AWS::NoValue') { return NO_VALUE; }
  return (typeof name === 'string' ? ctx.ref?.(name) : undefined) ?? ctx.unknown;
}

function getAtt(ctx: IntrinsicContext, logicalId: unknown, attribute: unknown): string {
  return (typeof logicalId === 'string' && typeof attribute === 'string' ? ctx.getAtt?.(logicalId, attribute) : undefined) ?? ctx.unknown;
}

/** `'Role.Arn'` → `['Role', 'Arn']` (an attribute name may itself hold dots). */
function splitOnce(name: string): string[] {
  const dot = name.indexOf('.');
  return dot < 0 ? [name] : [name.slice(0, dot), name.slice(dot + 1)];
}

/** A resolved part of a string: the string, a number or boolean as text, anything else undefined. */
function text(value: unknown): string | undefined {
  if (typeof value === 'string') { return value; }
  return typeof value === 'number' || typeof value === 'boolean' ? String(value) : undefined;
}

/** Whether a resolved value stands, as a whole, for a deploy-time value (see `IntrinsicContext.isUnknown`). */
const isUnknown = (ctx: IntrinsicContext, value: unknown): value is string =>
  typeof value === 'string' && (value === ctx.unknown || (ctx.isUnknown?.(value) ?? false));

/**
 * `Fn::Join`: the parts joined, or unknown when a part is not a string (or
 * the list is not a list); a deploy-time list (a parameter's) joins to itself.
 */
function join(ctx: IntrinsicContext, arg: unknown): string {
  if (!Array.isArray(arg) || arg.length !== 2) { return ctx.unknown; }
  const list = resolve(arg[1], ctx);
  if (isUnknown(ctx, list)) { return list; }
  if (!Array.isArray(list)) { return ctx.unknown; }
  const parts = list.map(text);
  return parts.every(p => p !== undefined) ? parts.join(String(arg[0])) : ctx.unknown;
}

/** `Fn::Split`: the parts of a known string; a deploy-time string stands for its own parts. */
function split(ctx: IntrinsicContext, arg: unknown): unknown {
  if (!Array.isArray(arg) || arg.length !== 2 || typeof arg[0] !== 'string' || arg[0] === '') { return ctx.unknown; }
  const source = resolve(arg[1], ctx);
  if (isUnknown(ctx, source)) { return source; }
  return typeof source === 'string' ? source.split(arg[0]) : ctx.unknown;
}

/** `Fn::Select`: an item of a list, both known; an item of a deploy-time list is that deploy-time value; otherwise unknown. */
function select(ctx: IntrinsicContext, arg: unknown): unknown {
  if (!Array.isArray(arg) || arg.length !== 2) { return ctx.unknown; }
  const [index, items] = [resolve(arg[0], ctx), resolve(arg[1], ctx)];
  if (isUnknown(ctx, items)) { return items; }
  const i = typeof index === 'number' ? index : typeof index === 'string' && /^\d+$/.test(index) ? Number(index) : NaN;
  return Array.isArray(items) && Number.isInteger(i) && i >= 0 && i < items.length ? items[i] : ctx.unknown;
}

/**
 * `Fn::Sub` in both forms (a string; a string and a variable map): variables
 * of the map, then `${LogicalId.Attribute}` as `Fn::GetAtt` and `${Name}` as
 * `Ref` resolve them; `${!Literal}` is written `${Literal}`. Part by part, as
 * `Fn::Join`: the known parts literal, an unknown variable `unknown` in its
 * place (`arn:aws:kms:<unknown>:111111111111:key/*`), so that whoever reads
 * the string still sees what it is.
 */
function sub(ctx: IntrinsicContext, arg: unknown): string {
  const [template, rawVariables] = Array.isArray(arg) ? arg : [arg, {}];
  if (typeof template !== 'string') { return ctx.unknown; }
  const variables = (typeof rawVariables === 'object' && rawVariables !== null ? rawVariables : {}) as Record<string, unknown>;
  return template.replace(/\$\{([^}]*)\}/g, (_, name: string) => {
    if (name.startsWith('!')) { return `\${${name.slice(1)}}`; }
    let value: unknown;
    if (name in variables) {
      value = resolve(variables[name], ctx);
    } else if (!name.startsWith('AWS::') && name.includes('.')) {
      const [logicalId, attribute] = splitOnce(name);
      value = getAtt(ctx, logicalId, attribute);
    } else {
      value = ref(ctx, name);
    }
    return text(value) ?? ctx.unknown;
  });
}
