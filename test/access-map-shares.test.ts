import * as fs from 'fs';
import * as path from 'path';
import { App, PhysicalName, Stack, Validations } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { CrossAccountGrants, CrossAccountTrustChecks } from '../src';
import { REGION, TRUSTED, TRUSTING, testApp } from './util';
import { runCli } from '../src/cli/cli';
import { AccessMap } from '../src/private/access-map/model';

/**
 * The second road in the access map (issue 17 §3): the resources an app
 * shares with other accounts, as edges from the grantee to the resource with
 * the actions summarised, in the JSON, the Markdown (Mermaid and tables) and
 * the HTML, read from the synthesized resource policies.
 */

/** Synthesizes an app with the plugin (which writes the map); returns the cloud assembly's directory. */
function synth(build: (app: App) => void): string {
  const app = testApp();
  Validations.of(app).addPlugins(new CrossAccountTrustChecks());
  build(app);
  return app.synth().directory;
}

const readMap = (dir: string): AccessMap => JSON.parse(fs.readFileSync(path.join(dir, 'cross-account-access.json'), 'utf-8'));
const readMd = (dir: string): string => fs.readFileSync(path.join(dir, 'cross-account-access.md'), 'utf-8');

/** A bucket shared with a role of another account by CrossAccountGrants, and a queue by aws-cdk-lib's own grant. */
function sharingApp(app: App): void {
  const owner = new Stack(app, 'Owner', { env: { account: TRUSTING, region: REGION } });
  const consumer = new Stack(app, 'Consumer', { env: { account: TRUSTED, region: REGION } });
  const reader = new iam.Role(consumer, 'Reader', { roleName: 'reader', assumedBy: new iam.AccountRootPrincipal() });
  const bucket = new s3.Bucket(owner, 'Data', { bucketName: 'data-a', encryptionKey: new kms.Key(owner, 'Key') });
  CrossAccountGrants.bucketRead(bucket, reader);
  const queue = new sqs.Queue(owner, 'Queue', { queueName: PhysicalName.GENERATE_IF_NEEDED });
  queue.grantSendMessages(new iam.AccountPrincipal(TRUSTED));
  // a share with a service is not a cross-account share
  bucket.addToResourcePolicy(new iam.PolicyStatement({
    principals: [new iam.ServicePrincipal('logging.s3.amazonaws.com')], actions: ['s3:PutObject'], resources: [bucket.arnForObjects('logs/*')],
  }));
}

describe('resource shares in the access map', () => {
  test('lists each resource shared with another account, the grantee, the actions and what narrows them', () => {
    // WHEN
    const map = readMap(synth(sharingApp));

    // THEN the bucket (and its key, for the reader through S3) by CrossAccountGrants, the queue by aws-cdk-lib; not the logging service
    expect(map.shares!.map(s => [s.account, s.resourceType, s.resource])).toEqual([
      [TRUSTING, 'AWS::KMS::Key', expect.stringMatching(/^Key/)],
      [TRUSTING, 'AWS::S3::Bucket', 'data-a'],
      [TRUSTING, 'AWS::SQS::Queue', expect.stringMatching(/^Queue/)],
    ]);
    const bucket = map.shares!.find(s => s.resource === 'data-a')!;
    expect(bucket).toMatchObject({ resourceArn: 'arn:aws:s3:::data-a', stack: 'Owner', findings: [] });
    expect(bucket.grants).toEqual([expect.objectContaining({
      accounts: [TRUSTED],
      principalArns: [`arn:aws:iam::${TRUSTED}:role/reader`],
      actions: ['s3:GetBucketLocation', 's3:GetObject', 's3:GetObjectAttributes', 's3:GetObjectVersion', 's3:ListBucket', 's3:ListBucketVersions'],
      summary: 's3:GetBucketLocation, s3:GetObject, s3:GetObjectAttributes (+3)',
      labels: ['principal ARN'],
    })]);
    const queue = map.shares!.find(s => s.resourceType === 'AWS::SQS::Queue')!;
    expect(queue.grants.map(g => [g.accountRoots, g.labels])).toEqual([[[TRUSTED], []]]);
    expect(queue.findings).toEqual([expect.objectContaining({ rule: 'ResourcePolicyUnguardedAccount', severity: 'warning' })]);
  });

  test('draws each share as an arrow from the grantee to the resource, labelled with its actions, and tables it', () => {
    // WHEN
    const md = readMd(synth(sharingApp));

    // THEN
    const mermaid = /```mermaid\n([\s\S]*?)```/.exec(md)![1];
    const bucketNode = /^\s+(s\d+)\[\("bucket data-a"\)\]$/m.exec(mermaid)![1];
    const readerNode = /^\s+(p\d+)\(\["role\/reader"\]\)$/m.exec(mermaid)![1];
    expect(mermaid).toContain(`${readerNode} -->|"s3:GetBucketLocation, s3:GetObject, s3:GetObjectAttributes (+3) · principal ARN"| ${bucketNode}`);
    expect(mermaid).toMatch(/p\d+ -->\|"sqs:GetQueueAttributes, sqs:GetQueueUrl, sqs:SendMessage"\| s\d+/);
    expect(md).toContain('| 111111111111 | bucket data-a | role/reader | s3:GetBucketLocation, s3:GetObject, s3:GetObjectAttributes (+3) | principal ARN | none |');
    expect(md).toMatch(/\| 111111111111 \| queue Queue\w+ \| any principal of 222222222222 with an identity policy allowing it \| sqs:GetQueueAttributes, sqs:GetQueueUrl, sqs:SendMessage \| no guard \| ResourcePolicyUnguardedAccount \(warning\) \|/);
  });

  test('draws the shared resources in the HTML map, and tables them', () => {
    // WHEN
    const dir = synth(sharingApp);
    let html = '';
    runCli(['map', dir, '--format', 'html'], { stdout: t => { html += t; }, stderr: () => undefined });

    // THEN
    expect(html).toMatch(/<g class="resource"><title>bucket data-a<\/title>/);
    expect(html).toContain('<h2>Shared resources</h2>');
    expect(html).toMatch(/<td>bucket data-a<\/td><td>role\/reader<\/td>/);
  });

  test('the CLI maps the cloud assembly as the plugin does, shares included', () => {
    // GIVEN
    const dir = synth(sharingApp);

    // WHEN
    let json = '';
    runCli(['map', dir, '--format', 'json'], { stdout: t => { json += t; }, stderr: () => undefined });

    // THEN
    expect(JSON.parse(json)).toEqual(readMap(dir));
  });

  test('leaves the shares out of the map of an app that shares nothing (the map of roles is as it was)', () => {
    // WHEN
    const map = readMap(synth(app => {
      const stack = new Stack(app, 'Roles', { env: { account: TRUSTING, region: REGION } });
      new iam.Role(stack, 'Partner', { assumedBy: new iam.AccountPrincipal(TRUSTED).withConditions({ StringEquals: { 'sts:ExternalId': 'a-long-random-external-id-1' } }) });
      new s3.Bucket(stack, 'Private');
    }));

    // THEN
    expect(Object.keys(map)).toEqual(['version', 'roles']);
  });
});
