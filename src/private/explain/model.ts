/**
 * The access model of an app: what its synthesized templates say about who
 * may do what. IAM users, groups and roles with their policies, boundaries,
 * tags and trust policies; the resource-based policies of buckets, keys,
 * queues, topics, secrets, repositories, functions and event buses; the
 * organisation's SCPs and RCPs. Read by the audit engine's template reader
 * and the library's one intrinsic resolver, once, for every question asked of
 * it.
 */
import { auditContext } from '../audit/engine';
import { AuditContext } from '../audit/resolve';
import { SHARED_RESOURCE_WORDS } from '../audit/resource-policies';
import { UNRESOLVED } from '../audit/rules/types';
import { JsonObject, TemplateResource, isObject, propertiesOf, resourcesOf } from '../audit/template';
import { readTrustDocument } from '../audit/trust-document';
import { Policy, PolicySource, readPolicy, unknownPolicy } from '../evaluator';
import { resolveForModel } from './resolve';

/** A template of the app, as the model reads it. */
export interface ModelTemplate {
  /** The file, as the reports name it. */
  readonly file: string;
  readonly template: unknown;
  /** The stack's account and region, when literal. */
  readonly account?: string;
  readonly region?: string;
  readonly stackName?: string;
  /** Finds the line and column of a path of the template. */
  readonly positionOf?: (path: string[]) => { readonly line: number; readonly column: number };
}

/** An IAM user, group or role of the app. */
export interface Identity {
  readonly kind: 'user' | 'group' | 'role';
  readonly logicalId: string;
  readonly template: ModelTemplate;
  /** The account of its stack, when literal. */
  readonly account?: string;
  readonly partition: string;
  /** Its name, when literal (a generated name is only known at deploy time). */
  readonly name?: string;
  readonly path: string;
  /** Its ARN, when its account and name are literal. */
  readonly arn?: string;
  /** Its tags, when literal (a role session's and a user's `aws:PrincipalTag/<key>`). */
  readonly tags: Record<string, string>;
  /** Its identity-based policies: inline, managed, and (a user's) its groups'. */
  readonly policies: Policy[];
  /** Its permissions boundary. */
  readonly boundary?: Policy;
  /** A role's trust policy. */
  readonly trust?: Policy;
  /** A role's `MaxSessionDuration`, in seconds (3600 when not set). */
  readonly maxSessionDuration?: number;
  /** A user's groups. */
  readonly groups: Identity[];
}

/** The kinds of resource whose resource-based policy the model reads. */
export type ResourceKind = 'bucket' | 'key' | 'queue' | 'topic' | 'secret' | 'repository' | 'function' | 'event-bus' | 'table';

/** A resource of the app with a resource-based policy (or none). */
export interface ModelResource {
  readonly kind: ResourceKind;
  readonly logicalId: string;
  readonly template: ModelTemplate;
  readonly account?: string;
  readonly region?: string;
  /** Its ARN, with UNRESOLVED where a part is only known at deploy time (a key's ID). */
  readonly arn: string;
  /** Its resource-based policies (a bucket's, a key's, a function's permissions ...). */
  readonly policies: Policy[];
  /** A key's alias names (`alias/...`). */
  readonly aliases: string[];
}

/** An SCP or RCP of the app and where it is attached. */
export interface ControlPolicy {
  readonly policy: Policy;
  /** Roots, OUs and accounts. */
  readonly targets: string[];
}

/** The organisation, as the app declares it. */
export interface ModelOrganization {
  /** The organisation ID, from the perimeter's policies (or the options). */
  readonly organizationId?: string;
  /** Accounts known to be in the organisation: the app's (but those its policies let in from outside), the policies' account targets, the options'. */
  readonly members: Set<string>;
  /** Accounts that deploy organisation policies: the management account (or a delegated administrator). */
  readonly managers: Set<string>;
  readonly scps: ControlPolicy[];
  readonly rcps: ControlPolicy[];
}

