import { CfnResource, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as ecr from 'aws-cdk-lib/aws-ecr';
import * as events from 'aws-cdk-lib/aws-events';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { IConstruct } from 'constructs';
import { CrossAccountGrants } from '../src';
import {
  DeployedResource,
  Decision,
  RequestContext,
  evaluateRequest,
  eventBusPolicyOf,
  functionPolicyOf,
  identityPoliciesFor,
  resourcePolicyOf,
} from './helpers/simulate';
import { OTHER, REGION, TRUSTED, TRUSTING, testApp } from './util';

/**
 * Behaviour: both sides of each resource share, as synthesized, evaluated by
 * the IAM policy simulator (the resource's policy from the resource's
 * template, the grantee's identity policy from its own). Each service is
 * proven the same way, with aws-cdk-lib's own cross-account grant beside it
 * where it differs:
 *
 * - the grantee is allowed;
 * - another principal of the grantee's account, even one whose own policy
 *   allows everything, is denied by the resource's policy;
 * - a principal of a third account is denied;
 * - the resource's key is usable only through the service, for this resource
 *   (encryption context), never directly;
 * - a key of the grantee's own account is not usable.
 */

const READER_SESSION = `arn:aws:sts::${TRUSTED}:assumed-role/reader/session`;
/** Another role of the grantee's account, whose own policy allows every action on every resource. */
const COLLEAGUE = `arn:aws:sts::${TRUSTED}:assumed-role/colleague/session`;
/** A role of a third account, whose own policy allows every action on every resource. */
const STRANGER = `arn:aws:sts::${OTHER}:assumed-role/stranger/session`;
const ALLOW_EVERYTHING = { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: '*', Resource: '*' }] };

