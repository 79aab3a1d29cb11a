import { App, Stack } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import * as ecr from 'aws-cdk-lib/aws-ecr';
import * as events from 'aws-cdk-lib/aws-events';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { CrossAccountAccessAnalyzer, CrossAccountAccessAnalyzerType, CrossAccountGrants, OrganizationTrustPerimeter } from '../src';
import { OTHER, REGION, TRUSTED, TRUSTING, testApp } from './util';

/**
 * CrossAccountAccessAnalyzer's archive rules for the resources an app shares
 * (issue 17 §3): by resource type, resource and principal, as Access
 * Analyzer's external access findings name them, computed from the app's own
 * resource policies.
 */

const ORG = 'o-a1b2c3d4e5';

/** The owner's stack (with the analyzer) and a reader's, in two accounts of one app. */
function twoAccounts(type: CrossAccountAccessAnalyzerType = CrossAccountAccessAnalyzerType.ACCOUNT) {
  const app = testApp();
  const owner = new Stack(app, 'Owner', { env: { account: TRUSTING, region: REGION } });
  const consumer = new Stack(app, 'Consumer', { env: { account: TRUSTED, region: REGION } });
  const reader = new iam.Role(consumer, 'Reader', { roleName: 'reader', assumedBy: new iam.AccountRootPrincipal() });
  new CrossAccountAccessAnalyzer(owner, 'Analyzer', { analyzerType: type });
  return { app, owner, reader };
}

/** The archive rules of the owner's analyzer. */
function archiveRules(app: App): Array<{ RuleName: string; Filter: Array<{ Property: string; Eq: string[] }> }> {
  const template = Template.fromStack(app.node.findChild('Owner') as Stack);
  return Object.values<any>(template.findResources('AWS::AccessAnalyzer::Analyzer'))[0].Properties.ArchiveRules ?? [];
}

/** A rule as `name: type resource → principal`. */
const summary = (rule: { RuleName: string; Filter: Array<{ Property: string; Eq: string[] }> }) => {
  const eq = (property: string) => rule.Filter.find(f => f.Property === property)?.Eq.join(' ');
  const condition = rule.Filter.find(f => f.Property.startsWith('condition.'));
  return `${rule.RuleName}: ${eq('resourceType')} ${eq('resource')} -> ${eq('principal.AWS')}${condition ? ` (${condition.Property} ${condition.Eq.join(' ')})` : ''}`;
};

