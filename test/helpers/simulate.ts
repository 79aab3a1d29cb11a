/**
 * Test-only harness: evaluates IAM requests (chiefly cross-account
 * `sts:AssumeRole`) against policies taken from CDK-synthesized CloudFormation
 * templates, using @cloud-copilot/iam-simulate (AGPL, devDependency only).
 *
 * Strict by design: unknown intrinsics, unresolvable references, invalid
 * policies and context keys that do not apply to the request all throw, so a
 * test can never pass because something was silently dropped.
 */
import {
  runSimulation,
  type RunSimulationResults,
  type Simulation,
  type SuccessfulRunSimulationResults,
} from '@cloud-copilot/iam-simulate';

// ---------------------------------------------------------------------------
// CloudFormation resolution
// ---------------------------------------------------------------------------

/** Values for the parts of a template that are only known at deploy time. */
export interface ResolveContext {
  /** The account the template deploys to (`AWS::AccountId`). */
  readonly account: string;
  /** The region the template deploys to (`AWS::Region`); required only if referenced. */
  readonly region?: string;
  /** The partition (`AWS::Partition`). @default 'aws' */
  readonly partition?: string;
  /** The stack name (`AWS::StackName`); required only if referenced. */
  readonly stackName?: string;
  /** Values of template parameters, by parameter name. */
  readonly parameters?: Readonly<Record<string, unknown>>;
  /** Values of `Fn::ImportValue` exports, by export name. */
  readonly imports?: Readonly<Record<string, unknown>>;
  /** The template, for `Fn::GetAtt` and `Ref` to resources. Set automatically by the template helpers. */
  readonly template?: unknown;
  /**
   * What CloudFormation gives for the template's other resources once they are
   * deployed (a bucket's name for `Ref`, its ARN for `Fn::GetAtt ... Arn`), by
   * logical id: a resource policy refers to its resource this way.
   */
  readonly resources?: Readonly<Record<string, DeployedResource>>;
}

/** The values CloudFormation returns for a deployed resource. */
export interface DeployedResource {
  /** What `Ref` returns. */
  readonly ref?: string;
  /** What `Fn::GetAtt` returns, by attribute. */
  readonly attributes?: Readonly<Record<string, string>>;
}

type JsonObject = Record<string, unknown>;

/** A CloudFormation resource as it appears in a template. */
export interface CfnResource {
  readonly Type: string;
  readonly Properties?: JsonObject;
}

const PSEUDO_PARAMETERS = new Set([
  'AWS::Partition', 'AWS::AccountId', 'AWS::Region', 'AWS::URLSuffix', 'AWS::StackName',
]);

/** Name property and ARN resource-type segment of the IAM identities whose ARN we can compute. */
const IAM_IDENTITY_TYPES: Readonly<Record<string, { nameProp: string; arnType: string }>> = {
  'AWS::IAM::Role': { nameProp: 'RoleName', arnType: 'role' },
  'AWS::IAM::User': { nameProp: 'UserName', arnType: 'user' },
  'AWS::IAM::Group': { nameProp: 'GroupName', arnType: 'group' },
};

function isObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function show(value: unknown): string {
  return JSON.stringify(value);
}

function resourcesOf(template: unknown): Record<string, CfnResource> {
  if (!isObject(template) || !isObject(template.Resources)) {
    throw new Error('Expected a CloudFormation template with a Resources section');
  }
  const resources: Record<string, CfnResource> = {};
  for (const [id, resource] of Object.entries(template.Resources)) {
    if (!isObject(resource) || typeof resource.Type !== 'string') {
      throw new Error(`Resource ${id} has no Type`);
    }
    if (resource.Properties !== undefined && !isObject(resource.Properties)) {
      throw new Error(`Resource ${id} has non-object Properties`);
    }
    resources[id] = { Type: resource.Type, Properties: resource.Properties as JsonObject | undefined };
  }
  return resources;
}

function resourceInContext(logicalId: string, ctx: ResolveContext, what: string): CfnResource | undefined {
  if (ctx.template === undefined) {
    throw new Error(`Cannot resolve ${what}: no template in the ResolveContext`);
  }
  return resourcesOf(ctx.template)[logicalId];
}

function resolveString(value: unknown, ctx: ResolveContext, what: string): string {
  const resolved = resolveCfn(value, ctx);
  if (typeof resolved !== 'string') {
    throw new Error(`${what} must resolve to a string, got ${show(resolved)}`);
  }
  return resolved;
}

/** The literal (resolved) name of an IAM role/user/group resource, or undefined if CloudFormation would generate it. */
function identityNameOf(logicalId: string, resource: CfnResource, ctx: ResolveContext): string | undefined {
  const kind = IAM_IDENTITY_TYPES[resource.Type];
  if (!kind) {
    throw new Error(`Resource ${logicalId} is a ${resource.Type}, not an IAM role, user or group`);
  }
  const name = resource.Properties?.[kind.nameProp];
  return name === undefined ? undefined : resolveString(name, ctx, `${logicalId}.${kind.nameProp}`);
}

function identityArnOf(logicalId: string, resource: CfnResource, ctx: ResolveContext): string {
  const kind = IAM_IDENTITY_TYPES[resource.Type];
  if (!kind) {
    throw new Error(`Cannot compute the ARN of ${logicalId}: ${resource.Type} is not an IAM role, user or group`);
  }
  const name = identityNameOf(logicalId, resource, ctx);
  if (name === undefined) {
    throw new Error(`Cannot compute the ARN of ${logicalId}: it has no ${kind.nameProp} (CloudFormation would generate one)`);
  }
  const rawPath = resource.Properties?.Path;
  const path = rawPath === undefined ? '/' : resolveString(rawPath, ctx, `${logicalId}.Path`);
  return `arn:${ctx.partition ?? 'aws'}:iam::${ctx.account}:${kind.arnType}${path}${name}`;
}

