import * as fs from 'fs';
import * as path from 'path';
import { App, CfnParameter, Fn, NestedStack, PhysicalName, Stack, Validations } from 'aws-cdk-lib';
import * as ecr from 'aws-cdk-lib/aws-ecr';
import * as events from 'aws-cdk-lib/aws-events';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { CrossAccountGrants, CrossAccountTrustChecks } from '../src';
import { useTempFolder } from './helpers/temp-folder';
import { TRUSTED, TRUSTING } from './util';
import { auditPaths } from '../src/cli/audit-command';
import { runCli } from '../src/cli/cli';
import { auditTemplateFully } from '../src/private/audit';

/**
 * The second road through the audit (issue 17 §2): the resource policies of a
 * template (S3, KMS, SQS, SNS, Secrets Manager, ECR, Lambda, EventBridge) and
 * its identity policies, read in every form and judged by the resource rules,
 * in the plugin and in the CLI alike.
 */

const folder = useTempFolder('resource-policies-');
const FIXTURE = path.join(__dirname, 'fixtures', 'real-world', 'resource-policies.yaml');

/** What the audit finds on a template: `logicalId rule`, and the location of each. */
function findingsOf(template: object, env: { account?: string; region?: string } = {}): Array<[string, string, string]> {
  return auditTemplateFully(template, env).policies
    .flatMap(p => p.findings.map((f): [string, string, string] => [p.policyLogicalId, f.ruleId, f.locations[0]]));
}

const OPEN = { Effect: 'Allow', Principal: '*', Action: 'x:Do', Resource: '*' };
const document = (...statements: object[]) => ({ Version: '2012-10-17', Statement: statements });

/** One policy resource of each type the audit reads, holding `statement` (what the type can hold of it). */
const RESOURCE_POLICIES: Array<[string, (statement: object) => object]> = [
  ['AWS::S3::BucketPolicy', s => ({ Type: 'AWS::S3::BucketPolicy', Properties: { Bucket: 'data', PolicyDocument: document(s) } })],
  ['AWS::KMS::Key', s => ({ Type: 'AWS::KMS::Key', Properties: { KeyPolicy: document(s) } })],
  ['AWS::SQS::QueuePolicy', s => ({ Type: 'AWS::SQS::QueuePolicy', Properties: { Queues: ['https://sqs.eu-west-1.amazonaws.com/111111111111/q'], PolicyDocument: document(s) } })],
  ['AWS::SNS::TopicPolicy', s => ({ Type: 'AWS::SNS::TopicPolicy', Properties: { Topics: ['arn:aws:sns:eu-west-1:111111111111:t'], PolicyDocument: document(s) } })],
  ['AWS::SecretsManager::ResourcePolicy', s => ({ Type: 'AWS::SecretsManager::ResourcePolicy', Properties: { SecretId: 'db', ResourcePolicy: document(s) } })],
  ['AWS::ECR::Repository', s => ({ Type: 'AWS::ECR::Repository', Properties: { RepositoryPolicyText: document(s) } })],
];

