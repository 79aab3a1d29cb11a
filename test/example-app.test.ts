import * as fs from 'fs';
import * as path from 'path';
import { CfnGuardValidator } from '@cdklabs/cdk-validator-cfnguard';
import { Stack, Validations } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as cxapi from 'aws-cdk-lib/cx-api';
import { AwsSolutionsChecks } from 'cdk-nag';
import { buildExampleApp } from '../examples/example-app';
import { CrossAccountTrustChecks } from '../src';
import { testApp } from './util';

/**
 * The example app with cdk-nag's AwsSolutions pack, the AWS Control Tower
 * proactive controls (cfn-guard) and the trust checks, as examples/app.ts runs it.
 */
function auditedExampleApp(context: Record<string, unknown> = {}) {
  const app = testApp({ context });
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app), new CfnGuardValidator(), new CrossAccountTrustChecks());
  const pairs = buildExampleApp(app);
  return { app, pairs };
}

/**
 * What the plugins report that no acknowledgement covers: every failed report,
 * and every violation of a report (a report that only lists acknowledged
 * findings, as the Control Tower plugin's does, succeeds).
 */
function unacknowledged(assemblyDirectory: string): unknown[] {
  const report = JSON.parse(fs.readFileSync(path.join(assemblyDirectory, 'validation-report.json'), 'utf-8'));
  return report.pluginReports.flatMap((r: any) => r.conclusion !== 'success' ? [r] : (r.violations ?? []));
}

test('the example app is clean under cdk-nag AwsSolutions, the Control Tower cfn-guard rules and CrossAccountTrustChecks', () => {
  // GIVEN
  const { app } = auditedExampleApp();

  // WHEN
  const assembly = app.synth();

  // THEN no plugin reports anything that was not acknowledged
  expect(unacknowledged(assembly.directory)).toEqual([]);
  expect(assembly.stacks.map(s => s.stackName).sort()).toEqual([
    'AuditAccess-Trusted', 'AuditAccess-Trusting', 'OrganizationPerimeter', 'SharedReports-Owner', 'SharedReports-Reader', 'VendorAccess-Trusted', 'VendorAccess-Trusting',
  ]);
});

test('the management stack holds the perimeter, letting in the example\'s vendor on its external ID', () => {
  // GIVEN
  const { app } = auditedExampleApp();

  // WHEN
  const management = Template.fromStack(app.node.findChild('OrganizationPerimeter') as Stack);

  // THEN
  management.hasResourceProperties('AWS::Organizations::Policy', {
    Type: 'RESOURCE_CONTROL_POLICY',
    TargetIds: ['r-ab12'],
    Content: {
      Statement: Match.arrayWith([Match.objectLike({
        Sid: 'DenyThirdPartiesWithoutExternalId',
        Condition: { StringEquals: { 'aws:PrincipalAccount': '333333333333' }, Null: { 'sts:ExternalId': 'true' } },
      })]),
    },
  });
  management.resourcePropertiesCountIs('AWS::Organizations::Policy', { Type: 'SERVICE_CONTROL_POLICY' }, 1);
});

test('the management stack holds an organisation Access Analyzer that archives exactly the example\'s two declared trusts', () => {
  // GIVEN
  const { app } = auditedExampleApp();

  // WHEN
  const management = Template.fromStack(app.node.findChild('OrganizationPerimeter') as Stack);

  // THEN
  const rule = (role: string, account: string) => ({
    RuleName: `declared-account-${account}`,
    Filter: [
      { Property: 'resourceType', Eq: ['AWS::IAM::Role'] },
      { Property: 'isPublic', Eq: ['false'] },
      { Property: 'resource', Eq: [`arn:aws:iam::111111111111:role/${role}`] },
      { Property: 'principal.AWS', Eq: [account] },
    ],
  });
  management.resourceCountIs('AWS::AccessAnalyzer::Analyzer', 1);
  management.hasResourceProperties('AWS::AccessAnalyzer::Analyzer', {
    Type: 'ORGANIZATION',
    AnalyzerName: 'declared-cross-account-trusts',
    ArchiveRules: [rule('AuditReadOnly', '222222222222'), rule('VendorCostExplorer', '333333333333')],
  });
});