function resolveRef(name: unknown, ctx: ResolveContext): unknown {
  if (typeof name !== 'string') {
    throw new Error(`Ref must name a string, got ${show(name)}`);
  }
  switch (name) {
    case 'AWS::Partition': return ctx.partition ?? 'aws';
    case 'AWS::AccountId': return ctx.account;
    case 'AWS::URLSuffix': return (ctx.partition ?? 'aws') === 'aws-cn' ? 'amazonaws.com.cn' : 'amazonaws.com';
    case 'AWS::Region':
      if (ctx.region === undefined) throw new Error('Ref AWS::Region used but no region in the ResolveContext');
      return ctx.region;
    case 'AWS::StackName':
      if (ctx.stackName === undefined) throw new Error('Ref AWS::StackName used but no stackName in the ResolveContext');
      return ctx.stackName;
    default:
      break;
  }
  if (name.startsWith('AWS::')) {
    throw new Error(`Unsupported pseudo parameter: Ref ${name}`);
  }
  if (ctx.parameters && Object.prototype.hasOwnProperty.call(ctx.parameters, name)) {
    return resolveCfn(ctx.parameters[name], ctx);
  }
  const declaredParameter = isObject(ctx.template) && isObject(ctx.template.Parameters) && name in ctx.template.Parameters;
  if (!declaredParameter && ctx.template !== undefined) {
    const resource = resourceInContext(name, ctx, `Ref ${name}`);
    if (resource && IAM_IDENTITY_TYPES[resource.Type]) {
      const resourceName = identityNameOf(name, resource, ctx);
      if (resourceName === undefined) {
        throw new Error(`Cannot resolve Ref ${name}: the ${resource.Type} has no literal name`);
      }
      return resourceName;
    }
    const deployed = ctx.resources?.[name]?.ref;
    if (resource && deployed !== undefined) {
      return deployed;
    }
    if (resource) {
      throw new Error(`Cannot resolve Ref ${name}: Ref to a ${resource.Type} needs its value in ResolveContext.resources`);
    }
  }
  throw new Error(`Cannot resolve Ref ${name}: no value for parameter '${name}' in ResolveContext.parameters`
    + (declaredParameter ? ' (the template declares it)' : ''));
}

function resolveGetAtt(args: unknown, ctx: ResolveContext): string {
  let logicalId: unknown;
  let attribute: unknown;
  if (typeof args === 'string') {
    [logicalId, attribute] = args.split(/\.(.*)/s);
  } else if (Array.isArray(args) && args.length === 2) {
    [logicalId, attribute] = args;
  } else {
    throw new Error(`Malformed Fn::GetAtt: ${show(args)}`);
  }
  if (typeof logicalId !== 'string' || typeof attribute !== 'string') {
    throw new Error(`Malformed Fn::GetAtt: ${show(args)}`);
  }
  const deployed = ctx.resources?.[logicalId]?.attributes?.[attribute];
  if (deployed !== undefined) {
    if (!resourceInContext(logicalId, ctx, `Fn::GetAtt ${logicalId}.${attribute}`)) {
      throw new Error(`Cannot resolve Fn::GetAtt ${logicalId}.${attribute}: no such resource in the template`);
    }
    return deployed;
  }
  if (attribute !== 'Arn') {
    throw new Error(`Unsupported Fn::GetAtt ${logicalId}.${attribute}: only .Arn of IAM roles, users and groups is supported`);
  }
  const resource = resourceInContext(logicalId, ctx, `Fn::GetAtt ${logicalId}.Arn`);
  if (!resource) {
    throw new Error(`Cannot resolve Fn::GetAtt ${logicalId}.Arn: no such resource in the template`);
  }
  return identityArnOf(logicalId, resource, ctx);
}

function resolveSub(args: unknown, ctx: ResolveContext): string {
  let body: unknown;
  let variables: unknown = {};
  if (Array.isArray(args)) {
    if (args.length !== 2) throw new Error(`Malformed Fn::Sub: ${show(args)}`);
    [body, variables] = args;
  } else {
    body = args;
  }
  if (typeof body !== 'string' || !isObject(variables)) {
    throw new Error(`Malformed Fn::Sub: ${show(args)}`);
  }
  const vars = variables;
  return body.replace(/\$\{([^}]*)\}/g, (_match, expr: string) => {
    if (expr.startsWith('!')) {
      return '${' + expr.slice(1) + '}';
    }
    const name = expr.trim();
    if (Object.prototype.hasOwnProperty.call(vars, name)) {
      return resolveString(vars[name], ctx, `Fn::Sub variable ${name}`);
    }
    if (name.includes('.') && !PSEUDO_PARAMETERS.has(name)) {
      return resolveGetAtt(name, ctx);
    }
    return resolveString({ Ref: name }, ctx, `Fn::Sub variable ${name}`);
  });
}

function resolveIntrinsic(fn: string, args: unknown, ctx: ResolveContext): unknown {
  switch (fn) {
    case 'Ref':
      return resolveRef(args, ctx);
    case 'Fn::Join': {
      if (!Array.isArray(args) || args.length !== 2 || typeof args[0] !== 'string') {
        throw new Error(`Malformed Fn::Join: ${show(args)}`);
      }
      const list = resolveCfn(args[1], ctx);
      if (!Array.isArray(list)) throw new Error(`Fn::Join list must resolve to an array: ${show(args)}`);
      return list.map((part, i) => {
        if (typeof part !== 'string') throw new Error(`Fn::Join element ${i} resolved to a non-string: ${show(part)}`);
        return part;
      }).join(args[0]);
    }
    case 'Fn::Sub':
      return resolveSub(args, ctx);
    case 'Fn::GetAtt':
      return resolveGetAtt(args, ctx);
    case 'Fn::Select': {
      if (!Array.isArray(args) || args.length !== 2) throw new Error(`Malformed Fn::Select: ${show(args)}`);
      const index = Number(resolveCfn(args[0], ctx));
      const list = resolveCfn(args[1], ctx);
      if (!Array.isArray(list) || !Number.isInteger(index) || index < 0 || index >= list.length) {
        throw new Error(`Fn::Select index out of range: ${show(args)}`);
      }
      return list[index];
    }
    case 'Fn::Split': {
      if (!Array.isArray(args) || args.length !== 2 || typeof args[0] !== 'string') {
        throw new Error(`Malformed Fn::Split: ${show(args)}`);
      }
      return resolveString(args[1], ctx, 'Fn::Split source').split(args[0]);
    }
    case 'Fn::ImportValue': {
      const exportName = resolveString(args, ctx, 'Fn::ImportValue name');
      if (!ctx.imports || !Object.prototype.hasOwnProperty.call(ctx.imports, exportName)) {
        throw new Error(`Cannot resolve Fn::ImportValue ${exportName}: no value in ResolveContext.imports`);
      }
      return resolveCfn(ctx.imports[exportName], ctx);
    }
    default:
      throw new Error(`Unsupported CloudFormation intrinsic ${fn}: ${show(args)}`);
  }
}

/**
 * Resolve the CloudFormation intrinsics the CDK emits in IAM policies to plain JSON.
 * Throws on anything it cannot resolve; never passes an intrinsic through.
 */