describe('reading resource policies', () => {
  test.each(RESOURCE_POLICIES)('reads the policy of %s, and finds an Allow to anyone in it', (_type, resource) => {
    // WHEN
    const found = findingsOf({ Resources: { Policy: resource(OPEN) } });

    // THEN
    expect(found).toEqual([['Policy', 'ResourcePolicyAnyPrincipal', expect.stringMatching(/^Properties\/\w+\/Statement\/0$/)]]);
  });

  test.each([
    ['an object', document(OPEN)],
    ['a JSON string', JSON.stringify(document(OPEN))],
    ['an Fn::Sub building a JSON string', { 'Fn::Sub': JSON.stringify(document({ ...OPEN, Resource: 'arn:${AWS::Partition}:s3:::data/*' })) }],
    ['an Fn::Join building a JSON string', { 'Fn::Join': ['', ['{"Statement":[{"Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":"arn:', { Ref: 'AWS::Partition' }, ':s3:::data/*"}]}']] }],
    ['an Fn::If whose one branch is open', { 'Fn::If': ['Public', document(OPEN), document({ ...OPEN, Principal: { AWS: { Ref: 'AWS::AccountId' } } })] }],
  ])('reads a bucket policy written as %s', (_form, policyDocument) => {
    // WHEN
    const found = findingsOf({ Resources: { Policy: { Type: 'AWS::S3::BucketPolicy', Properties: { Bucket: 'data', PolicyDocument: policyDocument } } } });

    // THEN
    expect(found.map(f => f[1])).toEqual(['ResourcePolicyAnyPrincipal']);
  });

  test('reads a Lambda permission as the statement Lambda writes: its principal, and SourceArn, SourceAccount and PrincipalOrgID as conditions', () => {
    // GIVEN
    const permission = (extra: object) => ({ Type: 'AWS::Lambda::Permission', Properties: { FunctionName: 'f', Action: 'lambda:InvokeFunction', ...extra } });

    // WHEN
    const found = findingsOf({
      Resources: {
        Public: permission({ Principal: '*' }),
        FromBucket: permission({ Principal: 's3.amazonaws.com', SourceArn: 'arn:aws:s3:::data', SourceAccount: TRUSTING }),
        Organisation: permission({ Principal: '*', PrincipalOrgID: 'o-a1b2c3d4e5' }),
        Partner: permission({ Principal: TRUSTED }),
      },
    }, { account: TRUSTING });

    // THEN (a permission cannot narrow an account to some of its principals: the account alone is not judged)
    expect(found).toEqual([['Public', 'ResourcePolicyAnyPrincipal', 'Properties']]);
  });

  test('reads an event bus policy in both its forms: a Statement, or a Principal with a Type / Key / Value condition', () => {
    // WHEN
    const found = findingsOf({
      Resources: {
        Statement: { Type: 'AWS::Events::EventBusPolicy', Properties: { StatementId: 's', Statement: { Effect: 'Allow', Principal: '*', Action: 'events:PutEvents' } } },
        Organisation: {
          Type: 'AWS::Events::EventBusPolicy',
          Properties: { StatementId: 'o', Action: 'events:PutEvents', Principal: '*', Condition: { Type: 'StringEquals', Key: 'aws:PrincipalOrgID', Value: 'o-a1b2c3d4e5' } },
        },
        Partner: { Type: 'AWS::Events::EventBusPolicy', Properties: { StatementId: 'p', Action: 'events:PutEvents', Principal: TRUSTED } },
      },
    }, { account: TRUSTING });

    // THEN
    expect(found).toEqual([
      ['Statement', 'ResourcePolicyAnyPrincipal', 'Properties/Statement'],
      ['Partner', 'ResourcePolicyUnguardedAccount', 'Properties'],
    ]);
  });

  test('names what a policy is on: a bucket by its name, a queue by its name in its URL', () => {
    // GIVEN
    const template = {
      Resources: {
        Bucket: { Type: 'AWS::S3::BucketPolicy', Properties: { Bucket: { Ref: 'Data' }, PolicyDocument: document(OPEN) } },
        Data: { Type: 'AWS::S3::Bucket', Properties: { BucketName: 'my-data' } },
        Queue: { Type: 'AWS::SQS::QueuePolicy', Properties: { Queues: ['https://sqs.eu-west-1.amazonaws.com/111111111111/orders'], PolicyDocument: document(OPEN) } },
      },
    };

    // WHEN
    const policies = auditTemplateFully(template, { account: TRUSTING, region: 'eu-west-1' }).policies;

    // THEN
    expect(policies.map(p => p.branches[0].targets)).toEqual([
      [{ type: 'AWS::S3::Bucket', logicalId: 'Data', name: 'my-data', arn: 'arn:aws:s3:::my-data' }],
      [{ type: 'AWS::SQS::Queue', name: 'orders', arn: 'arn:aws:sqs:eu-west-1:111111111111:orders' }],
    ]);
    expect(policies[0].findings[0].messages).toEqual(['bucket my-data allows x:Do to any principal of any account, with no narrowing condition']);
  });
});

describe('ResourcePolicyAnyPrincipal', () => {
  test.each([
    ['aws:PrincipalOrgID', { StringEquals: { 'aws:PrincipalOrgID': 'o-a1b2c3d4e5' } }],
    ['aws:SourceArn', { ArnLike: { 'aws:SourceArn': 'arn:aws:s3:::data' } }],
    ['aws:SourceVpce', { StringEquals: { 'aws:SourceVpce': 'vpce-1a2b3c4d' } }],
    ['kms:CallerAccount', { StringEquals: { 'kms:CallerAccount': TRUSTING } }],
  ])('passes Principal "*" narrowed by %s', (_key, condition) => {
    expect(findingsOf({ Resources: { K: RESOURCE_POLICIES[1][1]({ ...OPEN, Condition: condition }) } })).toEqual([]);
  });

  test('fails Principal "*" whose condition narrows nothing (a wildcard organisation, IfExists), and passes a Deny', () => {
    // WHEN
    const found = findingsOf({
      Resources: {
        Wildcard: RESOURCE_POLICIES[0][1]({ ...OPEN, Condition: { StringLike: { 'aws:PrincipalOrgID': 'o-*' } } }),
        IfExists: RESOURCE_POLICIES[0][1]({ ...OPEN, Condition: { StringEqualsIfExists: { 'aws:PrincipalOrgID': 'o-a1b2c3d4e5' } } }),
        Deny: RESOURCE_POLICIES[0][1]({ ...OPEN, Effect: 'Deny' }),
      },
    });

    // THEN
    expect(found.map(f => f.slice(0, 2))).toEqual([['Wildcard', 'ResourcePolicyAnyPrincipal'], ['IfExists', 'ResourcePolicyAnyPrincipal']]);
  });
});

