/**
 * The access map: every role of a set of synthesized templates, whom it
 * trusts and on which guards, what it may do, whether it is watched, and what
 * the trust rules found. Built from templates (the plugin and the CLI alike),
 * sorted, so that two builds of the same app give the same bytes.
 */
import * as fs from 'fs';
import { MapAssumer, assumersOf, mapModel, modelRole } from './assumers';
import { compareShares, MapFinding, MapShare, sharesOf } from './shares';
import { auditTemplateFully, PolicyAudit, RoleAudit } from '../audit/engine';
import { AuditContext, resolveForAudit } from '../audit/resolve';
import { list } from '../audit/roles';
import { RuleContext } from '../audit/rules';
import { isDeployTime, UNRESOLVED } from '../audit/rules/types';
import { isObject, JsonObject, TemplateResource } from '../audit/template';
import { AccessModel } from '../explain/model';
import { declaredRoleOf, DeclaredRole, DeclaredTrust, TrustGuards } from '../organization/declared-trusts';
import { compareText } from '../policy/compare';

/** The file names the plugin writes into the cloud assembly. */
export const ACCESS_MAP_JSON = 'cross-account-access.json';
export const ACCESS_MAP_MD = 'cross-account-access.md';

/** The map's format version, in its JSON. */
export const ACCESS_MAP_VERSION = 1;

/** One template to map. */
export interface MapTemplate {
  /** Where to read it. */
  readonly path: string;
  /** How to name it in the map (a path relative to the cloud assembly). */
  readonly file: string;
  /** The stack's name, when known. */
  readonly stackName?: string;
  /** The stack's account, when literal. */
  readonly account?: string;
  /** The stack's region, when literal. */
  readonly region?: string;
  /** The template itself, when already read. */
  readonly template?: unknown;
  /**
   * The audit engine's verdict on the template, when already audited with the
   * same account, region and rules (the plugin audits every template before
   * it maps them: the map does not audit them again).
   */
  readonly audits?: RoleAudit[];
  /** Its resource and identity policies, audited with the roles (`audits`). */
  readonly policies?: PolicyAudit[];
}

export type { MapFinding } from './shares';

/** A trust of a role, as the map lists it. */
export interface MapTrust extends DeclaredTrust {
  /** The guards in a word each (`ext-id`, `MFA ≤ 30 min`, `org`, `OU`, `IP`, …), as the diagrams label them. */
  readonly labels: string[];
  /**
   * The trusted accounts where the app has stacks: who of its principals may
   * assume the role from them is evaluated (`assumers`). Sorted.
   */
  readonly appAccounts: string[];
  /** The users, groups and roles of the app that may assume the role through this trust, evaluated. */
  readonly assumers: MapAssumer[];
}

/** What a role may do, in short. */
export interface PermissionsSummary {
  /** The managed policies attached (AWS managed by name, customer managed by name or logical ID). Sorted. */
  readonly managedPolicies: string[];
  /** Some policy of the role allows `*` on `*` (or it has `AdministratorAccess`). */
  readonly adminEquivalent: boolean;
}

/** One role of the map. */
export interface MapRole {
  /** The account of the role's stack; `unknown` when not literal, `StackSet instances` for a StackSet's role. */
  readonly account: string;
  /** The role's name, or its logical ID when the name is generated at deploy time. */
  readonly role: string;
  readonly roleArn?: string;
  readonly logicalId: string;
  readonly stack?: string;
  readonly template: string;
  readonly region?: string;
  readonly maxSessionDurationSeconds: number;
  readonly trusts: MapTrust[];
  readonly permissions: PermissionsSummary;
  /** An `AssumeRoleMonitor` (an EventBridge rule on `AssumeRole` of this role) watches it. */
  readonly monitored: boolean;
  readonly findings: MapFinding[];
}

/** The access map. */
export interface AccessMap {
  readonly version: number;
  readonly roles: MapRole[];
  /** The resources shared with other accounts through their resource policies (left out when there are none). */
  readonly shares?: MapShare[];
}

const UNKNOWN_ACCOUNT = 'unknown';
const STACKSET_ACCOUNT = 'StackSet instances';

/** The guards of a trust in a word each, as the diagrams label arrows. */
export function guardLabels(trust: DeclaredTrust): string[] {
  const g: TrustGuards = trust.guards;
  const labels: string[] = [];
  if (g.externalId) { labels.push('ext-id'); }
  if (g.maxMfaAgeSeconds !== undefined) {
    labels.push(`MFA ≤ ${Math.round(g.maxMfaAgeSeconds / 60)} min`);
  } else if (g.mfa) {
    labels.push('MFA');
  }
  if (trust.organizationIds.length > 0) { labels.push('org'); }
  if (trust.organizationalUnitPaths.length > 0) { labels.push('OU'); }
  if (g.sourceIps.length > 0) { labels.push('IP'); }
  if (g.roleSessionNames.length > 0) { labels.push('session name'); }
  if (g.sourceIdentity) { labels.push('source identity'); }
  return labels;
}

