/**
 * The audit engine's reading of a role: its trust policy as CloudFormation
 * will see it, intrinsics resolved where they can be, statements normalized.
 * Used by `CrossAccountTrustChecks` and by the app's declared trusts
 * (`../declared-trusts.ts`), so that both read a trust policy the same way.
 */
import { MIN_SESSION_DURATION_SECONDS } from '../constants';
import { resolvedPolicyLength } from '../policy-size';
import { AuditedRole, TrustStatement, UNRESOLVED } from '../trust-rules/types';

/** OIDC provider resources, whose ARN the audit rebuilds from their URL. */
const OIDC_PROVIDER_TYPES = ['AWS::IAM::OIDCProvider', 'Custom::AWSCDKOpenIdConnectProvider'];

/** What the audit knows of a template's stack, to resolve intrinsics. */
export interface AuditContext {
  /** The stack's account, when it is literal. */
  readonly account?: string;
  /** The stack's partition, when its region is literal and known. */
  readonly knownPartition?: string;
  /** The stack's partition, `aws` unless the region says otherwise (for `AWS::Partition`). */
  readonly partition: string;
  /** The stack's domain suffix, `amazonaws.com` unless the region says otherwise (for `AWS::URLSuffix`). */
  readonly urlSuffix: string;
  /** The template's resources. */
  readonly resources: Record<string, any>;
  /** The branch each template condition takes, for `Fn::If`. */
  readonly conditions?: Record<string, boolean>;
}

/** `AWS::Partition` and `AWS::URLSuffix` where the stack's region is unknown. */
export const DEFAULT_PARTITION = 'aws';
export const DEFAULT_URL_SUFFIX = 'amazonaws.com';

/** Stands for `AWS::NoValue`: the property or list item is left out. */
const NO_VALUE = Symbol('AWS::NoValue');

/** Over this many distinct conditions, only the all-true and all-false branches are audited. */
const MAX_CONDITIONS_COMBINED = 4;

/** The ARN of a SAML provider resource of the template, its `Ref` (the name may be generated; the rules need the ARN's shape). */
function samlProviderArn(ctx: AuditContext, logicalId: unknown): string | undefined {
  const resource = typeof logicalId === 'string' ? ctx.resources[logicalId] : undefined;
  if (resource?.Type !== 'AWS::IAM::SAMLProvider') { return undefined; }
  const name = typeof resource.Properties?.Name === 'string' ? resource.Properties.Name : logicalId;
  return `arn:${ctx.partition}:iam::${ctx.account ?? UNRESOLVED}:saml-provider/${name}`;
}

/** The ARN of an OIDC provider resource of the template, from its URL (it names the provider's claims). */
function oidcProviderArn(ctx: AuditContext, logicalId: unknown): string | undefined {
  const resource = typeof logicalId === 'string' ? ctx.resources[logicalId] : undefined;
  const url = resource?.Properties?.Url;
  if (!OIDC_PROVIDER_TYPES.includes(resource?.Type) || typeof url !== 'string') { return undefined; }
  return `arn:${ctx.partition}:iam::${ctx.account ?? UNRESOLVED}:oidc-provider/${url.replace(/^https:\/\//, '')}`;
}

/** The value of `Ref` to a pseudo parameter or a resource of the template, or UNRESOLVED. */
function refValue(ctx: AuditContext, name: unknown): string {
  if (name === 'AWS::Partition') { return ctx.partition; }
  if (name === 'AWS::NoValue') { return NO_VALUE as unknown as string; }
  if (name === 'AWS::URLSuffix') { return ctx.urlSuffix; }
  if (name === 'AWS::AccountId') { return ctx.account ?? UNRESOLVED; }
  return oidcProviderArn(ctx, name) ?? samlProviderArn(ctx, name) ?? UNRESOLVED;
}

/** The value of `Fn::GetAtt` of a resource of the template, or UNRESOLVED. */
function getAttValue(ctx: AuditContext, logicalId: unknown, attribute: unknown): string {
  const resource = typeof logicalId === 'string' ? ctx.resources[logicalId] : undefined;
  if (resource?.Type === 'AWS::IAM::Role' && attribute === 'Arn') {
    // the name may be generated; a role-shaped ARN of the stack's account is what the rules need
    const name = typeof resource.Properties?.RoleName === 'string' ? resource.Properties.RoleName : logicalId;
    return `arn:${ctx.partition}:iam::${ctx.account ?? UNRESOLVED}:role/${name}`;
  }
  return oidcProviderArn(ctx, logicalId) ?? UNRESOLVED;
}