describe('ResourcePolicyUnguardedAccount', () => {
  const grant = (principal: unknown, extra: object = {}) => RESOURCE_POLICIES[0][1]({ Effect: 'Allow', Principal: { AWS: principal }, Action: 's3:GetObject', Resource: '*', ...extra });

  test('warns on another account granted whole (its ID, its root), and on an account given as a parameter, naming it', () => {
    // WHEN
    const template = {
      Parameters: { Partner: { Type: 'String' } },
      Resources: {
        Id: grant(TRUSTED),
        Root: grant(`arn:aws:iam::${TRUSTED}:root`),
        Parameter: grant({ 'Fn::Sub': 'arn:${AWS::Partition}:iam::${Partner}:root' }),
      },
    };
    const policies = auditTemplateFully(template, { account: TRUSTING }).policies;

    // THEN
    expect(policies.map(p => [p.policyLogicalId, p.findings.map(f => f.ruleId)])).toEqual([
      ['Id', ['ResourcePolicyUnguardedAccount']], ['Root', ['ResourcePolicyUnguardedAccount']], ['Parameter', ['ResourcePolicyUnguardedAccount']],
    ]);
    expect(policies[2].findings[0].messages[0]).toMatch(/the account of parameter Partner \(known only at deploy time\)/);
  });

  test('passes the stack\'s own account, a principal ARN condition, an organisation guard, a named role, and a service', () => {
    // WHEN
    const found = findingsOf({
      Resources: {
        Own: grant(`arn:aws:iam::${TRUSTING}:root`),
        PrincipalArn: grant(`arn:aws:iam::${TRUSTED}:root`, { Condition: { ArnEquals: { 'aws:PrincipalArn': `arn:aws:iam::${TRUSTED}:role/reader` } } }),
        Organisation: grant(`arn:aws:iam::${TRUSTED}:root`, { Condition: { StringEquals: { 'aws:PrincipalOrgID': 'o-a1b2c3d4e5' } } }),
        Role: grant(`arn:aws:iam::${TRUSTED}:role/reader`),
        Service: RESOURCE_POLICIES[0][1]({ Effect: 'Allow', Principal: { Service: 'logging.s3.amazonaws.com' }, Action: 's3:PutObject', Resource: '*' }),
      },
    }, { account: TRUSTING });

    // THEN
    expect(found).toEqual([]);
  });
});