/** The logical IDs a `Roles` list of a policy resource refers to. */
function referencedRoles(roles: unknown): string[] {
  return (Array.isArray(roles) ? roles : []).flatMap(r => (isObject(r) && typeof r.Ref === 'string' ? [r.Ref] : []));
}

/** Whether a policy document allows every action on every resource. */
function allowsEverything(document: unknown, ctx: AuditContext): boolean {
  const resolved = resolveForAudit(document, ctx);
  const statements = isObject(resolved) ? (Array.isArray(resolved.Statement) ? resolved.Statement : [resolved.Statement]) : [];
  return statements.filter(isObject).some(s => s.Effect === 'Allow'
    && list(s.Action).some(a => a === '*' || a === '*:*') && list(s.Resource).includes('*'));
}

/** The permissions of a role of a template, in short. */
function permissionsOf(properties: JsonObject, attached: Array<[string, TemplateResource]>, ctx: AuditContext): PermissionsSummary {
  const names = new Set<string>();
  let admin = false;
  const managedPolicyResource = (id: string) => {
    const resource = ctx.resources[id];
    return resource !== undefined && resource.Type === 'AWS::IAM::ManagedPolicy' ? resource : undefined;
  };
  const policyName = (id: string, resource: TemplateResource) => {
    const props = isObject(resource.Properties) ? resource.Properties : {};
    return typeof props.ManagedPolicyName === 'string' ? props.ManagedPolicyName : id;
  };
  for (const arn of Array.isArray(properties.ManagedPolicyArns) ? properties.ManagedPolicyArns : []) {
    const ref = isObject(arn) && typeof arn.Ref === 'string' ? arn.Ref : undefined;
    const resource = ref !== undefined ? managedPolicyResource(ref) : undefined;
    if (ref !== undefined && resource !== undefined) {
      names.add(policyName(ref, resource));
      admin ||= allowsEverything(isObject(resource.Properties) ? resource.Properties.PolicyDocument : undefined, ctx);
      continue;
    }
    const resolved = resolveForAudit(arn, ctx);
    const name = typeof resolved === 'string' && !isDeployTime(resolved) ? resolved.slice(resolved.lastIndexOf('/') + 1) : UNRESOLVED;
    names.add(name);
    admin ||= name === 'AdministratorAccess';
  }
  for (const policy of Array.isArray(properties.Policies) ? properties.Policies : []) {
    admin ||= isObject(policy) && allowsEverything(policy.PolicyDocument, ctx);
  }
  for (const [id, resource] of attached) {
    if (!isObject(resource.Properties)) { continue; }
    if (resource.Type === 'AWS::IAM::ManagedPolicy') {
      names.add(policyName(id, resource));
      admin ||= allowsEverything(resource.Properties.PolicyDocument, ctx);
    } else if (resource.Type === 'AWS::IAM::Policy') {
      admin ||= allowsEverything(resource.Properties.PolicyDocument, ctx);
    }
  }
  return { managedPolicies: Array.from(names).sort(), adminEquivalent: admin };
}

/** The role ARNs that EventBridge rules of a template watch for `AssumeRole` (an `AssumeRoleMonitor`'s rules). */
function watchedRoleArns(ctx: AuditContext): string[] {
  const arns: string[] = [];
  for (const resource of Object.values(ctx.resources)) {
    if (resource.Type !== 'AWS::Events::Rule' || !isObject(resource.Properties)) { continue; }
    const pattern = resource.Properties.EventPattern;
    const detail = isObject(pattern) && isObject(pattern.detail) ? pattern.detail : undefined;
    if (detail === undefined || !list(detail.eventName).includes('AssumeRole') || !isObject(detail.requestParameters)) { continue; }
    const resolved = resolveForAudit(detail.requestParameters.roleArn, ctx);
    arns.push(...(Array.isArray(resolved) ? resolved : [resolved]).filter((a): a is string => typeof a === 'string'));
  }
  return arns;
}

/** Whether one of the watched ARNs is this role's (same account where both are known, same name). */
function isWatched(role: DeclaredRole, watched: string[]): boolean {
  const name = role.roleName ?? role.logicalId;
  return watched.some(arn => {
    const match = /^arn:[^:]*:iam::([^:]*):role\/(?:.*\/)?([^/]+)$/.exec(arn);
    return match !== null && match[2] === name && (role.account === undefined || match[1] === role.account || isDeployTime(match[1]));
  });
}

/**
 * What the map knows of one template (or one StackSet's inline template),
 * computed once for all its roles: the context to resolve intrinsics, the role
 * ARNs its monitors watch, and the policies that name each role in `Roles`.
 */
class TemplateIndex {
  public readonly watched: string[];
  private readonly policiesByRole = new Map<string, Array<[string, TemplateResource]>>();