export function resolveCfn(value: unknown, ctx: ResolveContext): unknown {
  if (Array.isArray(value)) {
    return value.map((item) => resolveCfn(item, ctx));
  }
  if (!isObject(value)) {
    return value;
  }
  const keys = Object.keys(value);
  const intrinsicKeys = keys.filter((k) => k === 'Ref' || k.startsWith('Fn::'));
  if (intrinsicKeys.length > 0) {
    if (keys.length !== 1) {
      throw new Error(`Malformed intrinsic (an intrinsic must be the only key of its object): ${show(value)}`);
    }
    return resolveIntrinsic(keys[0], value[keys[0]], ctx);
  }
  const out: JsonObject = {};
  for (const [k, v] of Object.entries(value)) {
    out[k] = resolveCfn(v, ctx);
  }
  return out;
}

// ---------------------------------------------------------------------------
// Template helpers
// ---------------------------------------------------------------------------

/** Picks a resource: by logical id, or by a predicate over (logicalId, resource). */
export type ResourceSelector = string | ((logicalId: string, resource: CfnResource) => boolean);

function selectOne(template: unknown, type: string, selector: ResourceSelector | undefined): [string, CfnResource] {
  const candidates = Object.entries(resourcesOf(template)).filter(([, r]) => r.Type === type);
  const matches = selector === undefined
    ? candidates
    : candidates.filter(([id, r]) => (typeof selector === 'string' ? id === selector : selector(id, r)));
  if (matches.length !== 1) {
    const described = typeof selector === 'string' ? ` with logical id ${selector}` : selector ? ' matching the predicate' : '';
    throw new Error(`Expected exactly one ${type}${described}, found ${matches.length}`
      + ` (${type}s in template: ${candidates.map(([id]) => id).join(', ') || 'none'})`);
  }
  return matches[0];
}

function withTemplate(template: unknown, ctx: ResolveContext): ResolveContext {
  return { ...ctx, template };
}

function splitSelectorArgs(
  a: ResourceSelector | ResolveContext | undefined, b: ResolveContext | undefined,
): [ResourceSelector | undefined, ResolveContext] {
  if (b !== undefined) return [a as ResourceSelector | undefined, b];
  if (isObject(a)) return [undefined, a as ResolveContext];
  throw new Error('A ResolveContext is required');
}

/** The resolved `AssumeRolePolicyDocument` of the only (or the selected) `AWS::IAM::Role` of a template. */
export function trustPolicyOf(template: unknown, ctx: ResolveContext): unknown;
export function trustPolicyOf(template: unknown, role: ResourceSelector | undefined, ctx: ResolveContext): unknown;
export function trustPolicyOf(template: unknown, a: ResourceSelector | ResolveContext | undefined, b?: ResolveContext): unknown {
  const [selector, ctx] = splitSelectorArgs(a, b);
  const [id, role] = selectOne(template, 'AWS::IAM::Role', selector);
  const doc = role.Properties?.AssumeRolePolicyDocument;
  if (doc === undefined) throw new Error(`Role ${id} has no AssumeRolePolicyDocument`);
  return resolveCfn(doc, withTemplate(template, ctx));
}

/** The ARN of the only (or the selected) `AWS::IAM::Role` of a template; the role must have a `RoleName`. */
export function roleArnOf(template: unknown, ctx: ResolveContext): string;
export function roleArnOf(template: unknown, role: ResourceSelector | undefined, ctx: ResolveContext): string;
export function roleArnOf(template: unknown, a: ResourceSelector | ResolveContext | undefined, b?: ResolveContext): string {
  const [selector, ctx] = splitSelectorArgs(a, b);
  const [id, role] = selectOne(template, 'AWS::IAM::Role', selector);
  return identityArnOf(id, role, withTemplate(template, ctx));
}

/** Where each resource type keeps its policy (a property of its own, or of a policy resource naming it). */
const RESOURCE_POLICY_PROPERTIES: Readonly<Record<string, string>> = {
  'AWS::S3::BucketPolicy': 'PolicyDocument',
  'AWS::SQS::QueuePolicy': 'PolicyDocument',
  'AWS::SNS::TopicPolicy': 'PolicyDocument',
  'AWS::SecretsManager::ResourcePolicy': 'ResourcePolicy',
  'AWS::KMS::Key': 'KeyPolicy',
  'AWS::ECR::Repository': 'RepositoryPolicyText',
};

/**
 * The resolved resource policy of the only (or the selected) resource of a
 * type: a bucket, queue, topic or secret policy resource, a key's
 * `KeyPolicy`, a repository's `RepositoryPolicyText`. An event bus's policy is
 * the statements of its `AWS::Events::EventBusPolicy` resources, and a Lambda
 * function's the statements Lambda makes of its `AWS::Lambda::Permission`
 * resources (see `functionPolicyOf` and `eventBusPolicyOf`).
 */
export function resourcePolicyOf(template: unknown, type: string, ctx: ResolveContext): unknown;
export function resourcePolicyOf(template: unknown, type: string, selector: ResourceSelector | undefined, ctx: ResolveContext): unknown;
export function resourcePolicyOf(template: unknown, type: string, a: ResourceSelector | ResolveContext | undefined, b?: ResolveContext): unknown {
  const [selector, ctx] = splitSelectorArgs(a, b);
  const property = RESOURCE_POLICY_PROPERTIES[type];
  if (property === undefined) throw new Error(`No resource policy property known for ${type}`);
  const [id, resource] = selectOne(template, type, selector);
  const doc = resource.Properties?.[property];
  if (doc === undefined) throw new Error(`${id} has no ${property}`);
  return resolveCfn(doc, withTemplate(template, ctx));
}

/** The resolved policy of an event bus: the statement of each `AWS::Events::EventBusPolicy` of the template. */
export function eventBusPolicyOf(template: unknown, ctx: ResolveContext): unknown {
  const c = withTemplate(template, ctx);
  const statements = Object.entries(resourcesOf(template))
    .filter(([, r]) => r.Type === 'AWS::Events::EventBusPolicy')
    .map(([id, r]) => {
      if (r.Properties?.Statement === undefined) throw new Error(`${id} has no Statement (only the Statement form is supported)`);
      return resolveCfn(r.Properties.Statement, c);
    });
  return { Version: '2012-10-17', Statement: statements };
}

/**
 * The resolved policy of a Lambda function, as Lambda writes its
 * `AWS::Lambda::Permission` resources into it: the principal (an account
 * becomes its root), the action, the function, and `PrincipalOrgID` as an
 * `aws:PrincipalOrgID` condition.
 * https://docs.aws.amazon.com/lambda/latest/dg/access-control-resource-based.html
 */