/** The access model of an app. */
export interface AccessModel {
  readonly identities: Identity[];
  readonly resources: ModelResource[];
  readonly organization: ModelOrganization;
  /** Accounts with a stack in the app. */
  readonly accounts: Set<string>;
}

/** What the model is told beyond the templates. */
export interface ModelOptions {
  /** Accounts known to be members of the organisation. */
  readonly memberAccounts?: string[];
  /** The organisation's ID. */
  readonly organizationId?: string;
}

/** AWS managed policies the model knows the content of; any other is unknown. */
const KNOWN_AWS_MANAGED: Record<string, unknown> = {
  AdministratorAccess: { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: '*', Resource: '*' }] },
};

/** A template read: its resources and the context to resolve them. */
interface ReadTemplate {
  readonly input: ModelTemplate;
  readonly resources: Record<string, TemplateResource>;
  readonly ctx: AuditContext;
}

const list = (value: unknown): unknown[] => (value === undefined ? [] : Array.isArray(value) ? value : [value]);

/** Where a policy is, for the reasons and reports. */
function source(t: ReadTemplate, logicalId: string, description: string, path: string[], policyName?: string): PolicySource {
  return {
    description,
    file: t.input.file,
    ...(t.input.stackName !== undefined ? { stack: t.input.stackName } : {}),
    logicalId,
    ...(policyName !== undefined ? { policyName } : {}),
    path: ['Resources', logicalId, ...path],
    ...(t.input.positionOf !== undefined ? { positionOf: t.input.positionOf } : {}),
  };
}

/** A policy document of a resource, resolved and read. */
function policyAt(t: ReadTemplate, logicalId: string, document: unknown, description: string, path: string[], policyName?: string): Policy {
  return readPolicy(resolveForModel(document, t.ctx), source(t, logicalId, description, path, policyName));
}

/** A literal string of a resolved value, or undefined. */
function literal(value: unknown): string | undefined {
  return typeof value === 'string' && !value.includes(UNRESOLVED) ? value : undefined;
}

/** The literal tags of a resource (`Tags: [{Key, Value}]`). */
function tagsOf(t: ReadTemplate, resource: TemplateResource): Record<string, string> {
  const tags: Record<string, string> = {};
  for (const tag of list(resolveForModel(propertiesOf(resource).Tags, t.ctx))) {
    if (isObject(tag) && literal(tag.Key) !== undefined && literal(tag.Value) !== undefined) { tags[tag.Key as string] = tag.Value as string; }
  }
  return tags;
}

/** A mutable identity, while the model is built. */
type Building = Identity & { policies: Policy[]; groups: Identity[]; groupRefs: unknown[] };

const KIND_OF_TYPE: Record<string, Identity['kind']> = { 'AWS::IAM::User': 'user', 'AWS::IAM::Group': 'group', 'AWS::IAM::Role': 'role' };
const NAME_PROPERTY: Record<Identity['kind'], string> = { user: 'UserName', group: 'GroupName', role: 'RoleName' };