  constructor(public readonly ctx: AuditContext) {
    this.watched = watchedRoleArns(ctx);
    for (const [id, resource] of Object.entries(ctx.resources)) {
      if (!isObject(resource.Properties)) { continue; }
      for (const role of new Set(referencedRoles(resource.Properties.Roles))) {
        const policies = this.policiesByRole.get(role) ?? [];
        policies.push([id, resource]);
        this.policiesByRole.set(role, policies);
      }
    }
  }

  /** The policy resources whose `Roles` name a role, in template order. */
  public policiesOf(roleLogicalId: string): Array<[string, TemplateResource]> {
    return this.policiesByRole.get(roleLogicalId) ?? [];
  }
}

/** A template's roles and policies, as the audit engine read and judged them (the plugin's own audit, when it gave it). */
function auditOf(t: MapTemplate & { readonly template: unknown }, rules: RuleContext): { roles: RoleAudit[]; policies: PolicyAudit[] } {
  if (t.audits !== undefined) { return { roles: t.audits, policies: t.policies ?? [] }; }
  const { roles, policies } = auditTemplateFully(t.template, { account: t.account, region: t.region, rules });
  return { roles, policies };
}

/** The map's roles of one template (and of its StackSets' inline templates), read and judged by the audit engine. */
function rolesOf(t: MapTemplate, audits: RoleAudit[], model: AccessModel): MapRole[] {
  // one index per template (the stack's, or a StackSet's body): the audit read each in one context
  const indexes = new Map<AuditContext, TemplateIndex>();
  const indexOf = (audit: RoleAudit): TemplateIndex => {
    let index = indexes.get(audit.context);
    if (index === undefined) {
      index = new TemplateIndex(audit.context);
      indexes.set(audit.context, index);
    }
    return index;
  };
  return audits.map(audit => {
    const index = indexOf(audit);
    const declared: DeclaredRole = declaredRoleOf(audit.roleLogicalId, audit.branches, audit.properties, index.ctx,
      { templateFile: t.file, stackName: t.stackName, region: t.region, inStackSet: audit.inStackSet });
    return {
      account: audit.inStackSet ? STACKSET_ACCOUNT : declared.account ?? UNKNOWN_ACCOUNT,
      role: declared.roleName ?? audit.roleLogicalId,
      ...(declared.roleArn !== undefined ? { roleArn: declared.roleArn } : {}),
      logicalId: audit.roleLogicalId,
      ...(t.stackName !== undefined ? { stack: t.stackName } : {}),
      template: t.file,
      ...(t.region !== undefined ? { region: t.region } : {}),
      maxSessionDurationSeconds: declared.maxSessionDuration,
      trusts: declared.trusts.map(trust => {
        // the trusted side: the accounts of the trust that are the app's, and who of the app may assume the role from them
        const appAccounts = trust.accounts.filter(a => model.accounts.has(a));
        const role = audit.inStackSet ? undefined : modelRole(model, t.file, audit.roleLogicalId);
        return { ...trust, labels: guardLabels(trust), appAccounts, assumers: assumersOf(model, role, appAccounts) };
      }),
      permissions: permissionsOf(audit.properties, index.policiesOf(audit.roleLogicalId), index.ctx),
      monitored: isWatched(declared, index.watched),
      // findings acknowledged in the template's Metadata are left out, as the plugin and the CLI leave them out
      findings: audit.findings.filter(f => f.acknowledgedReason === undefined)
        .map(f => ({ rule: f.ruleId, severity: f.severity, message: f.messages.join('; ') })),
    };
  });
}

/** Orders roles by account, name, template and logical ID. */
function compareRoles(a: MapRole, b: MapRole): number {
  return compareText(a.account, b.account) || compareText(a.role, b.role)
    || compareText(a.template, b.template) || compareText(a.logicalId, b.logicalId);
}

/**
 * The access map of a set of templates. `rules` is what the trust rules may
 * know beyond each template (the plugin knows the app's organisation
 * perimeters; the CLI sees templates only).
 */
export function buildAccessMap(templates: MapTemplate[], rules: RuleContext = {}): AccessMap {
  const read = templates.map(t => ({ ...t, template: t.template ?? JSON.parse(fs.readFileSync(t.path, 'utf-8')) as unknown }));
  const model = mapModel(read);
  const roles: MapRole[] = [];
  const shares: MapShare[] = [];
  for (const t of read) {
    const { roles: audits, policies } = auditOf(t, rules);
    roles.push(...rolesOf(t, audits, model));
    shares.push(...sharesOf(t, policies));
  }
  return { version: ACCESS_MAP_VERSION, roles: roles.sort(compareRoles), ...shares.length > 0 ? { shares: shares.sort(compareShares) } : {} };
}

/** The map as `cross-account-access.json`. */
export function renderJson(map: AccessMap): string {
  return JSON.stringify(map, undefined, 2) + '\n';
}
