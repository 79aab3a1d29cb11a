import * as fs from 'fs';
import * as path from 'path';
import { CfnResource, IPolicyValidationContext, IPolicyValidationPlugin, NestedStack, PolicyValidationPluginReport, PolicyViolation, Stack, Token, Validations } from 'aws-cdk-lib';
import { RegionInfo } from 'aws-cdk-lib/region-info';
import { IConstruct } from 'constructs';
import { MIN_SESSION_DURATION_SECONDS } from './private/constants';
import { resolveIntrinsics } from './private/intrinsics';
import { resolvedPolicyLength } from './private/policy-size';
import { AuditedRole, TRUST_RULES, TrustStatement, UNRESOLVED } from './private/trust-rules';

/**
 * A rule of `CrossAccountTrustChecks`, as listed by `CrossAccountTrustChecks.rules`.
 */
export interface TrustRuleInfo {
  /** The rule's id; acknowledge a finding with `Validations.of(construct).acknowledge({ id: 'CrossAccountTrustChecks::<id>', reason })`. */
  readonly id: string;
  /** `error` (fails synthesis) or `warning` (reported). */
  readonly severity: string;
  /** What the rule finds. */
  readonly description: string;
  /** How to comply. */
  readonly fix: string;
}

/**
 * A policy validation plugin that audits the trust policy of every IAM role in
 * an app — plain `iam.Role` and `iam.CfnRole` included, and the roles in the
 * inline JSON `TemplateBody` of a StackSet — against the rules of
 * cross-account trust: no wildcard principal, no unguarded trust of another
 * account, real MFA, strong external IDs, pinned OIDC subjects, quotas.
 *
 * ```ts
 * Validations.of(app).addPlugins(new CrossAccountTrustChecks());
 * ```
 *
 * Errors fail synthesis; warnings are reported. Acknowledge a finding on a
 * construct with `Validations.of(role).acknowledge({ id: 'CrossAccountTrustChecks::WeakExternalId', reason: '...' })`:
 * it applies to that construct and the constructs below it. (aws-cdk-lib
 * matches acknowledgements app-wide; when a rule is acknowledged elsewhere,
 * the plugin reports an unacknowledged finding as
 * `CrossAccountTrustChecks::<rule>@<construct path>` so that it is not
 * dropped.)
 */
export class CrossAccountTrustChecks implements IPolicyValidationPlugin {
  /** The rules this plugin applies. */
  public static get rules(): TrustRuleInfo[] {
    return TRUST_RULES.map(({ id, severity, description, fix }) => ({ id, severity, description, fix }));
  }

  /** The plugin's name, the prefix of its acknowledgement ids. */
  public readonly name = 'CrossAccountTrustChecks';

  /** The ids of the rules this plugin applies. */
  public readonly ruleIds?: string[] = TRUST_RULES.map(rule => rule.id);

  /**
   * Audits every role of every template of the app: the stacks aws-cdk-lib
   * passes, and the nested stacks below them (aws-cdk-lib passes only
   * top-level templates; a nested stack's template is written next to its
   * parent's), and the roles of the StackSets' inline JSON templates, reported
   * against the StackSet, in an unknown account (each instance's own).
   */
  public validate(context: IPolicyValidationContext): PolicyValidationPluginReport {
    const paths = constructPaths(context.appConstruct);
    const constructs = new Map(context.appConstruct.node.findAll().map(c => [c.node.path, c]));
    const stacks = new Map(context.appConstruct.node.findAll().filter(Stack.isStack).map(s => [s.node.path, s]));
    const nestedStacks = context.appConstruct.node.findAll().filter(NestedStack.isNestedStack);
    const violations: PolicyViolation[] = [];
    for (const stack of context.stackTemplates) {
      const topLevel = stacks.get(stack.stackConstructPath);
      violations.push(...auditTemplate(stack.templatePath, topLevel, paths));
      for (const nested of nestedStacks.filter(n => topLevelStack(n) === topLevel && topLevel !== undefined)) {
        violations.push(...auditTemplate(path.join(path.dirname(stack.templatePath), nested.templateFile), nested, paths));
      }
    }
    return { success: violations.every(v => v.severity !== 'error'), violations: violations.map(v => this.scopeAcknowledgement(v, constructs)) };
  }

  /**
   * aws-cdk-lib drops a violation when its id is acknowledged on any construct
   * of the app. So a finding is reported under a rule name of its own,
   * `<rule>@<construct path>` (acknowledged as
   * `CrossAccountTrustChecks::<rule>@<construct path>`, whitespace in the path
   * written as '-', as aws-cdk-lib reads acknowledgement ids), when that id is
   * acknowledged anywhere (so that aws-cdk-lib drops it), or when the plain rule
   * is acknowledged only on other constructs (so that it does not).
   */
  private scopeAcknowledgement(violation: PolicyViolation, constructs: Map<string, IConstruct>): PolicyViolation {
    const ackId = `${this.name}::${violation.ruleName}`;
    const constructPath = violation.violatingResources[0]?.constructPath;
    const construct = constructPath !== undefined ? constructs.get(constructPath) : undefined;
    if (construct === undefined) {
      return violation;
    }
    const scoped = { ...violation, ruleName: `${violation.ruleName}@${constructPath!.replace(/\s/g, '-')}` };
    if (acknowledgedAnywhere(construct.node.root, `${this.name}::${scoped.ruleName}`)) {
      return scoped;
    }
    if (!acknowledgedAnywhere(construct.node.root, ackId) || construct.node.scopes.some(c => acknowledges(c, ackId))) {
      return violation;
    }
    return scoped;
  }
}