/** The identities of a template, without their policies yet. */
function identitiesOf(t: ReadTemplate): Building[] {
  const identities: Building[] = [];
  for (const [logicalId, resource] of Object.entries(t.resources)) {
    const kind = typeof resource.Type === 'string' ? KIND_OF_TYPE[resource.Type] : undefined;
    if (kind === undefined) { continue; }
    const properties = propertiesOf(resource);
    const name = literal(resolveForModel(properties[NAME_PROPERTY[kind]], t.ctx));
    const path = literal(resolveForModel(properties.Path, t.ctx)) ?? '/';
    const arn = name !== undefined && t.ctx.account !== undefined ? `arn:${t.ctx.partition}:iam::${t.ctx.account}:${kind}${path}${name}` : undefined;
    const description = `${kind} ${name ?? logicalId}${t.input.stackName !== undefined ? ` (stack ${t.input.stackName})` : ''}`;
    const inline = list(properties.Policies).flatMap((p, i) => (isObject(p)
      ? [policyAt(t, logicalId, p.PolicyDocument, `the inline policy ${literal(p.PolicyName) ?? i} of ${description}`, ['Properties', 'Policies', String(i), 'PolicyDocument'], literal(p.PolicyName))]
      : []));
    identities.push({
      kind,
      logicalId,
      template: t.input,
      ...(t.ctx.account !== undefined ? { account: t.ctx.account } : {}),
      partition: t.ctx.partition,
      ...(name !== undefined ? { name } : {}),
      path,
      ...(arn !== undefined ? { arn } : {}),
      tags: tagsOf(t, resource),
      policies: inline,
      groups: [],
      groupRefs: kind === 'user' ? list(properties.Groups) : [],
      ...(kind === 'role' ? {
        trust: trustPolicyOf(t, logicalId, properties, description),
        maxSessionDuration: typeof properties.MaxSessionDuration === 'number' ? properties.MaxSessionDuration : 3600,
      } : {}),
    });
  }
  return identities;
}

/** A role's trust policy, in any of the forms the audit reads (an object, a JSON string, `Fn::Sub` / `Fn::Join` of one). */
function trustPolicyOf(t: ReadTemplate, logicalId: string, properties: JsonObject, description: string): Policy {
  const raw = properties.AssumeRolePolicyDocument;
  const where = source(t, logicalId, `the trust policy of ${description}`, ['Properties', 'AssumeRolePolicyDocument']);
  if (isObject(raw) && !('Fn::Sub' in raw) && !('Fn::Join' in raw) && !('Fn::If' in raw)) {
    return readPolicy(resolveForModel(raw, t.ctx), where);
  }
  const { document } = readTrustDocument(raw, t.ctx);
  return document !== undefined ? readPolicy(document, where) : unknownPolicy(where);
}

