/**
 * The template audit: from a template's JSON to the findings of each of its
 * roles (their trust policies, by the trust rules) and of its resource and
 * identity policies (by the resource rules): two paths through one engine.
 * The validation plugin (`CrossAccountTrustChecks`) and the CLI
 * (`cdk-cross-account-roles audit`) both call it, so they judge alike.
 */
import type { RegionInfo } from 'aws-cdk-lib/region-info';
import { AuditContext, resolveForAudit } from './resolve';
import { AuditedPolicy, auditedPolicies, PolicyKind, POLICY_RESOURCE_TYPES } from './resource-policies';
import { APP_PRINCIPAL_IN_RESOURCE_POLICY, RESOURCE_RULES, ResourceRule } from './resource-rules';
import { auditedRoles } from './roles';
import { AUDIT_RULES } from './rule-list';
import { AuditedRole, Finding, isDeployTime, principalKey, RuleContext, TRUST_RULES, TrustRule } from './rules';
import { JsonObject, TemplateResource, isObject, propertiesOf, resourcesOf } from './template';
import { parseTemplateText, TemplateSyntaxError } from '../template/text';

/** `AWS::Partition` and `AWS::URLSuffix` where the stack's region is unknown. */
export const DEFAULT_PARTITION = 'aws';
export const DEFAULT_URL_SUFFIX = 'amazonaws.com';

/** The `Metadata` key under which a template acknowledges findings of its resources. */
export const ACKNOWLEDGEMENT_METADATA_KEY = 'cdk-cross-account-roles';

/** What is known of the stack a template is deployed as. */
export interface TemplateEnvironment {
  /** The stack's account, when it is literal. */
  readonly account?: string;
  /** The stack's region, when it is literal. */
  readonly region?: string;
  /** What the rules may know of the app beyond this template (the plugin sets it; the CLI sees one template). */
  readonly rules?: RuleContext;
}

/** One rule's finding on one role (several messages when it fails in several places). */
export interface AuditFinding {
  readonly ruleId: string;
  readonly severity: 'error' | 'warning';
  /** The rule's description, the role when it is in a StackSet's template, and the messages. */
  readonly description: string;
  /** How to comply. */
  readonly fix: string;
  readonly messages: string[];
  /** Where in the resource (`Properties/AssumeRolePolicyDocument/Statement/0`, below the StackSet's template body for its roles). */
  readonly locations: string[];
  /** The reason given in the template's `Metadata` when the finding is acknowledged there. */
  readonly acknowledgedReason?: string;
}

/** A role of a template, read and judged. */
export interface RoleAudit {
  /** The resource that carries the role: the role itself, or the StackSet whose template body holds it. */
  readonly resourceLogicalId: string;
  /** The role's logical ID in its own template (the StackSet's template body, for a StackSet's role). */
  readonly roleLogicalId: string;
  /** Whether the role is in the inline template body of a StackSet, deployed in accounts of its own. */
  readonly inStackSet: boolean;
  /** The path from the carrying resource to the role (`''`, or `Properties/TemplateBody/Resources/<role>/`). */
  readonly locationPrefix: string;
  /** The role's `Properties`, as written. */
  readonly properties: JsonObject;
  /** What its template (or its StackSet's template) lets the audit resolve. */
  readonly context: AuditContext;
  /** The role as the rules see it, on each branch of the `Fn::If`s of its trust policy. */
  readonly branches: AuditedRole[];
  /** The findings, acknowledged ones included (see `acknowledgedReason`). */
  readonly findings: AuditFinding[];
}

/** A resource or identity policy of a template, read and judged. */
export interface PolicyAudit {
  /** The resource that carries the policy: the policy resource itself, or the StackSet whose template body holds it. */
  readonly resourceLogicalId: string;
  /** The policy resource's logical ID in its own template. */
  readonly policyLogicalId: string;
  /** The policy resource's type (`AWS::S3::BucketPolicy`, `AWS::KMS::Key`, `AWS::IAM::Policy` ...). */
  readonly type: string;
  readonly kind: PolicyKind;
  /** Whether the policy is in the inline template body of a StackSet. */
  readonly inStackSet: boolean;
  /** The path from the carrying resource to the policy resource (`''`, or `Properties/TemplateBody/Resources/<id>/`). */
  readonly locationPrefix: string;
  /** What its template lets the audit resolve. */
  readonly context: AuditContext;
  /** The policy as the rules see it, on each branch of its `Fn::If`s. */
  readonly branches: AuditedPolicy[];
  /** The findings, acknowledged ones included. */
  readonly findings: AuditFinding[];
  /** The app's roles and users the policy names in `Principal` (`principalKey`s), for the rules judged once the whole app is read. */
  readonly namedPrincipals: string[];
  /** The acknowledgements of its resource (and of its StackSet), for the rules judged last. */
  readonly acknowledged: ReadonlyMap<string, string>;
}