export function functionPolicyOf(template: unknown, ctx: ResolveContext): unknown {
  const c = withTemplate(template, ctx);
  const statements = Object.entries(resourcesOf(template))
    .filter(([, r]) => r.Type === 'AWS::Lambda::Permission')
    .map(([id, r]) => {
      const props = r.Properties ?? {};
      const unsupported = Object.keys(props).filter(k => !['Action', 'FunctionName', 'Principal', 'PrincipalOrgID'].includes(k));
      if (unsupported.length > 0) throw new Error(`${id} has properties this helper does not render: ${unsupported.join(', ')}`);
      const principal = resolveString(props.Principal, c, `${id}.Principal`);
      const orgId = props.PrincipalOrgID === undefined ? undefined : resolveString(props.PrincipalOrgID, c, `${id}.PrincipalOrgID`);
      return {
        Sid: id,
        Effect: 'Allow',
        Principal: /^\d{12}$/.test(principal) ? { AWS: `arn:${ctx.partition ?? 'aws'}:iam::${principal}:root` } : principal === '*' ? { AWS: '*' } : { AWS: principal },
        Action: resolveString(props.Action, c, `${id}.Action`),
        Resource: resolveString(props.FunctionName, c, `${id}.FunctionName`),
        ...(orgId !== undefined ? { Condition: { StringEquals: { 'aws:PrincipalOrgID': orgId } } } : {}),
      };
    });
  return { Version: '2012-10-17', Statement: statements };
}

/** An IAM identity in a template, by logical id and/or literal name. */
export interface PrincipalRef {
  readonly type: 'user' | 'group' | 'role';
  readonly logicalId?: string;
  readonly name?: string;
}

export interface IdentityPolicyOptions {
  /** Documents of managed policies attached by ARN (e.g. AWS managed policies), by ARN. Unknown ARNs throw. */
  readonly managedPolicyDocuments?: Readonly<Record<string, unknown>>;
  /** For users: include the policies of groups the user belongs to in this template. @default true */
  readonly includeGroupPolicies?: boolean;
}

const PRINCIPAL_TYPES = {
  user: { cfnType: 'AWS::IAM::User', listProp: 'Users' },
  group: { cfnType: 'AWS::IAM::Group', listProp: 'Groups' },
  role: { cfnType: 'AWS::IAM::Role', listProp: 'Roles' },
} as const;

interface LocatedPrincipal {
  readonly logicalId?: string;
  readonly name?: string;
  readonly resource?: CfnResource;
}

function locatePrincipal(template: unknown, principal: PrincipalRef, ctx: ResolveContext): LocatedPrincipal {
  const { cfnType } = PRINCIPAL_TYPES[principal.type];
  if (principal.logicalId === undefined && principal.name === undefined) {
    throw new Error('A principal needs a logicalId or a name');
  }
  const resources = resourcesOf(template);
  if (principal.logicalId !== undefined) {
    const resource = resources[principal.logicalId];
    if (!resource || resource.Type !== cfnType) {
      throw new Error(`No ${cfnType} with logical id ${principal.logicalId} in the template`);
    }
    const literalName = identityNameOf(principal.logicalId, resource, ctx);
    if (principal.name !== undefined && literalName !== undefined && literalName !== principal.name) {
      throw new Error(`${principal.logicalId} is named ${literalName}, not ${principal.name}`);
    }
    return { logicalId: principal.logicalId, name: principal.name ?? literalName, resource };
  }
  const byName = Object.entries(resources)
    .filter(([id, r]) => r.Type === cfnType && identityNameOf(id, r, ctx) === principal.name);
  if (byName.length > 1) throw new Error(`Several ${cfnType}s are named ${principal.name}`);
  // The principal may live in another template (policies attach by literal name).
  return byName.length === 1 ? { logicalId: byName[0][0], name: principal.name, resource: byName[0][1] } : { name: principal.name };
}

/** Does a `Users`/`Groups`/`Roles` list (or a user's `Groups`) name the principal? */
function listNames(list: unknown, who: LocatedPrincipal, ctx: ResolveContext, what: string): boolean {
  if (list === undefined) return false;
  if (!Array.isArray(list)) throw new Error(`${what} must be a list, got ${show(list)}`);
  return list.some((entry) => {
    if (isObject(entry) && Object.keys(entry).length === 1 && typeof entry.Ref === 'string') {
      if (who.logicalId !== undefined && entry.Ref === who.logicalId) return true;
      const resource = resourceInContext(entry.Ref, ctx, `${what} entry`);
      if (resource) {
        // A Ref to another resource of the template: match only through a literal name.
        const name = IAM_IDENTITY_TYPES[resource.Type] ? identityNameOf(entry.Ref, resource, ctx) : undefined;
        return name !== undefined && name === who.name;
      }
    }
    return who.name !== undefined && resolveString(entry, ctx, `${what} entry`) === who.name;
  });
}

function inlinePolicyDocuments(policies: unknown, owner: string): unknown[] {
  if (policies === undefined) return [];
  if (!Array.isArray(policies)) throw new Error(`${owner}.Policies must be a list`);
  return policies.map((p, i) => {
    if (!isObject(p) || p.PolicyDocument === undefined) throw new Error(`${owner}.Policies[${i}] has no PolicyDocument`);
    return p.PolicyDocument;
  });
}

function identityPoliciesOfOne(
  template: unknown, type: PrincipalRef['type'], who: LocatedPrincipal, ctx: ResolveContext, options: IdentityPolicyOptions,
): unknown[] {
  const { listProp } = PRINCIPAL_TYPES[type];
  const resources = resourcesOf(template);
  const raw: unknown[] = [];
  const attachedManaged = new Set<string>();

  for (const [id, r] of Object.entries(resources)) {
    if ((r.Type === 'AWS::IAM::ManagedPolicy' || r.Type === 'AWS::IAM::Policy')
      && listNames(r.Properties?.[listProp], who, ctx, `${id}.${listProp}`)) {
      if (r.Properties?.PolicyDocument === undefined) throw new Error(`${id} has no PolicyDocument`);
      raw.push(r.Properties.PolicyDocument);
      if (r.Type === 'AWS::IAM::ManagedPolicy') attachedManaged.add(id);
    }
  }

  if (who.resource && who.logicalId !== undefined) {
    raw.push(...inlinePolicyDocuments(who.resource.Properties?.Policies, who.logicalId));
    const arns = who.resource.Properties?.ManagedPolicyArns;
    if (arns !== undefined) {
      if (!Array.isArray(arns)) throw new Error(`${who.logicalId}.ManagedPolicyArns must be a list`);
      for (const arn of arns) {
        // Ref to an AWS::IAM::ManagedPolicy returns its ARN.
        if (isObject(arn) && typeof arn.Ref === 'string' && resources[arn.Ref]?.Type === 'AWS::IAM::ManagedPolicy') {
          if (!attachedManaged.has(arn.Ref)) {
            attachedManaged.add(arn.Ref);
            const doc = resources[arn.Ref].Properties?.PolicyDocument;
            if (doc === undefined) throw new Error(`${arn.Ref} has no PolicyDocument`);
            raw.push(doc);
          }
          continue;
        }
        const literal = resolveString(arn, ctx, `${who.logicalId}.ManagedPolicyArns entry`);
        const docs = options.managedPolicyDocuments;
        if (!docs || !Object.prototype.hasOwnProperty.call(docs, literal)) {
          throw new Error(`${who.logicalId} has managed policy ${literal} attached; pass its document in managedPolicyDocuments`);
        }
        raw.push(docs[literal]);
      }
    }
  }
  return raw.map((doc) => resolveCfn(doc, ctx));
}

