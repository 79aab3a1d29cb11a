import { Stack, Token } from 'aws-cdk-lib';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { IConstruct } from 'constructs';
import {
  QUEUE_POLICY_MAX_BYTES,
  SNS_ENCRYPTION_CONTEXT_KEY,
  SNS_KMS_PUBLISH_ACTIONS,
  SNS_PUBLISH_ACTIONS,
  SQS_CONSUME_ACTIONS,
  SQS_ENCRYPTION_CONTEXT_KEY,
  SQS_KMS_CONSUME_ACTIONS,
  SQS_KMS_SEND_ACTIONS,
  SQS_SEND_ACTIONS,
  TOPIC_POLICY_MAX_BYTES,
} from '../constants';
import { KeyUse, aliasNameOf, refuseAwsManagedKey } from './kms';
import { createdName, literalIn } from './names';
import { ShareOptions } from './options';
import { ResourceShare } from './share';
import { fail } from '../input/validation';

/*
 * SQS and SNS document the KMS actions a producer, consumer or publisher
 * needs; the key's use is narrowed, as S3's and Secrets Manager's are, by
 * kms:ViaService and by the encryption context the service passes: the
 * queue's ARN under aws:sqs:arn, the topic's under aws:sns:topicArn. The SQS
 * and SNS developer guides do not print these keys, as far as we could read
 * them: they are the keys public key policies for these services use, and the
 * keys the AWS emulators that reproduce SQS's and SNS's KMS calls pass (see
 * SQS_ENCRYPTION_CONTEXT_KEY). Without them the grantee could use the key
 * through SQS or SNS for any queue or topic encrypted with it.
 * https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/sqs-key-management.html
 * https://docs.aws.amazon.com/sns/latest/dg/sns-key-management.html
 */

/** The queue's half of `CrossAccountGrants.queueSendMessages|queueConsumeMessages`. */
export function queueShare(method: string, queue: sqs.IQueue, access: 'send' | 'consume', _options: ShareOptions): ResourceShare {
  const created = queue.node.defaultChild instanceof sqs.CfnQueue;
  const label = `the queue '${queue.node.path}'`;
  const key = queue.encryptionMasterKey;
  // QueueEncryption.KMS_MANAGED writes the AWS managed key's alias into the queue, with no key object.
  const fix = 'encrypt it with a customer managed key (encryption: QueueEncryption.KMS, encryptionMasterKey: new kms.Key(...)), or with SQS managed keys (QueueEncryption.SQS_MANAGED)';
  refuseAwsManagedKey(queue, aliasNameOf(key) ?? aliasNameOf((queue.node.defaultChild as sqs.CfnQueue | undefined)?.kmsMasterKeyId), label, fix);
  const actions = access === 'send' ? SQS_SEND_ACTIONS : SQS_CONSUME_ACTIONS;
  return {
    method,
    resource: queue,
    label,
    created,
    sameAccount: grantee => access === 'send' ? queue.grantSendMessages(grantee) : queue.grantConsumeMessages(grantee),
    identityStatements: stack => [{ actions, resources: [literalIn(stack, queue.queueArn, queue, label, 'queueName')] }],
    resourceStatements: () => [{ actions, resources: [queue.queueArn] }],
    policyResource: queue,
    keyUses: () => key === undefined ? [] : [{
      key,
      label: `the key of ${label}`,
      actions: access === 'send' ? SQS_KMS_SEND_ACTIONS : SQS_KMS_CONSUME_ACTIONS,
      service: 'sqs',
      encryptionContext: {
        key: SQS_ENCRYPTION_CONTEXT_KEY,
        values: [arnForKeyPolicy({
          resource: queue,
          label,
          arn: queue.queueArn,
          created: created ? { nameOfL1: (queue.node.defaultChild as sqs.CfnQueue).queueName } : undefined,
          service: 'sqs',
          nameProp: 'queueName',
          importFix: 'sqs.Queue.fromQueueAttributes(scope, id, { queueArn: \'arn:aws:sqs:...\', keyArn })',
        })],
      },
    } satisfies KeyUse],
    quota: {
      policy: `the queue policy of '${queue.node.path}'`,
      limitText: '8,192 bytes, 20 statements, 50 principals and 7 actions per statement for a queue policy '
        + '(https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/quotas-policies.html)',
      limit: QUEUE_POLICY_MAX_BYTES,
      // the guide also lists 10 conditions, without saying whether per statement or per policy: not checked
      counts: [{ of: 'statements', max: 20 }, { of: 'principals', max: 50 }, { of: 'actions per statement', max: 7 }],
      measure: () => queue.node.findAll().find((c): c is sqs.CfnQueuePolicy => c instanceof sqs.CfnQueuePolicy)?.policyDocument,
      fix: 'grant fewer principals on this queue, or grant an organization (organizationId) instead of many accounts',
    },
  };
}

