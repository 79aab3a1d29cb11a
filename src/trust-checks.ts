import * as fs from 'fs';
import * as path from 'path';
import { IPolicyValidationContext, IPolicyValidationPlugin, PolicyValidationPluginReport, PolicyViolation, Stack, Validations } from 'aws-cdk-lib';
import { IConstruct } from 'constructs';
import { AccessMapWriter, AuditedTemplate } from './private/access-map/plugin';
import { auditTemplateFully, preloadRegionFacts } from './private/audit';
import { AppIndex } from './private/audit/app-index';
import { RuleContext, TRUST_RULES } from './private/audit/rules';
import { literalEnvironment } from './private/policy/stack-env';

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
 * external IDs, pinned OIDC subjects, quotas.
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
    return TRUST_RULES.map(({ id, severity, description, fix }) => ({ id, severity, description, fix }));
  }

  /** The plugin's name, the prefix of its acknowledgement ids. */
  public readonly name = 'CrossAccountTrustChecks';

  /** The ids of the rules this plugin applies. */
  public readonly ruleIds?: string[] = TRUST_RULES.map(rule => rule.id);

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
    const violations: PolicyViolation[] = [];
    const notes: Record<string, string> = {};
    const audited = new Map<string, AuditedTemplate>();
    for (const stackTemplate of context.stackTemplates) {
      const stack = app.stacks.get(stackTemplate.stackConstructPath);
      violations.push(...violationsOf(stackTemplate.templatePath, stack, app, rules, audited, notes));
      for (const nested of stack !== undefined ? app.nestedStacksOf(stack) : []) {
        const nestedPath = path.join(path.dirname(stackTemplate.templatePath), nested.templateFile);
        violations.push(...violationsOf(nestedPath, nested, app, rules, audited, notes));
      }
    }
    // the map reuses the templates just audited: each is read and audited once per synthesis
    this.accessMap?.write(context.appConstruct, app.stacksUnder(context.appConstruct), rules, audited);
    return {
      success: violations.every(v => v.severity !== 'error'),
      violations: violations.map(v => this.scopeAcknowledgement(v, app)),
      ...Object.keys(notes).length > 0 ? { metadata: notes } : {},
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
    },
  };
}

/**
 * The violations of the roles of one template (and of its StackSets' template
 * bodies, reported against the StackSet), as the shared audit finds them;
 * findings acknowledged in the template's Metadata are left out.
 */
function violationsOf(templatePath: string, stack: Stack | undefined, app: AppIndex, rules: RuleContext,
  audited: Map<string, AuditedTemplate>, notes: Record<string, string>): PolicyViolation[] {
  const template: unknown = JSON.parse(fs.readFileSync(templatePath, 'utf-8'));
  const { account, region } = stack !== undefined ? literalEnvironment(stack) : {};
  const { roles: audits, notes: unaudited } = auditTemplateFully(template, { account, region, rules });
  audited.set(path.resolve(templatePath), { template, audits });
  for (const note of unaudited) {
    const where = (stack !== undefined ? app.resourcePath(stack, note.logicalId) : undefined) ?? `${templatePath}#${note.logicalId}`;
    notes[`notAudited:${where}`] = note.message;
  }
  return audits.flatMap(role => role.findings
    .filter(finding => finding.acknowledgedReason === undefined)
    .map(finding => ({
      ruleName: finding.ruleId,
      description: finding.description,
      fix: finding.fix,
      severity: finding.severity,
      violatingResources: [{
        resourceLogicalId: role.resourceLogicalId,
        templatePath,
        constructPath: stack !== undefined ? app.resourcePath(stack, role.resourceLogicalId) : undefined,
        locations: finding.locations,
      }],
    })));
}