/** An acknowledgement written in a resource's `Metadata` that the audit cannot use. */
export interface AcknowledgementProblem {
  readonly logicalId: string;
  /** The index of the entry in the resource's `acknowledge` list. */
  readonly index: number;
  readonly problem: string;
}

/**
 * The acknowledgements of a resource's `Metadata`, rule id → reason:
 *
 * ```yaml
 * Metadata:
 *   cdk-cross-account-roles:
 *     acknowledge:
 *       - id: UnconditionedCrossAccountTrust
 *         reason: account 222222222222 is our own backup account
 * ```
 *
 * An entry without an id or a reason acknowledges nothing, and is listed in `problems`.
 */
export function acknowledgementsOf(logicalId: string, resource: TemplateResource,
  problems: AcknowledgementProblem[] = []): ReadonlyMap<string, string> {
  const ours = isObject(resource.Metadata) ? resource.Metadata[ACKNOWLEDGEMENT_METADATA_KEY] : undefined;
  if (ours === undefined) { return NO_ACKNOWLEDGEMENTS; }
  const acknowledged = new Map<string, string>();
  const entries = isObject(ours) ? ours.acknowledge : undefined;
  if (!Array.isArray(entries)) {
    problems.push({ logicalId, index: -1, problem: `Metadata.${ACKNOWLEDGEMENT_METADATA_KEY} must be an object with an 'acknowledge' list of { id, reason }` });
    return acknowledged;
  }
  entries.forEach((entry, index) => {
    const id = isObject(entry) ? entry.id : undefined;
    const reason = isObject(entry) ? entry.reason : undefined;
    if (typeof id !== 'string' || !AUDIT_RULES.some(rule => rule.id === id)) {
      problems.push({ logicalId, index, problem: `acknowledgement ${index} names no rule of this library (got ${JSON.stringify(id)}; the rules: ${AUDIT_RULES.map(r => r.id).join(', ')})` });
    } else if (typeof reason !== 'string' || reason.trim() === '') {
      problems.push({ logicalId, index, problem: `acknowledgement ${index} of ${id} gives no reason: add 'reason: <why this trust is intended>'` });
    } else {
      acknowledged.set(id, reason);
    }
  });
  return acknowledged;
}

/** What the rules know of an app that is not at hand (the CLI's). */
const NO_RULE_CONTEXT: RuleContext = {};

/** The acknowledgements of a resource without any (most resources): one map, never changed. */
const NO_ACKNOWLEDGEMENTS: ReadonlyMap<string, string> = new Map();

/** Whether a rule may find anything on a role (on a branch of it): some statement has a feature it applies to. */
function applies(rule: TrustRule, branches: AuditedRole[]): boolean {
  if (rule.appliesTo === undefined) { return true; }
  for (const role of branches) {
    for (const feature of rule.appliesTo) {
      if (role.features[feature]) { return true; }
    }
  }
  return false;
}

/** A rule as the judge sees it: trust rules judge roles, resource rules policies. */
interface Judging<T> {
  readonly id: string;
  readonly severity: 'error' | 'warning';
  readonly description: string;
  readonly fix: string;
  check(subject: T, context?: RuleContext): Finding[];
}

/** The findings of one role, one per rule, the rule's findings on every branch together. */
function judge(branches: AuditedRole[], prefix: string, what: string, acknowledged: ReadonlyMap<string, string>,
  context: RuleContext = NO_RULE_CONTEXT): AuditFinding[] {
  return judgeBy(TRUST_RULES, branches, prefix, what, acknowledged, context, applies);
}

/**
 * The findings of the rules on a subject (on each branch of its `Fn::If`s),
 * one per rule; `relevant` tells which rules may find anything on it (all, when undefined).
 */