/** Builds the model of an app from its templates. */
export function buildModel(templates: readonly ModelTemplate[], options: ModelOptions = {}): AccessModel {
  const read: ReadTemplate[] = templates.map(input => {
    const resources = resourcesOf(input.template);
    return { input, resources, ctx: auditContext(input.region, input.account, resources) };
  });
  const identities = read.flatMap(identitiesOf);
  const byLogicalId = new Map<string, Building>(identities.map(i => [`${i.template.file}\u0000${i.logicalId}`, i]));
  const byName = (kind: Identity['kind'], account: string | undefined, name: string) =>
    identities.filter(i => i.kind === kind && i.name === name && (account === undefined || i.account === undefined || i.account === account));
  /** The identities a `Users` / `Groups` / `Roles` entry names: a `Ref` to one of the template, or a name in its account. */
  const named = (t: ReadTemplate, kind: Identity['kind'], entry: unknown): Building[] => {
    if (isObject(entry) && typeof entry.Ref === 'string') {
      const own = byLogicalId.get(`${t.input.file}\u0000${entry.Ref}`);
      if (own !== undefined) { return own.kind === kind ? [own] : []; }
    }
    const name = literal(resolveForModel(entry, t.ctx));
    return name !== undefined ? byName(kind, t.ctx.account, name.slice(name.lastIndexOf('/') + 1)) : [];
  };

  // managed policies: by ARN in their account; their own Users / Groups / Roles attach them
  const managed = new Map<string, Policy>();
  for (const t of read) {
    for (const [logicalId, resource] of Object.entries(t.resources)) {
      if (resource.Type !== 'AWS::IAM::ManagedPolicy' && resource.Type !== 'AWS::IAM::Policy') { continue; }
      const properties = propertiesOf(resource);
      const isManaged = resource.Type === 'AWS::IAM::ManagedPolicy';
      const name = literal(resolveForModel(properties[isManaged ? 'ManagedPolicyName' : 'PolicyName'], t.ctx)) ?? logicalId;
      const policy = policyAt(t, logicalId, properties.PolicyDocument, `the ${isManaged ? 'managed' : 'inline'} policy ${name}${t.input.stackName !== undefined ? ` (stack ${t.input.stackName})` : ''}`, ['Properties', 'PolicyDocument'], name);
      if (isManaged) { managed.set(`${t.input.file}\u0000${logicalId}`, policy); }
      for (const [property, kind] of [['Users', 'user'], ['Groups', 'group'], ['Roles', 'role']] as const) {
        for (const entry of list(properties[property])) {
          for (const identity of named(t, kind, entry)) { identity.policies.push(policy); }
        }
      }
    }
  }
  /** A managed policy an identity names by ARN: one of the app (a `Ref`, or its ARN), an AWS managed one, or unknown. */
  const managedPolicy = (t: ReadTemplate, owner: string, entry: unknown, description: string): Policy => {
    if (isObject(entry) && typeof entry.Ref === 'string' && managed.has(`${t.input.file}\u0000${entry.Ref}`)) {
      return managed.get(`${t.input.file}\u0000${entry.Ref}`)!;
    }
    const arn = literal(resolveForModel(entry, t.ctx));
    const awsManaged = arn !== undefined ? /^arn:[^:]+:iam::aws:policy\/(?:.*\/)?([^/]+)$/.exec(arn) : null;
    if (awsManaged !== null && KNOWN_AWS_MANAGED[awsManaged[1]] !== undefined) {
      return readPolicy(KNOWN_AWS_MANAGED[awsManaged[1]], { description: `the AWS managed policy ${awsManaged[1]} of ${description}` });
    }
    const where = { description: `the managed policy ${arn ?? 'known at deploy time'} of ${description}, which the app does not define`, logicalId: owner };
    return unknownPolicy(where);
  };
  for (const identity of identities) {
    const t = read.find(r => r.input === identity.template)!;
    const properties = propertiesOf(t.resources[identity.logicalId]);
    const description = `${identity.kind} ${identity.name ?? identity.logicalId}`;
    for (const entry of list(properties.ManagedPolicyArns)) {
      const policy = managedPolicy(t, identity.logicalId, entry, description);
      if (!identity.policies.includes(policy)) { identity.policies.push(policy); }
    }
    if (properties.PermissionsBoundary !== undefined) {
      (identity as { boundary?: Policy }).boundary = managedPolicy(t, identity.logicalId, properties.PermissionsBoundary, description);
    }
  }
  // a user's groups: its own `Groups`, and `AWS::IAM::UserToGroupAddition`s
  for (const identity of identities.filter(i => i.kind === 'user')) {
    const t = read.find(r => r.input === identity.template)!;
    identity.groups.push(...identity.groupRefs.flatMap(entry => named(t, 'group', entry)));
  }
  for (const t of read) {
    for (const resource of Object.values(t.resources).filter(r => r.Type === 'AWS::IAM::UserToGroupAddition')) {
      const properties = propertiesOf(resource);
      const groups = named(t, 'group', properties.GroupName);
      for (const user of list(properties.Users).flatMap(entry => named(t, 'user', entry))) {
        user.groups.push(...groups.filter(g => !user.groups.includes(g)));
      }
    }
  }
  for (const user of identities.filter(i => i.kind === 'user')) {
    for (const group of user.groups) { user.policies.push(...group.policies.filter(p => !user.policies.includes(p))); }
  }

  const accounts = new Set(read.map(t => t.ctx.account).filter((a): a is string => a !== undefined));
  return {
    identities: identities.map(({ groupRefs: _groupRefs, ...identity }) => identity),
    resources: read.flatMap(resourcesWithPolicies),
    organization: organizationOf(read, accounts, options),
    accounts,
  };
}

