import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { App, Duration, Stack } from 'aws-cdk-lib';
import * as ecr from 'aws-cdk-lib/aws-ecr';
import * as events from 'aws-cdk-lib/aws-events';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { buildExampleApp } from '../examples/example-app';
import {
  AssumeRoleMonitor,
  AssumeRolePolicy,
  CrossAccountAccessAnalyzer,
  CrossAccountAccessAnalyzerType,
  CrossAccountGrants,
  CrossAccountRole,
  CrossAccountRoleFanout,
  CrossAccountRolePair,
  ExternalIdTrust,
  OrganizationTrustPerimeter,
} from '../src';
import { useTempFolder } from './helpers/temp-folder';
import { testApp } from './util';

/**
 * AWS's CloudFormation linter (cfn-lint, from PyPI: the linter behind the
 * CloudFormation IDE and CI integrations) over every template the project
 * ships or synthesizes: the example app's, the integration tests' committed
 * snapshots, and a representative app of each public construct. Zero errors,
 * zero warnings. test/cfn-lint.yaml ignores nothing in the library's templates;
 * test/cfn-lint-integ.yaml ignores, each with its reason, two warnings about
 * what the integration tests put around the library (a Lambda caller,
 * integ-tests-alpha's assertion provider).
 *
 * .ci/run installs cfn-lint into node_modules/.cache/cfn-lint (a virtualenv)
 * and the test is required under CI=true; elsewhere it runs when cfn-lint is
 * found (CFN_LINT, that virtualenv, or the PATH) and is skipped, saying why,
 * when it is not.
 */
const ROOT = path.join(__dirname, '..');
const IN_CI = !!process.env.CI && process.env.CI !== 'false';
/** The configuration for the library's templates (nothing ignored), and the one for the integration snapshots. */
const CONFIG = path.join(__dirname, 'cfn-lint.yaml');
const INTEG_CONFIG = path.join(__dirname, 'cfn-lint-integ.yaml');

function findCfnLint(): string | undefined {
  const candidates = [process.env.CFN_LINT, path.join(ROOT, 'node_modules', '.cache', 'cfn-lint', 'bin', 'cfn-lint')];
  for (const candidate of candidates) {
    if (candidate !== undefined && fs.existsSync(candidate)) { return candidate; }
  }
  const which = spawnSync('which', ['cfn-lint'], { encoding: 'utf-8' });
  return which.status === 0 ? which.stdout.trim() : undefined;
}

const CFN_LINT = findCfnLint();
if (CFN_LINT === undefined && !IN_CI) {
  // eslint-disable-next-line no-console
  console.warn('cfn-lint tests skipped: cfn-lint not found (set CFN_LINT, or pip install cfn-lint); .ci/run installs it and requires them');
}
const lintTest = CFN_LINT !== undefined || IN_CI ? test : test.skip;

/** One finding of cfn-lint's JSON output. */
interface LintFinding {
  readonly Rule: { readonly Id: string };
  readonly Level: string;
  readonly Message: string;
  readonly Filename: string;
  readonly Location: { readonly Path?: Array<string | number> };
}

/** Lints templates in one cfn-lint run; the findings, as 'file: rule level: message at path'. */
function lint(templates: string[], config: string = CONFIG): string[] {
  if (CFN_LINT === undefined) { throw new Error('cfn-lint is required under CI=true and was not found; .ci/run installs it'); }
  const result = spawnSync(CFN_LINT, ['--config-file', config, '--format', 'json', '--', ...templates], { encoding: 'utf-8', maxBuffer: 64 * 1024 * 1024 });
  if (result.error) { throw result.error; }
  // exit 0: clean; 2 error, 4 warning, 8 informational, or their sums; anything else (1: cfn-lint itself failed) is no result
  if (![0, 2, 4, 6, 8, 10, 12, 14].includes(result.status ?? -1)) { throw new Error(`cfn-lint failed (exit ${result.status}): ${result.stderr}`); }
  const findings = JSON.parse(result.stdout || '[]') as LintFinding[];
  return findings.map(f => `${path.relative(ROOT, f.Filename)}: ${f.Rule.Id} ${f.Level}: ${f.Message} at ${(f.Location.Path ?? []).join('/')}`);
}

/** The templates of a synthesized app, nested assemblies (stages) included. */
function templatesOf(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap(entry => {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) { return templatesOf(full); }
    return entry.name.endsWith('.template.json') ? [full] : [];
  });
}

const temp = useTempFolder('cfn-lint-');

/** Synthesizes an app into a folder of its own below the test's temporary folder; its templates. */
function synthesized(name: string, build: (app: App) => void): string[] {
  const app = testApp({ outdir: path.join(temp.dir, name) });
  build(app);
  return templatesOf(app.synth().directory);
}

