/**
 * The app's declared resource shares, read from the construct tree at synth
 * time (for `CrossAccountAccessAnalyzer`, whose archive rules are in its own
 * template): each stack's resource policies and the resources they are on,
 * as the L1 constructs will write them, read by the same audit engine as the
 * synthesized templates (`../audit/engine.ts`).
 */
import { CfnResource, IResolvable, Stack } from 'aws-cdk-lib';
import type * as cloudformation from 'aws-cdk-lib/aws-cloudformation';
import type * as ecr from 'aws-cdk-lib/aws-ecr';
import type * as events from 'aws-cdk-lib/aws-events';
import type * as kms from 'aws-cdk-lib/aws-kms';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import type * as s3 from 'aws-cdk-lib/aws-s3';
import type * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import type * as sns from 'aws-cdk-lib/aws-sns';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import { IConstruct } from 'constructs';
import { DeclaredShare, declaredSharesOf } from './declared-shares';
import { auditTemplateFully } from '../audit/engine';
import { compareText } from '../policy/compare';
import { literal, literalEnvironment } from '../policy/stack-env';

/**
 * The CloudFormation properties the audit reads of each type, from the L1
 * construct's own (typed) properties: resource policies, the names of the
 * resources they are on, and StackSets (their template bodies).
 */
const PROPERTIES: Record<string, (resource: CfnResource) => Record<string, unknown>> = {
  'AWS::S3::BucketPolicy': r => { const p = r as s3.CfnBucketPolicy; return { Bucket: p.bucket, PolicyDocument: p.policyDocument }; },
  'AWS::S3::Bucket': r => ({ BucketName: (r as s3.CfnBucket).bucketName }),
  'AWS::KMS::Key': r => ({ KeyPolicy: (r as kms.CfnKey).keyPolicy }),
  'AWS::SQS::QueuePolicy': r => { const p = r as sqs.CfnQueuePolicy; return { Queues: p.queues, PolicyDocument: p.policyDocument }; },
  'AWS::SQS::Queue': r => ({ QueueName: (r as sqs.CfnQueue).queueName }),
  'AWS::SNS::TopicPolicy': r => { const p = r as sns.CfnTopicPolicy; return { Topics: p.topics, PolicyDocument: p.policyDocument }; },
  'AWS::SNS::Topic': r => ({ TopicName: (r as sns.CfnTopic).topicName }),
  'AWS::SecretsManager::ResourcePolicy': r => {
    const p = r as secretsmanager.CfnResourcePolicy;
    return { SecretId: p.secretId, ResourcePolicy: p.resourcePolicy };
  },
  'AWS::SecretsManager::Secret': r => ({ Name: (r as secretsmanager.CfnSecret).name }),
  'AWS::ECR::Repository': r => {
    const p = r as ecr.CfnRepository;
    return { RepositoryName: p.repositoryName, RepositoryPolicyText: p.repositoryPolicyText };
  },
  'AWS::Lambda::Permission': r => {
    const p = r as lambda.CfnPermission;
    return {
      Action: p.action,
      FunctionName: p.functionName,
      Principal: p.principal,
      SourceAccount: p.sourceAccount,
      SourceArn: p.sourceArn,
      PrincipalOrgID: p.principalOrgId,
      FunctionUrlAuthType: p.functionUrlAuthType,
    };
  },
  'AWS::Lambda::Function': r => ({ FunctionName: (r as lambda.CfnFunction).functionName }),
  'AWS::Events::EventBusPolicy': r => {
    const p = r as events.CfnEventBusPolicy;
    return {
      EventBusName: p.eventBusName,
      Statement: p.statement,
      Principal: p.principal,
      Action: p.action,
      Condition: p.condition,
      StatementId: p.statementId,
    };
  },
  'AWS::Events::EventBus': r => ({ Name: (r as events.CfnEventBus).name }),
  'AWS::CloudFormation::StackSet': r => {
    const p = r as cloudformation.CfnStackSet;
    return { TemplateBody: p.templateBody, TemplateURL: p.templateUrl };
  },
};

/** A stack's resources the audit reads, as their template will hold them (intrinsics resolved as in the template). */
function stackTemplate(stack: Stack, resources: CfnResource[]): { template: unknown; paths: Map<string, string> } {
  const template: Record<string, { Type: string; Properties: unknown }> = {};
  const paths = new Map<string, string>();
  for (const resource of resources) {
    const logicalId = stack.resolve(resource.logicalId) as string;
    const properties = stack.resolve(PROPERTIES[resource.cfnResourceType](resource) as IResolvable | Record<string, unknown>);
    template[logicalId] = { Type: resource.cfnResourceType, Properties: properties };
    paths.set(logicalId, resource.node.path);
  }
  return { template: { Resources: template }, paths };
}

/**
 * Every resource share below `scope` (usually the app): the resource policies
 * of every stack, nested stack, stage and StackSet body, and the resources
 * they are on, sorted by construct path. Call it at synth time (in a `Lazy`
 * or a validation), when the app is complete.
 */
export function declaredShares(scope: IConstruct): DeclaredShare[] {
  const byStack = new Map<Stack, CfnResource[]>();
  for (const node of scope.node.findAll()) {
    if (!CfnResource.isCfnResource(node) || PROPERTIES[node.cfnResourceType] === undefined) { continue; }
    const stack = Stack.of(node);
    byStack.set(stack, [...byStack.get(stack) ?? [], node]);
  }
  const shares: DeclaredShare[] = [];
  for (const [stack, resources] of byStack) {
    const { template, paths } = stackTemplate(stack, resources);
    const { account, region } = literalEnvironment(stack);
    const stackName = literal(stack.stackName) ?? stack.node.path;
    for (const policy of auditTemplateFully(template, { account, region }).policies) {
      shares.push(...declaredSharesOf(policy, {
        constructPath: paths.get(policy.resourceLogicalId), templateFile: stack.templateFile, stackName, region,
      }));
    }
  }
  return shares.sort((a, b) => compareText(a.constructPath ?? '', b.constructPath ?? '') || compareText(a.resource.arn ?? '', b.resource.arn ?? ''));
}