function judgeBy<T, R extends Judging<T>>(rules: readonly R[], branches: T[], prefix: string, what: string,
  acknowledged: ReadonlyMap<string, string>, context: RuleContext, relevant?: (rule: R, branches: T[]) => boolean): AuditFinding[] {
  const findings: AuditFinding[] = [];
  for (const rule of rules) {
    if (relevant !== undefined && !relevant(rule, branches)) { continue; }
    // a finding on either branch of an Fn::If counts, once
    const all = branches.length === 1 ? rule.check(branches[0], context) : branches.flatMap(subject => rule.check(subject, context));
    if (all.length === 0) { continue; }
    const found = Array.from(new Map(all.map(f => [`${f.location}#${f.message}`, f])).values());
    // the same message at several statements (a key policy naming one account in three) is said once
    const messages = Array.from(new Set(found.map(f => f.message)));
    findings.push({
      ruleId: rule.id,
      severity: rule.severity,
      description: `${rule.description}${what}: ${messages.join('; ')}`,
      fix: rule.fix,
      messages,
      locations: Array.from(new Set(found.map(f => `${prefix}${f.location}`))),
      acknowledgedReason: acknowledged.get(rule.id),
    });
  }
  return findings;
}

/** Why a StackSet's template is not audited: it is elsewhere, or it cannot be read. */
export interface AuditNote {
  /** The StackSet's logical ID. */
  readonly logicalId: string;
  /** Where in the resource (`Properties/TemplateURL`, `Properties/TemplateBody`). */
  readonly location: string;
  readonly message: string;
}

/**
 * aws-cdk-lib's facts of a region (its partition and domain suffix), loaded
 * when a region is first known: the CLI on plain templates never needs them.
 */
function regionInfoOf(region: string): RegionInfo {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return (require('aws-cdk-lib/region-info') as typeof import('aws-cdk-lib/region-info')).RegionInfo.get(region);
}

/** What a template yields: its roles and its policies, read and judged, and what could not be audited. */
export interface TemplateAudit {
  readonly roles: RoleAudit[];
  /** Its resource policies and identity policies (those of its roles' inline `Policies` among them). */
  readonly policies: PolicyAudit[];
  readonly notes: AuditNote[];
}

/** A StackSet's inline template, read; or why it could not be. */
export interface StackSetBody {
  /** The template JSON of the body. */
  readonly template?: unknown;
  /** Why there is no template to audit (a `TemplateURL`, a body that does not parse). */
  readonly note?: AuditNote;
}

/**
 * A StackSet's inline template, JSON or YAML (CloudFormation's short-form
 * tags included), in any form: a string, or an intrinsic (`Fn::Sub`,
 * `Fn::Join`) that builds one, resolved in the StackSet's own template (a
 * deploy-time value stands in the text as one, so that a parameter of the
 * StackSet's stack is still named). A `TemplateURL` cannot be read from here.
 */
export function stackSetBody(logicalId: string, properties: JsonObject, ctx: AuditContext): StackSetBody {
  const raw = properties.TemplateBody;
  if (raw === undefined) {
    return properties.TemplateURL === undefined ? {} : {
      note: {
        logicalId,
        location: 'Properties/TemplateURL',
        message: `the StackSet's template is at its TemplateURL (${describe(resolveForAudit(properties.TemplateURL, ctx))}), which the audit cannot read: audit that template file itself`,
      },
    };
  }
  const text = typeof raw === 'string' ? raw : resolveForAudit(raw, ctx);
  const unread = (why: string): StackSetBody => ({ note: { logicalId, location: 'Properties/TemplateBody', message: `the StackSet's TemplateBody is not audited: ${why}` } });
  if (typeof raw === 'object' && raw !== null && !Array.isArray(raw) && !Object.keys(raw).some(key => key === 'Ref' || key.startsWith('Fn::'))) {
    // a mapping written in place of the text: CloudFormation refuses it (TemplateBody is a string; cfn-lint E3012)
    return unread('it is written as a mapping, and TemplateBody must be a string (a JSON or YAML text, e.g. a YAML block `TemplateBody: |`); CloudFormation refuses the template');
  }
  if (typeof text !== 'string' || isDeployTime(text)) { return unread('it is only known at deploy time'); }
  try {
    return { template: parseTemplateText(text).template };
  } catch (e) {
    const at = e instanceof TemplateSyntaxError && e.line !== undefined ? ` (line ${e.line} of the body)` : '';
    return unread(`it is not valid JSON or YAML${at}: ${(e as Error).message}`);
  }
}

/** A value for a message: a string as it is, anything else as JSON. */
const describe = (value: unknown) => typeof value === 'string' ? value : JSON.stringify(value);

/**
 * Loads aws-cdk-lib's region facts now: `RegionInfo` is a lazy export that
 * reads them on first use (about 100 ms), which would otherwise fall inside
 * the first synthesis's `validate()`. The plugin calls this when it is created.
 */