/** One app per public construct, as a user would write it. */
const REPRESENTATIVE_APPS: Record<string, (app: App) => void> = {
  'CrossAccountRole and AssumeRolePolicy': app => {
    const trusting = new Stack(app, 'Trusting', { env: { account: '111111111111', region: 'eu-west-1' } });
    const trusted = new Stack(app, 'Trusted', { env: { account: '222222222222', region: 'eu-west-1' } });
    const role = new CrossAccountRole(trusting, 'Role', {
      roleName: 'Reader',
      trustedAccounts: ['222222222222'],
      trustedOrganizationId: 'o-a1b2c3d4e5',
      requireMfa: true,
      maxMfaAge: Duration.hours(1),
      maxSessionDuration: Duration.hours(4),
      roleSessionNamePattern: '${aws:username}',
      transitiveTagKeys: ['project'],
      managedPolicies: [iam.ManagedPolicy.fromAwsManagedPolicyName('ReadOnlyAccess')],
      revokeSessionsIssuedBefore: '2026-11-23T10:00:00Z',
    });
    role.addOutputs();
    new AssumeRolePolicy(trusted, 'Assume', { targetRoles: [role], groups: [new iam.Group(trusted, 'Readers')], requireMfa: true });
  },
  'ExternalIdTrust with a deploy-time external ID': app => {
    const stack = new Stack(app, 'Vendor', { env: { account: '111111111111', region: 'eu-west-1' } });
    const trust = new ExternalIdTrust(stack, 'Trust', { trustedAccount: '333333333333', parameterName: 'VendorExternalId' });
    new CrossAccountRole(stack, 'Role', { roleName: 'VendorRole', externalIdTrust: trust }).addOutputs();
  },
  'CrossAccountRolePair': app => {
    new CrossAccountRolePair(app, 'Pair', { trustingAccount: '111111111111', trustedAccount: '222222222222', roleName: 'PairRole', externalIdParameter: true });
  },
  'CrossAccountRoleFanout as stacks': app => {
    new CrossAccountRoleFanout(app, 'Stacks', { hubAccount: '999999999999', roleName: 'Spoke', spokeAccounts: ['111111111111', '222222222222'], trustedOrganizationId: 'o-a1b2c3d4e5' });
  },
  'CrossAccountRoleFanout as a StackSet': app => {
    new CrossAccountRoleFanout(app, 'StackSet', {
      hubAccount: '999999999999', roleName: 'OrgSpoke', organizationalUnitIds: ['ou-ab12-cd34ef56'], organizationId: 'o-a1b2c3d4e5', deploymentAccount: '888888888888',
    });
  },
  'AssumeRoleMonitor': app => {
    const stack = new Stack(app, 'Monitored', { env: { account: '111111111111', region: 'eu-west-1' } });
    const role = new CrossAccountRole(stack, 'Role', { roleName: 'Watched', trustedAccounts: ['222222222222'] });
    new AssumeRoleMonitor(stack, 'Monitor', { roles: [role], topic: new sns.Topic(stack, 'Topic', { enforceSSL: true }) });
  },
  'CrossAccountGrants on every service': app => {
    const owner = new Stack(app, 'Owner', { env: { account: '111111111111', region: 'eu-west-1' } });
    const consumer = new Stack(app, 'Consumer', { env: { account: '222222222222', region: 'eu-west-1' } });
    const reader = new iam.Role(consumer, 'Reader', { roleName: 'Reader', assumedBy: new iam.AccountRootPrincipal() });
    const key = new kms.Key(owner, 'Key', { enableKeyRotation: true });
    key.addAlias('alias/shared');
    CrossAccountGrants.bucketReadWrite(new s3.Bucket(owner, 'Bucket', { bucketName: 'shared-111111111111', encryptionKey: key, enforceSSL: true }), reader, { organizationId: 'o-a1b2c3d4e5' });
    CrossAccountGrants.keyEncryptDecrypt(key, reader);
    CrossAccountGrants.queueSendMessages(new sqs.Queue(owner, 'Queue', { queueName: 'shared', encryptionMasterKey: key, enforceSSL: true }), reader);
    CrossAccountGrants.topicPublish(new sns.Topic(owner, 'Topic', { topicName: 'shared', masterKey: key, enforceSSL: true }), reader);
    CrossAccountGrants.secretRead(new secretsmanager.Secret(owner, 'Secret', { secretName: 'shared', encryptionKey: key }), reader);
    CrossAccountGrants.repositoryPull(new ecr.Repository(owner, 'Repository', { repositoryName: 'shared' }), reader);
    CrossAccountGrants.eventBusPutEvents(new events.EventBus(owner, 'Bus', { eventBusName: 'shared' }), reader);
    CrossAccountGrants.bucketWrite(new s3.Bucket(owner, 'Logs', { bucketName: 'logs-111111111111', enforceSSL: true }), new iam.OrganizationPrincipal('o-a1b2c3d4e5'), { objectKeyPattern: 'AWSLogs/*' });
  },
  'OrganizationTrustPerimeter and CrossAccountAccessAnalyzer': app => {
    const workload = new Stack(app, 'Workload', { env: { account: '111111111111', region: 'eu-west-1' } });
    new CrossAccountRole(workload, 'Vendor', { roleName: 'Vendor', trustedAccounts: ['444444444444'], externalIds: ['a-customer-id-from-the-vendor'] });
    const management = new Stack(app, 'Management', { env: { account: '999999999999', region: 'us-east-1' } });
    new OrganizationTrustPerimeter(management, 'Perimeter', {
      organizationId: 'o-a1b2c3d4e5', targetIds: ['r-ab12'], memberAccounts: ['111111111111'], protectTrustPolicies: true,
    });
    new CrossAccountAccessAnalyzer(management, 'Analyzer', { analyzerType: CrossAccountAccessAnalyzerType.ORGANIZATION });
  },
};

