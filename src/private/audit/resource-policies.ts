/**
 * The second road through the audit: the resource policies of a template
 * (what a bucket, key, queue, topic, secret, repository, function or event
 * bus lets others do) and its identity policies (what its roles, users and
 * groups may do), read in every form as trust policies are read (objects,
 * JSON strings, `Fn::Sub` / `Fn::Join`, `Fn::If` on each branch) with the one
 * intrinsic resolver, and normalized for the resource rules.
 *
 * The role audit (`roles.ts`) and this one are two paths through one engine
 * (`engine.ts`): the same template reading, context, resolver and statement
 * normalization, judged by rules of their own.
 */
import { AuditContext, branchCombinations, ifConditions, resolveForAudit } from './resolve';
import { PolicyStatement, UNRESOLVED } from './rules/types';
import { normalizePolicyStatement } from './statement';
import { isObject, JsonObject, propertiesOf, TemplateResource } from './template';
import { readPolicyDocument } from './trust-document';

/** A resource policy (what a resource lets principals do) or an identity policy (what a principal may do). */
export type PolicyKind = 'resource' | 'identity';

/** The resource a resource policy is on, as far as the template tells. */
export interface SharedResource {
  /** Its CloudFormation type: `AWS::S3::Bucket`, `AWS::KMS::Key` ... */
  readonly type: string;
  /** Its logical ID, when it is a resource of the template. */
  readonly logicalId?: string;
  /** Its physical name, when literal. */
  readonly name?: string;
  /** Its ARN, when its name, account and region are literal and the ARN follows from them. */
  readonly arn?: string;
}

/** A policy of a template as the resource rules see it, on one branch of its `Fn::If`s. */
export interface AuditedPolicy {
  /** The logical ID of the resource that carries the policy (the bucket policy, the key, the role ...). */
  readonly logicalId: string;
  /** That resource's type (`AWS::S3::BucketPolicy`, `AWS::IAM::Policy` ...). */
  readonly type: string;
  readonly kind: PolicyKind;
  /** For a resource policy: the resources it is on (a queue policy may be on several). */
  readonly targets: SharedResource[];
  /** Where the policy is in the resource (`Properties/PolicyDocument`; `Properties` for a Lambda permission). */
  readonly documentPath: string;
  /** Where each statement is in the resource (`Properties/PolicyDocument/Statement/0`), by index. */
  readonly statementPaths: string[];
  /** The account of the template's stack, when literal. */
  readonly account?: string;
  /** The partition of the template's stack, when its region is literal and known. */
  readonly partition?: string;
  readonly statements: PolicyStatement[];
  /** Why the document could not be read (a string that is not a JSON object). */
  readonly documentError?: string;
}

/** How a policy resource holds its document and names what it is on. */
interface PolicySource {
  /** The type of the resource the policy is on. */
  readonly sharedType: string;
  /** The document's property, under `Properties`. */
  readonly document: string;
  /** How errors name the document. */
  readonly noun: string;
  /** The references to the resources the policy is on (`{"Ref": ...}`, names, URLs, ARNs); the resource itself when undefined. */
  readonly targets?: (properties: JsonObject) => unknown[];
}

const one = (value: unknown): unknown[] => (value === undefined ? [] : [value]);
const many = (value: unknown): unknown[] => (Array.isArray(value) ? value : one(value));

/**
 * The resource policies the audit reads, by the type of the resource that
 * carries them.
 *
 * @see https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/aws-resource-s3-bucketpolicy.html
 * @see https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/aws-resource-kms-key.html
 * @see https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/aws-resource-sqs-queuepolicy.html
 * @see https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/aws-resource-sns-topicpolicy.html
 * @see https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/aws-resource-secretsmanager-resourcepolicy.html
 * @see https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/aws-resource-ecr-repository.html
 */
const RESOURCE_POLICIES: Record<string, PolicySource> = {
  'AWS::S3::BucketPolicy': { sharedType: 'AWS::S3::Bucket', document: 'PolicyDocument', noun: 'the bucket policy', targets: p => one(p.Bucket) },
  'AWS::KMS::Key': { sharedType: 'AWS::KMS::Key', document: 'KeyPolicy', noun: 'the key policy' },
  'AWS::SQS::QueuePolicy': { sharedType: 'AWS::SQS::Queue', document: 'PolicyDocument', noun: 'the queue policy', targets: p => many(p.Queues) },
  'AWS::SNS::TopicPolicy': { sharedType: 'AWS::SNS::Topic', document: 'PolicyDocument', noun: 'the topic policy', targets: p => many(p.Topics) },
  'AWS::SecretsManager::ResourcePolicy': {
    sharedType: 'AWS::SecretsManager::Secret', document: 'ResourcePolicy', noun: 'the secret\'s resource policy', targets: p => one(p.SecretId),
  },
  'AWS::ECR::Repository': { sharedType: 'AWS::ECR::Repository', document: 'RepositoryPolicyText', noun: 'the repository policy' },
};

