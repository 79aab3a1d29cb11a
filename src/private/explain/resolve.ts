/**
 * What the access model knows of a template's values, for the library's one
 * intrinsic resolver (`resolveIntrinsics`): the audit's context (pseudo
 * parameters, the stack's account and region, providers), plus the names and
 * ARNs of the IAM identities and the resources whose policies decide access.
 * A name CloudFormation generates, a parameter, a key's ID are only known at
 * deploy time: they resolve to the audit's UNRESOLVED sentinel, kept inside
 * the strings they are part of, so that the known parts of an ARN still
 * count.
 */
import { AuditContext, intrinsicContext } from '../audit/resolve';
import { UNRESOLVED } from '../audit/rules/types';
import { TemplateResource, isObject } from '../audit/template';
import { IntrinsicContext, resolveIntrinsics } from '../policy/intrinsics';

/** A literal string property of a resource, or undefined. */
export function stringProperty(resource: TemplateResource | undefined, name: string): string | undefined {
  const value = isObject(resource?.Properties) ? resource!.Properties[name] : undefined;
  return typeof value === 'string' ? value : undefined;
}

/** An IAM path (`/` unless given). */
function iamPath(resource: TemplateResource): string {
  return stringProperty(resource, 'Path') ?? '/';
}

/** The name of a resource from its name property, or UNRESOLVED when CloudFormation generates it. */
function nameOf(resource: TemplateResource, property: string): string {
  return stringProperty(resource, property) ?? UNRESOLVED;
}

/** How a resource type answers `Ref` and `Fn::GetAtt ...Arn`, from its properties and the stack's environment. */
interface TypeValues {
  ref(resource: TemplateResource, ctx: AuditContext): string;
  arn(resource: TemplateResource, ctx: AuditContext): string;
}

const account = (ctx: AuditContext) => ctx.account ?? UNRESOLVED;
const region = (ctx: AuditContext) => ctx.region ?? UNRESOLVED;