const KEY_ID = '1234abcd-12ab-34cd-56ef-1234567890ab';
const KEY_ARN = `arn:aws:kms:${REGION}:${TRUSTING}:key/${KEY_ID}`;
/** A key of the grantee's own account, with the default key policy (its account's IAM policies decide). */
const OWN_KEY_ARN = `arn:aws:kms:${REGION}:${TRUSTED}:key/99999999-12ab-34cd-56ef-1234567890ab`;
const OWN_KEY_POLICY = { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${TRUSTED}:root` }, Action: 'kms:*', Resource: '*' }] };

/** The two accounts of a share: the resource's stack and the grantee's, with the reader role. */
function accounts() {
  const app = testApp();
  const owner = new Stack(app, 'Owner', { env: { account: TRUSTING, region: REGION } });
  const consumer = new Stack(app, 'Consumer', { env: { account: TRUSTED, region: REGION } });
  const reader = new iam.Role(consumer, 'Reader', { roleName: 'reader', assumedBy: new iam.AccountRootPrincipal() });
  const key = new kms.Key(owner, 'Key');
  return { app, owner, consumer, reader, key };
}

/** What CloudFormation returns for the resources of the owner's stack, by logical id. */
function deployed(...entries: Array<[IConstruct, DeployedResource]>): Record<string, DeployedResource> {
  return Object.fromEntries(entries.map(([construct, values]) => {
    const cfn = (construct instanceof CfnResource ? construct : construct.node.defaultChild) as CfnResource;
    return [Stack.of(cfn).getLogicalId(cfn), values];
  }));
}

/** Both sides as deployed: the resource policy (or key policy) of the owner's template, the reader's identity policies. */
interface Sides {
  readonly ownerTemplate: unknown;
  readonly consumerTemplate: unknown;
  readonly resources: Record<string, DeployedResource>;
}

function synthesize(owner: Stack, consumer: Stack, resources: Record<string, DeployedResource>): Sides {
  return { ownerTemplate: Template.fromStack(owner).toJSON(), consumerTemplate: Template.fromStack(consumer).toJSON(), resources };
}

function readerPolicies(sides: Sides): unknown[] {
  return identityPoliciesFor(sides.consumerTemplate, { type: 'role', name: 'reader' }, { account: TRUSTED, region: REGION });
}

function keyPolicy(sides: Sides): unknown {
  return resourcePolicyOf(sides.ownerTemplate, 'AWS::KMS::Key', { account: TRUSTING, region: REGION, resources: sides.resources });
}

interface Ask {
  readonly principal: string;
  readonly action: string;
  readonly resource: string;
  readonly resourcePolicy: unknown;
  readonly identityPolicies: unknown[];
  readonly context?: RequestContext;
  readonly resourceAccount?: string;
}

async function ask(request: Ask): Promise<Decision> {
  return (await evaluateRequest({
    principalArn: request.principal,
    action: request.action,
    resourceArn: request.resource,
    resourceAccount: request.resourceAccount,
    resourcePolicy: request.resourcePolicy,
    identityPolicies: request.identityPolicies,
    context: request.context,
  })).decision;
}

describe('a KMS-encrypted bucket read by a role of another account', () => {
  const OBJECT = 'arn:aws:s3:::data-a/reports/2026.csv';

  function bucketPair(grant: (bucket: s3.Bucket, reader: iam.Role) => void): Sides {
    const { owner, consumer, reader, key } = accounts();
    const bucket = new s3.Bucket(owner, 'Data', { bucketName: 'data-a', encryptionKey: key });
    grant(bucket, reader);
    return synthesize(owner, consumer, deployed([bucket, { ref: 'data-a', attributes: { Arn: 'arn:aws:s3:::data-a' } }], [key, { attributes: { Arn: KEY_ARN } }]));
  }

  const shared = bucketPair((bucket, reader) => CrossAccountGrants.bucketRead(bucket, reader));
  const baseline = bucketPair((bucket, reader) => bucket.grantRead(reader));
  const bucketPolicy = (sides: Sides) => resourcePolicyOf(sides.ownerTemplate, 'AWS::S3::BucketPolicy', { account: TRUSTING, region: REGION, resources: sides.resources });
  const getObject = (sides: Sides, principal: string, identityPolicies: unknown[]) => ask({
    principal, action: 's3:GetObject', resource: OBJECT, resourceAccount: TRUSTING, resourcePolicy: bucketPolicy(sides), identityPolicies,
  });
  const decrypt = (sides: Sides, principal: string, identityPolicies: unknown[], context: RequestContext,
    keyArn: string = KEY_ARN, resourcePolicy: unknown = keyPolicy(sides)) => ask({
    principal, action: 'kms:Decrypt', resource: keyArn, resourcePolicy, identityPolicies, context,
  });
  const throughS3 = (arn: string) => ({ 'kms:ViaService': `s3.${REGION}.amazonaws.com`, 'kms:EncryptionContext:aws:s3:arn': arn });

  test('allows the grantee to read an object', async () => {
    expect(await getObject(shared, READER_SESSION, readerPolicies(shared))).toBe('Allowed');
  });

  test('denies another principal of the grantee\'s account, whose own policy allows everything', async () => {
    expect(await getObject(shared, COLLEAGUE, [ALLOW_EVERYTHING])).toBe('ImplicitlyDenied');
  });

  test('denies a principal of a third account', async () => {
    expect(await getObject(shared, STRANGER, [ALLOW_EVERYTHING])).toBe('ImplicitlyDenied');
  });

  test('denies the grantee without its identity policy (both sides are needed)', async () => {
    expect(await getObject(shared, READER_SESSION, [])).toBe('ImplicitlyDenied');
  });

  test('allows kms:Decrypt through S3 for an object of the bucket', async () => {
    expect(await decrypt(shared, READER_SESSION, readerPolicies(shared), throughS3(OBJECT))).toBe('Allowed');
  });

  test('allows kms:Decrypt through S3 with an S3 Bucket Key (the bucket\'s ARN is the encryption context)', async () => {
    expect(await decrypt(shared, READER_SESSION, readerPolicies(shared), throughS3('arn:aws:s3:::data-a'))).toBe('Allowed');
  });

  test('denies kms:Decrypt through S3 for another bucket encrypted with the same key', async () => {
    expect(await decrypt(shared, READER_SESSION, readerPolicies(shared), throughS3('arn:aws:s3:::other-bucket/secret.csv'))).toBe('ImplicitlyDenied');
  });

  test('denies kms:Decrypt called directly, not through S3', async () => {
    expect(await decrypt(shared, READER_SESSION, readerPolicies(shared), { 'kms:EncryptionContext:aws:s3:arn': OBJECT })).toBe('ImplicitlyDenied');
  });

  test('denies the key to another principal of the grantee\'s account', async () => {
    expect(await decrypt(shared, COLLEAGUE, [ALLOW_EVERYTHING], throughS3(OBJECT))).toBe('ImplicitlyDenied');
  });

  test('does not let the grantee use a key of its own account', async () => {
    expect(await decrypt(shared, READER_SESSION, readerPolicies(shared), throughS3('arn:aws:s3:::own-bucket/x'), OWN_KEY_ARN, OWN_KEY_POLICY)).toBe('ImplicitlyDenied');
  });

  test('the encryption context is judged by the harness, and a wrong one is what denies', async () => {
    // GIVEN / WHEN
    const outcome = await evaluateRequest({
      principalArn: READER_SESSION,
      action: 'kms:Decrypt',
      resourceArn: KEY_ARN,
      resourcePolicy: keyPolicy(shared),
      identityPolicies: readerPolicies(shared),
      context: throughS3('arn:aws:s3:::other-bucket/x'),
    });

    // THEN the key policy's and the identity policy's conditions were judged, and failed
    expect(outcome.decision).toBe('ImplicitlyDenied');
    expect(outcome.judgedEncryptionContext.map(j => [j.policy, j.key, j.holds])).toEqual(expect.arrayContaining([
      ['identity-0', 'kms:EncryptionContext:aws:s3:arn', false],
      ['resource', 'kms:EncryptionContext:aws:s3:arn', false],
    ]));
    expect(outcome.ignoredContextKeys).toEqual([]);
  });

  describe('aws-cdk-lib\'s bucket.grantRead, for comparison', () => {
    test('also allows the grantee to read an object', async () => {
      expect(await getObject(baseline, READER_SESSION, readerPolicies(baseline))).toBe('Allowed');
    });

    test('lets the grantee call kms:Decrypt directly, not only through S3', async () => {
      expect(await decrypt(baseline, READER_SESSION, readerPolicies(baseline), {})).toBe('Allowed');
    });

    test('lets the grantee use a key of its own account (its policy allows KMS on "*")', async () => {
      expect(await decrypt(baseline, READER_SESSION, readerPolicies(baseline), {}, OWN_KEY_ARN, OWN_KEY_POLICY)).toBe('Allowed');
    });
  });
});

describe('a KMS-encrypted bucket written by a role of another account', () => {
  const OBJECT = 'arn:aws:s3:::data-a/incoming/2026.csv';

  function bucketPair(grant: (bucket: s3.Bucket, writer: iam.Role) => void): Sides {
    const { owner, consumer, reader, key } = accounts();
    const bucket = new s3.Bucket(owner, 'Data', { bucketName: 'data-a', encryptionKey: key });
    grant(bucket, reader);
    return synthesize(owner, consumer, deployed([bucket, { ref: 'data-a', attributes: { Arn: 'arn:aws:s3:::data-a' } }], [key, { attributes: { Arn: KEY_ARN } }]));
  }

  const shared = bucketPair((bucket, writer) => CrossAccountGrants.bucketWrite(bucket, writer));
  const baseline = bucketPair((bucket, writer) => bucket.grantWrite(writer));
  const putObject = (principal: string, identityPolicies: unknown[]) => ask({
    principal,
    action: 's3:PutObject',
    resource: OBJECT,
    resourceAccount: TRUSTING,
    identityPolicies,
    resourcePolicy: resourcePolicyOf(shared.ownerTemplate, 'AWS::S3::BucketPolicy', { account: TRUSTING, region: REGION, resources: shared.resources }),
  });
  const generateDataKey = (sides: Sides, context: RequestContext, keyArn = KEY_ARN, resourcePolicy: unknown = keyPolicy(sides)) => ask({
    principal: READER_SESSION, action: 'kms:GenerateDataKey', resource: keyArn, resourcePolicy, identityPolicies: readerPolicies(sides), context,
  });
  const throughS3 = (arn: string) => ({ 'kms:ViaService': `s3.${REGION}.amazonaws.com`, 'kms:EncryptionContext:aws:s3:arn': arn });

  test('allows the grantee to write an object', async () => {
    expect(await putObject(READER_SESSION, readerPolicies(shared))).toBe('Allowed');
  });

  test('denies another principal of the grantee\'s account', async () => {
    expect(await putObject(COLLEAGUE, [ALLOW_EVERYTHING])).toBe('ImplicitlyDenied');
  });

  test('denies a principal of a third account', async () => {
    expect(await putObject(STRANGER, [ALLOW_EVERYTHING])).toBe('ImplicitlyDenied');
  });

  test('allows kms:GenerateDataKey through S3 for an object of the bucket, not for another bucket, not directly', async () => {
    expect([
      await generateDataKey(shared, throughS3(OBJECT)),
      await generateDataKey(shared, throughS3('arn:aws:s3:::other-bucket/x')),
      await generateDataKey(shared, {}),
    ]).toEqual(['Allowed', 'ImplicitlyDenied', 'ImplicitlyDenied']);
  });

  test('aws-cdk-lib\'s bucket.grantWrite, for comparison, lets the grantee generate data keys directly and with a key of its own account', async () => {
    expect([
      await generateDataKey(baseline, {}),
      await generateDataKey(baseline, {}, OWN_KEY_ARN, OWN_KEY_POLICY),
    ]).toEqual(['Allowed', 'Allowed']);
  });
});

/** The context SQS passes to KMS for a queue: its ARN under aws:sqs:arn (see SQS_ENCRYPTION_CONTEXT_KEY in src/private/constants.ts). */
const throughSqsFor = (queueArn: string) => ({ 'kms:ViaService': `sqs.${REGION}.amazonaws.com`, 'kms:EncryptionContext:aws:sqs:arn': queueArn });
/** The context SNS passes to KMS for a topic: its ARN under aws:sns:topicArn. */
const throughSnsFor = (topicArn: string) => ({ 'kms:ViaService': `sns.${REGION}.amazonaws.com`, 'kms:EncryptionContext:aws:sns:topicArn': topicArn });

describe('an encrypted queue written by a role of another account', () => {
  const QUEUE_ARN = `arn:aws:sqs:${REGION}:${TRUSTING}:orders`;

  function queuePair(grant: (queue: sqs.Queue, reader: iam.Role) => void): Sides {
    const { owner, consumer, reader, key } = accounts();
    const queue = new sqs.Queue(owner, 'Orders', { queueName: 'orders', encryptionMasterKey: key });
    grant(queue, reader);
    return synthesize(owner, consumer, deployed(
      [queue, { ref: `https://sqs.${REGION}.amazonaws.com/${TRUSTING}/orders`, attributes: { Arn: QUEUE_ARN } }], [key, { attributes: { Arn: KEY_ARN } }]));
  }

  const shared = queuePair((queue, reader) => CrossAccountGrants.queueSendMessages(queue, reader));
  const baseline = queuePair((queue, reader) => queue.grantSendMessages(reader));
  const queuePolicy = (sides: Sides) => resourcePolicyOf(sides.ownerTemplate, 'AWS::SQS::QueuePolicy', { account: TRUSTING, region: REGION, resources: sides.resources });
  const send = (principal: string, identityPolicies: unknown[]) => ask({ principal, action: 'sqs:SendMessage', resource: QUEUE_ARN, resourcePolicy: queuePolicy(shared), identityPolicies });
  const generateDataKey = (sides: Sides, context: RequestContext, keyArn = KEY_ARN, resourcePolicy: unknown = keyPolicy(sides)) => ask({
    principal: READER_SESSION, action: 'kms:GenerateDataKey', resource: keyArn, resourcePolicy, identityPolicies: readerPolicies(sides), context,
  });
  const throughSqs = throughSqsFor(QUEUE_ARN);

  test('allows the grantee to send a message', async () => {
    expect(await send(READER_SESSION, readerPolicies(shared))).toBe('Allowed');
  });

  test('denies another principal of the grantee\'s account', async () => {
    expect(await send(COLLEAGUE, [ALLOW_EVERYTHING])).toBe('ImplicitlyDenied');
  });

  test('denies a principal of a third account', async () => {
    expect(await send(STRANGER, [ALLOW_EVERYTHING])).toBe('ImplicitlyDenied');
  });

  test('allows kms:GenerateDataKey through SQS for this queue, not for another queue encrypted with the same key', async () => {
    expect([
      await generateDataKey(shared, throughSqs),
      await generateDataKey(shared, throughSqsFor(`arn:aws:sqs:${REGION}:${TRUSTING}:other-queue`)),
    ]).toEqual(['Allowed', 'ImplicitlyDenied']);
  });

  test('the queue\'s encryption context is judged by the harness on both sides', async () => {
    // GIVEN / WHEN
    const outcome = await evaluateRequest({
      principalArn: READER_SESSION,
      action: 'kms:GenerateDataKey',
      resourceArn: KEY_ARN,
      resourcePolicy: keyPolicy(shared),
      identityPolicies: readerPolicies(shared),
      context: throughSqsFor(`arn:aws:sqs:${REGION}:${TRUSTING}:other-queue`),
    });

    // THEN
    expect(outcome.judgedEncryptionContext.map(j => [j.policy, j.key, j.holds])).toEqual(expect.arrayContaining([
      ['identity-0', 'kms:EncryptionContext:aws:sqs:arn', false],
      ['resource', 'kms:EncryptionContext:aws:sqs:arn', false],
    ]));
  });

  test('denies kms:GenerateDataKey called directly', async () => {
    expect(await generateDataKey(shared, {})).toBe('ImplicitlyDenied');
  });

  test('does not let the grantee use a key of its own account', async () => {
    expect(await generateDataKey(shared, throughSqs, OWN_KEY_ARN, OWN_KEY_POLICY)).toBe('ImplicitlyDenied');
  });

  test('aws-cdk-lib\'s queue.grantSendMessages, for comparison, lets the grantee use the key directly', async () => {
    expect(await generateDataKey(baseline, {})).toBe('Allowed');
  });
});