export function preloadRegionFacts(): void {
  regionInfoOf(DEFAULT_REGION_FOR_PRELOAD);
}

/** Any region: asking for one loads the facts of all. */
const DEFAULT_REGION_FOR_PRELOAD = 'us-east-1';

/**
 * What resolving a template's intrinsics needs: its resources, and the
 * account and region it deploys to (the partition and URL suffix follow from
 * a known region, and default to `aws` / `amazonaws.com`), and, when the
 * template is at hand, its parameters and mappings.
 */
export function auditContext(region: string | undefined, account: string | undefined, resources: Record<string, TemplateResource>,
  template?: unknown): AuditContext {
  const regionInfo = region !== undefined ? regionInfoOf(region) : undefined;
  const section = (name: string) => isObject(template) && isObject(template[name]) ? template[name] as JsonObject : undefined;
  return {
    account,
    region,
    knownPartition: regionInfo?.partition,
    partition: regionInfo?.partition ?? DEFAULT_PARTITION,
    urlSuffix: regionInfo?.domainSuffix ?? DEFAULT_URL_SUFFIX,
    resources,
    parameters: section('Parameters'),
    mappings: section('Mappings'),
  };
}

/** The audit of one role of a template (or of a StackSet's template, below `prefix`). */
function roleAudit(resourceLogicalId: string, roleLogicalId: string, role: TemplateResource, ctx: AuditContext, stackSet: boolean,
  acknowledged: ReadonlyMap<string, string>, rules: RuleContext | undefined): RoleAudit {
  const properties = propertiesOf(role);
  const branches = auditedRoles(roleLogicalId, properties, ctx);
  const prefix = stackSet ? `Properties/TemplateBody/Resources/${roleLogicalId}/` : '';
  return {
    resourceLogicalId,
    roleLogicalId,
    inStackSet: stackSet,
    locationPrefix: prefix,
    properties,
    context: ctx,
    branches,
    findings: judge(branches, prefix, stackSet ? ` (role ${roleLogicalId} of the StackSet's template)` : '', acknowledged, rules),
  };
}

/** The rules of resource policies and of identity policies, each judged on its kind. */
const RULES_BY_KIND: Record<PolicyKind, ResourceRule[]> = {
  resource: RESOURCE_RULES.filter(rule => rule.kind === 'resource'),
  identity: RESOURCE_RULES.filter(rule => rule.kind === 'identity'),
};

/** The `principalKey`s of the roles and users an Allow statement of a policy names in `Principal`. */
function namedPrincipalsOf(branches: AuditedPolicy[]): string[] {
  const keys = new Set<string>();
  for (const policy of branches) {
    for (const s of policy.statements) {
      if (s.effect !== 'Allow') { continue; }
      for (const arn of s.aws) {
        const key = principalKey(arn);
        if (key !== undefined) { keys.add(key); }
      }
    }
  }
  return Array.from(keys);
}

/** The audits of the policies of one resource of a template (or of a StackSet's template, below `prefix`). */
function policyAudits(resourceLogicalId: string, logicalId: string, resource: TemplateResource, ctx: AuditContext, stackSet: boolean,
  acknowledged: ReadonlyMap<string, string>, rules: RuleContext | undefined): PolicyAudit[] {
  const policies = auditedPolicies(logicalId, resource, ctx);
  if (policies.length === 0) { return []; }
  const prefix = stackSet ? `Properties/TemplateBody/Resources/${logicalId}/` : '';
  const what = stackSet ? ` (${logicalId} of the StackSet's template)` : '';
  // one audit per policy document of the resource (a role has one per inline policy), each on its branches
  const byDocument = new Map<string, AuditedPolicy[]>();
  for (const policy of policies) {
    byDocument.set(policy.documentPath, [...byDocument.get(policy.documentPath) ?? [], policy]);
  }
  return Array.from(byDocument.values()).map(branches => ({
    resourceLogicalId,
    policyLogicalId: logicalId,
    type: branches[0].type,
    kind: branches[0].kind,
    inStackSet: stackSet,
    locationPrefix: prefix,
    context: ctx,
    branches,
    findings: judgeBy(RULES_BY_KIND[branches[0].kind], branches, prefix, what, acknowledged, rules ?? NO_RULE_CONTEXT),
    namedPrincipals: branches[0].kind === 'resource' ? namedPrincipalsOf(branches) : [],
    acknowledged,
  }));
}

