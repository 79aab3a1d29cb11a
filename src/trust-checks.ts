import * as fs from 'fs';
import * as path from 'path';
import { IPolicyValidationContext, IPolicyValidationPlugin, PolicyValidationPluginReport, PolicyViolation, Stack, Validations } from 'aws-cdk-lib';
import { IConstruct } from 'constructs';
import { AccessMapWriter, AuditedTemplate } from './private/access-map/plugin';
import { AuditFinding, PolicyAudit, appPrincipalFindings, auditTemplateFully, preloadRegionFacts, principalsOf } from './private/audit';
import { AppIndex } from './private/audit/app-index';
import { AUDIT_RULES } from './private/audit/rule-list';
import { RuleContext } from './private/audit/rules';
import { literal, literalEnvironment, topLevelStack } from './private/policy/stack-env';

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
 * Properties of `CrossAccountTrustChecks`.
 */
export interface CrossAccountTrustChecksProps {
  /**
   * Write the access map into the cloud assembly on every synthesis:
   * `cross-account-access.json` (every role: its account, whom it trusts and
   * on which guards, its maximum session, a summary of its permissions,
   * whether an `AssumeRoleMonitor` watches it, its findings) and
   * `cross-account-access.md` (a Mermaid flowchart and one table per trusting
   * account, for a pull request). Both are sorted, so that a diff shows
   * exactly the new trusts.
   *
   * @default true
   */
  readonly accessMap?: boolean;
}

/**
 * A policy validation plugin that audits the trust policy of every IAM role in
 * an app — plain `iam.Role` and `iam.CfnRole` included, and the roles in the
 * inline `TemplateBody` of a StackSet, JSON or YAML — against the rules of
 * cross-account trust: no wildcard principal, no unguarded trust of another
 * account (an account given as a parameter included), real MFA, strong
 * external IDs, pinned OIDC subjects, quotas. It audits every resource policy
 * (S3, KMS, SQS, SNS, Secrets Manager, ECR, Lambda, EventBridge) and identity
 * policy of the app too: no resource open to anyone, no account granted
 * whole, no role of another stack in `Principal` (the deploy-order trap), no
 * KMS on any key.
 *
 * ```ts
 * import { App, Validations } from 'aws-cdk-lib';
 * import { CrossAccountTrustChecks } from 'cdk-cross-account-roles';
 *
 * const app = new App();
 * Validations.of(app).addPlugins(new CrossAccountTrustChecks());
 * ```
 *
 * Errors fail synthesis; warnings are reported. Acknowledge a finding on a
 * construct with `Validations.of(role).acknowledge({ id: 'CrossAccountTrustChecks::WeakExternalId', reason: '...' })`:
 * it applies to that construct and the constructs below it. (aws-cdk-lib
 * matches acknowledgements app-wide; when a rule is acknowledged elsewhere,
 * the plugin reports an unacknowledged finding as
 * `CrossAccountTrustChecks::<rule>@<construct path>` so that it is not
 * dropped.) A finding acknowledged in the template itself, in the resource's
 * `Metadata` (`cdk-cross-account-roles: { acknowledge: [{ id, reason }] }`,
 * as the CLI reads it), is not reported either.
 *
 * The plugin and the CLI (`npx cdk-cross-account-roles audit`) run the same
 * audit, so they report the same findings. What it cannot audit (a StackSet
 * whose template is at a `TemplateURL`) is listed in its report's `metadata`,
 * as `notAudited:<construct path>`, not as a violation.
 *
 * It also writes the app's access map (`cross-account-access.json` and
 * `cross-account-access.md`) into the cloud assembly; see `accessMap`.
 */
export class CrossAccountTrustChecks implements IPolicyValidationPlugin {
  /** The rules this plugin applies. */
  public static get rules(): TrustRuleInfo[] {
    return AUDIT_RULES.map(({ id, severity, description, fix }) => ({ id, severity, description, fix }));
  }

  /** The plugin's name, the prefix of its acknowledgement ids. */
  public readonly name = 'CrossAccountTrustChecks';