describe('an encrypted queue consumed by a role of another account', () => {
  const QUEUE_ARN = `arn:aws:sqs:${REGION}:${TRUSTING}:orders`;

  const { owner, consumer, reader, key } = accounts();
  const queue = new sqs.Queue(owner, 'Orders', { queueName: 'orders', encryptionMasterKey: key });
  CrossAccountGrants.queueConsumeMessages(queue, reader);
  const shared = synthesize(owner, consumer, deployed(
    [queue, { ref: `https://sqs.${REGION}.amazonaws.com/${TRUSTING}/orders`, attributes: { Arn: QUEUE_ARN } }], [key, { attributes: { Arn: KEY_ARN } }]));
  const queuePolicy = resourcePolicyOf(shared.ownerTemplate, 'AWS::SQS::QueuePolicy', { account: TRUSTING, region: REGION, resources: shared.resources });
  const receive = (principal: string, identityPolicies: unknown[], action = 'sqs:ReceiveMessage') => ask({ principal, action, resource: QUEUE_ARN, resourcePolicy: queuePolicy, identityPolicies });
  const decrypt = (context: RequestContext) => ask({
    principal: READER_SESSION, action: 'kms:Decrypt', resource: KEY_ARN, resourcePolicy: keyPolicy(shared), identityPolicies: readerPolicies(shared), context,
  });

  test('allows the grantee to receive and delete messages, not to send them', async () => {
    expect([
      await receive(READER_SESSION, readerPolicies(shared)),
      await receive(READER_SESSION, readerPolicies(shared), 'sqs:DeleteMessage'),
      await receive(READER_SESSION, readerPolicies(shared), 'sqs:SendMessage'),
    ]).toEqual(['Allowed', 'Allowed', 'ImplicitlyDenied']);
  });

  test('denies another principal of the grantee\'s account', async () => {
    expect(await receive(COLLEAGUE, [ALLOW_EVERYTHING])).toBe('ImplicitlyDenied');
  });

  test('denies a principal of a third account', async () => {
    expect(await receive(STRANGER, [ALLOW_EVERYTHING])).toBe('ImplicitlyDenied');
  });

  test('allows kms:Decrypt through SQS for this queue, not for another queue, not directly', async () => {
    expect([
      await decrypt(throughSqsFor(QUEUE_ARN)),
      await decrypt(throughSqsFor(`arn:aws:sqs:${REGION}:${TRUSTING}:other-queue`)),
      await decrypt({ 'kms:EncryptionContext:aws:sqs:arn': QUEUE_ARN }),
    ]).toEqual(['Allowed', 'ImplicitlyDenied', 'ImplicitlyDenied']);
  });
});