/**
 * Resolved identity-policy documents of a user, group or role in a template:
 * `AWS::IAM::ManagedPolicy` and `AWS::IAM::Policy` resources that list it in
 * `Users`/`Groups`/`Roles` (by `Ref` or literal name), the inline `Policies`
 * and `ManagedPolicyArns` of the principal resource, and (for users) the same
 * for the groups the user belongs to in this template.
 * Permissions boundaries are not included; see {@link permissionsBoundaryOf}.
 */
export function identityPoliciesFor(template: unknown, principal: PrincipalRef, ctx: ResolveContext, options: IdentityPolicyOptions = {}): unknown[] {
  const c = withTemplate(template, ctx);
  const who = locatePrincipal(template, principal, c);
  const docs = identityPoliciesOfOne(template, principal.type, who, c, options);
  if (principal.type === 'user' && (options.includeGroupPolicies ?? true)) {
    for (const group of groupsOfUser(template, who, c)) {
      docs.push(...identityPoliciesOfOne(template, 'group', locatePrincipal(template, group, c), c, options));
    }
  }
  return docs;
}

function groupsOfUser(template: unknown, user: LocatedPrincipal, ctx: ResolveContext): PrincipalRef[] {
  const groups: PrincipalRef[] = [];
  const add = (entry: unknown, what: string) => {
    if (isObject(entry) && typeof entry.Ref === 'string' && resourcesOf(template)[entry.Ref]?.Type === 'AWS::IAM::Group') {
      groups.push({ type: 'group', logicalId: entry.Ref });
    } else {
      groups.push({ type: 'group', name: resolveString(entry, ctx, what) });
    }
  };
  const own = user.resource?.Properties?.Groups;
  if (Array.isArray(own)) own.forEach((g) => add(g, `${user.logicalId}.Groups entry`));
  for (const [id, r] of Object.entries(resourcesOf(template))) {
    if (r.Type === 'AWS::IAM::UserToGroupAddition' && listNames(r.Properties?.Users, user, ctx, `${id}.Users`)) {
      add(r.Properties?.GroupName, `${id}.GroupName`);
    }
  }
  return groups;
}

/** The resolved permissions boundary of a user or role in a template, if any. */
export function permissionsBoundaryOf(template: unknown, principal: PrincipalRef, ctx: ResolveContext, options: IdentityPolicyOptions = {}): unknown {
  const c = withTemplate(template, ctx);
  const who = locatePrincipal(template, principal, c);
  const boundary = who.resource?.Properties?.PermissionsBoundary;
  if (boundary === undefined) return undefined;
  if (isObject(boundary) && typeof boundary.Ref === 'string') {
    const policy = resourcesOf(template)[boundary.Ref];
    if (policy?.Type === 'AWS::IAM::ManagedPolicy') return resolveCfn(policy.Properties?.PolicyDocument, c);
  }
  const arn = resolveString(boundary, c, `${who.logicalId}.PermissionsBoundary`);
  const docs = options.managedPolicyDocuments;
  if (!docs || !Object.prototype.hasOwnProperty.call(docs, arn)) {
    throw new Error(`Permissions boundary ${arn} is not in the template; pass its document in managedPolicyDocuments`);
  }
  return resolveCfn(docs[arn], c);
}

// ---------------------------------------------------------------------------
// Simulation
// ---------------------------------------------------------------------------

/** The outcome of an IAM evaluation. */
export type Decision = 'Allowed' | 'ImplicitlyDenied' | 'ExplicitlyDenied';

/** Request context values; booleans, numbers and Dates are converted to IAM's string form. */
export type ContextValue = string | boolean | number | Date | readonly string[];
export type RequestContext = Readonly<Record<string, ContextValue>>;

export interface SimulateRequestInput {
  /** The caller: an IAM user/role/root ARN, an `arn:<p>:sts::<acct>:assumed-role/<Role>/<session>` session ARN, or an AWS service principal (`ec2.amazonaws.com`). */
  readonly principalArn: string;
  /** The caller's account; checked against the ARN if given. */
  readonly principalAccount?: string;
  readonly action: string;
  readonly resourceArn: string;
  /** The resource's account; required when the ARN has no account field (e.g. S3). Checked against the ARN otherwise. */
  readonly resourceAccount?: string;
  /** Resolved identity-policy documents of the caller (for a role session: the role's policies). */
  readonly identityPolicies: readonly unknown[];
  /** Resolved resource policy (for sts:AssumeRole: the trust policy). */
  readonly resourcePolicy?: unknown;
  /** Resolved permissions boundary of the caller, if any. */
  readonly permissionsBoundary?: unknown;
  /** The session policy passed when the caller's role session was created, if any. */
  readonly sessionPolicy?: unknown;
  /** Request context keys. Principal keys (aws:PrincipalArn, aws:PrincipalAccount, aws:username, ...) are derived from the ARN. */
  readonly context?: RequestContext;
  /**
   * iam-simulate drops context keys that its action data says do not apply
   * (e.g. sts:ExternalId for sts:TagSession). By default that throws; set this
   * to let them be dropped (they are listed in the outcome's ignoredContextKeys).
   * @default false
   */
  readonly ignoreInapplicableContextKeys?: boolean;
  /**
   * Service control policies in effect for the caller's account, one entry per
   * level from the root down to the account (iam-simulate requires an Allow at
   * every level: include `FullAWSAccess` where it is attached).
   * @default - no SCPs (the caller is outside any organization, or in its management account)
   */
  readonly serviceControlPolicies?: readonly OrgPolicies[];
  /**
   * Resource control policies in effect for the resource's account, one entry
   * per level; iam-simulate adds `RCPFullAWSAccess` itself.
   * @default - no RCPs
   */
  readonly resourceControlPolicies?: readonly OrgPolicies[];
}

