import { App, CfnParameter, PhysicalName, Stack, Stage } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import * as ecr from 'aws-cdk-lib/aws-ecr';
import * as events from 'aws-cdk-lib/aws-events';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { CrossAccountGrants, CrossAccountRole } from '../src';
import { OTHER, REGION, TRUSTED, TRUSTING, testApp } from './util';
import { splitByEncryptionContext } from '../src/private/grants/kms';

/**
 * CrossAccountGrants, used the way apps use grants: a resource in one
 * account's stack, a role (or user, or account) in another's, one App.
 */

const ORG = 'o-a1b2c3d4e5';
const READ = ['s3:GetObject', 's3:GetObjectVersion', 's3:GetObjectAttributes', 's3:ListBucket', 's3:ListBucketVersions', 's3:GetBucketLocation'];
const OTHER_WRITES = ['s3:PutObjectLegalHold', 's3:PutObjectRetention', 's3:PutObjectTagging', 's3:PutObjectVersionTagging', 's3:AbortMultipartUpload', 's3:DeleteObject', 's3:DeleteObjectVersion'];
const KEY_USE = ['kms:Decrypt', 'kms:Encrypt', 'kms:ReEncryptFrom', 'kms:ReEncryptTo', 'kms:GenerateDataKey', 'kms:GenerateDataKeyWithoutPlaintext'];
const OU = `${ORG}/r-ab12/ou-ab12-11111111/*`;

/** The literal ARN CDK writes for a name in another stack: arn:${Partition}:... */
function arn(rest: string) {
  return { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, rest]] };
}
const ROOT = (account: string) => arn(`:iam::${account}:root`);
const READER_ARN = arn(`:iam::${TRUSTED}:role/reader`);

/** Two accounts of one app: the owner's stack and the consumer's, with a named reader role in the consumer's. */
function twoAccounts(app: App = testApp()) {
  // The owner's stack is created when first used: CloudFormation refuses an empty template, and the tests validate them.
  let owner: Stack | undefined;
  const consumer = new Stack(app, 'Consumer', { env: { account: TRUSTED, region: REGION } });
  const reader = new iam.Role(consumer, 'Reader', { roleName: 'reader', assumedBy: new iam.AccountRootPrincipal() });
  return {
    app,
    consumer,
    reader,
    get owner() { return owner ??= new Stack(app, 'Owner', { env: { account: TRUSTING, region: REGION } }); },
  };
}

function encryptedBucket(owner: Stack, props: Partial<s3.BucketProps> = {}) {
  const key = new kms.Key(owner, 'Key');
  const bucket = new s3.Bucket(owner, 'Data', { bucketName: 'data-a', encryptionKey: key, ...props });
  return { key, bucket };
}

/** Every statement of every identity policy of a stack. */
function identityStatements(stack: Stack): any[] {
  return Object.values<any>(Template.fromStack(stack).findResources('AWS::IAM::Policy')).flatMap(p => p.Properties.PolicyDocument.Statement);
}