describe('an encrypted topic published to by a role of another account', () => {
  const TOPIC_ARN = `arn:aws:sns:${REGION}:${TRUSTING}:alerts`;

  function topicPair(grant: (topic: sns.Topic, reader: iam.Role) => void): Sides {
    const { owner, consumer, reader, key } = accounts();
    const topic = new sns.Topic(owner, 'Alerts', { topicName: 'alerts', masterKey: key });
    grant(topic, reader);
    return synthesize(owner, consumer,
      deployed([topic, { ref: TOPIC_ARN, attributes: { TopicArn: TOPIC_ARN } }], [key, { attributes: { Arn: KEY_ARN } }]));
  }

  const shared = topicPair((topic, reader) => CrossAccountGrants.topicPublish(topic, reader));
  const baseline = topicPair((topic, reader) => topic.grantPublish(reader));
  const topicPolicy = (sides: Sides) => resourcePolicyOf(sides.ownerTemplate, 'AWS::SNS::TopicPolicy', { account: TRUSTING, region: REGION, resources: sides.resources });
  const publish = (principal: string, identityPolicies: unknown[], sides: Sides = shared) => ask({
    principal, action: 'sns:Publish', resource: TOPIC_ARN, resourcePolicy: topicPolicy(sides), identityPolicies,
  });

  test('allows the grantee to publish', async () => {
    expect(await publish(READER_SESSION, readerPolicies(shared))).toBe('Allowed');
  });

  test('denies another principal of the grantee\'s account', async () => {
    expect(await publish(COLLEAGUE, [ALLOW_EVERYTHING])).toBe('ImplicitlyDenied');
  });

  test('denies a principal of a third account', async () => {
    expect(await publish(STRANGER, [ALLOW_EVERYTHING])).toBe('ImplicitlyDenied');
  });

  const generate = (context: RequestContext, sides: Sides = shared, keyArn = KEY_ARN, resourcePolicy: unknown = keyPolicy(sides)) => ask({
    principal: READER_SESSION, action: 'kms:GenerateDataKey', resource: keyArn, resourcePolicy, identityPolicies: readerPolicies(sides), context,
  });

  test('allows kms:GenerateDataKey through SNS for this topic, and denies it called directly', async () => {
    expect([await generate(throughSnsFor(TOPIC_ARN)), await generate({})]).toEqual(['Allowed', 'ImplicitlyDenied']);
  });

  test('denies kms:GenerateDataKey through SNS for another topic encrypted with the same key', async () => {
    expect(await generate(throughSnsFor(`arn:aws:sns:${REGION}:${TRUSTING}:other-topic`))).toBe('ImplicitlyDenied');
  });

  test('does not let the grantee use a key of its own account', async () => {
    expect(await generate(throughSnsFor(TOPIC_ARN), shared, OWN_KEY_ARN, OWN_KEY_POLICY)).toBe('ImplicitlyDenied');
  });

  describe('aws-cdk-lib\'s topic.grantPublish, for comparison', () => {
    test('also allows the grantee to publish', async () => {
      expect(await publish(READER_SESSION, readerPolicies(baseline), baseline)).toBe('Allowed');
    });

    test('lets the grantee use the key directly, for any topic, and a key of its own account', async () => {
      expect([
        await generate({}, baseline),
        await generate(throughSnsFor(`arn:aws:sns:${REGION}:${TRUSTING}:other-topic`), baseline),
        await generate({}, baseline, OWN_KEY_ARN, OWN_KEY_POLICY),
      ]).toEqual(['Allowed', 'Allowed', 'Allowed']);
    });
  });
});