/** The resource a reference names (a `Ref` or `Fn::GetAtt` of a resource of the template), by logical ID. */
function referenced(value: unknown): string | undefined {
  if (!isObject(value)) { return undefined; }
  if (typeof value.Ref === 'string') { return value.Ref; }
  const getAtt = value['Fn::GetAtt'];
  if (Array.isArray(getAtt) && typeof getAtt[0] === 'string') { return getAtt[0]; }
  return typeof getAtt === 'string' ? getAtt.split('.')[0] : undefined;
}

/** The kind of each shared resource type: its name in words, hyphenated (`event-bus`). */
const RESOURCE_TYPES: Record<string, ResourceKind> = {
  ...Object.fromEntries(Object.entries(SHARED_RESOURCE_WORDS).map(([type, words]) => [type, words.replace(/ /g, '-') as ResourceKind])),
  // a table's resource-based policy is a property of the table (ResourcePolicy.PolicyDocument); most tables have none,
  // and then the caller's own policies decide in its account
  'AWS::DynamoDB::Table': 'table',
};

/** The resources of a template with the model's kinds, and their resource-based policies wherever they are written. */
function resourcesWithPolicies(t: ReadTemplate): ModelResource[] {
  const found = new Map<string, ModelResource & { policies: Policy[]; aliases: string[] }>();
  for (const [logicalId, resource] of Object.entries(t.resources)) {
    const kind = typeof resource.Type === 'string' ? RESOURCE_TYPES[resource.Type] : undefined;
    if (kind === undefined) { continue; }
    const arn = resolveForModel({ 'Fn::GetAtt': [logicalId, 'Arn'] }, t.ctx);
    found.set(logicalId, {
      kind,
      logicalId,
      template: t.input,
      ...(t.ctx.account !== undefined ? { account: t.ctx.account } : {}),
      ...(t.ctx.region !== undefined ? { region: t.ctx.region } : {}),
      arn: typeof arn === 'string' ? arn : UNRESOLVED,
      policies: [],
      aliases: [],
    });
  }
  const add = (target: unknown, policy: Policy) => {
    const id = referenced(target);
    const resource = id !== undefined ? found.get(id) : undefined;
    if (resource !== undefined) { resource.policies.push(policy); }
  };
  const name = (id: string) => ` ${id}${t.input.stackName !== undefined ? ` (stack ${t.input.stackName})` : ''}`;
  for (const [logicalId, resource] of Object.entries(t.resources)) {
    const properties = propertiesOf(resource);
    switch (resource.Type) {
      case 'AWS::S3::BucketPolicy':
        add(properties.Bucket, policyAt(t, logicalId, properties.PolicyDocument, `the bucket policy${name(logicalId)}`, ['Properties', 'PolicyDocument']));
        break;
      case 'AWS::KMS::Key':
        found.get(logicalId)!.policies.push(policyAt(t, logicalId, properties.KeyPolicy, `the key policy of${name(logicalId)}`, ['Properties', 'KeyPolicy']));
        break;
      case 'AWS::KMS::Alias': {
        const key = found.get(referenced(properties.TargetKeyId) ?? '');
        const alias = literal(resolveForModel(properties.AliasName, t.ctx));
        if (key !== undefined && alias !== undefined) { key.aliases.push(alias); }
        break;
      }
      case 'AWS::SQS::QueuePolicy':
        list(properties.Queues).forEach(q => add(q, policyAt(t, logicalId, properties.PolicyDocument, `the queue policy${name(logicalId)}`, ['Properties', 'PolicyDocument'])));
        break;
      case 'AWS::SNS::TopicPolicy':
        list(properties.Topics).forEach(q => add(q, policyAt(t, logicalId, properties.PolicyDocument, `the topic policy${name(logicalId)}`, ['Properties', 'PolicyDocument'])));
        break;
      case 'AWS::SecretsManager::ResourcePolicy':
        add(properties.SecretId, policyAt(t, logicalId, properties.ResourcePolicy, `the secret's resource policy${name(logicalId)}`, ['Properties', 'ResourcePolicy']));
        break;
      case 'AWS::ECR::Repository':
        if (properties.RepositoryPolicyText !== undefined) {
          found.get(logicalId)!.policies.push(policyAt(t, logicalId, properties.RepositoryPolicyText, `the repository policy of${name(logicalId)}`, ['Properties', 'RepositoryPolicyText']));
        }
        break;
      case 'AWS::Lambda::Permission':
        add(properties.FunctionName, lambdaPermission(t, logicalId, properties, name(logicalId)));
        break;
      case 'AWS::DynamoDB::Table':
        if (isObject(properties.ResourcePolicy) && properties.ResourcePolicy.PolicyDocument !== undefined) {
          found.get(logicalId)!.policies.push(policyAt(t, logicalId, properties.ResourcePolicy.PolicyDocument,
            `the table policy of${name(logicalId)}`, ['Properties', 'ResourcePolicy', 'PolicyDocument']));
        }
        break;
      case 'AWS::Events::EventBusPolicy':
        addEventBusPolicy(t, logicalId, properties, found, name(logicalId));
        break;
      default:
        break;
    }
  }
  return Array.from(found.values());
}