describe('KmsOnAnyKey', () => {
  const inline = (statement: object) => ({
    Type: 'AWS::IAM::Role',
    Properties: {
      AssumeRolePolicyDocument: document({ Effect: 'Allow', Principal: { Service: 'lambda.amazonaws.com' }, Action: 'sts:AssumeRole' }),
      Policies: [{ PolicyName: 'p', PolicyDocument: document(statement) }],
    },
  });

  test('warns on KMS data actions on "*" or key/* in a role\'s inline policy, an IAM policy and a managed policy', () => {
    // WHEN
    const found = findingsOf({
      Resources: {
        Inline: inline({ Effect: 'Allow', Action: ['kms:Decrypt', 'kms:DescribeKey'], Resource: '*' }),
        Policy: { Type: 'AWS::IAM::Policy', Properties: { PolicyName: 'p', Roles: ['r'], PolicyDocument: document({ Effect: 'Allow', Action: 'kms:*', Resource: 'arn:aws:kms:eu-west-1:111111111111:key/*' }) } },
        Managed: { Type: 'AWS::IAM::ManagedPolicy', Properties: { PolicyDocument: document({ Effect: 'Allow', Action: 'kms:GenerateDataKey*', NotResource: 'arn:aws:s3:::x' }) } },
      },
    });

    // THEN
    expect(found).toEqual([
      ['Inline', 'KmsOnAnyKey', 'Properties/Policies/0/PolicyDocument/Statement/0'],
      ['Policy', 'KmsOnAnyKey', 'Properties/PolicyDocument/Statement/0'],
      ['Managed', 'KmsOnAnyKey', 'Properties/PolicyDocument/Statement/0'],
    ]);
  });

  test('passes a key\'s ARN, kms:ViaService, an encryption context, an alias, and actions that use no key', () => {
    // WHEN
    const found = findingsOf({
      Resources: {
        Arn: inline({ Effect: 'Allow', Action: 'kms:Decrypt', Resource: 'arn:aws:kms:eu-west-1:111111111111:key/1234abcd-12ab-34cd-56ef-1234567890ab' }),
        ViaService: inline({ Effect: 'Allow', Action: 'kms:Decrypt', Resource: '*', Condition: { StringEquals: { 'kms:ViaService': 's3.eu-west-1.amazonaws.com' } } }),
        Context: inline({ Effect: 'Allow', Action: 'kms:Decrypt', Resource: 'arn:aws:kms:eu-west-1:111111111111:key/*', Condition: { ArnLike: { 'kms:EncryptionContext:aws:s3:arn': 'arn:aws:s3:::data/*' } } }),
        Alias: inline({ Effect: 'Allow', Action: 'kms:Decrypt', Resource: '*', Condition: { 'ForAnyValue:StringEquals': { 'kms:ResourceAliases': 'alias/data' } } }),
        Describe: inline({ Effect: 'Allow', Action: ['kms:DescribeKey', 'kms:ListAliases'], Resource: '*' }),
      },
    });

    // THEN
    expect(found).toEqual([]);
  });
});