describe('archive rules for declared shares', () => {
  test('names each shared resource by type and ARN, with the account it is shared with', () => {
    // GIVEN CrossAccountGrants of named resources to a role of another account
    const { app, owner, reader } = twoAccounts();
    CrossAccountGrants.bucketRead(new s3.Bucket(owner, 'Data', { bucketName: 'data-a' }), reader);
    CrossAccountGrants.queueSendMessages(new sqs.Queue(owner, 'Queue', { queueName: 'orders' }), reader);
    CrossAccountGrants.repositoryPull(new ecr.Repository(owner, 'Images', { repositoryName: 'base-images' }), reader);
    CrossAccountGrants.functionInvoke(new lambda.Function(owner, 'Report', {
      functionName: 'report', runtime: lambda.Runtime.NODEJS_22_X, handler: 'index.handler', code: lambda.Code.fromInline('exports.handler = async () => 1;'),
    }), reader);

    // WHEN
    const rules = archiveRules(app).map(summary);

    // THEN
    expect(rules).toEqual([
      `declared-ecr-account-${TRUSTED}: AWS::ECR::Repository arn:aws:ecr:${REGION}:${TRUSTING}:repository/base-images -> ${TRUSTED}`,
      `declared-lambda-account-${TRUSTED}: AWS::Lambda::Function arn:aws:lambda:${REGION}:${TRUSTING}:function:report -> ${TRUSTED}`,
      `declared-s3-account-${TRUSTED}: AWS::S3::Bucket arn:aws:s3:::data-a -> ${TRUSTED}`,
      `declared-sqs-account-${TRUSTED}: AWS::SQS::Queue arn:aws:sqs:${REGION}:${TRUSTING}:orders -> ${TRUSTED}`,
    ]);
  });

  test('names a share with an organisation as Access Analyzer does: principal "*" and the organisation condition', () => {
    // GIVEN aws-cdk-lib's own resource policy: anyone of the organisation may read
    const { app, owner } = twoAccounts();
    const bucket = new s3.Bucket(owner, 'Reports', { bucketName: 'reports-a' });
    bucket.addToResourcePolicy(new iam.PolicyStatement({
      principals: [new iam.AnyPrincipal()],
      actions: ['s3:GetObject'],
      resources: [bucket.arnForObjects('*')],
      conditions: { StringEquals: { 'aws:PrincipalOrgID': ORG } },
    }));

    // WHEN / THEN
    expect(archiveRules(app).map(summary)).toEqual([
      `declared-s3-org-${ORG}: AWS::S3::Bucket arn:aws:s3:::reports-a -> * (condition.aws:PrincipalOrgID ${ORG})`,
    ]);
  });

  test('groups the resources of one type shared with the same account into one rule', () => {
    // GIVEN
    const { app, owner, reader } = twoAccounts();
    CrossAccountGrants.bucketRead(new s3.Bucket(owner, 'A', { bucketName: 'data-a' }), reader);
    CrossAccountGrants.bucketRead(new s3.Bucket(owner, 'B', { bucketName: 'data-b' }), reader);

    // WHEN / THEN
    expect(archiveRules(app).map(summary)).toEqual([`declared-s3-account-${TRUSTED}: AWS::S3::Bucket arn:aws:s3:::data-a arn:aws:s3:::data-b -> ${TRUSTED}`]);
  });

  test('warns of the shared resources no rule can name (a key, a bucket without a name), and leaves event buses out', () => {
    // GIVEN
    const { app, owner, reader } = twoAccounts();
    CrossAccountGrants.keyDecrypt(new kms.Key(owner, 'Key', { alias: 'alias/data' }), reader, { keyAlias: 'alias/data' });
    new s3.Bucket(owner, 'Unnamed').addToResourcePolicy(new iam.PolicyStatement({
      principals: [new iam.AccountPrincipal(OTHER)], actions: ['s3:GetObject'], resources: ['*'],
    }));
    CrossAccountGrants.eventBusPutEvents(new events.EventBus(owner, 'Bus', { eventBusName: 'orders' }), reader);

    // WHEN
    const rules = archiveRules(app);
    const warnings = Annotations.fromStack(app.node.findChild('Owner') as Stack)
      .findWarning('/Owner/Analyzer', Match.stringLikeRegexp('analyzerUnnamedResource'));

    // THEN
    expect(rules).toEqual([]);
    expect(warnings).toHaveLength(1);
    expect(warnings[0].entry.data).toMatch(/^no archive rule can name the resources that Owner\/Key\/Resource, Owner\/Unnamed\/Policy\/Resource share\(s\)/);
  });

  test('an organisation analyzer does not warn of a share inside the organisation, which it never reports', () => {
    // GIVEN a key shared with the reader's account, which has a stack in the app, and another with an account outside
    const { app, owner, reader } = twoAccounts(CrossAccountAccessAnalyzerType.ORGANIZATION);
    CrossAccountGrants.keyDecrypt(new kms.Key(owner, 'Inside', { alias: 'alias/inside' }), reader, { keyAlias: 'alias/inside' });
    new kms.Key(owner, 'Outside').addToResourcePolicy(new iam.PolicyStatement({
      principals: [new iam.AccountPrincipal(OTHER)], actions: ['kms:Decrypt'], resources: ['*'],
    }));

    // WHEN
    const warnings = Annotations.fromStack(app.node.findChild('Owner') as Stack)
      .findWarning('/Owner/Analyzer', Match.stringLikeRegexp('analyzerUnnamedResource'));

    // THEN
    expect(warnings.map(w => w.entry.data)).toEqual([expect.stringMatching(/^no archive rule can name the resources that Owner\/Outside\/Resource share/)]);
  });

  test('an organisation analyzer warns of a share narrowed to another organisation than its perimeter\'s, or with a third party\'s account', () => {
    // GIVEN a perimeter of o-a1b2c3d4e5 with a vendor outside it (whose side is a stack of the app), and keys shared
    // with the organisation, with another organisation, and with the vendor's account
    const { app, owner, reader } = twoAccounts(CrossAccountAccessAnalyzerType.ORGANIZATION);
    const management = new Stack(app, 'Management', { env: { account: '999999999999', region: REGION } });
    new OrganizationTrustPerimeter(management, 'Perimeter', { organizationId: 'o-a1b2c3d4e5', targetIds: ['r-ab12'], thirdPartyAccounts: ['444444444444'] });
    const vendorSide = new Stack(app, 'VendorSide', { env: { account: '444444444444', region: REGION } });
    new iam.Role(vendorSide, 'Integration', { assumedBy: new iam.AccountRootPrincipal() });
    CrossAccountGrants.keyDecrypt(new kms.Key(owner, 'Ours', { alias: 'alias/ours' }), reader, { keyAlias: 'alias/ours', organizationId: 'o-a1b2c3d4e5' });
    CrossAccountGrants.keyDecrypt(new kms.Key(owner, 'Theirs', { alias: 'alias/theirs' }), new iam.OrganizationPrincipal('o-zzzzzzzzzz'), { keyAlias: 'alias/theirs' });
    CrossAccountGrants.keyDecrypt(new kms.Key(owner, 'Vendor', { alias: 'alias/vendor' }), new iam.AccountPrincipal('444444444444'), { keyAlias: 'alias/vendor' });

    // WHEN
    const warnings = Annotations.fromStack(app.node.findChild('Owner') as Stack)
      .findWarning('/Owner/Analyzer', Match.stringLikeRegexp('analyzerUnnamedResource'));

    // THEN Access Analyzer reports the other organisation's and the vendor's, never the organisation's own
    expect(warnings.map(w => w.entry.data)).toEqual([expect.stringMatching(/^no archive rule can name the resources that Owner\/Theirs\/Resource, Owner\/Vendor\/Resource share/)]);
  });

  test('counts the shares\' rules against maxArchiveRules', () => {
    // GIVEN one role's rule and one share's, and a quota of one
    const app = testApp();
    const owner = new Stack(app, 'Owner', { env: { account: TRUSTING, region: REGION } });
    new iam.Role(owner, 'Partner', { roleName: 'partner', assumedBy: new iam.AccountPrincipal(TRUSTED).withConditions({ StringEquals: { 'sts:ExternalId': 'a-long-random-external-id-1' } }) });
    new s3.Bucket(owner, 'Data', { bucketName: 'data-a' }).grantRead(new iam.AccountPrincipal(TRUSTED));
    new CrossAccountAccessAnalyzer(owner, 'Analyzer', { maxArchiveRules: 1 });

    // WHEN / THEN
    expect(() => app.synth()).toThrow(/the app's declared cross-account trusts and shares need 2 archive rules, over maxArchiveRules \(1\)/);
  });
});
