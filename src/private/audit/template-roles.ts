/**
 * The audit engine's reading of a role: its trust policy as CloudFormation
 * will see it, intrinsics resolved where they can be, statements normalized.
 * Used by `CrossAccountTrustChecks` and by the app's declared trusts
 * (`../declared-trusts.ts`), so that both read a trust policy the same way.
 */
import { MIN_SESSION_DURATION_SECONDS } from '../constants';
import { resolveIntrinsics } from '../intrinsics';
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

/** The value of `Ref` to a pseudo parameter or a resource of the template; undefined when unknown. */
function refValue(ctx: AuditContext, name: string): string | undefined {
  if (name === 'AWS::Partition') { return ctx.partition; }
  if (name === 'AWS::URLSuffix') { return ctx.urlSuffix; }
  if (name === 'AWS::AccountId') { return ctx.account; }
  return oidcProviderArn(ctx, name) ?? samlProviderArn(ctx, name);
}

/** The value of `Fn::GetAtt` of a resource of the template; undefined when unknown. */
function getAttValue(ctx: AuditContext, logicalId: string, attribute: string): string | undefined {
  const resource = ctx.resources[logicalId];
  if (resource?.Type === 'AWS::IAM::Role' && attribute === 'Arn') {
    // the name may be generated; a role-shaped ARN of the stack's account is what the rules need
    const name = typeof resource.Properties?.RoleName === 'string' ? resource.Properties.RoleName : logicalId;
    return `arn:${ctx.partition}:iam::${ctx.account ?? UNRESOLVED}:role/${name}`;
  }
  return oidcProviderArn(ctx, logicalId);
}

/**
 * Resolves what can be resolved (see `resolveIntrinsics`): pseudo parameters,
 * the stack's account, OIDC and SAML providers and role ARNs of the template,
 * the branch of each `Fn::If` that `ctx.conditions` takes; anything else is
 * UNRESOLVED. In `Fn::Sub`, an unknown stack account stays in the string as
 * UNRESOLVED (as in `Fn::Join`: the rest of an ARN still tells what it is);
 * any other unknown variable leaves the whole string UNRESOLVED.
 */
export function resolveForAudit(value: unknown, ctx: AuditContext): unknown {
  return resolveIntrinsics(value, {
    ref: name => refValue(ctx, name),
    getAtt: (logicalId, attribute) => getAttValue(ctx, logicalId, attribute),
    conditions: ctx.conditions,
    unknown: UNRESOLVED,
    keepUnknownInSub: name => name === 'AWS::AccountId',
  });
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