describe('a secret read by a role of another account', () => {
  const SECRET_ARN = `arn:aws:secretsmanager:${REGION}:${TRUSTING}:secret:db-password-AbCdEf`;

  function secretPair(grant: (secret: secretsmanager.Secret, reader: iam.Role) => void): Sides {
    const { owner, consumer, reader, key } = accounts();
    const secret = new secretsmanager.Secret(owner, 'Password', { secretName: 'db-password', encryptionKey: key });
    grant(secret, reader);
    return synthesize(owner, consumer, deployed([secret, { ref: SECRET_ARN }], [key, { attributes: { Arn: KEY_ARN } }]));
  }

  const shared = secretPair((secret, reader) => CrossAccountGrants.secretRead(secret, reader));
  const baseline = secretPair((secret, reader) => secret.grantRead(reader));
  const secretPolicy = resourcePolicyOf(shared.ownerTemplate, 'AWS::SecretsManager::ResourcePolicy', { account: TRUSTING, region: REGION, resources: shared.resources });
  const getSecretValue = (principal: string, identityPolicies: unknown[]) => ask({ principal, action: 'secretsmanager:GetSecretValue', resource: SECRET_ARN, resourcePolicy: secretPolicy, identityPolicies });
  const decrypt = (sides: Sides, context: RequestContext, keyArn = KEY_ARN, resourcePolicy: unknown = keyPolicy(sides)) => ask({
    principal: READER_SESSION, action: 'kms:Decrypt', resource: keyArn, resourcePolicy, identityPolicies: readerPolicies(sides), context,
  });
  const getSecretValueBaseline = () => ask({
    principal: READER_SESSION,
    action: 'secretsmanager:GetSecretValue',
    resource: SECRET_ARN,
    identityPolicies: readerPolicies(baseline),
    resourcePolicy: resourcePolicyOf(baseline.ownerTemplate, 'AWS::SecretsManager::ResourcePolicy', { account: TRUSTING, region: REGION, resources: baseline.resources }),
  });
  const throughSecretsManager = (secretArn: string) => ({ 'kms:ViaService': `secretsmanager.${REGION}.amazonaws.com`, 'kms:EncryptionContext:SecretARN': secretArn });

  test('allows the grantee to read the secret', async () => {
    expect(await getSecretValue(READER_SESSION, readerPolicies(shared))).toBe('Allowed');
  });

  test('denies another principal of the grantee\'s account', async () => {
    expect(await getSecretValue(COLLEAGUE, [ALLOW_EVERYTHING])).toBe('ImplicitlyDenied');
  });

  test('denies a principal of a third account', async () => {
    expect(await getSecretValue(STRANGER, [ALLOW_EVERYTHING])).toBe('ImplicitlyDenied');
  });

  test('allows kms:Decrypt through Secrets Manager for this secret, not for another', async () => {
    expect([
      await decrypt(shared, throughSecretsManager(SECRET_ARN)),
      await decrypt(shared, throughSecretsManager(`arn:aws:secretsmanager:${REGION}:${TRUSTING}:secret:other-XyZ123`)),
    ]).toEqual(['Allowed', 'ImplicitlyDenied']);
  });

  test('denies kms:Decrypt called directly', async () => {
    expect(await decrypt(shared, { 'kms:EncryptionContext:SecretARN': SECRET_ARN })).toBe('ImplicitlyDenied');
  });

  test('does not let the grantee use a key of its own account', async () => {
    expect(await decrypt(shared, throughSecretsManager(SECRET_ARN), OWN_KEY_ARN, OWN_KEY_POLICY)).toBe('ImplicitlyDenied');
  });

  test('aws-cdk-lib\'s secret.grantRead, for comparison, gives the grantee no KMS permission: it cannot decrypt the secret it may read', async () => {
    expect([await getSecretValueBaseline(), await decrypt(baseline, throughSecretsManager(SECRET_ARN))]).toEqual(['Allowed', 'ImplicitlyDenied']);
  });
});