const TYPES: Record<string, TypeValues> = {
  'AWS::IAM::Role': {
    ref: r => nameOf(r, 'RoleName'),
    arn: (r, c) => `arn:${c.partition}:iam::${account(c)}:role${iamPath(r)}${nameOf(r, 'RoleName')}`,
  },
  'AWS::IAM::User': {
    ref: r => nameOf(r, 'UserName'),
    arn: (r, c) => `arn:${c.partition}:iam::${account(c)}:user${iamPath(r)}${nameOf(r, 'UserName')}`,
  },
  'AWS::IAM::Group': {
    ref: r => nameOf(r, 'GroupName'),
    arn: (r, c) => `arn:${c.partition}:iam::${account(c)}:group${iamPath(r)}${nameOf(r, 'GroupName')}`,
  },
  'AWS::IAM::ManagedPolicy': {
    ref: (r, c) => `arn:${c.partition}:iam::${account(c)}:policy${iamPath(r)}${nameOf(r, 'ManagedPolicyName')}`,
    arn: (r, c) => `arn:${c.partition}:iam::${account(c)}:policy${iamPath(r)}${nameOf(r, 'ManagedPolicyName')}`,
  },
  'AWS::S3::Bucket': {
    ref: r => nameOf(r, 'BucketName'),
    arn: (r, c) => `arn:${c.partition}:s3:::${nameOf(r, 'BucketName')}`,
  },
  'AWS::SQS::Queue': {
    ref: (r, c) => `https://sqs.${region(c)}.${c.urlSuffix}/${account(c)}/${nameOf(r, 'QueueName')}`,
    arn: (r, c) => `arn:${c.partition}:sqs:${region(c)}:${account(c)}:${nameOf(r, 'QueueName')}`,
  },
  'AWS::SNS::Topic': {
    ref: (r, c) => `arn:${c.partition}:sns:${region(c)}:${account(c)}:${nameOf(r, 'TopicName')}`,
    arn: (r, c) => `arn:${c.partition}:sns:${region(c)}:${account(c)}:${nameOf(r, 'TopicName')}`,
  },
  'AWS::KMS::Key': {
    // a key's ID is always generated
    ref: () => UNRESOLVED,
    arn: (_r, c) => `arn:${c.partition}:kms:${region(c)}:${account(c)}:key/${UNRESOLVED}`,
  },
  'AWS::SecretsManager::Secret': {
    // Secrets Manager adds six random characters to the name
    ref: (r, c) => `arn:${c.partition}:secretsmanager:${region(c)}:${account(c)}:secret:${nameOf(r, 'Name')}-${UNRESOLVED}`,
    arn: (r, c) => `arn:${c.partition}:secretsmanager:${region(c)}:${account(c)}:secret:${nameOf(r, 'Name')}-${UNRESOLVED}`,
  },
  'AWS::Lambda::Function': {
    ref: r => nameOf(r, 'FunctionName'),
    arn: (r, c) => `arn:${c.partition}:lambda:${region(c)}:${account(c)}:function:${nameOf(r, 'FunctionName')}`,
  },
  'AWS::ECR::Repository': {
    ref: r => nameOf(r, 'RepositoryName'),
    arn: (r, c) => `arn:${c.partition}:ecr:${region(c)}:${account(c)}:repository/${nameOf(r, 'RepositoryName')}`,
  },
  'AWS::DynamoDB::Table': {
    ref: r => nameOf(r, 'TableName'),
    arn: (r, c) => `arn:${c.partition}:dynamodb:${region(c)}:${account(c)}:table/${nameOf(r, 'TableName')}`,
  },
  'AWS::Kinesis::Stream': {
    ref: r => nameOf(r, 'Name'),
    arn: (r, c) => `arn:${c.partition}:kinesis:${region(c)}:${account(c)}:stream/${nameOf(r, 'Name')}`,
  },
  'AWS::StepFunctions::StateMachine': {
    ref: (r, c) => `arn:${c.partition}:states:${region(c)}:${account(c)}:stateMachine:${nameOf(r, 'StateMachineName')}`,
    arn: (r, c) => `arn:${c.partition}:states:${region(c)}:${account(c)}:stateMachine:${nameOf(r, 'StateMachineName')}`,
  },
  'AWS::Events::EventBus': {
    ref: r => nameOf(r, 'Name'),
    arn: (r, c) => `arn:${c.partition}:events:${region(c)}:${account(c)}:event-bus/${nameOf(r, 'Name')}`,
  },
};

/** The `Ref` of a resource of the template the model knows, or undefined. */
export function refOf(ctx: AuditContext, logicalId: string): string | undefined {
  const resource = Object.prototype.hasOwnProperty.call(ctx.resources, logicalId) ? ctx.resources[logicalId] : undefined;
  const type = typeof resource?.Type === 'string' ? TYPES[resource.Type] : undefined;
  return resource !== undefined && type !== undefined ? type.ref(resource, ctx) : undefined;
}

/** The ARN of a resource of the template the model knows, or undefined. */
export function arnOf(ctx: AuditContext, logicalId: string): string | undefined {
  const resource = Object.prototype.hasOwnProperty.call(ctx.resources, logicalId) ? ctx.resources[logicalId] : undefined;
  const type = typeof resource?.Type === 'string' ? TYPES[resource.Type] : undefined;
  return resource !== undefined && type !== undefined ? type.arn(resource, ctx) : undefined;
}

/**
 * The resolver's context for a template of the model: the audit's, with the
 * model's resource types first (a role's generated name is UNRESOLVED here,
 * where the audit's rules take the logical ID for its shape).
 */
export function modelContext(ctx: AuditContext): IntrinsicContext {
  const audit = intrinsicContext(ctx);
  return {
    ...audit,
    ref: name => refOf(ctx, name) ?? audit.ref?.(name),
    getAtt: (logicalId, attribute) => (/Arn$/.test(attribute) ? arnOf(ctx, logicalId) : undefined) ?? audit.getAtt?.(logicalId, attribute),
  };
}

/** Resolves a value of a template as the model knows it. */
export function resolveForModel(value: unknown, ctx: AuditContext): unknown {
  return resolveIntrinsics(value, modelContext(ctx));
}