/** Types whose resource policy is not a document: a Lambda permission, an event bus policy. */
const LAMBDA_PERMISSION = 'AWS::Lambda::Permission';
const EVENT_BUS_POLICY = 'AWS::Events::EventBusPolicy';

/** Every policy resource type the resource audit reads (resource policies and identity policies). */
export const POLICY_RESOURCE_TYPES: string[] = [
  ...Object.keys(RESOURCE_POLICIES), LAMBDA_PERMISSION, EVENT_BUS_POLICY,
  'AWS::IAM::Policy', 'AWS::IAM::ManagedPolicy', 'AWS::IAM::Role', 'AWS::IAM::User', 'AWS::IAM::Group',
];

/** The types of resource a resource policy can share across accounts, and how each is named in words. */
export const SHARED_RESOURCE_WORDS: Readonly<Record<string, string>> = {
  'AWS::S3::Bucket': 'bucket',
  'AWS::KMS::Key': 'key',
  'AWS::SQS::Queue': 'queue',
  'AWS::SNS::Topic': 'topic',
  'AWS::SecretsManager::Secret': 'secret',
  'AWS::ECR::Repository': 'repository',
  'AWS::Lambda::Function': 'function',
  'AWS::Events::EventBus': 'event bus',
};

/** The property of a shared resource that holds its physical name, by type. */
const NAME_PROPERTIES: Record<string, string> = {
  'AWS::S3::Bucket': 'BucketName',
  'AWS::SQS::Queue': 'QueueName',
  'AWS::SNS::Topic': 'TopicName',
  'AWS::SecretsManager::Secret': 'Name',
  'AWS::ECR::Repository': 'RepositoryName',
  'AWS::Lambda::Function': 'FunctionName',
  'AWS::Events::EventBus': 'Name',
};

/**
 * The ARN of a shared resource from its name, where it follows from the name
 * alone (a key's ARN holds a generated ID; a secret's a random suffix).
 *
 * @see https://docs.aws.amazon.com/service-authorization/latest/reference/reference_policies_actions-resources-contextkeys.html
 */
function arnOf(type: string, name: string, ctx: AuditContext): string | undefined {
  const p = ctx.knownPartition;
  const [account, region] = [ctx.account, ctx.region];
  if (p === undefined) { return undefined; }
  if (type === 'AWS::S3::Bucket') { return `arn:${p}:s3:::${name}`; }
  if (account === undefined || region === undefined) { return undefined; }
  switch (type) {
    case 'AWS::SQS::Queue': return `arn:${p}:sqs:${region}:${account}:${name}`;
    case 'AWS::SNS::Topic': return `arn:${p}:sns:${region}:${account}:${name}`;
    case 'AWS::ECR::Repository': return `arn:${p}:ecr:${region}:${account}:repository/${name}`;
    case 'AWS::Lambda::Function': return `arn:${p}:lambda:${region}:${account}:function:${name}`;
    case 'AWS::Events::EventBus': return `arn:${p}:events:${region}:${account}:event-bus/${name}`;
    default: return undefined;
  }
}

/** The logical ID a reference (`Ref`, `Fn::GetAtt`) names, if it is one. */
function referencedLogicalId(reference: unknown): string | undefined {
  if (!isObject(reference)) { return undefined; }
  if (typeof reference.Ref === 'string') { return reference.Ref; }
  const getAtt = reference['Fn::GetAtt'];
  if (Array.isArray(getAtt) && typeof getAtt[0] === 'string') { return getAtt[0]; }
  return typeof getAtt === 'string' ? getAtt.split('.')[0] : undefined;
}

/**
 * The name of a shared resource given as a literal: a bucket name, a queue
 * URL, an ARN (its last part), a function or bus name.
 */