describe('the resource\'s side', () => {
  test('names the grantee\'s account root, narrowed to the role by aws:PrincipalArn, never the role in Principal', () => {
    // GIVEN
    const { owner, reader } = twoAccounts();
    const { bucket } = encryptedBucket(owner);

    // WHEN
    CrossAccountGrants.bucketRead(bucket, reader);

    // THEN
    Template.fromStack(owner).hasResourceProperties('AWS::S3::BucketPolicy', {
      PolicyDocument: {
        Statement: [{
          Effect: 'Allow',
          Principal: { AWS: ROOT(TRUSTED) },
          Action: READ,
          Resource: [{ 'Fn::GetAtt': [Match.anyValue(), 'Arn'] }, Match.anyValue()],
          Condition: { ArnEquals: { 'aws:PrincipalArn': READER_ARN } },
        }],
      },
    });
    expect(JSON.stringify(Template.fromStack(owner).toJSON())).not.toMatch(/"Principal":\{"AWS":\{"Fn::Join":\["",\["arn:",\{"Ref":"AWS::Partition"\},":iam::222222222222:role/);
  });

  test('narrows the key policy to calls S3 makes for this bucket\'s objects', () => {
    // GIVEN
    const { owner, reader } = twoAccounts();
    const { bucket } = encryptedBucket(owner);

    // WHEN
    CrossAccountGrants.bucketRead(bucket, reader);

    // THEN
    Template.fromStack(owner).hasResourceProperties('AWS::KMS::Key', {
      KeyPolicy: {
        Statement: Match.arrayWith([{
          Effect: 'Allow',
          Principal: { AWS: ROOT(TRUSTED) },
          Action: 'kms:Decrypt',
          Resource: '*',
          Condition: {
            ArnEquals: { 'aws:PrincipalArn': READER_ARN },
            StringEquals: { 'kms:ViaService': `s3.${REGION}.amazonaws.com` },
            StringLike: { 'kms:EncryptionContext:aws:s3:arn': [arn(':s3:::data-a'), arn(':s3:::data-a/*')] },
          },
        }]),
      },
    });
  });

  test('the two stacks do not depend on each other: they deploy in either order', () => {
    // GIVEN
    const { app, owner, consumer, reader } = twoAccounts();
    const { bucket } = encryptedBucket(owner);

    // WHEN
    CrossAccountGrants.bucketReadWrite(bucket, reader);
    const assembly = app.synth();

    // THEN no stack waits for the other, and no value crosses as an export
    expect([owner.dependencies, consumer.dependencies]).toEqual([[], []]);
    for (const stack of assembly.stacks) {
      expect(JSON.stringify(stack.template)).not.toMatch(/Fn::ImportValue/);
    }
  });

  test('narrows to an organization and its units with the options, as a role\'s trust does', () => {
    // GIVEN
    const { owner, reader } = twoAccounts();
    const { bucket } = encryptedBucket(owner);

    // WHEN
    CrossAccountGrants.bucketRead(bucket, reader, { organizationId: ORG, organizationalUnitPaths: [OU] });

    // THEN
    Template.fromStack(owner).hasResourceProperties('AWS::S3::BucketPolicy', {
      PolicyDocument: {
        Statement: [Match.objectLike({
          Condition: {
            'StringEquals': { 'aws:PrincipalOrgID': ORG },
            'ForAnyValue:StringLike': { 'aws:PrincipalOrgPaths': OU },
            'ArnEquals': { 'aws:PrincipalArn': READER_ARN },
          },
        })],
      },
    });
  });

  test('refuses an organization ID or OU path that CrossAccountRole would refuse', () => {
    // GIVEN
    const { owner, reader } = twoAccounts();
    const { bucket } = encryptedBucket(owner);

    // WHEN / THEN
    expect(() => CrossAccountGrants.bucketRead(bucket, reader, { organizationId: 'r-ab12' })).toThrow(/organizationId must be an AWS Organizations ID like 'o-a1b2c3d4e5', got 'r-ab12'/);
    expect(() => CrossAccountGrants.bucketRead(bucket, reader, { organizationId: ORG, organizationalUnitPaths: ['o-zzzzzzzzzz/r-ab12/ou-ab12-11111111/'] }))
      .toThrow(/are in the organization 'o-zzzzzzzzzz', but organizationId is 'o-a1b2c3d4e5'/);
  });
});

describe('the grantee\'s side', () => {
  test('names the bucket\'s exact ARNs, and its key only through S3 for this bucket, never on "*"', () => {
    // GIVEN
    const { owner, consumer, reader } = twoAccounts();
    const { bucket } = encryptedBucket(owner);

    // WHEN
    CrossAccountGrants.bucketRead(bucket, reader);

    // THEN
    expect(identityStatements(consumer)).toEqual([
      { Effect: 'Allow', Action: READ, Resource: [arn(':s3:::data-a'), arn(':s3:::data-a/*')] },
      {
        Effect: 'Allow',
        Action: 'kms:Decrypt',
        Resource: arn(`:kms:${REGION}:${TRUSTING}:key/*`),
        Condition: {
          StringEquals: { 'kms:ViaService': `s3.${REGION}.amazonaws.com` },
          StringLike: { 'kms:EncryptionContext:aws:s3:arn': [arn(':s3:::data-a'), arn(':s3:::data-a/*')] },
        },
      },
    ]);
  });

  test('fails naming the prop to set when the resource has no physical name', () => {
    // GIVEN
    const { owner, reader } = twoAccounts();
    const bucket = new s3.Bucket(owner, 'Unnamed');
    const queue = new sqs.Queue(owner, 'Queue');

    // WHEN / THEN
    expect(() => CrossAccountGrants.bucketRead(bucket, reader)).toThrow(/Owner\/Unnamed: the bucket 'Owner\/Unnamed' has no physical name.*give it a bucketName \(or bucketName: PhysicalName.GENERATE_IF_NEEDED\)/);
    expect(() => CrossAccountGrants.queueSendMessages(queue, reader)).toThrow(/give it a queueName/);
  });

  test('takes a generated physical name (PhysicalName.GENERATE_IF_NEEDED), also in the key policy', () => {
    // GIVEN
    const { owner, consumer, reader } = twoAccounts();
    const key = new kms.Key(owner, 'Key');
    const bucket = new s3.Bucket(owner, 'Data', { bucketName: PhysicalName.GENERATE_IF_NEEDED, encryptionKey: key });

    // WHEN
    CrossAccountGrants.bucketRead(bucket, reader);

    // THEN the consumer names the generated bucket name, and the key policy the same
    const name = Template.fromStack(owner).findResources('AWS::S3::Bucket')[Stack.of(bucket).getLogicalId(bucket.node.defaultChild as s3.CfnBucket)].Properties.BucketName;
    expect(name).toMatch(/^owner[a-z0-9]+$/);
    expect(identityStatements(consumer)[0].Resource).toEqual([arn(`:s3:::${name}`), arn(`:s3:::${name}/*`)]);
    Template.fromStack(owner).hasResourceProperties('AWS::KMS::Key', {
      KeyPolicy: { Statement: Match.arrayWith([Match.objectLike({ Condition: Match.objectLike({ StringLike: { 'kms:EncryptionContext:aws:s3:arn': [arn(`:s3:::${name}`), arn(`:s3:::${name}/*`)] } }) })]) },
    });
  });

  describe('a grantee with no identity policy to write (an account, an organization) needs no literal name', () => {
    /** A KMS-encrypted resource of each service whose key policy names it, with a generated physical name. */
    /** A resource of the owner's stack: how to grant on it, its generated name, and the encryption context its key policy names it by. */
    interface Encrypted {
      readonly grant: (grantee: iam.IGrantable) => iam.Grant;
      readonly name: () => string;
      readonly encryptionContext: (name: string) => Record<string, unknown>;
    }
    const encrypted: Array<[string, (owner: Stack, key: kms.IKey) => Encrypted]> = [
      ['bucket', (owner, key) => {
        const bucket = new s3.Bucket(owner, 'Data', { bucketName: PhysicalName.GENERATE_IF_NEEDED, encryptionKey: key });
        return {
          grant: grantee => CrossAccountGrants.bucketRead(bucket, grantee),
          name: () => Stack.of(bucket).resolve((bucket.node.defaultChild as s3.CfnBucket).bucketName),
          encryptionContext: name => ({ StringLike: { 'kms:EncryptionContext:aws:s3:arn': [arn(`:s3:::${name}`), arn(`:s3:::${name}/*`)] } }),
        };
      }],
      ['queue', (owner, key) => {
        const queue = new sqs.Queue(owner, 'Orders', { queueName: PhysicalName.GENERATE_IF_NEEDED, encryptionMasterKey: key });
        return {
          grant: grantee => CrossAccountGrants.queueConsumeMessages(queue, grantee),
          name: () => Stack.of(queue).resolve((queue.node.defaultChild as sqs.CfnQueue).queueName),
          encryptionContext: name => ({ StringEquals: Match.objectLike({ 'kms:EncryptionContext:aws:sqs:arn': arn(`:sqs:${REGION}:${TRUSTING}:${name}`) }) }),
        };
      }],
      ['topic', (owner, key) => {
        const topic = new sns.Topic(owner, 'Alerts', { topicName: PhysicalName.GENERATE_IF_NEEDED, masterKey: key });
        return {
          grant: grantee => CrossAccountGrants.topicPublish(topic, grantee),
          name: () => Stack.of(topic).resolve((topic.node.defaultChild as sns.CfnTopic).topicName),
          encryptionContext: name => ({ StringEquals: Match.objectLike({ 'kms:EncryptionContext:aws:sns:topicArn': arn(`:sns:${REGION}:${TRUSTING}:${name}`) }) }),
        };
      }],
      ['secret', (owner, key) => {
        const secret = new secretsmanager.Secret(owner, 'Password', { secretName: PhysicalName.GENERATE_IF_NEEDED, encryptionKey: key });
        return {
          grant: grantee => CrossAccountGrants.secretRead(secret, grantee),
          name: () => Stack.of(secret).resolve((secret.node.defaultChild as secretsmanager.CfnSecret).name),
          encryptionContext: name => ({ StringLike: { 'kms:EncryptionContext:SecretARN': arn(`:secretsmanager:${REGION}:${TRUSTING}:secret:${name}-??????`) } }),
        };
      }],
    ];

    test.each(encrypted)('a KMS-encrypted %s named PhysicalName.GENERATE_IF_NEEDED: its key policy names the name generated at synth', (_, create) => {
      for (const grantee of [new iam.AccountPrincipal(OTHER), new iam.OrganizationPrincipal(ORG)]) {
        // GIVEN
        const { owner } = twoAccounts();
        const resource = create(owner, new kms.Key(owner, 'Key'));

        // WHEN
        resource.grant(grantee);

        // THEN the resource is created with a literal name, and the key policy's encryption context names it
        const name = resource.name();
        expect(name).toMatch(/^owner[a-z0-9]+/i);
        Template.fromStack(owner).hasResourceProperties('AWS::KMS::Key', {
          KeyPolicy: { Statement: Match.arrayWith([Match.objectLike({ Condition: Match.objectLike(resource.encryptionContext(name)) })]) },
        });
      }
    });

    test('a KMS-encrypted resource named by CloudFormation at deploy time is refused: its key policy would make it and its key depend on each other', () => {
      // GIVEN
      const { owner } = twoAccounts();
      const key = new kms.Key(owner, 'Key');
      const bucket = new s3.Bucket(owner, 'Unnamed', { encryptionKey: key });
      const queue = new sqs.Queue(owner, 'UnnamedQueue', { encryptionMasterKey: key });

      // WHEN / THEN
      expect(() => CrossAccountGrants.bucketRead(bucket, new iam.AccountPrincipal(OTHER))).toThrow(
        /the bucket 'Owner\/Unnamed' has no bucketName known at synth time.*would make the key and the bucket depend on each other.*bucketName: PhysicalName.GENERATE_IF_NEEDED, which names it at synth time/);
      expect(() => CrossAccountGrants.queueSendMessages(queue, new iam.OrganizationPrincipal(ORG))).toThrow(/has no queueName known at synth time.*queueName: PhysicalName.GENERATE_IF_NEEDED/);
    });

    test('a resource whose key policy does not name it needs no name at all: its policy refers to it in its own stack', () => {
      // GIVEN resources of every service with no physical name
      const { app, owner } = twoAccounts();
      const code = lambda.Code.fromInline('exports.handler = async () => ({})');
      const grants = [
        (g: iam.IGrantable) => CrossAccountGrants.bucketReadWrite(new s3.Bucket(owner, 'Bucket'), g),
        (g: iam.IGrantable) => CrossAccountGrants.queueSendMessages(new sqs.Queue(owner, 'Queue'), g),
        (g: iam.IGrantable) => CrossAccountGrants.topicPublish(new sns.Topic(owner, 'Topic'), g),
        (g: iam.IGrantable) => CrossAccountGrants.repositoryPull(new ecr.Repository(owner, 'Repository'), g),
        (g: iam.IGrantable) => CrossAccountGrants.functionInvoke(new lambda.Function(owner, 'Function', { runtime: lambda.Runtime.NODEJS_22_X, handler: 'index.handler', code }), g),
        (g: iam.IGrantable) => CrossAccountGrants.eventBusPutEvents(new events.EventBus(owner, 'Bus'), g),
      ];

      // WHEN
      grants.forEach((grant, i) => grant(i % 2 === 0 ? new iam.AccountPrincipal(OTHER) : new iam.OrganizationPrincipal(ORG)));

      // THEN every resource's side is written, and each refers to its resource within the owner's stack
      expect(() => app.synth()).not.toThrow();
      const template = Template.fromStack(owner);
      for (const type of ['AWS::S3::BucketPolicy', 'AWS::SQS::QueuePolicy', 'AWS::SNS::TopicPolicy', 'AWS::Lambda::Permission', 'AWS::Events::EventBusPolicy']) {
        template.resourceCountIs(type, 1);
      }
      template.hasResourceProperties('AWS::ECR::Repository', { RepositoryPolicyText: Match.objectLike({ Statement: [Match.objectLike({ Principal: { AWS: '*' }, Condition: { StringEquals: { 'aws:PrincipalOrgID': ORG } } })] }) });
      expect(JSON.stringify(template.toJSON())).not.toMatch(/Fn::ImportValue/);
    });
  });

  test('fails naming the role\'s roleName when the grantee role has no physical name', () => {
    // GIVEN
    const { owner, consumer } = twoAccounts();
    const { bucket } = encryptedBucket(owner);
    const unnamed = new iam.Role(consumer, 'Unnamed', { assumedBy: new iam.AccountRootPrincipal() });

    // WHEN / THEN
    expect(() => CrossAccountGrants.bucketRead(bucket, unnamed)).toThrow(/the grantee 'Consumer\/Unnamed' has no physical name.*give the role a roleName/);
  });
});

describe('grantees', () => {
  test('a CrossAccountRole of another account\'s stack', () => {
    // GIVEN
    const { owner, consumer } = twoAccounts();
    const queue = new sqs.Queue(owner, 'Queue', { queueName: 'orders' });
    const role = new CrossAccountRole(consumer, 'Vendor', { roleName: 'vendor', trustedAccounts: [OTHER] });

    // WHEN
    const grant = CrossAccountGrants.queueSendMessages(queue, role);

    // THEN
    expect(grant.success).toBe(true);
    Template.fromStack(owner).hasResourceProperties('AWS::SQS::QueuePolicy', {
      PolicyDocument: { Statement: [Match.objectLike({ Principal: { AWS: ROOT(TRUSTED) }, Condition: { ArnEquals: { 'aws:PrincipalArn': arn(`:iam::${TRUSTED}:role/vendor`) } } })] },
    });
    expect(identityStatements(consumer)).toEqual([{ Effect: 'Allow', Action: ['sqs:SendMessage', 'sqs:GetQueueAttributes', 'sqs:GetQueueUrl'], Resource: arn(`:sqs:${REGION}:${TRUSTING}:orders`) }]);
  });

  test('a user of another account\'s stack, with its userName', () => {
    // GIVEN
    const { owner, consumer } = twoAccounts();
    const topic = new sns.Topic(owner, 'Topic', { topicName: 'alerts' });
    const user = new iam.User(consumer, 'Operator', { userName: 'operator' });

    // WHEN
    CrossAccountGrants.topicPublish(topic, user);

    // THEN
    Template.fromStack(owner).hasResourceProperties('AWS::SNS::TopicPolicy', {
      PolicyDocument: { Statement: [Match.objectLike({ Condition: { ArnEquals: { 'aws:PrincipalArn': arn(`:iam::${TRUSTED}:user/operator`) } } })] },
    });
    expect(identityStatements(consumer)).toEqual([{ Effect: 'Allow', Action: 'sns:Publish', Resource: arn(`:sns:${REGION}:${TRUSTING}:alerts`) }]);
  });

  test('a user without a userName is refused, naming the prop', () => {
    // GIVEN
    const { owner, consumer } = twoAccounts();
    const topic = new sns.Topic(owner, 'Topic', { topicName: 'alerts' });

    // WHEN / THEN
    expect(() => CrossAccountGrants.topicPublish(topic, new iam.User(consumer, 'Operator'))).toThrow(/give the user a userName/);
  });

  test('a role imported by ARN into a stack of another account: only the resource\'s side is written, and a warning says so', () => {
    // GIVEN
    const { owner } = twoAccounts();
    const { bucket } = encryptedBucket(owner);
    const partner = iam.Role.fromRoleArn(owner, 'Partner', `arn:aws:iam::${OTHER}:role/partner-reader`);

    // WHEN
    const grant = CrossAccountGrants.bucketRead(bucket, partner);

    // THEN
    Template.fromStack(owner).hasResourceProperties('AWS::S3::BucketPolicy', {
      PolicyDocument: { Statement: [Match.objectLike({ Principal: { AWS: ROOT(OTHER) }, Condition: { ArnEquals: { 'aws:PrincipalArn': `arn:aws:iam::${OTHER}:role/partner-reader` } } })] },
    });
    expect(grant.principalStatements).toEqual([]);
    Annotations.fromStack(owner).hasWarning('/Owner/Partner', Match.stringLikeRegexp(
      `wrote only the side of the bucket 'Owner/Data': this app cannot change the identity policy of the role 'Owner/Partner', so it may only act once account ${OTHER} allows it s3:GetObject, .*kms:Decrypt on its key through s3`));
  });

  test('a role imported by ARN into a stack of its own account: aws-cdk-lib attaches an AWS::IAM::Policy to it there, and no warning', () => {
    // GIVEN a role of the consumer's account, imported into the consumer's stack (aws-cdk-lib's mutable import)
    const { owner, consumer } = twoAccounts();
    const queue = new sqs.Queue(owner, 'Queue', { queueName: 'orders' });
    const partner = iam.Role.fromRoleArn(consumer, 'Partner', `arn:aws:iam::${TRUSTED}:role/partner-reader`);

    // WHEN
    const grant = CrossAccountGrants.queueSendMessages(queue, partner);

    // THEN both sides are written: the queue's policy, and a policy attached to the role by its name
    Template.fromStack(owner).hasResourceProperties('AWS::SQS::QueuePolicy', {
      PolicyDocument: { Statement: [Match.objectLike({ Condition: { ArnEquals: { 'aws:PrincipalArn': `arn:aws:iam::${TRUSTED}:role/partner-reader` } } })] },
    });
    Template.fromStack(consumer).hasResourceProperties('AWS::IAM::Policy', {
      Roles: ['partner-reader'],
      PolicyDocument: { Statement: [{ Effect: 'Allow', Action: ['sqs:SendMessage', 'sqs:GetQueueAttributes', 'sqs:GetQueueUrl'], Resource: arn(`:sqs:${REGION}:${TRUSTING}:orders`) }] },
    });
    expect(grant.principalStatements).toHaveLength(1);
    Annotations.fromStack(consumer).hasNoWarning('*', Match.anyValue());
    Annotations.fromStack(owner).hasNoWarning('*', Match.anyValue());
  });

  test('a role imported by ARN with mutable: false, even into a stack of its own account: only the resource\'s side, and a warning', () => {
    // GIVEN
    const { owner, consumer } = twoAccounts();
    const queue = new sqs.Queue(owner, 'Queue', { queueName: 'orders' });
    const partner = iam.Role.fromRoleArn(consumer, 'Partner', `arn:aws:iam::${TRUSTED}:role/partner-reader`, { mutable: false });

    // WHEN
    const grant = CrossAccountGrants.queueSendMessages(queue, partner);

    // THEN
    expect(grant.principalStatements).toEqual([]);
    Template.fromStack(consumer).resourceCountIs('AWS::IAM::Policy', 0);
    Annotations.fromStack(consumer).hasWarning('/Consumer/Partner', Match.stringLikeRegexp('wrote only the side of the queue \'Owner/Queue\': this app cannot change the identity policy of the role \'Consumer/Partner\''));
  });

  test('a role or user imported with an ARN only known at deploy time is refused, saying so and naming the fix', () => {
    // GIVEN identities imported from a CloudFormation parameter
    const { owner } = twoAccounts();
    const queue = new sqs.Queue(owner, 'Queue', { queueName: 'orders' });
    const role = iam.Role.fromRoleArn(owner, 'Partner', new CfnParameter(owner, 'PartnerRoleArn').valueAsString);
    const user = iam.User.fromUserArn(owner, 'Operator', new CfnParameter(owner, 'OperatorArn').valueAsString);

    // WHEN / THEN the cause is the deploy-time ARN, not a stack's environment
    expect(() => CrossAccountGrants.queueSendMessages(queue, role)).toThrow(
      /the role 'Owner\/Partner' is imported with an ARN only known at deploy time.*import it with its literal ARN \(iam.Role.fromRoleArn\(scope, id, 'arn:aws:iam::222222222222:role\/name'\)\)/);
    expect(() => CrossAccountGrants.queueSendMessages(queue, user)).toThrow(/the user 'Owner\/Operator' is imported with an ARN only known at deploy time.*iam.User.fromUserArn/);
    expect(() => CrossAccountGrants.queueSendMessages(queue, role)).not.toThrow(/env/);
  });

  test('an iam.AccountPrincipal: the whole account, whose own policies decide, with no identity policy to write', () => {
    // GIVEN
    const { owner } = twoAccounts();
    const { bucket } = encryptedBucket(owner);

    // WHEN
    CrossAccountGrants.bucketRead(bucket, new iam.AccountPrincipal(OTHER));

    // THEN
    Template.fromStack(owner).hasResourceProperties('AWS::S3::BucketPolicy', {
      PolicyDocument: { Statement: [Match.objectLike({ Principal: { AWS: ROOT(OTHER) }, Condition: Match.absent() })] },
    });
    Annotations.fromStack(owner).hasNoWarning('*', Match.anyValue());
  });

  test('an iam.OrganizationPrincipal: anyone of the organization, by aws:PrincipalOrgID', () => {
    // GIVEN
    const { owner } = twoAccounts();
    const bucket = new s3.Bucket(owner, 'Logs', { bucketName: 'central-logs' });

    // WHEN
    CrossAccountGrants.bucketWrite(bucket, new iam.OrganizationPrincipal(ORG), { objectKeyPattern: 'AWSLogs/*' });

    // THEN
    Template.fromStack(owner).hasResourceProperties('AWS::S3::BucketPolicy', {
      PolicyDocument: {
        Statement: [
          { Effect: 'Allow', Principal: { AWS: '*' }, Action: 's3:PutObject', Resource: { 'Fn::Join': ['', [{ 'Fn::GetAtt': [Match.anyValue(), 'Arn'] }, '/AWSLogs/*']] }, Condition: { StringEquals: { 'aws:PrincipalOrgID': ORG } } },
          Match.objectLike({ Principal: { AWS: '*' }, Condition: { StringEquals: { 'aws:PrincipalOrgID': ORG } } }),
        ],
      },
    });
  });

  test('a queue of another account imported by ARN: the grantee\'s side only, and a warning that its owner must write the queue\'s', () => {
    // GIVEN
    const { consumer, reader } = twoAccounts();
    const queue = sqs.Queue.fromQueueArn(consumer, 'Orders', `arn:aws:sqs:${REGION}:${TRUSTING}:orders`);

    // WHEN
    const grant = CrossAccountGrants.queueSendMessages(queue, reader);

    // THEN
    expect(grant.resourceStatements).toEqual([]);
    expect(identityStatements(consumer)).toEqual([{ Effect: 'Allow', Action: ['sqs:SendMessage', 'sqs:GetQueueAttributes', 'sqs:GetQueueUrl'], Resource: `arn:aws:sqs:${REGION}:${TRUSTING}:orders` }]);
    Annotations.fromStack(consumer).hasWarning('/Consumer/Orders', Match.stringLikeRegexp(
      `the queue 'Consumer/Orders' is imported, so this app cannot write its policy, and nothing lets the role 'Consumer/Reader' \\(account ${TRUSTED}\\) in until its owner \\(account ${TRUSTING}\\) allows it there`));
  });

  test('nothing to write (an imported resource and an identity of another app) is an error', () => {
    // GIVEN
    const { consumer } = twoAccounts();
    const queue = sqs.Queue.fromQueueArn(consumer, 'Orders', `arn:aws:sqs:${REGION}:${TRUSTING}:orders`);

    // WHEN / THEN
    expect(() => CrossAccountGrants.queueSendMessages(queue, new iam.AccountPrincipal(OTHER))).toThrow(/has nothing to write for account 333333333333/);
  });

  test('a group is refused, saying why', () => {
    // GIVEN
    const { owner, consumer } = twoAccounts();
    const { bucket } = encryptedBucket(owner);

    // WHEN / THEN
    expect(() => CrossAccountGrants.bucketRead(bucket, new iam.Group(consumer, 'Analysts')))
      .toThrow(/cannot grant to the group 'Consumer\/Analysts': IAM does not accept a group as the principal of a resource policy/);
  });

  test('a service principal is refused, pointing at the resource\'s own grant', () => {
    // GIVEN
    const { owner } = twoAccounts();
    const { bucket } = encryptedBucket(owner);

    // WHEN / THEN
    expect(() => CrossAccountGrants.bucketRead(bucket, new iam.ServicePrincipal('logging.s3.amazonaws.com'))).toThrow(/grants principals of other AWS accounts.*bucket.grantRead/);
  });

  test('a grantee of the resource\'s own account gets exactly aws-cdk-lib\'s grant', () => {
    // GIVEN two identical apps, one granting with aws-cdk-lib, one with CrossAccountGrants
    const template = (useLibrary: boolean) => {
      const app = testApp();
      const owner = new Stack(app, 'Owner', { env: { account: TRUSTING, region: REGION } });
      const { bucket } = encryptedBucket(owner);
      const local = new iam.Role(owner, 'Local', { assumedBy: new iam.AccountRootPrincipal() });
      if (useLibrary) { CrossAccountGrants.bucketReadWrite(bucket, local); } else { bucket.grantReadWrite(local); }
      return Template.fromStack(owner).toJSON();
    };

    // WHEN / THEN
    expect(template(true)).toEqual(template(false));
  });

  test('a grantee in a stack without a concrete account is refused, naming the stack', () => {
    // GIVEN
    const { app, owner } = twoAccounts();
    const { bucket } = encryptedBucket(owner);
    const agnostic = new Stack(app, 'Agnostic');
    const role = new iam.Role(agnostic, 'Role', { roleName: 'r', assumedBy: new iam.AccountRootPrincipal() });

    // WHEN / THEN
    expect(() => CrossAccountGrants.bucketRead(bucket, role)).toThrow(/the role 'Agnostic\/Role' is in the stack 'Agnostic', which has no concrete account.*give that stack env/);
  });

  test('works across the stacks of a Stage, as in a pipeline', () => {
    // GIVEN
    const app = testApp();
    const stage = new Stage(app, 'Prod');
    const { owner, consumer, reader } = twoAccounts(stage as unknown as App);
    const { bucket } = encryptedBucket(owner);

    // WHEN
    CrossAccountGrants.bucketRead(bucket, reader);

    // THEN
    expect(identityStatements(consumer)[0].Resource).toEqual([arn(':s3:::data-a'), arn(':s3:::data-a/*')]);
    Template.fromStack(owner).resourceCountIs('AWS::S3::BucketPolicy', 1);
  });
});

describe('the returned iam.Grant', () => {
  test('holds the statements of both sides and orders a consumer after them', () => {
    // GIVEN
    const { owner, consumer, reader } = twoAccounts();
    const { bucket } = encryptedBucket(owner);
    const consumerFunction = new lambda.Function(consumer, 'Reads', { runtime: lambda.Runtime.NODEJS_22_X, handler: 'index.handler', code: lambda.Code.fromInline('exports.handler = async () => ({})') });

    // WHEN
    const grant = CrossAccountGrants.bucketRead(bucket, reader);
    grant.applyBefore(consumerFunction);

    // THEN
    expect(grant.success).toBe(true);
    expect(grant.principalStatements.map(s => s.actions)).toEqual([READ, ['kms:Decrypt']]);
    expect(grant.resourceStatements.map(s => s.actions)).toEqual([READ, ['kms:Decrypt']]);
    const dependsOn = Template.fromStack(consumer).findResources('AWS::Lambda::Function')[consumer.getLogicalId(consumerFunction.node.defaultChild as lambda.CfnFunction)].DependsOn;
    expect(dependsOn).toEqual(expect.arrayContaining([consumer.getLogicalId(reader.node.findChild('DefaultPolicy').node.defaultChild as iam.CfnPolicy)]));
  });
});

describe('S3 object ownership', () => {
  test.each([s3.ObjectOwnership.OBJECT_WRITER, s3.ObjectOwnership.BUCKET_OWNER_PREFERRED])('refuses writes to a bucket whose Object Ownership is %s at synth, naming the fix', ownership => {
    const synthAfter = (grant: (bucket: s3.IBucket, reader: iam.IGrantable) => iam.Grant) => {
      // GIVEN
      const { app, owner, reader } = twoAccounts();
      const { bucket } = encryptedBucket(owner, { objectOwnership: ownership });
      // WHEN
      grant(bucket, reader);
      return () => app.synth();
    };

    // THEN
    expect(synthAfter((b, r) => CrossAccountGrants.bucketWrite(b, r))).toThrow(new RegExp(`\\[Owner/Data\\] CrossAccountGrants.bucketWrite: the bucket 'Owner/Data' has Object Ownership '${ownership}'.*set objectOwnership: ObjectOwnership.BUCKET_OWNER_ENFORCED`));
    expect(synthAfter((b, r) => CrossAccountGrants.bucketReadWrite(b, r))).toThrow(/BUCKET_OWNER_ENFORCED/);
    expect(synthAfter((b, r) => CrossAccountGrants.bucketRead(b, r))).not.toThrow();
  });

  test('sees Object Ownership set on the L1 after the grant', () => {
    // GIVEN a write grant on a bucket that enforces ownership when granted
    const { app, owner, reader } = twoAccounts();
    const { bucket } = encryptedBucket(owner);
    CrossAccountGrants.bucketWrite(bucket, reader);

    // WHEN the L1 is changed afterwards
    (bucket.node.defaultChild as s3.CfnBucket).ownershipControls = { rules: [{ objectOwnership: 'ObjectWriter' }] };

    // THEN
    expect(() => app.synth()).toThrow(/the bucket 'Owner\/Data' has Object Ownership 'ObjectWriter'/);
  });

  test('refuses bucketOwnershipEnforced on a bucket the app creates: its own setting is what is checked', () => {
    // GIVEN
    const { owner, reader } = twoAccounts();
    const { bucket } = encryptedBucket(owner);

    // WHEN / THEN
    expect(() => CrossAccountGrants.bucketWrite(bucket, reader, { bucketOwnershipEnforced: true })).toThrow(
      /does not take the option bucketOwnershipEnforced for the bucket 'Owner\/Data', which the app creates.*remove the option/);
    expect(() => CrossAccountGrants.bucketReadWrite(bucket, reader, { bucketOwnershipEnforced: false })).toThrow(/does not take the option bucketOwnershipEnforced/);
  });

  test('allows writes to a bucket that enforces ownership, with no ACL condition', () => {
    // GIVEN
    const { owner, consumer, reader } = twoAccounts();
    const { bucket } = encryptedBucket(owner, { objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED });

    // WHEN
    CrossAccountGrants.bucketWrite(bucket, reader);

    // THEN
    expect(JSON.stringify(Template.fromStack(owner).toJSON()) + JSON.stringify(Template.fromStack(consumer).toJSON())).not.toMatch(/x-amz-acl/);
  });

  test('requires the bucket-owner-full-control ACL for writes to an imported bucket, and warns that its owner must write its side', () => {
    // GIVEN a bucket of another account imported into the consumer's stack
    const { consumer, reader } = twoAccounts();
    const bucket = s3.Bucket.fromBucketName(consumer, 'Shared', 'shared-data-of-a');

    // WHEN
    CrossAccountGrants.bucketWrite(bucket, reader);

    // THEN
    expect(identityStatements(consumer)).toEqual([
      { Effect: 'Allow', Action: 's3:PutObject', Resource: arn(':s3:::shared-data-of-a/*'), Condition: { StringEquals: { 's3:x-amz-acl': 'bucket-owner-full-control' } } },
      { Effect: 'Allow', Action: OTHER_WRITES, Resource: arn(':s3:::shared-data-of-a/*') },
    ]);
    Annotations.fromStack(consumer).hasWarning('/Consumer/Shared', Match.stringLikeRegexp(
      'wrote only the side of the role \'Consumer/Reader\': the bucket \'Consumer/Shared\' is imported, so this app cannot write its policy'));
  });

  test('needs no ACL for an imported bucket that the options say enforces ownership', () => {
    // GIVEN
    const { consumer, reader } = twoAccounts();
    const bucket = s3.Bucket.fromBucketName(consumer, 'Shared', 'shared-data-of-a');

    // WHEN
    CrossAccountGrants.bucketWrite(bucket, reader, { bucketOwnershipEnforced: true });

    // THEN
    expect(identityStatements(consumer)[0]).toEqual({ Effect: 'Allow', Action: 's3:PutObject', Resource: arn(':s3:::shared-data-of-a/*') });
  });
});

describe('refusals', () => {
  test('a bucket encrypted with the AWS managed key aws/s3', () => {
    // GIVEN
    const { owner, reader } = twoAccounts();
    const bucket = new s3.Bucket(owner, 'Data', { bucketName: 'data-a', encryption: s3.BucketEncryption.KMS_MANAGED });

    // WHEN / THEN
    expect(() => CrossAccountGrants.bucketRead(bucket, reader)).toThrow(/encrypted with the AWS managed key 'alias\/aws\/s3'.*no other account can decrypt its objects/);
  });

  test('a queue encrypted with the AWS managed key aws/sqs', () => {
    // GIVEN
    const { owner, reader } = twoAccounts();
    const queue = new sqs.Queue(owner, 'Queue', { queueName: 'orders', encryption: sqs.QueueEncryption.KMS_MANAGED });

    // WHEN / THEN
    expect(() => CrossAccountGrants.queueConsumeMessages(queue, reader)).toThrow(/encrypted with the AWS managed key 'alias\/aws\/sqs'/);
  });

  test('a secret without a customer managed key, saying Secrets Manager needs one', () => {
    // GIVEN
    const { owner, consumer, reader } = twoAccounts();
    const secret = new secretsmanager.Secret(owner, 'Secret', { secretName: 'db' });
    const imported = secretsmanager.Secret.fromSecretCompleteArn(consumer, 'Imported', `arn:aws:secretsmanager:${REGION}:${TRUSTING}:secret:db-AbCdEf`);

    // WHEN / THEN
    expect(() => CrossAccountGrants.secretRead(secret, reader)).toThrow(/Secrets Manager only shares a secret across accounts when it is encrypted with a customer managed key.*encryptionKey: new kms.Key/);
    expect(() => CrossAccountGrants.secretRead(imported, reader)).toThrow(/imported without its key.*Secret.fromSecretAttributes/);
  });

  test('an option that the grant would ignore', () => {
    // GIVEN
    const { owner, reader } = twoAccounts();
    const queue = new sqs.Queue(owner, 'Queue', { queueName: 'orders' });

    // WHEN / THEN
    expect(() => CrossAccountGrants.queueSendMessages(queue, reader, { objectKeyPattern: 'x/*' })).toThrow(/does not take the option objectKeyPattern \(only the bucket grants do\)/);
  });
});

describe('each service', () => {
  test('SQS: the queue policy, and the key only through SQS for a consumer', () => {
    // GIVEN
    const { owner, consumer, reader } = twoAccounts();
    const key = new kms.Key(owner, 'Key');
    const queue = new sqs.Queue(owner, 'Queue', { queueName: 'orders', encryptionMasterKey: key });

    // WHEN
    CrossAccountGrants.queueConsumeMessages(queue, reader);

    // THEN
    Template.fromStack(owner).hasResourceProperties('AWS::SQS::QueuePolicy', {
      PolicyDocument: { Statement: [Match.objectLike({ Action: ['sqs:ReceiveMessage', 'sqs:ChangeMessageVisibility', 'sqs:GetQueueUrl', 'sqs:DeleteMessage', 'sqs:GetQueueAttributes'], Principal: { AWS: ROOT(TRUSTED) } })] },
    });
    const throughSqsForThisQueue = { StringEquals: { 'kms:ViaService': `sqs.${REGION}.amazonaws.com`, 'kms:EncryptionContext:aws:sqs:arn': arn(`:sqs:${REGION}:${TRUSTING}:orders`) } };
    expect(identityStatements(consumer)[1]).toEqual({
      Effect: 'Allow', Action: 'kms:Decrypt', Resource: arn(`:kms:${REGION}:${TRUSTING}:key/*`), Condition: throughSqsForThisQueue,
    });
    Template.fromStack(owner).hasResourceProperties('AWS::KMS::Key', {
      KeyPolicy: { Statement: Match.arrayWith([{ Effect: 'Allow', Principal: { AWS: ROOT(TRUSTED) }, Action: 'kms:Decrypt', Resource: '*', Condition: { ...throughSqsForThisQueue, ArnEquals: { 'aws:PrincipalArn': READER_ARN } } }]) },
    });
  });

  test('SNS: the topic policy, and the key only through SNS for this topic (aws:sns:topicArn)', () => {
    // GIVEN
    const { owner, consumer, reader } = twoAccounts();
    const topic = new sns.Topic(owner, 'Topic', { topicName: 'alerts', masterKey: new kms.Key(owner, 'Key') });

    // WHEN
    CrossAccountGrants.topicPublish(topic, reader);

    // THEN both sides narrow the key to calls SNS makes for this topic
    const throughSnsForThisTopic = { StringEquals: { 'kms:ViaService': `sns.${REGION}.amazonaws.com`, 'kms:EncryptionContext:aws:sns:topicArn': arn(`:sns:${REGION}:${TRUSTING}:alerts`) } };
    expect(identityStatements(consumer)[1]).toEqual({
      Effect: 'Allow', Action: ['kms:GenerateDataKey', 'kms:Decrypt'], Resource: arn(`:kms:${REGION}:${TRUSTING}:key/*`), Condition: throughSnsForThisTopic,
    });
    Template.fromStack(owner).hasResourceProperties('AWS::KMS::Key', {
      KeyPolicy: { Statement: Match.arrayWith([Match.objectLike({ Principal: { AWS: ROOT(TRUSTED) }, Action: ['kms:GenerateDataKey', 'kms:Decrypt'], Condition: { ...throughSnsForThisTopic, ArnEquals: { 'aws:PrincipalArn': READER_ARN } } })]) },
    });
  });

  test('SQS and SNS: a queue or topic imported by ARN is named by that ARN in the grantee\'s key permission', () => {
    // GIVEN a queue and a topic of the owner's account, imported with their keys into the consumer's stack
    const { consumer, reader } = twoAccounts();
    const keyArn = `arn:aws:kms:${REGION}:${TRUSTING}:key/1234abcd-12ab-34cd-56ef-1234567890ab`;
    const queue = sqs.Queue.fromQueueAttributes(consumer, 'Orders', { queueArn: `arn:aws:sqs:${REGION}:${TRUSTING}:orders`, keyArn });
    const topic = sns.Topic.fromTopicAttributes(consumer, 'Alerts', { topicArn: `arn:aws:sns:${REGION}:${TRUSTING}:alerts`, keyArn });

    // WHEN
    CrossAccountGrants.queueConsumeMessages(queue, reader);
    CrossAccountGrants.topicPublish(topic, reader);

    // THEN
    const conditions = identityStatements(consumer)
      .filter(statement => statement.Resource === keyArn)
      .map(statement => statement.Condition.StringEquals);
    expect(conditions).toEqual([
      { 'kms:ViaService': `sqs.${REGION}.amazonaws.com`, 'kms:EncryptionContext:aws:sqs:arn': `arn:aws:sqs:${REGION}:${TRUSTING}:orders` },
      { 'kms:ViaService': `sns.${REGION}.amazonaws.com`, 'kms:EncryptionContext:aws:sns:topicArn': `arn:aws:sns:${REGION}:${TRUSTING}:alerts` },
    ]);
  });

  test('KMS through a service: kms:DescribeKey, which takes no encryption context, never gets an encryption-context condition', () => {
    // GIVEN a key use with an action that takes no encryption context
    const { owner } = twoAccounts();
    const use = { key: new kms.Key(owner, 'Key'), label: 'the key', actions: ['kms:Decrypt', 'kms:DescribeKey'], service: 'sqs', encryptionContext: { key: 'aws:sqs:arn', values: ['arn:aws:sqs:eu-west-1:111111111111:orders'] } };

    // WHEN
    const split = splitByEncryptionContext(use);

    // THEN
    expect(split.map(u => [u.actions, u.encryptionContext?.key])).toEqual([[['kms:Decrypt'], 'aws:sqs:arn'], [['kms:DescribeKey'], undefined]]);
    expect(splitByEncryptionContext({ ...use, actions: ['kms:Decrypt'] })).toHaveLength(1);
  });

  test('Secrets Manager: the secret\'s policy, and the key only for this secret (SecretARN)', () => {
    // GIVEN
    const { owner, consumer, reader } = twoAccounts();
    const secret = new secretsmanager.Secret(owner, 'Secret', { secretName: 'db-password', encryptionKey: new kms.Key(owner, 'Key') });

    // WHEN
    CrossAccountGrants.secretRead(secret, reader);

    // THEN
    const pattern = arn(`:secretsmanager:${REGION}:${TRUSTING}:secret:db-password-??????`);
    expect(identityStatements(consumer)).toEqual([
      { Effect: 'Allow', Action: ['secretsmanager:GetSecretValue', 'secretsmanager:DescribeSecret'], Resource: pattern },
      { Effect: 'Allow', Action: 'kms:Decrypt', Resource: arn(`:kms:${REGION}:${TRUSTING}:key/*`), Condition: { StringEquals: { 'kms:ViaService': `secretsmanager.${REGION}.amazonaws.com` }, StringLike: { 'kms:EncryptionContext:SecretARN': pattern } } },
    ]);
  });

  test('ECR: a repository policy without Resource, and GetAuthorizationToken (an action on no resource) for docker login', () => {
    // GIVEN
    const { owner, consumer, reader } = twoAccounts();
    const repository = new ecr.Repository(owner, 'Images', { repositoryName: 'base-images' });

    // WHEN
    CrossAccountGrants.repositoryPull(repository, reader);

    // THEN
    Template.fromStack(owner).hasResourceProperties('AWS::ECR::Repository', {
      RepositoryPolicyText: { Statement: [{ Effect: 'Allow', Principal: { AWS: ROOT(TRUSTED) }, Action: ['ecr:BatchCheckLayerAvailability', 'ecr:GetDownloadUrlForLayer', 'ecr:BatchGetImage'], Condition: { ArnEquals: { 'aws:PrincipalArn': READER_ARN } } }] },
    });
    expect(identityStatements(consumer)).toEqual([
      { Effect: 'Allow', Action: ['ecr:BatchCheckLayerAvailability', 'ecr:GetDownloadUrlForLayer', 'ecr:BatchGetImage'], Resource: arn(`:ecr:${REGION}:${TRUSTING}:repository/base-images`) },
      { Effect: 'Allow', Action: 'ecr:GetAuthorizationToken', Resource: '*' },
    ]);
  });

  test('Lambda: a permission for the account (one, however many grants), and a warning that it cannot name the role', () => {
    // GIVEN
    const { owner, consumer, reader } = twoAccounts();
    const fn = new lambda.Function(owner, 'Resize', { functionName: 'resize', runtime: lambda.Runtime.NODEJS_22_X, handler: 'index.handler', code: lambda.Code.fromInline('exports.handler = async () => ({})') });
    const other = new iam.Role(consumer, 'Other', { roleName: 'other', assumedBy: new iam.AccountRootPrincipal() });

    // WHEN
    CrossAccountGrants.functionInvoke(fn, reader, { organizationId: ORG });
    CrossAccountGrants.functionInvoke(fn, other, { organizationId: ORG });

    // THEN
    Template.fromStack(owner).resourceCountIs('AWS::Lambda::Permission', 1);
    Template.fromStack(owner).hasResourceProperties('AWS::Lambda::Permission', { Action: 'lambda:InvokeFunction', Principal: TRUSTED, PrincipalOrgID: ORG });
    Annotations.fromStack(owner).hasWarning('/Owner/Resize', Match.stringLikeRegexp('lets in all of account 222222222222, not only the role \'Consumer/Reader\''));
    expect(identityStatements(consumer)[0].Resource).toEqual([arn(`:lambda:${REGION}:${TRUSTING}:function:resize`), arn(`:lambda:${REGION}:${TRUSTING}:function:resize:*`)]);
  });

  test('Lambda: a function of another account may invoke it, its role needing no name (the permission names the account)', () => {
    // GIVEN
    const { owner, consumer } = twoAccounts();
    const code = lambda.Code.fromInline('exports.handler = async () => ({})');
    const target = new lambda.Function(owner, 'Resize', { functionName: 'resize', runtime: lambda.Runtime.NODEJS_22_X, handler: 'index.handler', code });
    const caller = new lambda.Function(consumer, 'Caller', { runtime: lambda.Runtime.NODEJS_22_X, handler: 'index.handler', code });

    // WHEN
    CrossAccountGrants.functionInvoke(target, caller);

    // THEN
    Template.fromStack(owner).hasResourceProperties('AWS::Lambda::Permission', { Principal: TRUSTED });
    expect(identityStatements(consumer)).toEqual([{ Effect: 'Allow', Action: 'lambda:InvokeFunction', Resource: [arn(`:lambda:${REGION}:${TRUSTING}:function:resize`), arn(`:lambda:${REGION}:${TRUSTING}:function:resize:*`)] }]);
  });

  describe('Lambda: aliases, versions and singleton functions the app creates', () => {
    const code = lambda.Code.fromInline('exports.handler = async () => ({})');
    const resize = (owner: Stack) => new lambda.Function(owner, 'Resize', { functionName: 'resize', runtime: lambda.Runtime.NODEJS_22_X, handler: 'index.handler', code });

    test('an alias: the permission on the alias (its qualified ARN), the grantee\'s policy on the alias\'s ARN', () => {
      // GIVEN
      const { owner, consumer, reader } = twoAccounts();
      const fn = resize(owner);
      const live = new lambda.Alias(owner, 'Live', { aliasName: 'live', version: fn.currentVersion });

      // WHEN
      CrossAccountGrants.functionInvoke(live, reader);

      // THEN
      Template.fromStack(owner).hasResourceProperties('AWS::Lambda::Permission', {
        Action: 'lambda:InvokeFunction', Principal: TRUSTED, FunctionName: { Ref: owner.getLogicalId(live.node.defaultChild as lambda.CfnAlias) },
      });
      expect(identityStatements(consumer)).toEqual([{ Effect: 'Allow', Action: 'lambda:InvokeFunction', Resource: arn(`:lambda:${REGION}:${TRUSTING}:function:resize:live`) }]);
      expect(Annotations.fromStack(owner).findWarning('*', Match.stringLikeRegexp('is imported'))).toEqual([]);
    });

    test('a singleton function: the permission on the function it creates', () => {
      // GIVEN
      const { owner, consumer, reader } = twoAccounts();
      const singleton = new lambda.SingletonFunction(owner, 'Resize', {
        uuid: '6a9d2ba4-38d5-4f03-8f1f-6e4a2d1a0c11', functionName: 'resize', runtime: lambda.Runtime.NODEJS_22_X, handler: 'index.handler', code,
      });

      // WHEN
      CrossAccountGrants.functionInvoke(singleton, reader);

      // THEN
      Template.fromStack(owner).resourceCountIs('AWS::Lambda::Permission', 1);
      Template.fromStack(owner).hasResourceProperties('AWS::Lambda::Permission', { Principal: TRUSTED, FunctionName: { 'Fn::GetAtt': [Match.stringLikeRegexp('^SingletonLambda'), 'Arn'] } });
      expect(identityStatements(consumer)[0].Resource).toEqual([arn(`:lambda:${REGION}:${TRUSTING}:function:resize`), arn(`:lambda:${REGION}:${TRUSTING}:function:resize:*`)]);
      expect(Annotations.fromStack(owner).findWarning('*', Match.stringLikeRegexp('is imported'))).toEqual([]);
    });

    test('a version: its number is only known at deploy time, so a role is refused with the fix, and an account gets the permission on the version', () => {
      // GIVEN
      const { owner, reader } = twoAccounts();
      const fn = resize(owner);

      // WHEN / THEN
      expect(() => CrossAccountGrants.functionInvoke(fn.currentVersion, reader)).toThrow(
        /cannot name the version 'Owner\/Resize\/CurrentVersion' in the grantee's policy: Lambda numbers a version when it publishes it, at deploy time.*grant on the function.*or on an alias of the version \(new lambda.Alias/);
      CrossAccountGrants.functionInvoke(fn.currentVersion, new iam.AccountPrincipal(OTHER));
      Template.fromStack(owner).hasResourceProperties('AWS::Lambda::Permission', {
        // (the current version's logical ID ends in a hash of the function's configuration)
        Principal: OTHER, FunctionName: { Ref: Match.stringLikeRegexp('^ResizeCurrentVersion') },
      });
    });
  });

  test('Lambda: organizational units are refused (a permission cannot carry them)', () => {
    // GIVEN
    const { owner, reader } = twoAccounts();
    const fn = new lambda.Function(owner, 'Resize', { functionName: 'resize', runtime: lambda.Runtime.NODEJS_22_X, handler: 'index.handler', code: lambda.Code.fromInline('exports.handler = async () => ({})') });

    // WHEN / THEN
    expect(() => CrossAccountGrants.functionInvoke(fn, reader, { organizationalUnitPaths: [OU] })).toThrow(/cannot narrow the function 'Owner\/Resize' to organizational units/);
  });

  test('EventBridge: a bus policy statement with a stable statement ID, where aws-cdk-lib writes none', () => {
    // GIVEN
    const { owner, consumer, reader } = twoAccounts();
    const bus = new events.EventBus(owner, 'Central', { eventBusName: 'central' });

    // WHEN
    CrossAccountGrants.eventBusPutEvents(bus, reader);

    // THEN
    Template.fromStack(owner).hasResourceProperties('AWS::Events::EventBusPolicy', {
      StatementId: Match.stringLikeRegexp('^cdk-CrossAccountPutEvents-[0-9a-f]{16}$'),
      Statement: { Effect: 'Allow', Principal: { AWS: ROOT(TRUSTED) }, Action: 'events:PutEvents', Condition: { ArnEquals: { 'aws:PrincipalArn': READER_ARN } } },
    });
    expect(identityStatements(consumer)).toEqual([{ Effect: 'Allow', Action: 'events:PutEvents', Resource: arn(`:events:${REGION}:${TRUSTING}:event-bus/central`) }]);
  });

  test('KMS directly: the key policy names the account, the grantee names the key by its alias', () => {
    // GIVEN
    const { owner, consumer, reader } = twoAccounts();
    const key = new kms.Key(owner, 'Key');
    key.addAlias('alias/shared-data');

    // WHEN
    CrossAccountGrants.keyEncryptDecrypt(key, reader);

    // THEN
    Template.fromStack(owner).hasResourceProperties('AWS::KMS::Key', {
      KeyPolicy: { Statement: Match.arrayWith([{ Effect: 'Allow', Principal: { AWS: ROOT(TRUSTED) }, Action: KEY_USE, Resource: '*', Condition: { ArnEquals: { 'aws:PrincipalArn': READER_ARN } } }]) },
    });
    expect(identityStatements(consumer)).toEqual([{
      Effect: 'Allow',
      Action: KEY_USE,
      Resource: arn(`:kms:${REGION}:${TRUSTING}:key/*`),
      Condition: { 'ForAnyValue:StringEquals': { 'kms:ResourceAliases': 'alias/shared-data' } },
    }]);
  });

  test('KMS directly: a key without an alias is refused, naming the fix', () => {
    // GIVEN
    const { owner, reader } = twoAccounts();
    const key = new kms.Key(owner, 'Key');

    // WHEN / THEN
    expect(() => CrossAccountGrants.keyDecrypt(key, reader)).toThrow(/its ARN is only known once its stack is deployed, and it has no alias; give it one \(key.addAlias\('alias\/shared-data'\)\) or pass the option keyAlias/);
    expect(() => CrossAccountGrants.keyDecrypt(key, reader, { keyAlias: 'alias/aws/s3' })).toThrow(/is the alias of an AWS managed key/);
  });

  test('KMS directly: a key of another account imported by ARN is named by its ARN, and its owner must write the key policy', () => {
    // GIVEN
    const { consumer, reader } = twoAccounts();
    const key = kms.Key.fromKeyArn(consumer, 'Shared', `arn:aws:kms:${REGION}:${TRUSTING}:key/1234abcd-12ab-34cd-56ef-1234567890ab`);

    // WHEN
    CrossAccountGrants.keyDecrypt(key, reader);

    // THEN
    expect(identityStatements(consumer)).toEqual([{ Effect: 'Allow', Action: 'kms:Decrypt', Resource: `arn:aws:kms:${REGION}:${TRUSTING}:key/1234abcd-12ab-34cd-56ef-1234567890ab` }]);
    Annotations.fromStack(consumer).hasWarning('/Consumer/Shared', Match.stringLikeRegexp(`the key 'Consumer/Shared' is imported.*its owner \\(account ${TRUSTING}\\)`));
  });
});

describe('quotas, checked at synth with the limit named', () => {
  /** Roles of many accounts, each granted on the resource. */
  function manyGrantees(app: App, count: number, prefix = ''): iam.IRole[] {
    return Array.from({ length: count }, (_, i) => iam.Role.fromRoleArn(app.node.findChild('Consumer') as Stack, `${prefix}Partner${i}`, `arn:aws:iam::${String(300000000000 + i)}:role/partner-role-with-a-long-name-${i}`));
  }

  test('a bucket policy over 20 KB fails the synth', () => {
    // GIVEN
    const { app, owner } = twoAccounts();
    const bucket = new s3.Bucket(owner, 'Data', { bucketName: 'data-a' });

    // WHEN
    for (const partner of manyGrantees(app, 60)) { CrossAccountGrants.bucketRead(bucket, partner); }

    // THEN
    expect(() => app.synth()).toThrow(/the bucket policy of 'Owner\/Data' is about \d+ characters, over the quota of 20 KB \(20,480 bytes\) for a bucket policy/);
  });

  test('a queue policy over 8,192 bytes fails the synth, and one under passes', () => {
    // GIVEN
    const small = twoAccounts();
    const large = twoAccounts();
    const queue = (owner: Stack) => new sqs.Queue(owner, 'Queue', { queueName: 'orders' });
    const smallQueue = queue(small.owner);
    const largeQueue = queue(large.owner);

    // WHEN
    for (const partner of manyGrantees(small.app, 5)) { CrossAccountGrants.queueSendMessages(smallQueue, partner); }
    for (const partner of manyGrantees(large.app, 25)) { CrossAccountGrants.queueSendMessages(largeQueue, partner); }

    // THEN
    expect(() => small.app.synth()).not.toThrow();
    expect(() => large.app.synth()).toThrow(/the queue policy of 'Owner\/Queue' is about \d+ characters, over the quota of 8,192 bytes, 20 statements, 50 principals and 7 actions per statement for a queue policy/);
  });

  test('a queue policy of more than 20 statements fails the synth, though under 8,192 bytes; so does a topic policy of more than 100', () => {
    // GIVEN
    const { app, owner } = twoAccounts();
    const queue = new sqs.Queue(owner, 'Queue', { queueName: 'orders' });
    const topic = new sns.Topic(owner, 'Topic', { topicName: 'alerts' });

    // WHEN each grant is a statement of its own (one grantee's ARN each)
    for (const partner of manyGrantees(app, 21)) { CrossAccountGrants.queueSendMessages(queue, partner); }
    for (const partner of manyGrantees(app, 101, 'Topic')) { CrossAccountGrants.topicPublish(topic, partner); }

    // THEN
    expect(() => app.synth()).toThrow(/the queue policy of 'Owner\/Queue' has 21 statements, over the quota of 20 \(8,192 bytes, 20 statements/);
    expect(() => app.synth()).toThrow(/the topic policy of 'Owner\/Topic' has 101 statements, over the quota of 100 \(30 KB, 100 statements/);
  });

  test('a key policy over 32 KB fails the synth', () => {
    // GIVEN
    const { app, owner } = twoAccounts();
    const key = new kms.Key(owner, 'Key');
    key.addAlias('alias/shared-data');

    // WHEN
    for (const partner of manyGrantees(app, 200)) { CrossAccountGrants.keyDecrypt(key, partner); }

    // THEN
    expect(() => app.synth()).toThrow(/the key policy of 'Owner\/Key' is about \d+ characters, over the quota of 32 KB \(32,768 bytes\) for a key policy/);
  });

  test('a key policy that a service\'s grants overflow (through S3) fails the synth too', () => {
    // GIVEN
    const { app, owner } = twoAccounts();
    const { bucket } = encryptedBucket(owner);

    // WHEN: each grant writes a statement in the bucket policy and one in the key policy
    for (const partner of manyGrantees(app, 90)) { CrossAccountGrants.bucketRead(bucket, partner, { objectKeyPattern: 'exports/*' }); }

    // THEN
    expect(() => app.synth()).toThrow(/the key policy of 'Owner\/Key' is about \d+ characters, over the quota of 32 KB/);
  });

  test('a topic policy over 30 KB fails the synth', () => {
    // GIVEN
    const { app, owner } = twoAccounts();
    const topic = new sns.Topic(owner, 'Topic', { topicName: 'alerts' });

    // WHEN
    for (const partner of manyGrantees(app, 150)) { CrossAccountGrants.topicPublish(topic, partner); }

    // THEN
    expect(() => app.synth()).toThrow(/the topic policy of 'Owner\/Topic' is about \d+ characters, over the quota of 30 KB, 100 statements and 200 principals for a topic policy/);
  });

  test('a secret\'s resource policy over 20,480 characters fails the synth', () => {
    // GIVEN
    const { app, owner } = twoAccounts();
    const secret = new secretsmanager.Secret(owner, 'Secret', { secretName: 'db', encryptionKey: new kms.Key(owner, 'Key') });

    // WHEN
    for (const partner of manyGrantees(app, 100)) { CrossAccountGrants.secretRead(secret, partner); }

    // THEN
    expect(() => app.synth()).toThrow(/the resource policy of 'Owner\/Secret' is about \d+ characters, over the quota of 20,480 characters for a secret's resource policy/);
  });

  test('a repository policy over 10,240 characters fails the synth', () => {
    // GIVEN
    const { app, owner } = twoAccounts();
    const repository = new ecr.Repository(owner, 'Images', { repositoryName: 'base-images' });

    // WHEN
    for (const partner of manyGrantees(app, 60)) { CrossAccountGrants.repositoryPull(repository, partner); }

    // THEN
    expect(() => app.synth()).toThrow(/the repository policy of 'Owner\/Images' is about \d+ characters, over the quota of 10,240 characters for a repository policy/);
  });

  test('a function\'s resource policy over 20 KB fails the synth', () => {
    // GIVEN
    const { app, owner } = twoAccounts();
    const fn = new lambda.Function(owner, 'Resize', { functionName: 'resize', runtime: lambda.Runtime.NODEJS_22_X, handler: 'index.handler', code: lambda.Code.fromInline('exports.handler = async () => ({})') });

    // WHEN: one permission per account
    for (const partner of manyGrantees(app, 150)) { CrossAccountGrants.functionInvoke(fn, partner); }

    // THEN
    expect(() => app.synth()).toThrow(/the resource policy of 'Owner\/Resize' is about \d+ characters, over the quota of 20 KB for a function's resource-based policy/);
  });

  test('an event bus policy over 10,240 characters is a warning: the quota can be raised', () => {
    // GIVEN
    const { app, owner } = twoAccounts();
    const bus = new events.EventBus(owner, 'Central', { eventBusName: 'central' });

    // WHEN
    for (const partner of manyGrantees(app, 40)) { CrossAccountGrants.eventBusPutEvents(bus, partner); }
    app.synth();

    // THEN
    Annotations.fromStack(owner).hasWarning('/Owner/Central', Match.stringLikeRegexp('over the quota of 10,240 characters for an event bus policy.*raise the quota in Service Quotas'));
  });
});

test('two synths of the same app give the same templates', () => {
  const build = () => {
    const { app, owner, reader } = twoAccounts();
    const { bucket } = encryptedBucket(owner);
    CrossAccountGrants.bucketReadWrite(bucket, reader, { organizationId: ORG });
    CrossAccountGrants.eventBusPutEvents(new events.EventBus(owner, 'Bus', { eventBusName: 'bus' }), reader);
    return app.synth().stacks.map(s => JSON.stringify(s.template));
  };
  expect(build()).toEqual(build());
});