/**
 * The finding of `AppPrincipalInResourcePolicy` on a policy, once the whole
 * app is read: the front-ends judge it last, with the app's roles and users
 * (`principalKey` → the stack each is in) and the stack of the policy.
 */
export function appPrincipalFindings(policy: PolicyAudit, appPrincipals: ReadonlyMap<string, string>, stackName: string | undefined): AuditFinding[] {
  if (policy.namedPrincipals.every(key => !appPrincipals.has(key))) { return []; }
  const what = policy.inStackSet ? ` (${policy.policyLogicalId} of the StackSet's template)` : '';
  return judgeBy([APP_PRINCIPAL_IN_RESOURCE_POLICY], policy.branches, policy.locationPrefix, what, policy.acknowledged, { appPrincipals, stackName });
}

/**
 * The roles and users of a template whose ARN is literal (a literal name, in
 * the stack's literal account), as `principalKey`s: what resource policies of
 * other stacks may name in `Principal`.
 */
export function principalsOf(template: unknown, env: TemplateEnvironment = {}): string[] {
  if (env.account === undefined) { return []; }
  const keys: string[] = [];
  const resources = resourcesOf(template);
  for (const logicalId in resources) {
    const resource = resources[logicalId];
    const kind = resource.Type === 'AWS::IAM::Role' ? 'role' : resource.Type === 'AWS::IAM::User' ? 'user' : undefined;
    const name = kind === undefined ? undefined : propertiesOf(resource)[kind === 'role' ? 'RoleName' : 'UserName'];
    if (typeof name === 'string') { keys.push(`${env.account}:${kind}/${name}`); }
  }
  return keys;
}

/** Whether a resource may hold a policy the resource audit reads (most resources of a template do not). */
const POLICY_TYPES = new Set(POLICY_RESOURCE_TYPES);

/**
 * Audits every role of a template (its `AWS::IAM::Role`s' trust policies)
 * and every resource and identity policy, and the same of the inline template
 * of its StackSets (JSON or YAML; each deployed in an account of its own, so
 * in an unknown account, in the StackSet's partition); and notes each
 * StackSet whose template it cannot read.
 */
export function auditTemplateFully(template: unknown, env: TemplateEnvironment = {}): TemplateAudit {
  const resources = resourcesOf(template);
  const ctx = auditContext(env.region, env.account, resources, template);
  const roles: RoleAudit[] = [];
  const policies: PolicyAudit[] = [];
  const notes: AuditNote[] = [];
  for (const [logicalId, resource] of Object.entries(resources)) {
    if (resource.Type === 'AWS::IAM::Role') {
      const acknowledged = acknowledgementsOf(logicalId, resource);
      roles.push(roleAudit(logicalId, logicalId, resource, ctx, false, acknowledged, env.rules));
      // a role's own identity policies: its inline Policies, when it has any
      if (Array.isArray(propertiesOf(resource).Policies)) {
        policies.push(...policyAudits(logicalId, logicalId, resource, ctx, false, acknowledged, env.rules));
      }
      continue;
    } else if (resource.Type === 'AWS::CloudFormation::StackSet') {
      const body = stackSetBody(logicalId, propertiesOf(resource), ctx);
      if (body.note !== undefined) { notes.push(body.note); }
      const bodyResources = resourcesOf(body.template);
      const bodyCtx = auditContext(env.region, undefined, bodyResources, body.template);
      const stackSetAcknowledged = acknowledgementsOf(logicalId, resource);
      for (const [id, inner] of Object.entries(bodyResources)) {
        if (inner.Type !== 'AWS::IAM::Role' && !POLICY_TYPES.has(String(inner.Type))) { continue; }
        const acknowledged = new Map([...stackSetAcknowledged, ...acknowledgementsOf(id, inner)]);
        if (inner.Type === 'AWS::IAM::Role') { roles.push(roleAudit(logicalId, id, inner, bodyCtx, true, acknowledged, env.rules)); }
        policies.push(...policyAudits(logicalId, id, inner, bodyCtx, true, acknowledged, env.rules));
      }
      continue;
    }
    if (POLICY_TYPES.has(String(resource.Type))) {
      policies.push(...policyAudits(logicalId, logicalId, resource, ctx, false, acknowledgementsOf(logicalId, resource), env.rules));
    }
  }
  return { roles, policies, notes };
}

/** The roles of a template, read and judged (see `auditTemplateFully`). */
export function auditTemplate(template: unknown, env: TemplateEnvironment = {}): RoleAudit[] {
  return auditTemplateFully(template, env).roles;
}