function literalName(type: string, value: string): string {
  if (type === 'AWS::SQS::Queue') { return value.replace(/^https:\/\/[^/]+\/[^/]+\//, ''); }
  if (value.startsWith('arn:')) { return value.split(/[:/]/).pop() ?? value; }
  return value;
}

/** The resource a policy is on, from a reference to it. */
function sharedResource(type: string, reference: unknown, ctx: AuditContext): SharedResource {
  const logicalId = referencedLogicalId(reference);
  const resource = logicalId !== undefined && Object.prototype.hasOwnProperty.call(ctx.resources, logicalId) ? ctx.resources[logicalId] : undefined;
  let name: string | undefined;
  if (resource !== undefined) {
    const property = NAME_PROPERTIES[String(resource.Type)];
    const value = property !== undefined ? resolveForAudit(propertiesOf(resource)[property], ctx) : undefined;
    name = typeof value === 'string' && !value.includes(UNRESOLVED) ? value : undefined;
  } else {
    const value = resolveForAudit(reference, ctx);
    name = typeof value === 'string' && !value.includes(UNRESOLVED) ? literalName(type, value) : undefined;
    if (typeof value === 'string' && value.startsWith('arn:') && !value.includes(UNRESOLVED) && type !== 'AWS::SQS::Queue') {
      return { type, ...(name !== undefined ? { name } : {}), arn: value };
    }
  }
  const arn = name !== undefined ? arnOf(type, name, ctx) : undefined;
  return {
    type,
    ...(logicalId !== undefined && resource !== undefined ? { logicalId } : {}),
    ...(name !== undefined ? { name } : {}),
    ...(arn !== undefined ? { arn } : {}),
  };
}

/** The statements of a policy document, normalized, with where each is. */
function statementsOf(document: JsonObject | undefined, path: string): { statements: PolicyStatement[]; paths: string[] } {
  const raw = document === undefined ? [] : Array.isArray(document.Statement) ? document.Statement : [document.Statement];
  const statements: PolicyStatement[] = [];
  const paths: string[] = [];
  raw.forEach((statement, i) => {
    if (!isObject(statement)) { return; }
    statements.push(normalizePolicyStatement(statement));
    paths.push(`${path}/Statement/${i}`);
  });
  return { statements, paths };
}

/** A policy on each branch of the `Fn::If`s of what it is read from. */
function onEachBranch(raw: unknown, ctx: AuditContext, read: (branch: AuditContext) => AuditedPolicy): AuditedPolicy[] {
  const names = ifConditions(raw);
  if (names.size === 0) { return [read(ctx)]; }
  return branchCombinations(Array.from(names)).map(conditions => read({ ...ctx, conditions }));
}

/** A policy read from a document property of a resource. */
function documentPolicy(logicalId: string, type: string, kind: PolicyKind, raw: unknown, path: string, noun: string,
  targets: (branch: AuditContext) => SharedResource[], ctx: AuditContext): AuditedPolicy[] {
  return onEachBranch(raw, ctx, branch => {
    const { document, error } = readPolicyDocument(raw, branch, noun);
    const { statements, paths } = statementsOf(document, path);
    return {
      logicalId,
      type,
      kind,
      targets: targets(branch),
      documentPath: path,
      statementPaths: paths,
      account: ctx.account,
      partition: ctx.knownPartition,
      statements,
      documentError: error,
    };
  });
}

/**
 * A Lambda permission as the statement Lambda adds to the function's policy:
 * the principal (an account, an ARN, a service, or `*`), the action, and
 * `SourceAccount`, `SourceArn`, `PrincipalOrgID` and `FunctionUrlAuthType` as
 * the conditions Lambda writes for them.
 *
 * @see https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/aws-resource-lambda-permission.html
 * @see https://docs.aws.amazon.com/lambda/latest/dg/access-control-resource-based.html
 */
function lambdaPermission(logicalId: string, properties: JsonObject, ctx: AuditContext): AuditedPolicy[] {
  return onEachBranch(properties, ctx, branch => {
    const value = (name: string) => resolveForAudit(properties[name], branch);
    const principal = value('Principal');
    const principalText = typeof principal === 'string' ? principal : UNRESOLVED;
    const condition: Record<string, Record<string, unknown>> = {};
    const add = (operator: string, key: string, property: string) => {
      const v = value(property);
      if (v !== undefined) { condition[operator] = { ...condition[operator], [key]: v }; }
    };
    add('StringEquals', 'aws:SourceAccount', 'SourceAccount');
    add('ArnLike', 'aws:SourceArn', 'SourceArn');
    add('StringEquals', 'aws:PrincipalOrgID', 'PrincipalOrgID');
    add('StringEquals', 'lambda:FunctionUrlAuthType', 'FunctionUrlAuthType');
    const statement = normalizePolicyStatement({
      Effect: 'Allow',
      Principal: principalText === '*' ? '*' : /\.amazonaws\.com(\.cn)?$/.test(principalText) ? { Service: principalText } : { AWS: principalText },
      Action: value('Action'),
      ...Object.keys(condition).length > 0 ? { Condition: condition } : {},
    });
    const target = sharedResource('AWS::Lambda::Function', properties.FunctionName, branch);
    return {
      logicalId,
      type: LAMBDA_PERMISSION,
      kind: 'resource',
      targets: [target],
      documentPath: 'Properties',
      statementPaths: ['Properties'],
      account: ctx.account,
      partition: ctx.knownPartition,
      statements: [statement],
    };
  });
}

/**
 * An event bus policy: its `Statement`, or (the older form) a `Principal`
 * (an account or `*`), an `Action` and a `Condition` of `Type`, `Key` and `Value`.
 *
 * @see https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/aws-resource-events-eventbuspolicy.html
 */
function eventBusPolicy(logicalId: string, properties: JsonObject, ctx: AuditContext): AuditedPolicy[] {
  return onEachBranch(properties, ctx, branch => {
    const resolved = resolveForAudit(properties, branch);
    const p = isObject(resolved) ? resolved : {};
    const bus = properties.EventBusName ?? 'default';
    const targets = [sharedResource('AWS::Events::EventBus', bus, branch)];
    const policy = { logicalId, type: EVENT_BUS_POLICY, kind: 'resource' as const, targets, documentPath: 'Properties', account: ctx.account, partition: ctx.knownPartition };
    if (isObject(p.Statement)) {
      return { ...policy, statementPaths: ['Properties/Statement'], statements: [normalizePolicyStatement(p.Statement)] };
    }
    const condition = isObject(p.Condition) && typeof p.Condition.Type === 'string' && typeof p.Condition.Key === 'string'
      ? { [p.Condition.Type]: { [p.Condition.Key]: p.Condition.Value } } : undefined;
    const principal = p.Principal === '*' ? '*' : { AWS: p.Principal };
    const statement = normalizePolicyStatement({ Effect: 'Allow', Principal: principal, Action: p.Action, ...condition !== undefined ? { Condition: condition } : {} });
    return { ...policy, statementPaths: ['Properties'], statements: [statement] };
  });
}

/** The identity policies of a role, user or group (its inline `Policies`), or of a policy resource. */
function identityPolicies(logicalId: string, type: string, properties: JsonObject, ctx: AuditContext): AuditedPolicy[] {
  const none = () => [];
  if (type === 'AWS::IAM::Policy' || type === 'AWS::IAM::ManagedPolicy') {
    return documentPolicy(logicalId, type, 'identity', properties.PolicyDocument, 'Properties/PolicyDocument', 'the policy', none, ctx);
  }
  const inline = Array.isArray(properties.Policies) ? properties.Policies : [];
  return inline.flatMap((policy, i) => isObject(policy)
    ? documentPolicy(logicalId, type, 'identity', policy.PolicyDocument, `Properties/Policies/${i}/PolicyDocument`, 'the inline policy', none, ctx)
    : []);
}

/**
 * Every resource and identity policy of a resource of a template, on each
 * branch of its `Fn::If`s (none for a resource that holds neither).
 */
export function auditedPolicies(logicalId: string, resource: TemplateResource, ctx: AuditContext): AuditedPolicy[] {
  const type = String(resource.Type);
  const properties = propertiesOf(resource);
  const source = RESOURCE_POLICIES[type];
  if (source !== undefined) {
    const raw = properties[source.document];
    if (raw === undefined) { return []; }
    const targets = (branch: AuditContext) => (source.targets?.(properties) ?? [{ Ref: logicalId }])
      .map(reference => sharedResource(source.sharedType, reference, branch));
    return documentPolicy(logicalId, type, 'resource', raw, `Properties/${source.document}`, source.noun, targets, ctx);
  }
  if (type === LAMBDA_PERMISSION) { return lambdaPermission(logicalId, properties, ctx); }
  if (type === EVENT_BUS_POLICY) { return eventBusPolicy(logicalId, properties, ctx); }
  if (type.startsWith('AWS::IAM::')) { return identityPolicies(logicalId, type, properties, ctx); }
  return [];
}