describe('a repository pulled from by a role of another account', () => {
  const REPOSITORY_ARN = `arn:aws:ecr:${REGION}:${TRUSTING}:repository/base-images`;

  function repositoryPair(grant: (repository: ecr.Repository, reader: iam.Role) => void): Sides {
    const { owner, consumer, reader } = accounts();
    const repository = new ecr.Repository(owner, 'Images', { repositoryName: 'base-images' });
    grant(repository, reader);
    return synthesize(owner, consumer, deployed([repository, { ref: 'base-images', attributes: { Arn: REPOSITORY_ARN } }]));
  }

  const shared = repositoryPair((repository, reader) => CrossAccountGrants.repositoryPull(repository, reader));
  const baseline = repositoryPair((repository, reader) => repository.grantPull(reader));
  const pull = (principal: string, identityPolicies: unknown[], sides: Sides = shared, context: RequestContext = {}) => ask({
    principal,
    action: 'ecr:BatchGetImage',
    resource: REPOSITORY_ARN,
    identityPolicies,
    context,
    resourcePolicy: resourcePolicyOf(sides.ownerTemplate, 'AWS::ECR::Repository', { account: TRUSTING, region: REGION, resources: sides.resources }),
  });
  /** The tag aws-cdk-lib puts on the reader role, and that its repository policy checks (aws:PrincipalTag/aws-cdk:id). */
  const cdkIdTag = () => {
    const role = Object.values<any>((baseline.consumerTemplate as any).Resources).find(r => r.Type === 'AWS::IAM::Role' && r.Properties.RoleName === 'reader');
    const tag = role.Properties.Tags.find((t: { Key: string }) => t.Key === 'aws-cdk:id');
    return { 'aws:PrincipalTag/aws-cdk:id': tag.Value as string };
  };

  test('allows the grantee to pull', async () => {
    expect(await pull(READER_SESSION, readerPolicies(shared))).toBe('Allowed');
  });

  test('denies another principal of the grantee\'s account', async () => {
    expect(await pull(COLLEAGUE, [ALLOW_EVERYTHING])).toBe('ImplicitlyDenied');
  });

  test('denies a principal of a third account', async () => {
    expect(await pull(STRANGER, [ALLOW_EVERYTHING])).toBe('ImplicitlyDenied');
  });

  test('denies another principal of the grantee\'s account even if it carries the grantee\'s tags', async () => {
    expect(await pull(COLLEAGUE, [ALLOW_EVERYTHING], shared, cdkIdTag())).toBe('ImplicitlyDenied');
  });

  describe('aws-cdk-lib\'s repository.grantPull, for comparison', () => {
    test('lets in the grantee\'s account narrowed by a tag, aws:PrincipalTag/aws-cdk:id, that aws-cdk-lib puts on the role', async () => {
      expect([
        await pull(READER_SESSION, readerPolicies(baseline), baseline, cdkIdTag()),
        await pull(READER_SESSION, readerPolicies(baseline), baseline, {}),
      ]).toEqual(['Allowed', 'ImplicitlyDenied']);
    });

    test('lets in any other principal of the grantee\'s account that carries the same tag (a tag whoever may tag roles there can set)', async () => {
      expect(await pull(COLLEAGUE, [ALLOW_EVERYTHING], baseline, cdkIdTag())).toBe('Allowed');
    });
  });
});