/**
 * An `AWS::Lambda::Permission` as the statement Lambda adds to the
 * function's resource-based policy: its principal (an account, an ARN, a
 * service), action and conditions (`SourceArn`, `SourceAccount`,
 * `PrincipalOrgID`).
 *
 * @see https://docs.aws.amazon.com/lambda/latest/dg/access-control-resource-based.html
 */
function lambdaPermission(t: ReadTemplate, logicalId: string, properties: JsonObject, what: string): Policy {
  const principal = resolveForModel(properties.Principal, t.ctx);
  const principalElement = typeof principal === 'string' && /\.amazonaws\.com(\.cn)?$/.test(principal) ? { Service: principal } : { AWS: principal };
  const condition: Record<string, Record<string, unknown>> = {};
  if (properties.SourceArn !== undefined) { condition.ArnLike = { 'AWS:SourceArn': resolveForModel(properties.SourceArn, t.ctx) }; }
  if (properties.SourceAccount !== undefined) { condition.StringEquals = { 'AWS:SourceAccount': resolveForModel(properties.SourceAccount, t.ctx) }; }
  if (properties.PrincipalOrgID !== undefined) {
    condition.StringEquals = { ...condition.StringEquals, 'aws:PrincipalOrgID': resolveForModel(properties.PrincipalOrgID, t.ctx) };
  }
  const functionArn = resolveForModel(properties.FunctionName, t.ctx);
  const document = {
    Version: '2012-10-17',
    Statement: [{
      Effect: 'Allow',
      Principal: principalElement,
      Action: resolveForModel(properties.Action, t.ctx),
      Resource: typeof functionArn === 'string' && functionArn.startsWith('arn:') ? functionArn : '*',
      ...Object.keys(condition).length > 0 ? { Condition: condition } : {},
    }],
  };
  return readPolicy(document, source(t, logicalId, `the Lambda permission${what}`, ['Properties']));
}

/** An `AWS::Events::EventBusPolicy`: its `Statement`, or the older `Action` / `Principal` / `Condition` form. */
function addEventBusPolicy(t: ReadTemplate, logicalId: string, properties: JsonObject,
  found: Map<string, ModelResource & { policies: Policy[] }>, what: string): void {
  const busName = literal(resolveForModel(properties.EventBusName, t.ctx)) ?? 'default';
  const bus = Array.from(found.values()).find(r => r.kind === 'event-bus' && (r.arn.endsWith(`/${busName}`) || r.logicalId === referenced(properties.EventBusName)));
  const statement = properties.Statement !== undefined ? properties.Statement : {
    Sid: properties.StatementId,
    Effect: 'Allow',
    Principal: { AWS: properties.Principal },
    Action: properties.Action,
    Resource: '*',
    ...properties.Condition !== undefined ? { Condition: properties.Condition } : {},
  };
  const policy = policyAt(t, logicalId, { Version: '2012-10-17', Statement: [statement] }, `the event bus policy${what}`, ['Properties']);
  if (bus !== undefined) { bus.policies.push(policy); }
}