/**
 * `Fn::Sub` in both forms (a string; a string and a variable map): variables
 * of the map, pseudo parameters, `${LogicalId}` and `${LogicalId.Attribute}`
 * as `Ref` and `Fn::GetAtt` resolve them. One unresolved variable leaves the
 * whole string UNRESOLVED (an unknown stack account stays in it as UNRESOLVED).
 */
function resolveSub(ctx: AuditContext, arg: unknown): string {
  const [template, rawVariables] = Array.isArray(arg) ? arg : [arg, {}];
  if (typeof template !== 'string') { return UNRESOLVED; }
  const variables = (typeof rawVariables === 'object' && rawVariables !== null ? rawVariables : {}) as Record<string, unknown>;
  let unresolved = false;
  const result = template.replace(/\$\{([^}]*)\}/g, (_, name: string) => {
    if (name.startsWith('!')) { return `\${${name.slice(1)}}`; }
    let value: unknown;
    if (name in variables) {
      value = resolveForAudit(variables[name], ctx);
    } else if (!name.startsWith('AWS::') && name.includes('.')) {
      value = getAttValue(ctx, name.slice(0, name.indexOf('.')), name.slice(name.indexOf('.') + 1));
    } else {
      value = refValue(ctx, name);
    }
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
  if (value === null || typeof value !== 'object') { return value; }
  const entries = Object.entries(value as Record<string, unknown>);
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
function ifConditions(value: unknown, names: Set<string> = new Set()): Set<string> {
  if (Array.isArray(value)) { value.forEach(v => ifConditions(v, names)); }
  if (value !== null && typeof value === 'object') {
    for (const [key, arg] of Object.entries(value)) {
      if (key === 'Fn::If' && Array.isArray(arg) && typeof arg[0] === 'string') { names.add(arg[0]); }
      ifConditions(arg, names);
    }
  }
  return names;
}

/** Every combination of branches of the conditions (or all-true and all-false, when there are many). */
function branchCombinations(names: string[]): Array<Record<string, boolean>> {
  const all = (branch: boolean) => Object.fromEntries(names.map(n => [n, branch]));
  if (names.length === 0) { return [{}]; }
  if (names.length > MAX_CONDITIONS_COMBINED) { return [all(true), all(false)]; }
  return names.reduce<Array<Record<string, boolean>>>(
    (combinations, name) => combinations.flatMap(c => [{ ...c, [name]: true }, { ...c, [name]: false }]), [{}]);
}

export const list = (value: unknown): string[] => (value === undefined ? [] : Array.isArray(value) ? value : [value]).map(String);

export const isObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

export function normalizeStatement(raw: any): TrustStatement {
  const principal = raw.Principal;
  const anyPrincipal = principal === '*' || (typeof principal === 'object' && list(principal?.AWS).includes('*'));
  const conditions: Record<string, Record<string, string[]>> = {};
  // a Condition block (or an operator's keys) only known at deploy time: the statement cannot be judged
  let conditionsKnown = raw.Condition === undefined || isObject(raw.Condition);
  for (const [operator, keys] of Object.entries<any>(isObject(raw.Condition) ? raw.Condition : {})) {
    if (!isObject(keys)) { conditionsKnown = false; continue; }
    conditions[operator] = Object.fromEntries(Object.entries<any>(keys).map(([k, v]) => [k, list(v)]));
  }
  return {
    effect: conditionsKnown ? raw.Effect : UNRESOLVED,
    anyPrincipal,
    aws: typeof principal === 'object' ? list(principal?.AWS).filter(p => p !== '*') : [],
    service: typeof principal === 'object' ? list(principal?.Service) : [],
    federated: typeof principal === 'object' ? list(principal?.Federated) : [],
    actions: list(raw.Action),
    notActions: list(raw.NotAction),
    conditions,
  };
}

/** The role's trust on each branch of the `Fn::If`s of its trust policy. */
export function auditedRoles(logicalId: string, properties: any, ctx: AuditContext): AuditedRole[] {
  const document = properties.AssumeRolePolicyDocument ?? {};
  return branchCombinations(Array.from(ifConditions(document))).map(conditions => auditedRole(logicalId, properties, { ...ctx, conditions }));
}

function auditedRole(logicalId: string, properties: any, ctx: AuditContext): AuditedRole {
  const document = properties.AssumeRolePolicyDocument ?? {};
  const resolved = resolveForAudit(document, ctx) as any;
  const maxSession = typeof properties.MaxSessionDuration === 'number' ? properties.MaxSessionDuration : MIN_SESSION_DURATION_SECONDS;
  return {
    logicalId,
    account: ctx.account,
    partition: ctx.knownPartition,
    statements: (Array.isArray(resolved.Statement) ? resolved.Statement : [resolved.Statement]).filter(isObject).map(normalizeStatement),
    trustPolicyLength: resolvedPolicyLength(document),
    maxSessionDuration: maxSession,
  };
}