describe('a function invoked by a role of another account', () => {
  const FUNCTION_ARN = `arn:aws:lambda:${REGION}:${TRUSTING}:function:resize`;

  function functionPair(grant: (fn: lambda.Function, reader: iam.Role) => void): Sides {
    const { owner, consumer, reader } = accounts();
    const fn = new lambda.Function(owner, 'Resize', { functionName: 'resize', runtime: lambda.Runtime.NODEJS_22_X, handler: 'index.handler', code: lambda.Code.fromInline('exports.handler = async () => ({})') });
    grant(fn, reader);
    return synthesize(owner, consumer, deployed([fn, { ref: 'resize', attributes: { Arn: FUNCTION_ARN } }]));
  }

  const shared = functionPair((fn, reader) => CrossAccountGrants.functionInvoke(fn, reader));
  const baseline = functionPair((fn, reader) => fn.grantInvoke(reader));
  const functionPolicy = (sides: Sides) => functionPolicyOf(sides.ownerTemplate, { account: TRUSTING, region: REGION, resources: sides.resources });
  const invoke = (principal: string, identityPolicies: unknown[], sides: Sides = shared) => ask({
    principal, action: 'lambda:InvokeFunction', resource: FUNCTION_ARN, resourcePolicy: functionPolicy(sides), identityPolicies,
  });

  test('allows the grantee to invoke', async () => {
    expect(await invoke(READER_SESSION, readerPolicies(shared))).toBe('Allowed');
  });

  test('denies another principal of the grantee\'s account that its account did not allow', async () => {
    expect(await invoke(COLLEAGUE, [])).toBe('ImplicitlyDenied');
  });

  test('lets in another principal of the grantee\'s account that its account allows (a permission cannot name the grantee: see the warning)', async () => {
    expect(await invoke(COLLEAGUE, [ALLOW_EVERYTHING])).toBe('Allowed');
  });

  describe('aws-cdk-lib\'s fn.grantInvoke, for comparison', () => {
    test('names the role itself in the permission\'s Principal: it denies the colleague, but the function\'s stack fails to deploy before the role exists', async () => {
      // THEN the decision is narrower than a permission naming the account ...
      expect([await invoke(READER_SESSION, readerPolicies(baseline), baseline), await invoke(COLLEAGUE, [ALLOW_EVERYTHING], baseline)]).toEqual(['Allowed', 'ImplicitlyDenied']);
      // ... at the price of the deploy-order trap: the role's ARN in Principal, which Lambda checks when the permission is added
      const principals = Object.values<any>((baseline.ownerTemplate as any).Resources).filter(r => r.Type === 'AWS::Lambda::Permission').map(r => r.Properties.Principal);
      expect(principals).toEqual([{ 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, `:iam::${TRUSTED}:role/reader`]] }]);
    });
  });

  test('denies a principal of a third account', async () => {
    expect(await invoke(STRANGER, [ALLOW_EVERYTHING])).toBe('ImplicitlyDenied');
  });
});

describe('an event bus put to by a role of another account', () => {
  const BUS_ARN = `arn:aws:events:${REGION}:${TRUSTING}:event-bus/central`;

  function busPair(grant: (bus: events.EventBus, reader: iam.Role) => void): Sides {
    const { owner, consumer, reader } = accounts();
    const bus = new events.EventBus(owner, 'Central', { eventBusName: 'central' });
    grant(bus, reader);
    return synthesize(owner, consumer, deployed([bus, { ref: 'central', attributes: { Arn: BUS_ARN } }]));
  }

  const shared = busPair((bus, reader) => CrossAccountGrants.eventBusPutEvents(bus, reader));
  const baseline = busPair((bus, reader) => bus.grantPutEventsTo(reader));
  const putEvents = (sides: Sides, principal: string, identityPolicies: unknown[]) => ask({
    principal, action: 'events:PutEvents', resource: BUS_ARN, resourcePolicy: eventBusPolicyOf(sides.ownerTemplate, { account: TRUSTING, region: REGION, resources: sides.resources }), identityPolicies,
  });

  test('allows the grantee to put events', async () => {
    expect(await putEvents(shared, READER_SESSION, readerPolicies(shared))).toBe('Allowed');
  });

  test('denies another principal of the grantee\'s account', async () => {
    expect(await putEvents(shared, COLLEAGUE, [ALLOW_EVERYTHING])).toBe('ImplicitlyDenied');
  });

  test('denies a principal of a third account', async () => {
    expect(await putEvents(shared, STRANGER, [ALLOW_EVERYTHING])).toBe('ImplicitlyDenied');
  });

  test('aws-cdk-lib\'s bus.grantPutEventsTo, for comparison, writes no bus policy: the grantee is denied', async () => {
    expect(await putEvents(baseline, READER_SESSION, readerPolicies(baseline))).toBe('ImplicitlyDenied');
  });
});

/** A key with an alias in the owner's stack, granted directly to the reader role. */
function keyPair(grant: (key: kms.Key, reader: iam.Role) => void): Sides {
  const { owner, consumer, reader, key } = accounts();
  key.addAlias('alias/shared-data');
  grant(key, reader);
  return synthesize(owner, consumer, deployed([key, { attributes: { Arn: KEY_ARN } }]));
}