describe('resource policies of an app, in the plugin and the CLI alike', () => {
  /** The plugin's violations on an app, as `logical ID rule`, and the CLI's on its cloud assembly. */
  function audit(app: App): { plugin: string[]; cli: string[]; report: ReturnType<CrossAccountTrustChecks['validate']> } {
    const assembly = app.synth();
    const stacks = app.node.findAll().filter((s): s is Stack => Stack.isStack(s) && !NestedStack.isNestedStack(s));
    const report = new CrossAccountTrustChecks({ accessMap: false }).validate({
      templatePaths: stacks.map(s => path.join(assembly.directory, s.templateFile)),
      stackTemplates: stacks.map(s => ({ stackConstructPath: s.node.path, templatePath: path.join(assembly.directory, s.templateFile) })),
      appConstruct: app,
      accountId: undefined,
      region: undefined,
    });
    const plugin = report.violations.flatMap(v => v.violatingResources.map(r => `${r.resourceLogicalId} ${v.ruleName.replace(/@.*$/, '')}`)).sort();
    const cli = auditPaths([assembly.directory]).findings.filter(f => f.acknowledgedReason === undefined).map(f => `${f.logicalId} ${f.ruleId}`).sort();
    return { plugin, cli, report };
  }

  /** Two accounts' stacks: the data's and the reader's (a role with a physical name, as cross-account use needs). */
  function twoAccounts() {
    const app = new App({ outdir: fs.mkdtempSync(path.join(folder.dir, 'app-')) });
    const data = new Stack(app, 'Data', { env: { account: TRUSTING, region: 'eu-west-1' } });
    const readers = new Stack(app, 'Readers', { env: { account: TRUSTED, region: 'eu-west-1' } });
    const reader = new iam.Role(readers, 'Reader', { assumedBy: new iam.AccountRootPrincipal(), roleName: PhysicalName.GENERATE_IF_NEEDED });
    return { app, data, readers, reader };
  }

  test('aws-cdk-lib\'s own cross-account grant on a KMS-encrypted bucket: KMS on "*" in the reader\'s policy, and its role in the bucket\'s and key\'s Principal', () => {
    // GIVEN bucket.grantRead(a role of another account's stack), as aws-cdk-lib writes it
    const { app, data, reader } = twoAccounts();
    const bucket = new s3.Bucket(data, 'Bucket', { encryption: s3.BucketEncryption.KMS, bucketName: PhysicalName.GENERATE_IF_NEEDED });
    bucket.grantRead(reader);

    // WHEN
    const { plugin, cli, report } = audit(app);

    // THEN
    expect(plugin).toEqual([
      expect.stringMatching(/^BucketKey\w+ AppPrincipalInResourcePolicy$/),
      expect.stringMatching(/^BucketPolicy\w+ AppPrincipalInResourcePolicy$/),
      expect.stringMatching(/^ReaderDefaultPolicy\w+ KmsOnAnyKey$/),
    ]);
    expect(cli).toEqual(plugin);
    const deployOrder = report.violations.find(v => v.ruleName.startsWith('AppPrincipalInResourcePolicy'))!;
    expect(deployOrder.description).toMatch(/names arn:aws:iam::222222222222:role\/\w+ \(stack Readers\) in Principal: deploying stack Data first fails/);
    expect(report.violations.every(v => v.severity === 'warning')).toBe(true);
  });

  test('a bucket\'s addToResourcePolicy to anyone fails, a key\'s to another account warns, and the same narrowed to the organisation passes', () => {
    // GIVEN
    const { app, data } = twoAccounts();
    const bucket = new s3.Bucket(data, 'Open');
    bucket.addToResourcePolicy(new iam.PolicyStatement({ principals: [new iam.AnyPrincipal()], actions: ['s3:GetObject'], resources: [bucket.arnForObjects('*')] }));
    const key = new kms.Key(data, 'Key');
    key.addToResourcePolicy(new iam.PolicyStatement({ principals: [new iam.AccountPrincipal(TRUSTED)], actions: ['kms:Decrypt'], resources: ['*'] }));
    const queue = new sqs.Queue(data, 'Queue');
    queue.addToResourcePolicy(new iam.PolicyStatement({
      principals: [new iam.AnyPrincipal()],
      actions: ['sqs:SendMessage'],
      resources: [queue.queueArn],
      conditions: { StringEquals: { 'aws:PrincipalOrgID': 'o-a1b2c3d4e5' } },
    }));

    // WHEN
    const { plugin, cli, report } = audit(app);

    // THEN
    expect(plugin).toEqual([expect.stringMatching(/^Key\w+ ResourcePolicyUnguardedAccount$/), expect.stringMatching(/^OpenPolicy\w+ ResourcePolicyAnyPrincipal$/)]);
    expect(cli).toEqual(plugin);
    expect(report.success).toBe(false);
  });

  test('an error fails synthesis, and is acknowledged on its construct as trust findings are', () => {
    // GIVEN two public buckets in an app with the plugin, one acknowledged
    const build = (acknowledgeBoth: boolean) => {
      const { app, data } = twoAccounts();
      Validations.of(app).addPlugins(new CrossAccountTrustChecks({ accessMap: false }));
      for (const name of ['Website', 'Other']) {
        const bucket = new s3.Bucket(data, name);
        bucket.addToResourcePolicy(new iam.PolicyStatement({ principals: [new iam.AnyPrincipal()], actions: ['s3:GetObject'], resources: [bucket.arnForObjects('*')] }));
        if (name === 'Website' || acknowledgeBoth) {
          Validations.of(bucket).acknowledge({ id: 'CrossAccountTrustChecks::ResourcePolicyAnyPrincipal', reason: 'a public website' });
        }
      }
      return app;
    };

    // WHEN / THEN the other bucket's error fails synthesis, under an id of its own; acknowledged too, nothing does
    expect(() => build(false).synth()).toThrow(/Acknowledge with 'CrossAccountTrustChecks::ResourcePolicyAnyPrincipal@Data\/Other\/Policy\/Resource'/);
    expect(() => build(true).synth()).not.toThrow();
  });

  test('is silent on what CrossAccountGrants writes, for every service: the grantee\'s account narrowed by its ARN, KMS through a service or an alias', () => {
    // GIVEN every grant of CrossAccountGrants, from a role of another account's stack (and an account, to the organisation)
    const { app, data, reader } = twoAccounts();
    const key = new kms.Key(data, 'Key');
    CrossAccountGrants.bucketReadWrite(new s3.Bucket(data, 'Data', { bucketName: 'data-a', encryptionKey: key, objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED }), reader);
    CrossAccountGrants.keyDecrypt(new kms.Key(data, 'Direct', { alias: 'alias/direct' }), reader, { keyAlias: 'alias/direct' });
    CrossAccountGrants.keyEncryptDecrypt(new kms.Key(data, 'Other', { alias: 'alias/other' }), reader, { keyAlias: 'alias/other' });
    const queue = new sqs.Queue(data, 'Queue', { queueName: 'orders', encryptionMasterKey: new kms.Key(data, 'QueueKey') });
    CrossAccountGrants.queueSendMessages(queue, reader);
    CrossAccountGrants.queueConsumeMessages(queue, reader);
    CrossAccountGrants.topicPublish(new sns.Topic(data, 'Topic', { topicName: 'events' }), reader);
    CrossAccountGrants.secretRead(new secretsmanager.Secret(data, 'Secret', { secretName: 'db', encryptionKey: new kms.Key(data, 'SecretKey') }), reader);
    CrossAccountGrants.repositoryPull(new ecr.Repository(data, 'Repository', { repositoryName: 'base' }), reader);
    CrossAccountGrants.functionInvoke(new lambda.Function(data, 'Function', {
      functionName: 'report', runtime: lambda.Runtime.NODEJS_22_X, handler: 'index.handler', code: lambda.Code.fromInline('exports.handler = async () => 1;'),
    }), reader);
    CrossAccountGrants.eventBusPutEvents(new events.EventBus(data, 'Bus', { eventBusName: 'orders' }), reader);
    CrossAccountGrants.bucketRead(new s3.Bucket(data, 'Reports', { bucketName: 'reports-a' }), new iam.AccountPrincipal(TRUSTED), { organizationId: 'o-a1b2c3d4e5' });

    // WHEN
    const { plugin, cli } = audit(app);

    // THEN
    expect(auditPaths([app.outdir]).policies).toBeGreaterThanOrEqual(13);
    expect(plugin).toEqual([]);
    expect(cli).toEqual([]);
  });

  test('an identity policy on key/* built by Fn::Sub in an environment-agnostic stack warns, as the Fn::Join form of the same ARN does', () => {
    // GIVEN a stack of no environment: AWS::Region and AWS::AccountId are only known at deploy time
    const app = new App({ outdir: fs.mkdtempSync(path.join(folder.dir, 'app-')) });
    const stack = new Stack(app, 'Agnostic');
    const decrypt = (resource: string) => new iam.PolicyStatement({ actions: ['kms:Decrypt'], resources: [resource] });
    new iam.ManagedPolicy(stack, 'Sub', { statements: [decrypt(Fn.sub('arn:${AWS::Partition}:kms:${AWS::Region}:${AWS::AccountId}:key/*'))] });
    new iam.ManagedPolicy(stack, 'Join', { statements: [decrypt(stack.formatArn({ service: 'kms', resource: 'key', resourceName: '*' }))] });

    // WHEN
    const { plugin, cli } = audit(app);

    // THEN
    expect(plugin).toEqual([expect.stringMatching(/^Join\w+ KmsOnAnyKey$/), expect.stringMatching(/^Sub\w+ KmsOnAnyKey$/)]);
    expect(cli).toEqual(plugin);
  });

  test('a policy naming a role of its own stack, or a parameter, does not warn of the deploy order', () => {
    // GIVEN
    const { app, data } = twoAccounts();
    const local = new iam.Role(data, 'Local', { assumedBy: new iam.AccountRootPrincipal(), roleName: 'local-reader' });
    new s3.Bucket(data, 'Bucket').grantRead(local);
    new CfnParameter(data, 'Unused');

    // WHEN / THEN
    expect(audit(app).plugin.filter(f => f.includes('AppPrincipalInResourcePolicy'))).toEqual([]);
  });
});

