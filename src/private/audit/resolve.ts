/**
 * The audit's CloudFormation intrinsic resolver: what a template's values are
 * once deployed, as far as the template tells. (Moved here unchanged from
 * src/trust-checks.ts so that the plugin and the CLI share it; it gives way to
 * the library's one resolver in src/private/intrinsics.ts when that lands.)
 */
import { UNRESOLVED } from '../trust-rules';
import { TemplateResource, isObject } from './template';

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
  /** The branch each template condition takes, for `Fn::If`. */
  readonly conditions?: Record<string, boolean>;
}

/** Stands for `AWS::NoValue`: the property or list item is left out. */
export const NO_VALUE = Symbol('AWS::NoValue');

/** OIDC provider resources, whose ARN the audit rebuilds from their URL. */
const OIDC_PROVIDER_TYPES: unknown[] = ['AWS::IAM::OIDCProvider', 'Custom::AWSCDKOpenIdConnectProvider'];

/** Over this many distinct conditions, only the all-true and all-false branches are audited. */
const MAX_CONDITIONS_COMBINED = 4;

const resourceOf = (ctx: AuditContext, logicalId: unknown): TemplateResource | undefined =>
  typeof logicalId === 'string' && Object.prototype.hasOwnProperty.call(ctx.resources, logicalId) ? ctx.resources[logicalId] : undefined;

const stringProperty = (resource: TemplateResource | undefined, name: string): string | undefined => {
  const value = isObject(resource?.Properties) ? resource!.Properties[name] : undefined;
  return typeof value === 'string' ? value : undefined;
};

/** The ARN of a SAML provider resource of the template, its `Ref` (the name may be generated; the rules need the ARN's shape). */
function samlProviderArn(ctx: AuditContext, logicalId: unknown): string | undefined {
  const resource = resourceOf(ctx, logicalId);
  if (resource?.Type !== 'AWS::IAM::SAMLProvider') { return undefined; }
  const name = stringProperty(resource, 'Name') ?? String(logicalId);
  return `arn:${ctx.partition}:iam::${ctx.account ?? UNRESOLVED}:saml-provider/${name}`;
}

/** The ARN of an OIDC provider resource of the template, from its URL (it names the provider's claims). */
function oidcProviderArn(ctx: AuditContext, logicalId: unknown): string | undefined {
  const resource = resourceOf(ctx, logicalId);
  const url = stringProperty(resource, 'Url');
  if (!OIDC_PROVIDER_TYPES.includes(resource?.Type) || url === undefined) { return undefined; }
  return `arn:${ctx.partition}:iam::${ctx.account ?? UNRESOLVED}:oidc-provider/${url.replace(/^https:\/\//, '')}`;
}

/** The value of `Ref` to a pseudo parameter or a resource of the template, or UNRESOLVED. */
function refValue(ctx: AuditContext, name: unknown): unknown {
  if (name === 'AWS::Partition') { return ctx.partition; }
  if (name === 'AWS::NoValue') { return NO_VALUE; }
  if (name === 'AWS::URLSuffix') { return ctx.urlSuffix; }
  if (name === 'AWS::AccountId') { return ctx.account ?? UNRESOLVED; }
  if (name === 'AWS::Region') { return ctx.region ?? UNRESOLVED; }
  return oidcProviderArn(ctx, name) ?? samlProviderArn(ctx, name) ?? UNRESOLVED;
}

/** The value of `Fn::GetAtt` of a resource of the template, or UNRESOLVED. */
function getAttValue(ctx: AuditContext, logicalId: unknown, attribute: unknown): string {
  const resource = resourceOf(ctx, logicalId);
  if (resource?.Type === 'AWS::IAM::Role' && attribute === 'Arn') {
    // the name may be generated; a role-shaped ARN of the stack's account is what the rules need
    const name = stringProperty(resource, 'RoleName') ?? String(logicalId);
    return `arn:${ctx.partition}:iam::${ctx.account ?? UNRESOLVED}:role/${name}`;
  }
  return oidcProviderArn(ctx, logicalId) ?? UNRESOLVED;
}

/**
 * The value of one `${...}` variable of an `Fn::Sub`: a variable of the map,
 * a pseudo parameter, `${LogicalId}` or `${LogicalId.Attribute}`.
 */