/** The topic's half of `CrossAccountGrants.topicPublish`. */
export function topicShare(method: string, topic: sns.ITopic, _options: ShareOptions): ResourceShare {
  const created = topic.node.defaultChild instanceof sns.CfnTopic;
  const label = `the topic '${topic.node.path}'`;
  const key = topic.masterKey;
  refuseAwsManagedKey(topic, aliasNameOf(key) ?? aliasNameOf((topic.node.defaultChild as sns.CfnTopic | undefined)?.kmsMasterKeyId), label,
    'encrypt it with a customer managed key (masterKey: new kms.Key(...))');
  return {
    method,
    resource: topic,
    label,
    created,
    sameAccount: grantee => topic.grantPublish(grantee),
    identityStatements: stack => [{ actions: SNS_PUBLISH_ACTIONS, resources: [literalIn(stack, topic.topicArn, topic, label, 'topicName')] }],
    resourceStatements: () => [{ actions: SNS_PUBLISH_ACTIONS, resources: [topic.topicArn] }],
    policyResource: topic,
    keyUses: () => key === undefined ? [] : [{
      key,
      label: `the key of ${label}`,
      actions: SNS_KMS_PUBLISH_ACTIONS,
      service: 'sns',
      encryptionContext: {
        key: SNS_ENCRYPTION_CONTEXT_KEY,
        values: [arnForKeyPolicy({
          resource: topic,
          label,
          arn: topic.topicArn,
          created: created ? { nameOfL1: (topic.node.defaultChild as sns.CfnTopic).topicName } : undefined,
          service: 'sns',
          nameProp: 'topicName',
          importFix: 'sns.Topic.fromTopicAttributes(scope, id, { topicArn: \'arn:aws:sns:...\', keyArn })',
        })],
      },
    } satisfies KeyUse],
    quota: {
      policy: `the topic policy of '${topic.node.path}'`,
      limitText: '30 KB, 100 statements and 200 principals for a topic policy '
        + '(https://docs.aws.amazon.com/sns/latest/dg/sns-access-policy-language-api-permissions-reference.html#sns-policy-quotas)',
      limit: TOPIC_POLICY_MAX_BYTES,
      counts: [{ of: 'statements', max: 100 }, { of: 'principals', max: 200 }],
      measure: () => topic.node.findAll().find((c): c is sns.CfnTopicPolicy => c instanceof sns.CfnTopicPolicy)?.policyDocument,
      fix: 'grant fewer principals on this topic, or grant an organization (organizationId) instead of many accounts',
    },
  };
}

/** A queue or topic, as its key's policy names it. */
interface Named {
  readonly resource: IConstruct;
  readonly label: string;
  /** Its ARN attribute (a literal for one imported by ARN). */
  readonly arn: string;
  /** The name property of the L1 the app creates (undefined when the app imports it). */
  readonly created: { readonly nameOfL1: string | undefined } | undefined;
  /** `sqs`, `sns` */
  readonly service: string;
  /** `queueName`, `topicName` */
  readonly nameProp: string;
  /** How to import it with its ARN, for the error. */
  readonly importFix: string;
}

/**
 * The ARN of a queue or topic as its key's policy names it in the encryption
 * context: a literal, from the physical name of one the app creates (a
 * reference to the queue or topic would make it and its key depend on each
 * other), or the literal ARN of an imported one.
 */
function arnForKeyPolicy(named: Named): string {
  const serviceName = named.service.toUpperCase();
  if (named.created !== undefined) {
    const name = createdName(named.resource, named.created.nameOfL1, named.label, named.nameProp,
      `the policy of its key names it in the encryption context ${serviceName} passes to KMS (a reference to it would make it and its key depend on each other)`);
    return Stack.of(named.resource).formatArn({ service: named.service, resource: name });
  }
  if (Token.isUnresolved(named.arn)) {
    fail(named.resource, `${named.label} is imported without a literal ARN, so the grantee's key permission cannot name it in the encryption context ${serviceName} passes to KMS; import it with its ARN: ${named.importFix}`);
  }
  return named.arn;
}