  /** The ids of the rules this plugin applies. */
  public readonly ruleIds?: string[] = AUDIT_RULES.map(rule => rule.id);

  private readonly accessMap?: AccessMapWriter;
  /**
   * The app's index and rule context, by root: aws-cdk-lib calls a plugin once
   * per environment of the app, and all the calls of a synthesis share one walk
   * of the tree (as they share one access map).
   */
  private readonly indexes = new WeakMap<IConstruct, { readonly app: AppIndex; readonly rules: RuleContext }>();

  constructor(props: CrossAccountTrustChecksProps = {}) {
    // Every prop is optional: a plain JavaScript caller's null is no props at all.
    props = props ?? {};
    // No module is loaded inside a synthesis's validate(): aws-cdk-lib loads its region facts on first use.
    preloadRegionFacts();
    this.accessMap = (props.accessMap ?? true) ? new AccessMapWriter() : undefined;
  }

  /**
   * Audits every role of every template of the app: the stacks aws-cdk-lib
   * passes, and the nested stacks below them (aws-cdk-lib passes only
   * top-level templates; a nested stack's template is written next to its
   * parent's), and the roles of the StackSets' inline templates (JSON or
   * YAML), reported against the StackSet, in an unknown account (each
   * instance's own).
   * Writes the access map, unless `accessMap` is false.
   */
  public validate(context: IPolicyValidationContext): PolicyValidationPluginReport {
    const { app, rules } = this.indexOf(context.appConstruct);
    const run = new ValidationRun(app, rules);
    for (const stackTemplate of context.stackTemplates) {
      const stack = app.stacks.get(stackTemplate.stackConstructPath);
      run.audit(stackTemplate.templatePath, stack);
      for (const nested of stack !== undefined ? app.nestedStacksOf(stack) : []) {
        run.audit(path.join(path.dirname(stackTemplate.templatePath), nested.templateFile), nested);
      }
    }
    const violations = run.finish();
    // the map reuses the templates just audited: each is read and audited once per synthesis
    this.accessMap?.write(context.appConstruct, app.stacksUnder(context.appConstruct), rules, run.audited);
    return {
      success: violations.every(v => v.severity !== 'error'),
      violations: violations.map(v => this.scopeAcknowledgement(v, app)),
      ...Object.keys(run.notes).length > 0 ? { metadata: run.notes } : {},
    };
  }


  /** The app's index and rule context: made by the first call of a synthesis, in one walk of the tree. */
  private indexOf(appConstruct: IConstruct): { readonly app: AppIndex; readonly rules: RuleContext } {
    const root = appConstruct.node.root;
    let indexed = this.indexes.get(root);
    if (indexed === undefined) {
      const app = new AppIndex(root);
      indexed = { app, rules: ruleContextOf(app) };
      this.indexes.set(root, indexed);
    }
    return indexed;
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
  private scopeAcknowledgement(violation: PolicyViolation, app: AppIndex): PolicyViolation {
    const ackId = `${this.name}::${violation.ruleName}`;
    const constructPath = violation.violatingResources[0]?.constructPath;
    const construct = constructPath !== undefined ? app.construct(constructPath) : undefined;
    if (construct === undefined) {
      return violation;
    }
    const scoped = { ...violation, ruleName: `${violation.ruleName}@${constructPath!.replace(/\s/g, '-')}` };
    if (app.acknowledgedIds.has(`${this.name}::${scoped.ruleName}`)) {
      return scoped;
    }
    if (!app.acknowledgedIds.has(ackId) || construct.node.scopes.some(c => acknowledges(c, ackId))) {
      return violation;
    }
    return scoped;
  }
}

/** Whether a construct itself acknowledges a rule id. */
function acknowledges(construct: IConstruct, ackId: string): boolean {
  return construct.node.metadata.some(m => m.type === Validations.ACKNOWLEDGED_RULES_METADATA_KEY
    && typeof m.data === 'object' && m.data !== null && ackId in (m.data as object));
}

/**
 * What the rules know of the app beyond each template: its organisation
 * perimeters, with the accounts known to be members (declared, or with a stack
 * in the app) and the third parties they let in.
 */
function ruleContextOf(app: AppIndex): RuleContext {
  const perimeters = app.perimeters;
  if (perimeters.length === 0) { return {}; }
  const stackAccounts = app.stackAccounts();
  return {
    perimeter: {
      perimeters: perimeters.map(p => p.path),
      memberAccounts: Array.from(new Set([...perimeters.flatMap(p => p.memberAccounts), ...stackAccounts])),
      thirdPartyAccounts: Array.from(new Set(perimeters.flatMap(p => p.thirdPartyAccounts()))),
      ...perimeters.every(p => literal(p.organizationId) !== undefined)
        ? { organizationIds: Array.from(new Set(perimeters.map(p => p.organizationId.toLowerCase()))) } : {},
    },
  };
}

/**
 * One validation: the violations of the roles and policies of each template
 * (and of its StackSets' template bodies, reported against the StackSet) as
 * the shared audit finds them, findings acknowledged in the template's
 * Metadata left out; then, once every template is read, the findings that
 * need the whole app (a resource policy naming a role of another stack).
 */
class ValidationRun {
  public readonly violations: PolicyViolation[] = [];
  /** What could not be audited, by `notAudited:<construct path>`. */
  public readonly notes: Record<string, string> = {};
  /** The templates read and audited, by absolute path: the access map reuses them. */
  public readonly audited = new Map<string, AuditedTemplate>();
  private readonly appPrincipals = new Map<string, string>();
  private readonly naming: Array<{ templatePath: string; stack: Stack | undefined; policy: PolicyAudit }> = [];