export function subVariable(ctx: AuditContext, name: string, variables: Record<string, unknown>): unknown {
  if (Object.prototype.hasOwnProperty.call(variables, name)) { return resolveForAudit(variables[name], ctx); }
  if (!name.startsWith('AWS::') && name.includes('.')) {
    return getAttValue(ctx, name.slice(0, name.indexOf('.')), name.slice(name.indexOf('.') + 1));
  }
  return refValue(ctx, name);
}

/** The two parts of an `Fn::Sub` argument (a string; or a string and a variable map). */
export function subParts(arg: unknown): { template?: string; variables: Record<string, unknown> } {
  const [template, variables] = Array.isArray(arg) ? arg : [arg, {}];
  return { template: typeof template === 'string' ? template : undefined, variables: isObject(variables) ? variables : {} };
}

/**
 * `Fn::Sub` in both forms (a string; a string and a variable map): variables
 * of the map, pseudo parameters, `${LogicalId}` and `${LogicalId.Attribute}`
 * as `Ref` and `Fn::GetAtt` resolve them. One unresolved variable leaves the
 * whole string UNRESOLVED (an unknown stack account stays in it as UNRESOLVED).
 */
function resolveSub(ctx: AuditContext, arg: unknown): string {
  const { template, variables } = subParts(arg);
  if (template === undefined) { return UNRESOLVED; }
  let unresolved = false;
  const result = template.replace(/\$\{([^}]*)\}/g, (_, name: string) => {
    if (name.startsWith('!')) { return `\${${name.slice(1)}}`; }
    const value = subVariable(ctx, name, variables);
    // an unknown account stays in the string, as in Fn::Join: the rest of an ARN still tells what it is
    if (typeof value !== 'string' || (value === UNRESOLVED && name !== 'AWS::AccountId')) { unresolved = true; }
    return String(value);
  });
  return unresolved ? UNRESOLVED : result;
}

/**
 * Resolves what can be resolved: joins, substitutions, selections, branches,
 * pseudo parameters, the stack's account, OIDC and SAML providers and role ARNs
 * of the template; anything else is UNRESOLVED.
 */
export function resolveForAudit(value: unknown, ctx: AuditContext): unknown {
  const resolve = (v: unknown) => resolveForAudit(v, ctx);
  if (Array.isArray(value)) { return value.map(resolve).filter(v => v !== NO_VALUE); }
  if (!isObject(value)) { return value; }
  const entries = Object.entries(value);
  if (entries.length === 1) {
    const [key, arg] = entries[0];
    if (key === 'Ref') { return refValue(ctx, arg); }
    if (key === 'Fn::GetAtt') {
      const [logicalId, attribute] = Array.isArray(arg) ? arg : typeof arg === 'string' ? arg.split('.') : [];
      return getAttValue(ctx, logicalId, attribute);
    }
    if (key === 'Fn::Sub') { return resolveSub(ctx, arg); }
    if (key === 'Fn::If' && Array.isArray(arg) && arg.length === 3 && typeof arg[0] === 'string' && ctx.conditions?.[arg[0]] !== undefined) {
      return resolve(ctx.conditions[arg[0]] ? arg[1] : arg[2]);
    }
    if (key === 'Fn::Select' && Array.isArray(arg) && arg.length === 2) {
      const [index, items] = [resolve(arg[0]), resolve(arg[1])];
      const i = Number(index);
      return Array.isArray(items) && (typeof index === 'number' || (typeof index === 'string' && /^\d+$/.test(index))) && i < items.length ? items[i] : UNRESOLVED;
    }
    if (key === 'Fn::Join' && Array.isArray(arg) && Array.isArray(arg[1])) {
      const parts = (arg[1] as unknown[]).map(resolve);
      return parts.every(p => typeof p === 'string') ? parts.join(String(arg[0])) : UNRESOLVED;
    }
    if (key.startsWith('Fn::')) { return UNRESOLVED; }
  }
  return Object.fromEntries(entries.map(([k, v]) => [k, resolve(v)]).filter(([, v]) => v !== NO_VALUE));
}

/** The names of the template conditions that `Fn::If`s of a value depend on. */
export function ifConditions(value: unknown, names: Set<string> = new Set()): Set<string> {
  if (Array.isArray(value)) { value.forEach(v => ifConditions(v, names)); }
  if (isObject(value)) {
    for (const [key, arg] of Object.entries(value)) {
      if (key === 'Fn::If' && Array.isArray(arg) && typeof arg[0] === 'string') { names.add(arg[0]); }
      ifConditions(arg, names);
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