/** Whether a construct itself acknowledges a rule id. */
function acknowledges(construct: IConstruct, ackId: string): boolean {
  return construct.node.metadata.some(m => m.type === Validations.ACKNOWLEDGED_RULES_METADATA_KEY
    && typeof m.data === 'object' && m.data !== null && ackId in m.data);
}

/** Whether a construct of the app acknowledges a rule id. */
function acknowledgedAnywhere(root: IConstruct, ackId: string): boolean {
  return root.node.findAll().some(c => acknowledges(c, ackId));
}

/** The top-level stack a (nested) stack is synthesized with. */
function topLevelStack(stack: Stack): Stack {
  let current = stack;
  while (current.nestedStackParent !== undefined) { current = current.nestedStackParent; }
  return current;
}

/** A literal value of a stack's environment, or undefined when it is a token. */
function literal(value: string | undefined): string | undefined {
  return value !== undefined && !Token.isUnresolved(value) ? value : undefined;
}

/**
 * The violations of the roles of one template, and of the roles in the
 * inline JSON `TemplateBody` of its StackSets (reported against the StackSet).
 */
function auditTemplate(templatePath: string, stack: Stack | undefined, paths: Map<string, string>): PolicyViolation[] {
  const template = JSON.parse(fs.readFileSync(templatePath, 'utf-8'));
  const account = literal(stack?.account) ?? (stack ? literal(topLevelStack(stack).account) : undefined);
  const region = literal(stack?.region) ?? (stack ? literal(topLevelStack(stack).region) : undefined);
  const regionInfo = region !== undefined ? RegionInfo.get(region) : undefined;
  const context = (resources: Record<string, any>, templateAccount: string | undefined): AuditContext => ({
    account: templateAccount,
    knownPartition: regionInfo?.partition,
    partition: regionInfo?.partition ?? DEFAULT_PARTITION,
    urlSuffix: regionInfo?.domainSuffix ?? DEFAULT_URL_SUFFIX,
    resources,
  });
  const violations: PolicyViolation[] = [];
  for (const [logicalId, resource] of Object.entries<any>(template.Resources ?? {})) {
    const resourcePath = {
      resourceLogicalId: logicalId,
      templatePath,
      constructPath: paths.get(`${path.basename(templatePath)}#${logicalId}`),
    };
    if (resource?.Type === 'AWS::IAM::Role') {
      violations.push(...auditRole(logicalId, resource.Properties ?? {}, context(template.Resources, account), resourcePath, '', ''));
    } else if (resource?.Type === 'AWS::CloudFormation::StackSet') {
      // each instance is in an account of its own (the StackSet's targets), in the StackSet's partition
      const resources = stackSetResources(resource.Properties?.TemplateBody);
      for (const [roleId, role] of Object.entries<any>(resources ?? {})) {
        if (role?.Type !== 'AWS::IAM::Role') { continue; }
        violations.push(...auditRole(roleId, role.Properties ?? {}, context(resources!, undefined), resourcePath,
          `Properties/TemplateBody/Resources/${roleId}/`, ` (role ${roleId} of the StackSet's template)`));
      }
    }
  }
  return violations;
}

/** The resources of a StackSet's inline JSON template; undefined for YAML, a token or anything unparsable. */
function stackSetResources(templateBody: unknown): Record<string, any> | undefined {
  if (typeof templateBody !== 'string') { return undefined; }
  try {
    const template = JSON.parse(templateBody);
    return isObject(template) && isObject(template.Resources) ? template.Resources as Record<string, any> : undefined;
  } catch {
    return undefined;
  }
}

/** The violations of one role, reported against `resource` with the locations under `prefix`. */
function auditRole(logicalId: string, properties: any, ctx: AuditContext,
  resource: Omit<PolicyViolation['violatingResources'][number], 'locations'>, prefix: string, what: string): PolicyViolation[] {
  const roles = auditedRoles(logicalId, properties, ctx);
  const violations: PolicyViolation[] = [];
  for (const rule of TRUST_RULES) {
    // a finding on either branch of an Fn::If counts, once
    const findings = Array.from(new Map(roles.flatMap(role => rule.check(role)).map(f => [`${f.location}#${f.message}`, f])).values());
    if (findings.length === 0) { continue; }
    violations.push({
      ruleName: rule.id,
      description: `${rule.description}${what}: ${findings.map(f => f.message).join('; ')}`,
      fix: rule.fix,
      severity: rule.severity,
      violatingResources: [{ ...resource, locations: Array.from(new Set(findings.map(f => `${prefix}${f.location}`))) }],
    });
  }
  return violations;
}

/** Construct paths of the app's CloudFormation resources, by `<template file>#<logical id>`. */
function constructPaths(root: IConstruct): Map<string, string> {
  const paths = new Map<string, string>();
  for (const node of root.node.findAll()) {
    if (CfnResource.isCfnResource(node)) {
      const stack = Stack.of(node);
      paths.set(`${stack.templateFile}#${stack.resolve(node.logicalId)}`, node.node.path);
    }
  }
  return paths;
}

/** OIDC provider resources, whose ARN the audit rebuilds from their URL. */
const OIDC_PROVIDER_TYPES = ['AWS::IAM::OIDCProvider', 'Custom::AWSCDKOpenIdConnectProvider'];

/** What the audit knows of a template's stack, to resolve intrinsics. */
interface AuditContext {
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
const DEFAULT_PARTITION = 'aws';
const DEFAULT_URL_SUFFIX = 'amazonaws.com';

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
function resolveForAudit(value: unknown, ctx: AuditContext): unknown {
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

const list = (value: unknown): string[] => (value === undefined ? [] : Array.isArray(value) ? value : [value]).map(String);

const isObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

function normalizeStatement(raw: any): TrustStatement {
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
function auditedRoles(logicalId: string, properties: any, ctx: AuditContext): AuditedRole[] {
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