describe('cfn-lint, AWS\'s CloudFormation linter', () => {
  lintTest('finds nothing in the example app\'s templates', () => {
    // GIVEN
    const templates = synthesized('example-app', app => { buildExampleApp(app); });

    // WHEN / THEN
    expect(templates.length).toBeGreaterThanOrEqual(5);
    expect(lint(templates)).toEqual([]);
  });

  lintTest('finds nothing in the integration tests\' committed snapshots', () => {
    // GIVEN
    const snapshots = fs.readdirSync(__dirname).filter(name => /^integ\..*\.ts\.snapshot$/.test(name));
    const templates = snapshots.flatMap(dir => templatesOf(path.join(__dirname, dir)));

    // WHEN / THEN
    expect(snapshots.length).toBeGreaterThanOrEqual(3);
    expect(templates.length).toBeGreaterThanOrEqual(2 * snapshots.length);
    expect(lint(templates, INTEG_CONFIG)).toEqual([]);
  });

  lintTest.each(Object.keys(REPRESENTATIVE_APPS))('finds nothing in the templates of %s', name => {
    // GIVEN
    const templates = synthesized(name.replace(/\W+/g, '-'), REPRESENTATIVE_APPS[name]);

    // WHEN / THEN
    expect(templates.length).toBeGreaterThanOrEqual(1);
    expect(lint(templates)).toEqual([]);
  });

  lintTest('finds nothing in CrossAccountGrants.functionInvoke\'s permission, only aws-cdk-lib\'s own warning on the function around it', () => {
    // GIVEN a function of aws-cdk-lib (which writes DependsOn on its role next to the GetAtt of its ARN: W3005), invoked from another account
    const templates = synthesized('function-invoke', app => {
      const owner = new Stack(app, 'Owner', { env: { account: '111111111111', region: 'eu-west-1' } });
      const consumer = new Stack(app, 'Consumer', { env: { account: '222222222222', region: 'eu-west-1' } });
      const code = lambda.Code.fromInline('exports.handler = async () => ({})');
      const fn = new lambda.Function(owner, 'Function', { functionName: 'shared', runtime: lambda.Runtime.NODEJS_22_X, handler: 'index.handler', code });
      CrossAccountGrants.functionInvoke(fn, new iam.Role(consumer, 'Caller', { roleName: 'Caller', assumedBy: new iam.AccountRootPrincipal() }), { organizationId: 'o-a1b2c3d4e5' });
    });

    // WHEN
    const findings = lint(templates);

    // THEN the AWS::Lambda::Permission and the caller's policy are clean
    expect(findings).toHaveLength(1);
    expect(findings[0]).toMatch(/Owner\.template\.json: W3005 Warning: 'FunctionServiceRole[0-9A-F]+' dependency already enforced by a 'GetAtt' at 'Resources\/Function[0-9A-F]+\/Properties\/Role'/);
  });

  lintTest('finds what it should: a template with an error and a warning is reported, so the checks above can fail', () => {
    // GIVEN a role whose trust names an unknown property, and a parameter nobody uses
    const bad = temp.file('bad.template.json', JSON.stringify({
      Parameters: { Unused: { Type: 'String' } },
      Resources: { Role: { Type: 'AWS::IAM::Role', Properties: { AssumeRolePolicyDocument: {}, NotAProperty: true } } },
    }));

    // WHEN
    const findings = lint([bad]);

    // THEN
    expect(findings.some(f => / E\d+ Error: /.test(f))).toBe(true);
    expect(findings.some(f => / W\d+ Warning: /.test(f))).toBe(true);
  });
});