/** The control policies attached at one level of an organization (root, OU or account). */
export interface OrgPolicies {
  /** The root, OU or account ID. */
  readonly orgIdentifier: string;
  /** The resolved policy documents, by name. */
  readonly policies: ReadonlyArray<{ readonly name: string; readonly policy: unknown }>;
}

export interface AssumeRoleRequest {
  readonly principalArn: string;
  readonly principalAccount?: string;
  /** The role to assume; its account is taken from the ARN. */
  readonly roleArn: string;
  /** The resolved trust policy of the role. */
  readonly trustPolicy: unknown;
  readonly identityPolicies: readonly unknown[];
  readonly permissionsBoundary?: unknown;
  readonly context?: RequestContext;
  /** @default 'sts:AssumeRole' */
  readonly action?: string;
  /** @see SimulateRequestInput.ignoreInapplicableContextKeys */
  readonly ignoreInapplicableContextKeys?: boolean;
  /** @see SimulateRequestInput.serviceControlPolicies */
  readonly serviceControlPolicies?: readonly OrgPolicies[];
  /** @see SimulateRequestInput.resourceControlPolicies */
  readonly resourceControlPolicies?: readonly OrgPolicies[];
}

export interface SimulationOutcome {
  readonly decision: Decision;
  /** Exactly what was handed to iam-simulate, including derived context keys. */
  readonly simulation: Simulation;
  /** iam-simulate's raw result, with per-statement explains. */
  readonly raw: SuccessfulRunSimulationResults;
  /** Context keys iam-simulate dropped as inapplicable (empty unless ignoreInapplicableContextKeys). */
  readonly ignoredContextKeys: string[];
  /** The `kms:EncryptionContext:<key>` conditions the harness judged itself (iam-simulate does not know those keys). */
  readonly judgedEncryptionContext: JudgedCondition[];
}

interface ParsedArn {
  readonly partition: string;
  readonly service: string;
  readonly account: string;
  readonly resource: string;
}

function parseArn(arn: string): ParsedArn {
  const parts = arn.split(':');
  if (parts.length < 6 || parts[0] !== 'arn') throw new Error(`Not an ARN: ${arn}`);
  return { partition: parts[1], service: parts[2], account: parts[4], resource: parts.slice(5).join(':') };
}

/** Principal context keys AWS sets for a caller, derived from its ARN. */
/** An AWS service principal, e.g. `ec2.amazonaws.com`. */
const SERVICE_PRINCIPAL = /^[a-z0-9-]+(\.[a-z0-9-]+)*\.amazonaws\.com(\.cn)?$/;

function principalContext(principalArn: string): Record<string, string> {
  if (SERVICE_PRINCIPAL.test(principalArn)) {
    // A service acting itself: no account, no principal ARN.
    return { 'aws:PrincipalIsAWSService': 'true', 'aws:PrincipalServiceName': principalArn };
  }
  const arn = parseArn(principalArn);
  if (!/^\d{12}$/.test(arn.account)) throw new Error(`Principal ARN has no account: ${principalArn}`);
  const base = { 'aws:PrincipalAccount': arn.account, 'aws:PrincipalIsAWSService': 'false' };
  const [kind, ...rest] = arn.resource.split('/');
  if (arn.service === 'iam' && kind === 'user' && rest.length > 0) {
    return { ...base, 'aws:PrincipalArn': principalArn, 'aws:PrincipalType': 'User', 'aws:username': rest[rest.length - 1] };
  }
  if (arn.service === 'iam' && kind === 'role' && rest.length > 0) {
    return { ...base, 'aws:PrincipalArn': principalArn, 'aws:PrincipalType': 'AssumedRole' };
  }
  if (arn.service === 'iam' && arn.resource === 'root') {
    return { ...base, 'aws:PrincipalArn': principalArn, 'aws:PrincipalType': 'Account' };
  }
  if (arn.service === 'sts' && kind === 'assumed-role' && rest.length === 2) {
    // aws:PrincipalArn of a role session is the role's ARN. A session ARN carries no
    // role path; pass aws:PrincipalArn explicitly for a role with a path.
    return { ...base, 'aws:PrincipalArn': `arn:${arn.partition}:iam::${arn.account}:role/${rest[0]}`, 'aws:PrincipalType': 'AssumedRole' };
  }
  if (arn.service === 'sts' && kind === 'federated-user' && rest.length === 1) {
    return { ...base, 'aws:PrincipalArn': principalArn, 'aws:PrincipalType': 'FederatedUser' };
  }
  throw new Error(`Unsupported principal ARN: ${principalArn}`);
}

function contextValueString(key: string, value: ContextValue): string | string[] {
  if (typeof value === 'string') return value;
  if (typeof value === 'boolean' || typeof value === 'number') return String(value);
  if (value instanceof Date) return value.toISOString();
  if (Array.isArray(value) && value.every((v) => typeof v === 'string')) return [...value];
  throw new Error(`Context key ${key} has an unsupported value: ${show(value)}`);
}

/** Merge caller-supplied context over the derived principal keys, refusing contradictions. */
function buildContext(principalArn: string, resourceAccount: string, given: RequestContext): Record<string, string | string[]> {
  const derived: Record<string, string> = { ...principalContext(principalArn), 'aws:ResourceAccount': resourceAccount };
  const out: Record<string, string | string[]> = {};
  const givenLower = new Map<string, [string, string | string[]]>();
  for (const [k, v] of Object.entries(given)) {
    if (givenLower.has(k.toLowerCase())) throw new Error(`Context key ${k} given twice`);
    givenLower.set(k.toLowerCase(), [k, contextValueString(k, v)]);
  }
  for (const [key, value] of Object.entries(derived)) {
    const override = givenLower.get(key.toLowerCase());
    if (override === undefined) {
      out[key] = value;
      continue;
    }
    const [, givenValue] = override;
    // A role session's ARN has no role path, so a role ARN with a path is accepted for aws:PrincipalArn.
    const roleWithPath = key === 'aws:PrincipalArn' && typeof givenValue === 'string' && /:assumed-role\//.test(principalArn)
      && givenValue.startsWith(value.slice(0, value.lastIndexOf('/') + 1))
      && givenValue.endsWith(value.slice(value.lastIndexOf('/')));
    if (givenValue !== value && !roleWithPath) {
      throw new Error(`Context ${key}=${show(givenValue)} contradicts the principal ${principalArn} (expected ${show(value)})`);
    }
  }
  for (const [, [k, v]] of givenLower) out[k] = v;
  return out;
}

