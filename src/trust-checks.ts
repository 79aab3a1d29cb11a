import * as fs from 'fs';
import * as path from 'path';
import { CfnResource, IPolicyValidationContext, IPolicyValidationPlugin, NestedStack, PolicyValidationPluginReport, PolicyViolation, Stack, Token } from 'aws-cdk-lib';
import { IConstruct } from 'constructs';
import { MIN_SESSION_DURATION_SECONDS } from './private/constants';
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
 * an app — plain `iam.Role` and `iam.CfnRole` included — against the rules of
 * cross-account trust: no wildcard principal, no unguarded trust of another
 * account, real MFA, strong external IDs, pinned OIDC subjects, quotas.
 *
 * ```ts
 * Validations.of(app).addPlugins(new CrossAccountTrustChecks());
 * ```
 *
 * Errors fail synthesis; warnings are reported. Acknowledge a finding on a
 * construct with `Validations.of(role).acknowledge({ id: 'CrossAccountTrustChecks::WeakExternalId', reason: '...' })`.
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
   * parent's).
   */
  public validate(context: IPolicyValidationContext): PolicyValidationPluginReport {
    const paths = constructPaths(context.appConstruct);
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
    return { success: violations.every(v => v.severity !== 'error'), violations };
  }
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

/** The violations of the roles of one template. */
function auditTemplate(templatePath: string, stack: Stack | undefined, paths: Map<string, string>): PolicyViolation[] {
  const template = JSON.parse(fs.readFileSync(templatePath, 'utf-8'));
  const account = literal(stack?.account) ?? (stack ? literal(topLevelStack(stack).account) : undefined);
  const violations: PolicyViolation[] = [];
  for (const [logicalId, resource] of Object.entries<any>(template.Resources ?? {})) {
    if (resource?.Type !== 'AWS::IAM::Role') { continue; }
    const role = auditedRole(logicalId, resource.Properties ?? {}, account, template.Resources);
    for (const rule of TRUST_RULES) {
      const findings = rule.check(role);
      if (findings.length === 0) { continue; }
      violations.push({
        ruleName: rule.id,
        description: `${rule.description}: ${findings.map(f => f.message).join('; ')}`,
        fix: rule.fix,
        severity: rule.severity,
        violatingResources: [{
          resourceLogicalId: logicalId,
          templatePath,
          constructPath: paths.get(`${path.basename(templatePath)}#${logicalId}`),
          locations: Array.from(new Set(findings.map(f => f.location))),
        }],
      });
    }
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

/** The ARN of an OIDC provider resource of the template, from its URL (it names the provider's claims). */
function oidcProviderArn(resources: Record<string, any>, logicalId: unknown, account: string | undefined): string | undefined {
  const resource = typeof logicalId === 'string' ? resources[logicalId] : undefined;
  const url = resource?.Properties?.Url;
  if (!OIDC_PROVIDER_TYPES.includes(resource?.Type) || typeof url !== 'string') { return undefined; }
  return `arn:aws:iam::${account ?? UNRESOLVED}:oidc-provider/${url.replace(/^https:\/\//, '')}`;
}

/**
 * Resolves what can be resolved: joins, the partition, the stack's account,
 * OIDC providers of the template; anything else is UNRESOLVED.
 */
function resolveForAudit(value: unknown, account: string | undefined, resources: Record<string, any>): unknown {
  const resolve = (v: unknown) => resolveForAudit(v, account, resources);
  if (Array.isArray(value)) { return value.map(resolve); }
  if (value === null || typeof value !== 'object') { return value; }
  const entries = Object.entries(value as Record<string, unknown>);
  if (entries.length === 1) {
    const [key, arg] = entries[0];
    if (key === 'Ref') {
      if (arg === 'AWS::Partition') { return 'aws'; }
      if (arg === 'AWS::URLSuffix') { return 'amazonaws.com'; }
      if (arg === 'AWS::AccountId') { return account ?? UNRESOLVED; }
      return oidcProviderArn(resources, arg, account) ?? UNRESOLVED;
    }
    if (key === 'Fn::GetAtt' && Array.isArray(arg)) {
      return oidcProviderArn(resources, arg[0], account) ?? UNRESOLVED;
    }
    if (key === 'Fn::Join' && Array.isArray(arg) && Array.isArray(arg[1])) {
      const parts = (arg[1] as unknown[]).map(resolve);
      return parts.every(p => typeof p === 'string') ? parts.join(String(arg[0])) : UNRESOLVED;
    }
    if (key.startsWith('Fn::')) { return UNRESOLVED; }
  }
  return Object.fromEntries(entries.map(([k, v]) => [k, resolve(v)]));
}

const list = (value: unknown): string[] => (value === undefined ? [] : Array.isArray(value) ? value : [value]).map(String);

function normalizeStatement(raw: any): TrustStatement {
  const principal = raw.Principal;
  const anyPrincipal = principal === '*' || (typeof principal === 'object' && list(principal?.AWS).includes('*'));
  const conditions: Record<string, Record<string, string[]>> = {};
  for (const [operator, keys] of Object.entries<any>(raw.Condition ?? {})) {
    conditions[operator] = Object.fromEntries(Object.entries<any>(keys ?? {}).map(([k, v]) => [k, list(v)]));
  }
  return {
    effect: raw.Effect,
    anyPrincipal,
    aws: typeof principal === 'object' ? list(principal?.AWS).filter(p => p !== '*') : [],
    service: typeof principal === 'object' ? list(principal?.Service) : [],
    federated: typeof principal === 'object' ? list(principal?.Federated) : [],
    actions: list(raw.Action),
    conditions,
  };
}

function auditedRole(logicalId: string, properties: any, account: string | undefined, resources: Record<string, any>): AuditedRole {
  const document = properties.AssumeRolePolicyDocument ?? {};
  const resolved = resolveForAudit(document, account, resources) as any;
  const maxSession = typeof properties.MaxSessionDuration === 'number' ? properties.MaxSessionDuration : MIN_SESSION_DURATION_SECONDS;
  return {
    logicalId,
    account,
    statements: (Array.isArray(resolved.Statement) ? resolved.Statement : [resolved.Statement]).filter(Boolean).map(normalizeStatement),
    trustPolicyLength: resolvedPolicyLength(document),
    maxSessionDuration: maxSession,
  };
}