test('the data-sharing pair: the reports bucket and its key name the reader\'s account, narrowed to the role; the role names the bucket, and the key only through S3', () => {
  // GIVEN
  const { app } = auditedExampleApp();

  // WHEN
  const owner = Template.fromStack(app.node.findChild('SharedReports-Owner') as Stack);
  const reader = Template.fromStack(app.node.findChild('SharedReports-Reader') as Stack);

  // THEN
  const readerArn = { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':iam::222222222222:role/SharedReportsReader']] };
  const guard = { ArnEquals: { 'aws:PrincipalArn': readerArn }, StringEquals: Match.objectLike({ 'aws:PrincipalOrgID': 'o-a1b2c3d4e5' }) };
  owner.hasResourceProperties('AWS::S3::BucketPolicy', {
    PolicyDocument: { Statement: Match.arrayWith([Match.objectLike({ Principal: { AWS: { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':iam::222222222222:root']] } }, Condition: guard })]) },
  });
  owner.hasResourceProperties('AWS::KMS::Key', {
    KeyPolicy: { Statement: Match.arrayWith([Match.objectLike({ Action: 'kms:Decrypt', Condition: Match.objectLike({ ArnEquals: { 'aws:PrincipalArn': readerArn } }) })]) },
  });
  const statements = Object.values<any>(reader.findResources('AWS::IAM::Policy')).flatMap(p => p.Properties.PolicyDocument.Statement);
  expect(statements.map(st => st.Resource)).not.toContainEqual('*');
  expect(statements.find(st => st.Action === 'kms:Decrypt').Condition.StringEquals).toEqual({ 'kms:ViaService': 's3.eu-west-1.amazonaws.com' });
});

test('stays clean, with the same trust, under the feature flags a new CDK project turns on', () => {
  // GIVEN the example app, once as it is and once with every currently recommended flag
  const trustOf = (context: Record<string, unknown>) => {
    const { app, pairs } = auditedExampleApp(context);
    const assembly = app.synth();
    const roles = pairs.map(pair => Object.values<any>(Template.fromStack(pair.trustingStack).findResources('AWS::IAM::Role'))[0].Properties);
    return { violations: unacknowledged(assembly.directory), trust: roles.map(r => [r.RoleName, r.AssumeRolePolicyDocument]) };
  };

  // WHEN
  // (partition literals write 'aws' where the template had Ref AWS::Partition: the same trust, spelled literally)
  const plain = trustOf({ '@aws-cdk/core:enablePartitionLiterals': true });
  const recommended = trustOf({ ...cxapi.CURRENTLY_RECOMMENDED_FLAGS });

  // THEN
  expect(Object.keys(cxapi.CURRENTLY_RECOMMENDED_FLAGS).length).toBeGreaterThan(50);
  expect(recommended.violations).toEqual([]);
  expect(recommended.trust).toEqual(plain.trust);
});

test('the checks are live in the example app: an insecure role fails it', () => {
  // GIVEN
  const { app, pairs } = auditedExampleApp();

  // WHEN
  new iam.Role(pairs[0].trustingStack, 'Open', { assumedBy: new iam.AnyPrincipal() });

  // THEN
  expect(() => app.synth()).toThrow(/CrossAccountTrustChecks::WildcardPrincipal/);
});

test('every acknowledgement in the example app gives its reason', () => {
  const { app } = auditedExampleApp();

  const acknowledgements = app.node.findAll()
    .flatMap(c => c.node.metadata.filter(m => m.type === Validations.ACKNOWLEDGED_RULES_METADATA_KEY))
    .flatMap(m => Object.entries(m.data as Record<string, string>));

  expect(acknowledgements.map(([id]) => id).sort()).toEqual([
    'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/ReadOnlyAccess]',
    'AwsSolutions-IAM5[Resource::*]',
    'AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:kms:eu-west-1:111111111111:key/*]',
    'AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:s3:::shared-reports-111111111111/*]',
    'cdk-validator-cfnguard::s3_bucket_default_encryption_kms_check',
    'cdk-validator-cfnguard::s3_bucket_logging_enabled_check',
    'cdk-validator-cfnguard::s3_bucket_object_lock_enabled_check',
    'cdk-validator-cfnguard::s3_bucket_object_lock_enabled_check',
    'cdk-validator-cfnguard::s3_event_notifications_enabled_check',
    'cdk-validator-cfnguard::s3_event_notifications_enabled_check',
  ]);
  for (const [, reason] of acknowledgements) {
    expect(reason.length).toBeGreaterThan(40);
  }
});