describe('the CLI on a hand-written template of resource policies', () => {
  test('reads every form (YAML, !If, a key policy built by !Sub, a repository policy as a string) and counts the policies', () => {
    // WHEN
    let stdout = '';
    const code = runCli(['audit', FIXTURE, '--format', 'json'], { stdout: t => { stdout += t; }, stderr: () => undefined });
    const report = JSON.parse(stdout);

    // THEN
    expect(code).toBe(1);
    expect(report.summary).toBe('2 errors, 3 warnings in 1 role and 8 policies of 1 template');
    expect(report.findings.map((f: any) => [f.logicalId, f.ruleId])).toEqual([
      ['LogsPolicy', 'ResourcePolicyUnguardedAccount'],
      ['QueuePolicy', 'ResourcePolicyAnyPrincipal'],
      ['Repository', 'ResourcePolicyUnguardedAccount'],
      ['Invoke', 'ResourcePolicyAnyPrincipal'],
      ['Reader', 'KmsOnAnyKey'],
    ]);
    // the key policy (kms:CallerAccount), the topic policy (aws:SourceArn) and the bus policy (the organisation) pass
  });

  test('warns on KMS on key/* built by Fn::Sub when the template\'s region and account are unknown, as on the Fn::Join form', () => {
    // GIVEN a hand-written template: its region and account are only known at deploy time
    const decrypt = (resource: object) => ({ Type: 'AWS::IAM::ManagedPolicy', Properties: { PolicyDocument: document({ Effect: 'Allow', Action: 'kms:Decrypt', Resource: resource }) } });
    const file = folder.file('sub-key.json', JSON.stringify({
      Resources: {
        Sub: decrypt({ 'Fn::Sub': 'arn:${AWS::Partition}:kms:${AWS::Region}:${AWS::AccountId}:key/*' }),
        Join: decrypt({ 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':kms:', { Ref: 'AWS::Region' }, ':', { Ref: 'AWS::AccountId' }, ':key/*']] }),
      },
    }));

    // WHEN
    let stdout = '';
    const code = runCli(['audit', file, '--format', 'json'], { stdout: t => { stdout += t; }, stderr: () => undefined });
    const report = JSON.parse(stdout);

    // THEN
    expect(code).toBe(0);
    expect(report.findings.map((f: any) => [f.logicalId, f.ruleId])).toEqual([['Sub', 'KmsOnAnyKey'], ['Join', 'KmsOnAnyKey']]);
    expect(report.findings[0].message).toMatch(/allows kms:Decrypt on arn:aws:kms:<deploy-time value>:<deploy-time value>:key\/\*/);
  });

  test('a template file of a cloud assembly is audited as its stack, with the account and region of the manifest, as the whole assembly is', () => {
    // GIVEN aws-cdk-lib's grants from a stack with an environment: each key's default admin statement names the stack's own account
    const app = new App({ outdir: fs.mkdtempSync(path.join(folder.dir, 'app-')) });
    const data = new Stack(app, 'Data', { env: { account: TRUSTING, region: 'eu-west-1' } });
    const readers = new Stack(app, 'Readers', { env: { account: TRUSTED, region: 'eu-west-1' } });
    const reader = new iam.Role(readers, 'Reader', { assumedBy: new iam.AccountRootPrincipal(), roleName: PhysicalName.GENERATE_IF_NEEDED });
    new s3.Bucket(data, 'Bucket', { encryption: s3.BucketEncryption.KMS, bucketName: PhysicalName.GENERATE_IF_NEEDED }).grantRead(reader);
    new secretsmanager.Secret(data, 'Secret', { secretName: 'db', encryptionKey: new kms.Key(data, 'SecretKey') }).grantRead(reader);
    const dir = app.synth().directory;
    const found = (...paths: string[]) => auditPaths(paths).findings.map(f => `${path.basename(f.file)} ${f.logicalId} ${f.ruleId}`);

    // WHEN
    const whole = found(dir);
    const oneFile = found(path.join(dir, 'Data.template.json'));
    const bothFiles = found(path.join(dir, 'Data.template.json'), path.join(dir, 'Readers.template.json'));

    // THEN no key's default admin statement is taken for another account's, and the files say what the assembly says
    expect(oneFile.filter(f => f.includes('ResourcePolicyUnguardedAccount'))).toEqual([]);
    expect(bothFiles).toEqual(whole);
    expect(auditPaths([path.join(dir, 'Data.template.json')]).findings.every(f => f.stackName === 'Data')).toBe(true);
  });

  test('a template alone, in an unknown account: a key granting kms:* to an account root is reported once, saying how to tell its own account; --account does', () => {
    // GIVEN a key policy as aws-cdk-lib writes it for a secret's key, with three statements naming the same account, in a file of its own
    const root = { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, `:iam::${TRUSTING}:root`]] };
    const file = folder.file('alone/key.json', JSON.stringify({
      Resources: {
        Key: {
          Type: 'AWS::KMS::Key',
          Properties: {
            KeyPolicy: document(
              { Effect: 'Allow', Principal: { AWS: root }, Action: 'kms:*', Resource: '*' },
              { Effect: 'Allow', Principal: { AWS: root }, Action: ['kms:Decrypt', 'kms:Encrypt'], Resource: '*', Condition: { StringEquals: { 'kms:ViaService': 'secretsmanager.eu-west-1.amazonaws.com' } } },
              { Effect: 'Allow', Principal: { AWS: root }, Action: ['kms:CreateGrant', 'kms:DescribeKey'], Resource: '*', Condition: { StringEquals: { 'kms:ViaService': 'secretsmanager.eu-west-1.amazonaws.com' } } },
            ),
          },
        },
      },
    }));
    const run = (...argv: string[]) => {
      let stdout = '';
      let stderr = '';
      const code = runCli(['audit', file, ...argv], { stdout: t => { stdout += t; }, stderr: t => { stderr += t; } });
      return { code, stdout, stderr };
    };

    // WHEN
    const alone = JSON.parse(run('--format', 'json').stdout);
    const given = run('--account', TRUSTING);
    const other = JSON.parse(run('--format', 'json', '--account', TRUSTED).stdout);
    const wrong = run('--account', '1234');

    // THEN the audit cannot tell the key's own account from another's (kms:* to another account is the worst of grants): it says so, once
    expect(alone.findings.map((f: any) => f.ruleId)).toEqual(['ResourcePolicyUnguardedAccount']);
    expect(alone.findings[0].message.split(`account(s) ${TRUSTING}`)).toHaveLength(2);
    expect(alone.findings[0].message).toMatch(/the stack's account is unknown: if 111111111111 is its own, as in the key's default admin statement, give the account \(the stack's env, or the CLI's --account\)/);
    expect(given).toEqual({ code: 0, stdout: '0 errors, 0 warnings in 0 roles and 1 policy of 1 template\n', stderr: '' });
    expect(other.findings.map((f: any) => f.ruleId)).toEqual(['ResourcePolicyUnguardedAccount']);
    expect(other.findings[0].message).not.toMatch(/unknown/);
    expect(wrong.code).toBe(2);
    expect(wrong.stderr).toMatch(/--account must be a 12-digit account ID, got '1234'/);
  });

  test('a nested stack\'s template file is audited as its parent stack, whether the asset manifest or the parent\'s metadata names it', () => {
    // GIVEN a key (its default admin statement names the stack's own account) in a nested stack
    // (asset metadata on, as the CDK CLI writes it: the parent's nested stack resource names the template in aws:asset:path)
    const app = new App({ outdir: fs.mkdtempSync(path.join(folder.dir, 'nested-')), context: { 'aws:cdk:enable-asset-metadata': true } });
    const parent = new Stack(app, 'Parent', { env: { account: TRUSTING, region: 'eu-west-1' } });
    new kms.Key(new NestedStack(parent, 'Keys'), 'Key');
    const dir = app.synth().directory;
    const nestedFile = fs.readdirSync(dir).find(f => f.endsWith('.nested.template.json'))!;
    // the same assembly whose manifest lists no asset manifest: only the parent's metadata names the nested template
    const bare = fs.mkdtempSync(path.join(folder.dir, 'bare-'));
    fs.cpSync(dir, bare, { recursive: true });
    const manifest = JSON.parse(fs.readFileSync(path.join(bare, 'manifest.json'), 'utf-8'));
    delete manifest.artifacts['Parent.assets'];
    fs.writeFileSync(path.join(bare, 'manifest.json'), JSON.stringify(manifest));

    // WHEN
    const viaAssets = auditPaths([path.join(dir, nestedFile)]);
    const viaMetadata = auditPaths([path.join(bare, nestedFile)]);

    // THEN
    for (const report of [viaAssets, viaMetadata]) {
      expect(report.findings.filter(f => f.ruleId === 'ResourcePolicyUnguardedAccount')).toEqual([]);
    }
    expect(auditPaths([path.join(dir, 'Parent.template.json'), path.join(dir, nestedFile)]).findings).toEqual(auditPaths([dir]).findings);
  });

  test('lists the new rules in SARIF and takes them in --ignore and in an acknowledgement', () => {
    // GIVEN
    const acknowledged = folder.file('acknowledged.json', JSON.stringify({
      Resources: {
        Open: {
          Type: 'AWS::S3::BucketPolicy',
          Metadata: { 'cdk-cross-account-roles': { acknowledge: [{ id: 'ResourcePolicyAnyPrincipal', reason: 'the public website bucket' }] } },
          Properties: { Bucket: 'www', PolicyDocument: document({ ...OPEN, Action: 's3:GetObject' }) },
        },
      },
    }));
    const run = (...argv: string[]) => {
      let stdout = '';
      const code = runCli(argv, { stdout: t => { stdout += t; }, stderr: () => undefined });
      return { code, stdout };
    };

    // WHEN
    const sarif = JSON.parse(run('audit', FIXTURE, '--format', 'sarif').stdout);
    const ignored = run('audit', FIXTURE, '--ignore', 'ResourcePolicyAnyPrincipal,ResourcePolicyUnguardedAccount,KmsOnAnyKey');
    const text = run('audit', acknowledged);

    // THEN
    expect(sarif.runs[0].tool.driver.rules.map((r: any) => r.id)).toEqual(expect.arrayContaining([
      'ResourcePolicyAnyPrincipal', 'ResourcePolicyUnguardedAccount', 'AppPrincipalInResourcePolicy', 'KmsOnAnyKey', 'ShareOutsidePerimeter',
    ]));
    expect(ignored.code).toBe(0);
    expect(text).toEqual({ code: 0, stdout: '0 errors, 0 warnings (1 acknowledged) in 0 roles and 1 policy of 1 template\n' });
  });
});
