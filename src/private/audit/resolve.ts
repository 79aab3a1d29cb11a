/**
 * What the audit knows of a template to resolve its intrinsics, for the
 * library's one resolver (`resolveIntrinsics` of src/private/policy/intrinsics.ts):
 * pseudo parameters, the stack's account and region, the ARNs of the
 * template's OIDC and SAML providers and roles, its mappings; and, for a
 * value only known at deploy time, where it comes from (a parameter, an
 * import, a mapping keyed by a parameter), so that a finding can name it.
 */
import { deployTimeOrigins, deployTimeValue, isDeployTime, UNRESOLVED } from './rules';
import { TemplateResource, isObject } from './template';
import { IntrinsicContext, resolveIntrinsics } from '../policy/intrinsics';
/** What the audit knows of a template's stack, to resolve intrinsics. */
export interface AuditContext {
  /** The stack's account, when it is literal. */
  readonly account?: string;
  /** The stack's partition, when its region is literal and known. */
  readonly knownPartition?: string;
  /** The stack's partition, `aws` unless the region says otherwise (for `AWS::Partition`). */
  readonly partition: string;
  /** The stack's region, when it is literal (for `AWS::Region`). */
  readonly region?: string;
  /** The stack's domain suffix, `amazonaws.com` unless the region says otherwise (for `AWS::URLSuffix`). */
  readonly urlSuffix: string;
  /** The template's resources. */
  readonly resources: Record<string, TemplateResource>;
  /** The template's `Parameters` (by name), when known. */
  readonly parameters?: Record<string, unknown>;
  /** The template's `Mappings` (by name), when known. */
  readonly mappings?: Record<string, unknown>;
  /** The branch each template condition takes, for `Fn::If`. */
  readonly conditions?: Record<string, boolean>;
}

/** OIDC provider resources, whose ARN the audit rebuilds from their URL. */
const OIDC_PROVIDER_TYPES: unknown[] = ['AWS::IAM::OIDCProvider', 'Custom::AWSCDKOpenIdConnectProvider'];

/** Over this many distinct conditions, only the all-true and all-false branches are audited. */
const MAX_CONDITIONS_COMBINED = 4;

const resourceOf = (ctx: AuditContext, logicalId: string): TemplateResource | undefined =>
  Object.prototype.hasOwnProperty.call(ctx.resources, logicalId) ? ctx.resources[logicalId] : undefined;

const stringProperty = (resource: TemplateResource | undefined, name: string): string | undefined => {
  const value = isObject(resource?.Properties) ? resource!.Properties[name] : undefined;
  return typeof value === 'string' ? value : undefined;
};

/** The ARN of a SAML provider resource of the template, its `Ref` (the name may be generated; the rules need the ARN's shape). */
function samlProviderArn(ctx: AuditContext, logicalId: string): string | undefined {
  const resource = resourceOf(ctx, logicalId);
  if (resource?.Type !== 'AWS::IAM::SAMLProvider') { return undefined; }
  const name = stringProperty(resource, 'Name') ?? logicalId;
  return `arn:${ctx.partition}:iam::${ctx.account ?? UNRESOLVED}:saml-provider/${name}`;
}

/** The ARN of an OIDC provider resource of the template, from its URL (it names the provider's claims). */
function oidcProviderArn(ctx: AuditContext, logicalId: string): string | undefined {
  const resource = resourceOf(ctx, logicalId);
  const url = stringProperty(resource, 'Url');
  if (!OIDC_PROVIDER_TYPES.includes(resource?.Type) || url === undefined) { return undefined; }
  return `arn:${ctx.partition}:iam::${ctx.account ?? UNRESOLVED}:oidc-provider/${url.replace(/^https:\/\//, '')}`;
}

const has = (record: Record<string, unknown> | undefined, key: string): boolean =>
  record !== undefined && Object.prototype.hasOwnProperty.call(record, key);

/**
 * The value of `Ref` to a pseudo parameter, a parameter or a resource of the
 * template; undefined when unknown. A parameter is a deploy-time value that
 * names it.
 */
function refValue(ctx: AuditContext, name: string): string | undefined {
  if (name === 'AWS::Partition') { return ctx.partition; }
  if (name === 'AWS::URLSuffix') { return ctx.urlSuffix; }
  if (name === 'AWS::AccountId') { return ctx.account; }
  if (name === 'AWS::Region') { return ctx.region; }
  if (has(ctx.parameters, name)) { return deployTimeValue(`parameter ${name}`); }
  return oidcProviderArn(ctx, name) ?? samlProviderArn(ctx, name);
}