function checkedResult(
  result: RunSimulationResults, simulation: Simulation, allowIgnored: boolean,
): { raw: SuccessfulRunSimulationResults; ignoredContextKeys: string[] } {
  if (result.resultType === 'error') {
    throw new Error(`iam-simulate rejected the simulation: ${show(result.errors)}\nsimulation: ${show(simulation)}`);
  }
  const ignored = [...new Set(result.resultType === 'single'
    ? result.result.ignoredContextKeys ?? []
    : result.results.flatMap((r) => r.ignoredContextKeys ?? []))];
  if (ignored.length > 0 && !allowIgnored) {
    throw new Error(`Context keys do not apply to ${simulation.request.action} on ${simulation.request.resource.resource}`
      + ` and would be ignored: ${ignored.join(', ')}`);
  }
  return { raw: result, ignoredContextKeys: ignored };
}

/** One level of an organization's control policies, as iam-simulate takes it, encryption-context conditions judged. */
function orgLevel(level: OrgPolicies, judge: (name: string, policy: unknown) => unknown): Simulation['serviceControlPolicies'][number] {
  return { orgIdentifier: level.orgIdentifier, policies: level.policies.map(p => ({ name: p.name, policy: judge(p.name, p.policy) })) };
}

/** Evaluate any request with iam-simulate, returning the decision plus the raw result. */
export async function evaluateRequest(input: SimulateRequestInput): Promise<SimulationOutcome> {
  const principal = SERVICE_PRINCIPAL.test(input.principalArn) ? { account: undefined } : parseArn(input.principalArn);
  if (input.principalAccount !== undefined && input.principalAccount !== principal.account) {
    throw new Error(`principalAccount ${input.principalAccount} does not match the principal ARN ${input.principalArn}`);
  }
  let resourceAccount = input.resourceAccount;
  if (input.resourceArn !== '*') {
    const arnAccount = parseArn(input.resourceArn).account;
    if (arnAccount !== '' && resourceAccount !== undefined && resourceAccount !== arnAccount) {
      throw new Error(`resourceAccount ${resourceAccount} does not match the resource ARN ${input.resourceArn}`);
    }
    resourceAccount = resourceAccount ?? (arnAccount || undefined);
  }
  if (resourceAccount === undefined) {
    throw new Error(`The resource ${input.resourceArn} has no account in its ARN; pass resourceAccount`);
  }
  // The kms:EncryptionContext:<key> conditions are judged here (see judgeEncryptionContext), the rest by iam-simulate.
  const given = input.context ?? {};
  const encryptionContext = Object.fromEntries(Object.entries(given).filter(([key]) => ENCRYPTION_CONTEXT_KEY.test(key))
    .map(([key, value]) => [key, contextValueString(key, value)]));
  const rest = Object.fromEntries(Object.entries(given).filter(([key]) => !ENCRYPTION_CONTEXT_KEY.test(key)));
  const judged: JudgedCondition[] = [];
  const judge = (name: string, policy: unknown) => judgeEncryptionContext(name, policy, encryptionContext, judged);
  const simulation: Simulation = {
    request: {
      principal: input.principalArn,
      action: input.action,
      resource: { resource: input.resourceArn, accountId: resourceAccount },
      contextVariables: buildContext(input.principalArn, resourceAccount, rest),
    },
    identityPolicies: input.identityPolicies.map((policy, i) => ({ name: `identity-${i}`, policy: judge(`identity-${i}`, policy) })),
    serviceControlPolicies: (input.serviceControlPolicies ?? []).map(level => orgLevel(level, judge)),
    resourceControlPolicies: (input.resourceControlPolicies ?? []).map(level => orgLevel(level, judge)),
    ...(input.resourcePolicy !== undefined ? { resourcePolicy: judge('resource', input.resourcePolicy) } : {}),
    ...(input.sessionPolicy !== undefined ? { sessionPolicy: judge('session', input.sessionPolicy) } : {}),
    ...(input.permissionsBoundary !== undefined
      ? { permissionBoundaryPolicies: [{ name: 'permissions-boundary', policy: judge('permissions-boundary', input.permissionsBoundary) }] }
      : {}),
  };
  const { raw, ignoredContextKeys } = checkedResult(
    await runSimulation(simulation, { simulationMode: 'Strict' }), simulation, input.ignoreInapplicableContextKeys ?? false);
  return { decision: raw.overallResult, simulation, raw, ignoredContextKeys, judgedEncryptionContext: judged };
}

// ---------------------------------------------------------------------------
// Encryption context: judged by the harness
// ---------------------------------------------------------------------------
//
// iam-simulate does not know the templated KMS condition keys
// `kms:EncryptionContext:<key>`: it lists a request's values for them in
// ignoredContextKeys and, in Strict mode, evaluates a condition on them as if
// the key were absent, so a correct encryption-context condition reads as a
// denial. (Discovery mode instead ignores such a condition and allows, which
// proves nothing: the harness never uses it.) So the harness judges those
// conditions itself, with IAM's string and ARN operators, against the
// request's encryption context, and hands iam-simulate every statement without
// them: a statement whose encryption-context conditions all hold keeps its
// other conditions (kms:ViaService, aws:PrincipalArn ...) for iam-simulate to
// judge; a statement whose encryption-context conditions do not hold cannot
// apply to the request, whatever its effect, and is left out.
// https://docs.aws.amazon.com/kms/latest/developerguide/conditions-kms.html#conditions-kms-encryption-context
// https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition_operators.html

const ENCRYPTION_CONTEXT_KEY = /^kms:encryptioncontext:.+$/i;

/** One encryption-context condition the harness judged. */
export interface JudgedCondition {
  readonly policy: string;
  readonly operator: string;
  readonly key: string;
  readonly holds: boolean;
}