describe('a key used directly by a role of another account, named by its alias', () => {
  const shared = keyPair((key, reader) => CrossAccountGrants.keyDecrypt(key, reader));
  const baseline = keyPair((key, reader) => key.grantDecrypt(reader));
  const decrypt = (principal: string, identityPolicies: unknown[], aliases: string[],
    keyArn = KEY_ARN, resourcePolicy: unknown = keyPolicy(shared)) => ask({
    principal, action: 'kms:Decrypt', resource: keyArn, resourcePolicy, identityPolicies, context: { 'kms:ResourceAliases': aliases },
  });

  test('allows the grantee to decrypt with the key that has the alias', async () => {
    expect(await decrypt(READER_SESSION, readerPolicies(shared), ['alias/shared-data'])).toBe('Allowed');
  });

  test('denies another principal of the grantee\'s account', async () => {
    expect(await decrypt(COLLEAGUE, [ALLOW_EVERYTHING], ['alias/shared-data'])).toBe('ImplicitlyDenied');
  });

  test('denies a principal of a third account', async () => {
    expect(await decrypt(STRANGER, [ALLOW_EVERYTHING], ['alias/shared-data'])).toBe('ImplicitlyDenied');
  });

  test('does not let the grantee use a key of its own account, even one with the same alias', async () => {
    expect(await decrypt(READER_SESSION, readerPolicies(shared), ['alias/shared-data'], OWN_KEY_ARN, OWN_KEY_POLICY)).toBe('ImplicitlyDenied');
  });

  describe('aws-cdk-lib\'s key.grantDecrypt, for comparison', () => {
    test('also allows the grantee to decrypt with the key', async () => {
      expect(await decrypt(READER_SESSION, readerPolicies(baseline), [], KEY_ARN, keyPolicy(baseline))).toBe('Allowed');
    });

    test('lets the grantee decrypt with any key of its own account (its policy allows kms:Decrypt on "*")', async () => {
      expect(await decrypt(READER_SESSION, readerPolicies(baseline), [], OWN_KEY_ARN, OWN_KEY_POLICY)).toBe('Allowed');
    });
  });
});

describe('a key used directly to encrypt and decrypt by a role of another account', () => {
  const shared = keyPair((key, reader) => CrossAccountGrants.keyEncryptDecrypt(key, reader));
  const use = (principal: string, identityPolicies: unknown[], action: string) => ask({
    principal, action, resource: KEY_ARN, resourcePolicy: keyPolicy(shared), identityPolicies, context: { 'kms:ResourceAliases': ['alias/shared-data'] },
  });
  const ACTIONS = ['kms:Encrypt', 'kms:Decrypt', 'kms:GenerateDataKey', 'kms:ReEncryptFrom'];

  test('allows the grantee to encrypt, decrypt and generate data keys, not to manage the key', async () => {
    expect(await Promise.all([...ACTIONS, 'kms:ScheduleKeyDeletion'].map(action => use(READER_SESSION, readerPolicies(shared), action))))
      .toEqual(['Allowed', 'Allowed', 'Allowed', 'Allowed', 'ImplicitlyDenied']);
  });

  test('denies another principal of the grantee\'s account', async () => {
    expect(await Promise.all(ACTIONS.map(action => use(COLLEAGUE, [ALLOW_EVERYTHING], action)))).toEqual(ACTIONS.map(() => 'ImplicitlyDenied'));
  });

  test('denies a principal of a third account', async () => {
    expect(await Promise.all(ACTIONS.map(action => use(STRANGER, [ALLOW_EVERYTHING], action)))).toEqual(ACTIONS.map(() => 'ImplicitlyDenied'));
  });
});

describe('a central log bucket written by every account of the organisation', () => {
  const ORGANIZATION = 'o-a1b2c3d4e5';
  const LOG_OBJECT = 'arn:aws:s3:::central-logs/AWSLogs/333333333333/app.log';
  const WRITER = `arn:aws:sts::${OTHER}:assumed-role/log-shipper/session`;

  const { owner } = accounts();
  const bucket = new s3.Bucket(owner, 'Logs', { bucketName: 'central-logs' });
  CrossAccountGrants.bucketWrite(bucket, new iam.OrganizationPrincipal(ORGANIZATION), { objectKeyPattern: 'AWSLogs/*' });
  const bucketPolicy = resourcePolicyOf(Template.fromStack(owner).toJSON(), 'AWS::S3::BucketPolicy',
    { account: TRUSTING, region: REGION, resources: deployed([bucket, { ref: 'central-logs', attributes: { Arn: 'arn:aws:s3:::central-logs' } }]) });
  const put = (orgId: string | undefined, object = LOG_OBJECT) => ask({
    principal: WRITER,
    action: 's3:PutObject',
    resource: object,
    resourceAccount: TRUSTING,
    resourcePolicy: bucketPolicy,
    identityPolicies: [ALLOW_EVERYTHING],
    context: orgId !== undefined ? { 'aws:PrincipalOrgID': orgId } : {},
  });

  test('allows a principal of any account of the organisation that its account allows', async () => {
    expect(await put(ORGANIZATION)).toBe('Allowed');
  });

  test('denies a principal outside the organisation', async () => {
    expect([await put('o-zzzzzzzzzz'), await put(undefined)]).toEqual(['ImplicitlyDenied', 'ImplicitlyDenied']);
  });

  test('denies writing outside the objects of the grant', async () => {
    expect(await put(ORGANIZATION, 'arn:aws:s3:::central-logs/other/app.log')).toBe('ImplicitlyDenied');
  });
});