  constructor(private readonly app: AppIndex, private readonly rules: RuleContext) {}

  /** Reads and audits one template. */
  public audit(templatePath: string, stack: Stack | undefined): void {
    const template: unknown = JSON.parse(fs.readFileSync(templatePath, 'utf-8'));
    const { account, region } = stack !== undefined ? literalEnvironment(stack) : {};
    const { roles, policies, notes } = auditTemplateFully(template, { account, region, rules: this.rules });
    this.audited.set(path.resolve(templatePath), { template, audits: roles, policies });
    for (const note of notes) {
      this.notes[`notAudited:${this.resourcePath(stack, note.logicalId) ?? `${templatePath}#${note.logicalId}`}`] = note.message;
    }
    for (const role of roles) { this.report(templatePath, stack, role.resourceLogicalId, role.findings); }
    for (const policy of policies) {
      this.report(templatePath, stack, policy.resourceLogicalId, policy.findings);
      if (policy.namedPrincipals.length > 0) { this.naming.push({ templatePath, stack, policy }); }
    }
    for (const key of principalsOf(template, { account })) { this.appPrincipals.set(key, stackNameOf(stack, templatePath)); }
  }

  /** The violations, those that need the whole app included. */
  public finish(): PolicyViolation[] {
    for (const { templatePath, stack, policy } of this.naming) {
      this.report(templatePath, stack, policy.resourceLogicalId, appPrincipalFindings(policy, this.appPrincipals, stackNameOf(stack, templatePath)));
    }
    return this.violations;
  }

  private resourcePath(stack: Stack | undefined, logicalId: string): string | undefined {
    return stack !== undefined ? this.app.resourcePath(stack, logicalId) : undefined;
  }

  private report(templatePath: string, stack: Stack | undefined, logicalId: string, findings: AuditFinding[]): void {
    for (const finding of findings) {
      if (finding.acknowledgedReason !== undefined) { continue; }
      this.violations.push({
        ruleName: finding.ruleId,
        description: finding.description,
        fix: finding.fix,
        severity: finding.severity,
        violatingResources: [{
          resourceLogicalId: logicalId, templatePath, constructPath: this.resourcePath(stack, logicalId), locations: finding.locations,
        }],
      });
    }
  }
}

/** A stack as findings name it: its name when literal (the top-level stack's, for a nested one), else its construct path. */
function stackNameOf(stack: Stack | undefined, templatePath: string): string {
  if (stack === undefined) { return path.basename(templatePath); }
  const top = topLevelStack(stack);
  return literal(top.stackName) ?? top.node.path;
}
