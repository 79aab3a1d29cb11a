import * as fs from 'fs';
import * as path from 'path';
import { CfnResource, IPolicyValidationContext, IPolicyValidationPlugin, NestedStack, PolicyValidationPluginReport, PolicyViolation, Stack, Token, Validations } from 'aws-cdk-lib';
import { RegionInfo } from 'aws-cdk-lib/region-info';
import { IConstruct } from 'constructs';
import { AuditContext, auditedRoles, DEFAULT_PARTITION, DEFAULT_URL_SUFFIX, isObject } from './private/audit/template-roles';
import { TRUST_RULES } from './private/trust-rules';

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
