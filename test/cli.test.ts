import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import Ajv from 'ajv-draft-04';
import { App, NestedStack, Stack, Stage } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import { CrossAccountTrustChecks } from '../src';
import { useTempFolder } from './helpers/temp-folder';
import { TRUSTED, TRUSTING } from './util';
import { runCli } from '../src/cli/cli';

/** Runs the CLI in this process, capturing what it writes. */
function cli(...argv: string[]): { code: number; stdout: string; stderr: string } {
  let stdout = '';
  let stderr = '';
  const code = runCli(argv, { stdout: t => { stdout += t; }, stderr: t => { stderr += t; } });
  return { code, stdout, stderr };
}

/** The findings of `--format json`, as rule / resource / line / column / severity. */
function jsonFindings(...argv: string[]) {
  const { code, stdout } = cli(...argv, '--format', 'json');
  return {
    code,
    findings: JSON.parse(stdout).findings.map((f: any) =>
      ({ rule: f.ruleId, resource: f.logicalId, line: f.line, column: f.column, severity: f.severity })),
  };
}

const folder = useTempFolder('audit-cli-');
const file = folder.file;

const role = (statement: object, extra: object = {}) => ({
  Type: 'AWS::IAM::Role',
  Properties: { AssumeRolePolicyDocument: { Version: '2012-10-17', Statement: [statement] } },
  ...extra,
});
const OPEN = { Effect: 'Allow', Principal: { AWS: '*' }, Action: 'sts:AssumeRole' };
const PARTNER = { Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${TRUSTED}:root` }, Action: 'sts:AssumeRole' };
const SERVICE = { Effect: 'Allow', Principal: { Service: 'lambda.amazonaws.com' }, Action: 'sts:AssumeRole' };
const template = (resources: Record<string, object>) => JSON.stringify({ Resources: resources }, null, 2);

const YAML_TEMPLATE = `AWSTemplateFormatVersion: '2010-09-09'
Parameters:
  Partner:
    Type: String
Resources:
  Open:
    Type: AWS::IAM::Role
    Properties:
      AssumeRolePolicyDocument:
        Statement:
          - Effect: Allow
            Principal:
              AWS: !Sub arn:\${AWS::Partition}:iam::\${Partner}:root
            Action: sts:AssumeRole
          - Effect: Allow
            Principal: '*'
            Action: sts:AssumeRole
  Joined:
    Type: AWS::IAM::Role
    Properties:
      AssumeRolePolicyDocument: !Join
        - ''
        - - '{"Statement":[{"Effect":"Allow","Principal":{"AWS":"'
          - !Ref Partner
          - '"},"Action":"sts:AssumeRole"},{"Effect":"Allow","Principal":{"AWS":"*"},"Action":"sts:AssumeRole"}]}'
  Service:
    Type: AWS::IAM::Role
    Properties:
      AssumeRolePolicyDocument:
        Statement:
          - Effect: Allow
            Principal: { Service: !Sub 'lambda.\${AWS::URLSuffix}' }
            Action: [sts:AssumeRole]
      RoleName: !Join ['-', [!Ref 'AWS::StackName', !Select [0, !Split [',', 'a,b']]]]
      Description: !GetAtt Open.Arn
`;

describe('cdk-cross-account-roles audit', () => {
  test('audits a YAML template with CloudFormation short tags, at the line and column of the trust statement', () => {
    // GIVEN
    const yaml = file('roles.yaml', YAML_TEMPLATE);

    // WHEN
    const { code, findings } = jsonFindings('audit', yaml);

    // THEN the second statement of Open (line 15), and the JSON string Joined builds (its document, the !Join's list at line 22);
    // both also trust the account of the parameter Partner with no guard (Open in its first statement, line 11)
    expect(code).toBe(1);
    expect(findings).toEqual([
      { rule: 'UnconditionedCrossAccountTrust', resource: 'Open', line: 11, column: 13, severity: 'warning' },
      { rule: 'WildcardPrincipal', resource: 'Open', line: 15, column: 13, severity: 'error' },
      { rule: 'UnconditionedCrossAccountTrust', resource: 'Joined', line: 22, column: 9, severity: 'warning' },
      { rule: 'WildcardPrincipal', resource: 'Joined', line: 22, column: 9, severity: 'error' },
    ]);
  });

  test('audits a JSON template, at the line and column of the trust statement', () => {
    // GIVEN
    const json = file('roles.json', template({ Service: role(SERVICE), Open: role(OPEN) }));

    // WHEN
    const { code, findings } = jsonFindings('audit', json);

    // THEN
    expect(code).toBe(1);
    // (the statement's '{', two lines above its principal: 1-based, that is the principal's 0-based index minus 2)
    const line = fs.readFileSync(json, 'utf-8').split('\n').findIndex(l => l.includes('"AWS": "*"')) - 2;
    expect(findings).toEqual([{ rule: 'WildcardPrincipal', resource: 'Open', line, column: 13, severity: 'error' }]);
  });

  test('exits 0 on a clean template, and prints the totals', () => {
    const { code, stdout } = cli('audit', file('clean.json', template({ Service: role(SERVICE) })));
    expect(code).toBe(0);
    expect(stdout).toBe('0 errors, 0 warnings in 1 role of 1 template\n');
  });

  test('fails on warnings only with --fail-on warning, and never with --fail-on none', () => {
    // GIVEN a warning (another account, unconditioned) and nothing else
    const warning = file('warning.json', template({ Partner: role(PARTNER) }));
    const error = file('error.json', template({ Open: role(OPEN) }));

    // THEN
    expect(cli('audit', warning).code).toBe(0);
    expect(cli('audit', warning, '--fail-on', 'warning').code).toBe(1);
    expect(cli('audit', error, '--fail-on', 'none').code).toBe(0);
    expect(cli('audit', warning, '--fail-on', 'warning').stdout).toMatch(/warning\.json:\d+:\d+: warning UnconditionedCrossAccountTrust: Partner: .*222222222222/);
  });

  test('leaves out the rules given to --ignore, and refuses a rule that does not exist', () => {
    // GIVEN
    const both = file('both.json', template({ Open: role(OPEN), Partner: role(PARTNER) }));

    // WHEN
    const ignored = jsonFindings('audit', both, '--ignore', 'WildcardPrincipal,WeakExternalId', '--ignore', 'UnconditionedCrossAccountTrust');
    const unknown = cli('audit', both, '--ignore', 'NoSuchRule');

    // THEN
    expect(ignored).toEqual({ code: 0, findings: [] });
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toMatch(/^cdk-cross-account-roles audit: --ignore: no rule 'NoSuchRule'; the rules are WildcardPrincipal, .*\n$/);
  });

  test('honours an acknowledgement with a reason in the resource\'s Metadata, as a suppression in SARIF', () => {
    // GIVEN
    const acknowledged = file('acknowledged.json', template({
      Open: role(OPEN, { Metadata: { 'cdk-cross-account-roles': { acknowledge: [{ id: 'WildcardPrincipal', reason: 'a public demo role with no permissions' }] } } }),
    }));

    // WHEN
    const text = cli('audit', acknowledged);
    const sarif = JSON.parse(cli('audit', acknowledged, '--format', 'sarif').stdout);

    // THEN
    expect(text).toEqual({ code: 0, stdout: '0 errors, 0 warnings (1 acknowledged) in 1 role of 1 template\n', stderr: '' });
    expect(sarif.runs[0].results).toEqual([expect.objectContaining({
      ruleId: 'WildcardPrincipal',
      suppressions: [{ kind: 'inSource', justification: 'a public demo role with no permissions' }],
    })]);
  });

  test('refuses an acknowledgement without a reason, naming the file and its position', () => {
    // GIVEN
    const noReason = file('no-reason.yaml', [
      'Resources:',
      '  Open:',
      '    Type: AWS::IAM::Role',
      '    Metadata:',
      '      cdk-cross-account-roles:',
      '        acknowledge:',
      '          - id: WildcardPrincipal',
      '    Properties:',
      '      AssumeRolePolicyDocument: {"Statement": [{"Effect": "Allow", "Principal": "*", "Action": "sts:AssumeRole"}]}',
      '',
    ].join('\n'));

    // WHEN
    const result = cli('audit', noReason);

    // THEN
    expect(result.code).toBe(2);
    expect(result.stderr).toBe(`cdk-cross-account-roles audit: ${noReason}:7:13: Open: acknowledgement 0 of WildcardPrincipal gives no reason: add 'reason: <why this trust is intended>'\n`);
  });

  test.each([
    ['broken.json', '{\n  "Resources": {\n    "Role": {,\n  }\n}\n', /broken\.json:3:14: not valid JSON: Expected property name or '\}'$/m],
    ['broken.yaml', 'Resources:\n  Role:\n    Type: [AWS::IAM::Role\n', /broken\.yaml:\d+:\d+: not valid YAML: /],
  ])('exits 2 on a template that does not parse (%s), with one line naming the file and the position', (name, text, message) => {
    // WHEN
    const result = cli('audit', file(name, text));

    // THEN
    expect(result.code).toBe(2);
    expect(result.stdout).toBe('');
    expect(result.stderr).toMatch(message);
    expect(result.stderr.trim().split('\n')).toHaveLength(1);
  });

  test.each([
    [['audit', '--format', 'xml'], /--format must be one of text, json, sarif, markdown, got 'xml'/],
    [['audit', '--fail-on', 'sometimes'], /--fail-on must be one of error, warning, none/],
    [['audit', '--frobnicate'], /Unknown option '--frobnicate'/],
    [['audit', '/nonexistent/template.json'], /\/nonexistent\/template\.json: no such file or directory/],
    [['lint'], /unknown command 'lint'; the commands are audit/],
  ])('exits 2 on a usage error: %p', (argv, message) => {
    const result = cli(...argv);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(message);
    expect(result.stderr.trim().split('\n')).toHaveLength(1);
  });

  test('prints its options with --help, and the commands without arguments', () => {
    expect(cli('audit', '--help')).toEqual({ code: 0, stdout: expect.stringMatching(/--format text\|json\|sarif\|markdown.*--fail-on error\|warning\|none.*acknowledge:/s), stderr: '' });
    expect(cli()).toEqual({ code: 2, stdout: expect.stringMatching(/commands:\n  audit /), stderr: '' });
  });

  test('audits a cloud assembly: its stacks, the nested assemblies of its stages and the nested stacks', () => {
    // GIVEN an app with a stage, a nested stack, and the stacks' accounts
    const outdir = path.join(folder.dir, 'cdk.out');
    const app = new App({ outdir });
    const top = new Stack(app, 'Top', { env: { account: TRUSTING, region: 'eu-west-1' } });
    new iam.Role(top, 'Own', { assumedBy: new iam.AccountRootPrincipal() });
    new iam.Role(new NestedStack(top, 'Nested'), 'Partner', { assumedBy: new iam.AccountPrincipal(TRUSTED) });
    const stage = new Stage(app, 'Prod');
    const staged = new Stack(stage, 'Workload', { env: { account: TRUSTING, region: 'cn-north-1' } });
    new iam.Role(staged, 'Open', { assumedBy: new iam.AnyPrincipal() });
    new iam.Role(staged, 'Global', { assumedBy: new iam.ArnPrincipal(`arn:aws:iam::${TRUSTING}:role/admin`) });
    app.synth();

    // WHEN
    const { code, stdout } = cli('audit', outdir, '--format', 'json');
    const report = JSON.parse(stdout);

    // THEN own-account trust is fine, another account's is a warning, and the stage's partition (aws-cn) is known
    expect(code).toBe(1);
    expect(report.templates).toBe(3);
    expect(report.roles).toBe(4);
    expect(report.findings.map((f: any) => [path.relative(outdir, f.file), f.stackName, f.ruleId])).toEqual([
      [expect.stringMatching(/^TopNested.*\.nested\.template\.json$/), 'Top', 'UnconditionedCrossAccountTrust'],
      [expect.stringMatching(/^assembly-Prod\/ProdWorkload.*\.template\.json$/), 'Prod-Workload', 'WildcardPrincipal'],
      [expect.stringMatching(/^assembly-Prod\/ProdWorkload.*\.template\.json$/), 'Prod-Workload', 'CrossPartitionTrust'],
    ]);
  });

  test('writes SARIF 2.1.0 that is valid against its schema, with rule metadata, positions and logical IDs', () => {
    // GIVEN
    const json = file('sarif/roles.json', template({ Open: role(OPEN), Partner: role(PARTNER) }));
    const output = path.join(folder.dir, 'sarif', 'audit.sarif');

    // WHEN
    const result = cli('audit', json, '--format', 'sarif', '--output', output);
    const sarif = JSON.parse(fs.readFileSync(output, 'utf-8'));

    // THEN
    expect(result).toEqual({ code: 1, stdout: '', stderr: '' });
    const schema = JSON.parse(fs.readFileSync(path.join(__dirname, 'fixtures', 'sarif-schema-2.1.0.json'), 'utf-8'));
    const validate = new Ajv({ strict: false, validateFormats: false, allErrors: true, unicodeRegExp: false }).compile(schema);
    expect(validate.errors ?? (validate(sarif) ? [] : validate.errors)).toEqual([]);
    const driver = sarif.runs[0].tool.driver;
    expect(driver.rules.map((r: any) => r.id)).toEqual(CrossAccountTrustChecks.rules.map(r => r.id));
    expect(driver.rules[0]).toEqual(expect.objectContaining({
      id: 'WildcardPrincipal',
      name: 'WildcardPrincipal',
      shortDescription: { text: expect.stringMatching(/any AWS principal/) },
      fullDescription: { text: expect.stringMatching(/any AWS principal.*error/) },
      help: expect.objectContaining({ text: expect.stringMatching(/^Name the trusted accounts/) }),
      defaultConfiguration: { level: 'error' },
    }));
    const results = sarif.runs[0].results.map((r: any) =>
      [r.ruleId, r.level, r.locations[0].physicalLocation.region, r.locations[0].logicalLocations[0].name]);
    expect(results).toEqual([
      ['WildcardPrincipal', 'error', { startLine: 9, startColumn: 13 }, 'Open'],
      ['UnconditionedCrossAccountTrust', 'warning', { startLine: 26, startColumn: 13 }, 'Partner'],
    ]);
    expect(sarif.runs[0].results[0].locations[0].physicalLocation.artifactLocation.uri).toMatch(/sarif\/roles\.json$/);
  });

  test('points each SARIF rule at its section of the trust checks\' guide, and writes its fix as Markdown text', () => {
    // GIVEN the guide's headings as GitHub anchors them
    const guide = fs.readFileSync(path.join(__dirname, '..', 'docs', 'trust-checks.md'), 'utf-8');
    const anchors = new Set(Array.from(guide.matchAll(/^#{1,6} (.+)$/gm), m => m[1].toLowerCase().replace(/[^\p{L}\p{N} _-]/gu, '').replace(/ /g, '-')));

    // WHEN
    const rules = JSON.parse(cli('audit', file('help/roles.json', template({ Open: role(OPEN) })), '--format', 'sarif').stdout).runs[0].tool.driver.rules;

    // THEN the trust rules' section, the resource rules' section, and no placeholder a Markdown viewer would take for a tag
    const sections = rules.map((r: any) => /^https:\/\/github\.com\/[^#]+\/blob\/main\/docs\/trust-checks\.md#(.+)$/.exec(r.helpUri)?.[1]);
    expect(new Set(sections)).toEqual(new Set(['trust-guardrails-crossaccounttrustchecks', 'resource-policies-the-second-road']));
    for (const section of sections) { expect(anchors.has(section)).toBe(true); }
    expect(rules.find((r: any) => r.id === 'ResourcePolicyAnyPrincipal').helpUri).toMatch(/#resource-policies-the-second-road$/);
    for (const rule of rules) { expect(rule.help.markdown).not.toMatch(/<\w/); }
    expect(rules.map((r: any) => r.help.markdown).join('\n')).toContain('&lt;');
  });

  test('writes a Markdown table for pull requests', () => {
    const { stdout } = cli('audit', file('md.json', template({ Open: role(OPEN) })), '--format', 'markdown');
    expect(stdout).toMatch(/^## Cross-account trust audit\n\n1 error, 0 warnings in 1 role of 1 template\n\n\| severity \| rule \|.*\n\|---/);
    expect(stdout).toMatch(/\| error \| `WildcardPrincipal` \| `.*md\.json:\d+` \| `Open` \|/);
  });

  test('runs as the package\'s executable: exit 2 and one line, no stack trace, on a file it cannot read', () => {
    // WHEN
    const main = path.join(__dirname, '..', 'src', 'cli', 'main.ts');
    const result = spawnSync(process.execPath, ['-r', require.resolve('ts-node/register/transpile-only'), main, 'audit', 'missing.yaml'], {
      encoding: 'utf-8',
      cwd: folder.dir,
      env: { ...process.env, TS_NODE_PROJECT: path.join(__dirname, '..', 'tsconfig.dev.json') },
    });

    // THEN
    expect(result.status).toBe(2);
    expect(result.stderr).toBe('cdk-cross-account-roles audit: missing.yaml: no such file or directory\n');
  });
});