/** The operators the harness judges; others throw (it never guesses). */
const OPERATORS: Readonly<Record<string, { readonly negated: boolean; readonly match: (pattern: string, value: string) => boolean }>> = {
  StringEquals: { negated: false, match: (p, v) => p === v },
  StringNotEquals: { negated: true, match: (p, v) => p === v },
  StringEqualsIgnoreCase: { negated: false, match: (p, v) => p.toLowerCase() === v.toLowerCase() },
  StringNotEqualsIgnoreCase: { negated: true, match: (p, v) => p.toLowerCase() === v.toLowerCase() },
  StringLike: { negated: false, match: (p, v) => globMatches(p, v) },
  StringNotLike: { negated: true, match: (p, v) => globMatches(p, v) },
  // ARN operators: case-sensitive, each of the six colon-separated parts may hold * and ?; a value that is not
  // an ARN never matches.
  ArnEquals: { negated: false, match: (p, v) => arnMatches(p, v) },
  ArnLike: { negated: false, match: (p, v) => arnMatches(p, v) },
  ArnNotEquals: { negated: true, match: (p, v) => arnMatches(p, v) },
  ArnNotLike: { negated: true, match: (p, v) => arnMatches(p, v) },
};

function globMatches(pattern: string, value: string): boolean {
  const regex = pattern.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.');
  return new RegExp(`^${regex}$`, 's').test(value);
}

function arnMatches(pattern: string, value: string): boolean {
  const p = pattern.split(':');
  const v = value.split(':');
  if (p.length < 6 || v.length < 6 || p[0] !== 'arn' || v[0] !== 'arn') return false;
  const parts = (a: string[]) => [...a.slice(0, 5), a.slice(5).join(':')];
  const [pp, vv] = [parts(p), parts(v)];
  return pp.every((part, i) => globMatches(part, vv[i]));
}

/** Whether one condition on an encryption-context key holds for the request's value (undefined: absent). */
function conditionHolds(operator: string, expected: unknown, actual: string | string[] | undefined): boolean {
  let base = operator;
  let setOperator: 'ForAnyValue' | 'ForAllValues' | undefined;
  const set = /^(ForAnyValue|ForAllValues):(.+)$/.exec(base);
  if (set) { setOperator = set[1] as 'ForAnyValue' | 'ForAllValues'; base = set[2]; }
  const ifExists = base.endsWith('IfExists');
  if (ifExists) base = base.slice(0, -'IfExists'.length);
  if (base === 'Null' && setOperator === undefined && !ifExists) {
    // Null true: the key is absent; false: it is present
    const absent = actual === undefined || (Array.isArray(actual) && actual.length === 0);
    return (Array.isArray(expected) ? expected : [expected]).some(v => String(v).toLowerCase() === String(absent));
  }
  const op = OPERATORS[base];
  if (op === undefined) throw new Error(`The harness does not judge the operator ${operator} on an encryption-context key`);
  const patterns = Array.isArray(expected) ? expected : [expected];
  if (patterns.some(p => typeof p !== 'string' || p.includes('${'))) {
    throw new Error(`The harness only judges literal string values on encryption-context keys, got ${show(expected)}`);
  }
  const values = actual === undefined ? [] : Array.isArray(actual) ? actual : [actual];
  const one = (value: string) => {
    const matched = (patterns as string[]).some(pattern => op.match(pattern, value));
    return op.negated ? !matched : matched;
  };
  if (setOperator === 'ForAllValues') return values.every(one);
  if (setOperator === 'ForAnyValue') return values.some(one);
  if (values.length === 0) return ifExists || op.negated;
  return values.every(one);
}

/** A policy with its encryption-context conditions judged: see above. */
function judgeEncryptionContext(name: string, policy: unknown, context: Record<string, string | string[]>, judged: JudgedCondition[]): unknown {
  if (!isObject(policy) || policy.Statement === undefined) return policy;
  const lowerContext = new Map(Object.entries(context).map(([key, value]) => [key.toLowerCase(), value]));
  const statements = Array.isArray(policy.Statement) ? policy.Statement : [policy.Statement];
  const kept = statements.flatMap((statement: unknown) => {
    if (!isObject(statement) || !isObject(statement.Condition)) return [statement];
    let applies = true;
    const condition: JsonObject = {};
    for (const [operator, block] of Object.entries(statement.Condition)) {
      if (!isObject(block)) throw new Error(`Malformed condition block ${operator}: ${show(block)}`);
      const others: JsonObject = {};
      for (const [key, expected] of Object.entries(block)) {
        if (!ENCRYPTION_CONTEXT_KEY.test(key)) { others[key] = expected; continue; }
        // The condition key's name is not case sensitive; the prefix and the context key are compared as written.
        const holds = conditionHolds(operator, expected, lowerContext.get(key.toLowerCase()));
        judged.push({ policy: name, operator, key, holds });
        applies = applies && holds;
      }
      if (Object.keys(others).length > 0) condition[operator] = others;
    }
    if (!applies) return [];
    const { Condition: _condition, ...rest } = statement;
    return [Object.keys(condition).length > 0 ? { ...rest, Condition: condition } : rest];
  });
  return { ...policy, Statement: kept };
}

/** Evaluate any request with iam-simulate (e.g. a role session doing `s3:GetObject`). */
export async function simulateRequest(input: SimulateRequestInput): Promise<Decision> {
  return (await evaluateRequest(input)).decision;
}

/** Evaluate an `sts:AssumeRole` (or TagSession/SetSourceIdentity) request, returning the decision plus the raw result. */
export async function evaluateAssumeRole(req: AssumeRoleRequest): Promise<SimulationOutcome> {
  const role = parseArn(req.roleArn);
  if (role.service !== 'iam' || !role.resource.startsWith('role/') || !/^\d{12}$/.test(role.account)) {
    throw new Error(`Not an IAM role ARN: ${req.roleArn}`);
  }
  if (req.trustPolicy === undefined || req.trustPolicy === null) {
    throw new Error('A role always has a trust policy; pass it');
  }
  return evaluateRequest({
    principalArn: req.principalArn,
    principalAccount: req.principalAccount,
    action: req.action ?? 'sts:AssumeRole',
    resourceArn: req.roleArn,
    resourceAccount: role.account,
    identityPolicies: req.identityPolicies,
    resourcePolicy: req.trustPolicy,
    permissionsBoundary: req.permissionsBoundary,
    context: req.context,
    ignoreInapplicableContextKeys: req.ignoreInapplicableContextKeys,
    serviceControlPolicies: req.serviceControlPolicies,
    resourceControlPolicies: req.resourceControlPolicies,
  });
}

/**
 * Evaluate an `sts:AssumeRole` request with real IAM semantics (iam-simulate's
 * own): cross-account it needs an Allow in both the caller's identity policies
 * and the role's trust policy; an explicit Deny anywhere wins.
 */
export async function simulateAssumeRole(req: AssumeRoleRequest): Promise<Decision> {
  return (await evaluateAssumeRole(req)).decision;
}