/** The organisation's policies in the app (`AWS::Organizations::Policy`), its ID, members and managers. */
function organizationOf(read: ReadTemplate[], accounts: Set<string>, options: ModelOptions): ModelOrganization {
  const scps: ControlPolicy[] = [];
  const rcps: ControlPolicy[] = [];
  const managers = new Set<string>();
  let organizationId = options.organizationId;
  for (const t of read) {
    for (const [logicalId, resource] of Object.entries(t.resources)) {
      if (resource.Type !== 'AWS::Organizations::Policy') { continue; }
      const properties = propertiesOf(resource);
      const type = properties.Type;
      if (type !== 'SERVICE_CONTROL_POLICY' && type !== 'RESOURCE_CONTROL_POLICY') { continue; }
      if (t.ctx.account !== undefined) { managers.add(t.ctx.account); }
      const content = resolveForModel(properties.Content, t.ctx);
      const document = typeof content === 'string' ? safeParse(content) : content;
      const policyName = literal(resolveForModel(properties.Name, t.ctx)) ?? logicalId;
      const policy = readPolicy(document, source(t, logicalId, `the ${type === 'SERVICE_CONTROL_POLICY' ? 'SCP' : 'RCP'} ${policyName}`, ['Properties', 'Content'], policyName));
      const targets = list(resolveForModel(properties.TargetIds, t.ctx)).filter((v): v is string => typeof v === 'string');
      (type === 'SERVICE_CONTROL_POLICY' ? scps : rcps).push({ policy, targets });
      organizationId ??= organizationIdIn(policy);
    }
  }
  // An account of the app is taken for a member, unless the organisation's own
  // policies name it as one from outside: a third party (a vendor's stack of a
  // pair), which an SCP does not reach and which has no aws:PrincipalOrgID.
  const outside = outsideAccounts([...scps, ...rcps]);
  const members = new Set<string>([...accounts].filter(account => !outside.has(account)));
  for (const account of options.memberAccounts ?? []) { members.add(account); }
  for (const control of [...scps, ...rcps]) {
    control.targets.filter(target => /^\d{12}$/.test(target)).forEach(target => members.add(target));
  }
  return { ...(organizationId !== undefined ? { organizationId } : {}), members, managers, scps, rcps };
}

/**
 * Accounts the organisation's policies let in from outside it: the exceptions
 * of a Deny that tests `aws:PrincipalOrgID` (`StringNotEquals…
 * aws:PrincipalAccount`, as the perimeter's RCP writes its third parties, and
 * as AWS's data-perimeter examples write trusted outside accounts).
 */
function outsideAccounts(controls: readonly ControlPolicy[]): Set<string> {
  const outside = new Set<string>();
  for (const statement of controls.flatMap(control => control.policy.statements)) {
    if (statement.effect !== 'Deny' || !statement.conditions.some(c => c.key.toLowerCase() === 'aws:principalorgid')) { continue; }
    statement.conditions
      .filter(c => c.key.toLowerCase() === 'aws:principalaccount' && /^StringNotEquals(IgnoreCase)?(IfExists)?$/.test(c.operator))
      .flatMap(c => c.values).filter(v => /^\d{12}$/.test(v)).forEach(v => outside.add(v));
  }
  return outside;
}

function safeParse(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/** The organisation ID a policy compares `aws:PrincipalOrgID` with (the perimeter's RCP does). */
function organizationIdIn(policy: Policy): string | undefined {
  for (const statement of policy.statements) {
    const condition = statement.conditions.find(c => c.key.toLowerCase() === 'aws:principalorgid' && c.values.length === 1 && /^o-[a-z0-9]+$/.test(c.values[0]));
    if (condition !== undefined) { return condition.values[0]; }
  }
  return undefined;
}
