import * as sns from 'aws-cdk-lib/aws-sns';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import {
  QUEUE_POLICY_MAX_BYTES,
  SNS_KMS_PUBLISH_ACTIONS,
  SNS_PUBLISH_ACTIONS,
  SQS_CONSUME_ACTIONS,
  SQS_KMS_CONSUME_ACTIONS,
  SQS_KMS_SEND_ACTIONS,
  SQS_SEND_ACTIONS,
  TOPIC_POLICY_MAX_BYTES,
} from '../constants';
import { KeyUse, aliasNameOf, refuseAwsManagedKey } from './kms';
import { literalIn } from './names';
import { ShareOptions } from './options';
import { ResourceShare } from './share';

/*
 * SQS and SNS document the KMS actions a producer, consumer or publisher
 * needs, but not the encryption context they pass to KMS: the key's use is
 * narrowed by kms:ViaService and the key's account and region, not by an
 * encryption-context condition that could refuse every call if the key were
 * not the one the service uses.
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
    } satisfies KeyUse],
    quota: {
      policy: `the queue policy of '${queue.node.path}'`,
      limitText: '8,192 bytes for a queue policy (https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/quotas-policies.html)',
      limit: QUEUE_POLICY_MAX_BYTES,
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
    keyUses: () => key === undefined ? [] : [{ key, label: `the key of ${label}`, actions: SNS_KMS_PUBLISH_ACTIONS, service: 'sns' } satisfies KeyUse],
    quota: {
      policy: `the topic policy of '${topic.node.path}'`,
      limitText: '30 KB for a topic policy (https://docs.aws.amazon.com/sns/latest/dg/sns-access-policy-language-api-permissions-reference.html#sns-policy-quotas)',
      limit: TOPIC_POLICY_MAX_BYTES,
      measure: () => topic.node.findAll().find((c): c is sns.CfnTopicPolicy => c instanceof sns.CfnTopicPolicy)?.policyDocument,
      fix: 'grant fewer principals on this topic, or grant an organization (organizationId) instead of many accounts',
    },
  };
}