/** `Fn::ImportValue`: a deploy-time value that names the export (when its name is literal). */
function importValue(name: unknown): string {
  return typeof name === 'string' && !name.includes(UNRESOLVED) ? deployTimeValue(`import ${name}`) : deployTimeValue('an import');
}

/**
 * `Fn::FindInMap`: the mapping's value for literal keys; for a key that is a
 * parameter, a deploy-time value that names the mapping and the parameter;
 * undefined otherwise (a key only known as a pseudo parameter, a missing entry).
 */
function findInMap(ctx: AuditContext, map: unknown, top: unknown, second: unknown): unknown {
  if (typeof map !== 'string') { return undefined; }
  const keyOrigin = [top, second].map(k => (typeof k === 'string' && isDeployTime(k) ? deployTimeOrigins(k)[0] : undefined)).find(o => o !== undefined);
  if (keyOrigin !== undefined) { return deployTimeValue(`mapping ${map} keyed by ${keyOrigin}`); }
  const entries = has(ctx.mappings, map) ? ctx.mappings![map] : undefined;
  const row = typeof top === 'string' && isObject(entries) && has(entries, top) ? entries[top] : undefined;
  return typeof second === 'string' && isObject(row) && has(row, second) ? row[second] : undefined;
}

/** The value of `Fn::GetAtt` of a resource of the template; undefined when unknown. */
function getAttValue(ctx: AuditContext, logicalId: string, attribute: string): string | undefined {
  const resource = resourceOf(ctx, logicalId);
  if (resource?.Type === 'AWS::IAM::Role' && attribute === 'Arn') {
    // the name may be generated; a role-shaped ARN of the stack's account is what the rules need
    const name = stringProperty(resource, 'RoleName') ?? logicalId;
    return `arn:${ctx.partition}:iam::${ctx.account ?? UNRESOLVED}:role/${name}`;
  }
  return oidcProviderArn(ctx, logicalId);
}

/**
 * The resolver's context for a template: values the audit knows, UNRESOLVED
 * for the others. An unknown value stays in its place inside a `Fn::Sub` or
 * `Fn::Join` string (`arn:aws:kms:<deploy-time value>:111111111111:key/*`):
 * the rest of an ARN still tells the rules what it is.
 */
export function intrinsicContext(ctx: AuditContext): IntrinsicContext {
  return {
    ref: name => refValue(ctx, name),
    getAtt: (logicalId, attribute) => getAttValue(ctx, logicalId, attribute),
    importValue,
    findInMap: (map, top, second) => findInMap(ctx, map, top, second),
    isUnknown: isDeployTime,
    conditions: ctx.conditions,
    unknown: UNRESOLVED,
  };
}

/** The resolver's context of each audit context, made once (every role of a template is resolved in one). */
const defaultContexts = new WeakMap<AuditContext, IntrinsicContext>();

/** Resolves what the audit can resolve (see `intrinsicContext`); anything else is UNRESOLVED. */
export function resolveForAudit(value: unknown, ctx: AuditContext): unknown {
  let context = defaultContexts.get(ctx);
  if (context === undefined) {
    context = intrinsicContext(ctx);
    defaultContexts.set(ctx, context);
  }
  return resolveIntrinsics(value, context);
}

/** The names of the template conditions that `Fn::If`s of a value depend on. */
export function ifConditions(value: unknown, names: Set<string> = new Set()): Set<string> {
  if (Array.isArray(value)) {
    for (const item of value) { ifConditions(item, names); }
  } else if (isObject(value)) {
    for (const key in value) {
      const arg = value[key];
      if (key === 'Fn::If' && Array.isArray(arg) && typeof arg[0] === 'string') { names.add(arg[0]); }
      if (typeof arg === 'object' && arg !== null) { ifConditions(arg, names); }
    }
  }
  return names;
}

/** Every combination of branches of the conditions (or all-true and all-false, when there are many). */
export function branchCombinations(names: string[]): Array<Record<string, boolean>> {
  const all = (branch: boolean) => Object.fromEntries(names.map(n => [n, branch]));
  if (names.length === 0) { return [{}]; }
  if (names.length > MAX_CONDITIONS_COMBINED) { return [all(true), all(false)]; }
  return names.reduce<Array<Record<string, boolean>>>(
    (combinations, name) => combinations.flatMap(c => [{ ...c, [name]: true }, { ...c, [name]: false }]), [{}]);
}
