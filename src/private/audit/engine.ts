/**
 * The template audit: from a template's JSON to the findings of each of its
 * roles. The validation plugin (`CrossAccountTrustChecks`) and the CLI
 * (`cdk-cross-account-roles audit`) both call it, so they judge alike.
 */
import { RegionInfo } from 'aws-cdk-lib/region-info';
import { AuditContext } from './resolve';
import { auditedRoles } from './roles';
import { AuditedRole, RuleContext, TRUST_RULES } from './rules';
import { JsonObject, TemplateResource, isObject, propertiesOf, resourcesOf } from './template';

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
  /** The role as the rules see it, on each branch of the `Fn::If`s of its trust policy. */
  readonly branches: AuditedRole[];
  /** The findings, acknowledged ones included (see `acknowledgedReason`). */
  readonly findings: AuditFinding[];
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
export function acknowledgementsOf(logicalId: string, resource: TemplateResource, problems: AcknowledgementProblem[] = []): Map<string, string> {
  const acknowledged = new Map<string, string>();
  const ours = isObject(resource.Metadata) ? resource.Metadata[ACKNOWLEDGEMENT_METADATA_KEY] : undefined;
  if (ours === undefined) { return acknowledged; }
  const entries = isObject(ours) ? ours.acknowledge : undefined;
  if (!Array.isArray(entries)) {
    problems.push({ logicalId, index: -1, problem: `Metadata.${ACKNOWLEDGEMENT_METADATA_KEY} must be an object with an 'acknowledge' list of { id, reason }` });
    return acknowledged;
  }
  entries.forEach((entry, index) => {
    const id = isObject(entry) ? entry.id : undefined;
    const reason = isObject(entry) ? entry.reason : undefined;
    if (typeof id !== 'string' || !TRUST_RULES.some(rule => rule.id === id)) {
      problems.push({ logicalId, index, problem: `acknowledgement ${index} names no rule of this library (got ${JSON.stringify(id)}; the rules: ${TRUST_RULES.map(r => r.id).join(', ')})` });
    } else if (typeof reason !== 'string' || reason.trim() === '') {
      problems.push({ logicalId, index, problem: `acknowledgement ${index} of ${id} gives no reason: add 'reason: <why this trust is intended>'` });
    } else {
      acknowledged.set(id, reason);
    }
  });
  return acknowledged;
}

/** The findings of one role, one per rule, the rule's findings on every branch together. */
function judge(branches: AuditedRole[], prefix: string, what: string, acknowledged: Map<string, string>, context: RuleContext = {}): AuditFinding[] {
  const findings: AuditFinding[] = [];
  for (const rule of TRUST_RULES) {
    // a finding on either branch of an Fn::If counts, once
    const all = branches.length === 1 ? rule.check(branches[0], context) : branches.flatMap(role => rule.check(role, context));
    if (all.length === 0) { continue; }
    const found = Array.from(new Map(all.map(f => [`${f.location}#${f.message}`, f])).values());
    const messages = found.map(f => f.message);
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

/** The resources of a StackSet's inline JSON template; undefined for YAML, a token or anything unparsable. */
export function stackSetResources(templateBody: unknown): Record<string, TemplateResource> | undefined {
  if (typeof templateBody !== 'string') { return undefined; }
  try {
    const template: unknown = JSON.parse(templateBody);
    return isObject(template) && isObject(template.Resources) ? resourcesOf(template) : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Loads aws-cdk-lib's region facts now: `RegionInfo` is a lazy export that
 * reads them on first use (about 100 ms), which would otherwise fall inside
 * the first synthesis's `validate()`. The plugin calls this when it is created.
 */
export function preloadRegionFacts(): void {
  RegionInfo.get(DEFAULT_REGION_FOR_PRELOAD);
}

/** Any region: asking for one loads the facts of all. */
const DEFAULT_REGION_FOR_PRELOAD = 'us-east-1';

/**
 * What resolving a template's intrinsics needs: its resources, and the
 * account and region it deploys to (the partition and URL suffix follow from
 * a known region, and default to `aws` / `amazonaws.com`).
 */
export function auditContext(region: string | undefined, account: string | undefined, resources: Record<string, TemplateResource>): AuditContext {
  const regionInfo = region !== undefined ? RegionInfo.get(region) : undefined;
  return {
    account,
    region,
    knownPartition: regionInfo?.partition,
    partition: regionInfo?.partition ?? DEFAULT_PARTITION,
    urlSuffix: regionInfo?.domainSuffix ?? DEFAULT_URL_SUFFIX,
    resources,
  };
}

/**
 * Audits every role of a template: its `AWS::IAM::Role`s, and the roles of
 * the inline JSON `TemplateBody` of its StackSets (each deployed in an account
 * of its own, so in an unknown account, in the StackSet's partition).
 */
export function auditTemplate(template: unknown, env: TemplateEnvironment = {}): RoleAudit[] {
  const context = (resources: Record<string, TemplateResource>, account: string | undefined): AuditContext =>
    auditContext(env.region, account, resources);
  const resources = resourcesOf(template);
  const audits: RoleAudit[] = [];
  for (const [logicalId, resource] of Object.entries(resources)) {
    if (resource.Type === 'AWS::IAM::Role') {
      const properties = propertiesOf(resource);
      const branches = auditedRoles(logicalId, properties, context(resources, env.account));
      audits.push({
        resourceLogicalId: logicalId,
        roleLogicalId: logicalId,
        inStackSet: false,
        locationPrefix: '',
        properties,
        branches,
        findings: judge(branches, '', '', acknowledgementsOf(logicalId, resource), env.rules),
      });
    } else if (resource.Type === 'AWS::CloudFormation::StackSet') {
      const body = stackSetResources(propertiesOf(resource).TemplateBody) ?? {};
      const stackSetAcknowledged = acknowledgementsOf(logicalId, resource);
      for (const [roleId, role] of Object.entries(body)) {
        if (role.Type !== 'AWS::IAM::Role') { continue; }
        const properties = propertiesOf(role);
        const branches = auditedRoles(roleId, properties, context(body, undefined));
        const prefix = `Properties/TemplateBody/Resources/${roleId}/`;
        audits.push({
          resourceLogicalId: logicalId,
          roleLogicalId: roleId,
          inStackSet: true,
          locationPrefix: prefix,
          properties,
          branches,
          findings: judge(branches, prefix, ` (role ${roleId} of the StackSet's template)`,
            new Map([...stackSetAcknowledged, ...acknowledgementsOf(roleId, role)]), env.rules),
        });
      }
    }
  }
  return audits;
}
