import * as fs from 'fs';
import * as path from 'path';
import { NestedStack, Stack, Stage, Validations } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import { buildExampleApp } from '../examples/example-app';
import { CrossAccountRole, CrossAccountTrustChecks } from '../src';
import { useTempFolder } from './helpers/temp-folder';
import { REGION, TRUSTED, TRUSTING, testApp } from './util';
import { runCli } from '../src/cli/cli';
import { AccessMap } from '../src/private/access-map/model';

/** Runs the CLI in this process, capturing what it writes. */
function cli(...argv: string[]): { code: number; stdout: string; stderr: string } {
  let stdout = '';
  let stderr = '';
  const code = runCli(argv, { stdout: t => { stdout += t; }, stderr: t => { stderr += t; } });
  return { code, stdout, stderr };
}

const folder = useTempFolder('map-cli-');
const file = folder.file;

const YAML_TEMPLATE = `Parameters:
  Vendor:
    Type: String
Resources:
  VendorRole:
    Type: AWS::IAM::Role
    Properties:
      RoleName: VendorRead
      MaxSessionDuration: 7200
      ManagedPolicyArns:
        - !Sub arn:\${AWS::Partition}:iam::aws:policy/ReadOnlyAccess
      AssumeRolePolicyDocument:
        Statement:
          - Effect: Allow
            Principal:
              AWS: !Sub arn:\${AWS::Partition}:iam::${TRUSTED}:root
            Action: sts:AssumeRole
            Condition:
              StringEquals:
                sts:ExternalId: vendor-0123456789
              IpAddress:
                aws:SourceIp: 203.0.113.0/24
`;

describe('cdk-cross-account-roles map', () => {
  test('writes the same map as the plugin for the example app, in Markdown and JSON', () => {
    // GIVEN the example app synthesized with the plugin, which writes its map into the cloud assembly
    const outdir = path.join(folder.dir, 'example.out');
    const app = testApp({ outdir });
    Validations.of(app).addPlugins(new CrossAccountTrustChecks());
    buildExampleApp(app);
    app.synth();

    // WHEN
    const md = cli('map', outdir, '--format', 'md');
    const json = cli('map', outdir, '--format', 'json');

    // THEN
    expect(md).toEqual({ code: 0, stdout: fs.readFileSync(path.join(outdir, 'cross-account-access.md'), 'utf-8'), stderr: '' });
    expect(json).toEqual({ code: 0, stdout: fs.readFileSync(path.join(outdir, 'cross-account-access.json'), 'utf-8'), stderr: '' });
    const map: AccessMap = JSON.parse(json.stdout);
    expect(map.roles.map(r => `${r.account} ${r.role}`)).toEqual(expect.arrayContaining(['111111111111 AuditReadOnly', '111111111111 VendorCostExplorer']));
  });

  test('writes the same map as the plugin for stages and nested stacks', () => {
    // GIVEN
    const outdir = path.join(folder.dir, 'staged.out');
    const app = testApp({ outdir });
    Validations.of(app).addPlugins(new CrossAccountTrustChecks());
    const top = new Stack(app, 'Top', { env: { account: TRUSTING, region: REGION } });
    new CrossAccountRole(new NestedStack(top, 'Nested'), 'Admin', { roleName: 'Admin', trustedAccounts: [TRUSTED], requireMfa: true });
    const staged = new Stack(new Stage(app, 'Prod'), 'Workload', { env: { account: TRUSTED, region: REGION } });
    new iam.Role(staged, 'Reader', {
      roleName: 'Reader',
      assumedBy: new iam.AccountPrincipal(TRUSTING).withConditions({ Bool: { 'aws:MultiFactorAuthPresent': 'true' } }),
    });
    app.synth();

    // WHEN
    const json = cli('map', outdir, '--format', 'json');

    // THEN
    expect(json.stdout).toEqual(fs.readFileSync(path.join(outdir, 'cross-account-access.json'), 'utf-8'));
    const map: AccessMap = JSON.parse(json.stdout);
    expect(map.roles.map(r => [r.account, r.role, r.stack, r.template])).toEqual([
      [TRUSTING, 'Admin', 'Top', expect.stringMatching(/^TopNested.*\.nested\.template\.json$/)],
      [TRUSTED, 'Reader', 'Prod-Workload', expect.stringMatching(/^assembly-Prod\/ProdWorkload.*\.template\.json$/)],
    ]);
  });

  test('maps a YAML template with short tags: the trust, its guards, the session and the permissions', () => {
    // GIVEN
    const yaml = file('vendor.yaml', YAML_TEMPLATE);

    // WHEN
    const { code, stdout } = cli('map', yaml, '--format', 'json');

    // THEN
    expect(code).toBe(0);
    const map: AccessMap = JSON.parse(stdout);
    expect(map.roles).toEqual([expect.objectContaining({
      account: 'unknown',
      role: 'VendorRead',
      template: yaml,
      maxSessionDurationSeconds: 7200,
      permissions: { managedPolicies: ['ReadOnlyAccess'], adminEquivalent: false },
      monitored: false,
      findings: [],
    })]);
    expect(map.roles[0].trusts).toEqual([expect.objectContaining({ accounts: [TRUSTED], labels: ['ext-id', 'IP'] })]);
    const md = cli('map', yaml).stdout;
    expect(md).toMatch(/p0 -->\|"ext-id, IP"\| r0/);
    expect(md).toContain(`| VendorRead | any principal of ${TRUSTED} with an identity policy allowing it (account outside the app) | ext-id, IP | 2 h | ReadOnlyAccess | no | none |`);
  });

  test('says the guards of a role once when two of its trusts have the same (a principal chosen by !If)', () => {
    // GIVEN a principal that a condition gives or leaves out
    const template = file('if-novalue.yaml', [
      'Parameters:',
      '  PartnerAccount: { Type: String }',
      'Conditions:',
      '  IsProd: !Equals [!Ref "AWS::Region", eu-west-1]',
      'Resources:',
      '  Partner:',
      '    Type: AWS::IAM::Role',
      '    Properties:',
      '      AssumeRolePolicyDocument:',
      '        Version: 2012-10-17',
      '        Statement:',
      '          - Effect: Allow',
      '            Principal:',
      '              AWS: !If [IsProd, !Ref PartnerAccount, !Ref "AWS::NoValue"]',
      '            Action: sts:AssumeRole',
      '',
    ].join('\n'));

    // WHEN
    const md = cli('map', template, '--format', 'md').stdout;

    // THEN
    expect(md).toContain('| Partner | a principal known at deploy time | no guard | 1 h |');
  });

  test('writes one self-contained HTML file with --output, and nothing on standard output', () => {
    // GIVEN
    const yaml = file('html/vendor.yaml', YAML_TEMPLATE);
    const output = path.join(folder.dir, 'html', 'map.html');

    // WHEN
    const result = cli('map', yaml, '--format', 'html', '--output', output);

    // THEN
    expect(result).toEqual({ code: 0, stdout: '', stderr: '' });
    const html = fs.readFileSync(output, 'utf-8');
    expect(html).toMatch(/^<!DOCTYPE html>/);
    expect(html).toMatch(/<svg [^>]*>[\s\S]*>VendorRead<\/text>[\s\S]*<\/svg>/);
    expect(html).not.toMatch(/<script|<link|<img|@import|src=|href=/i);
  });

  test('names the templates of a folder relative to it', () => {
    // GIVEN
    file('folder/a.yaml', YAML_TEMPLATE);

    // WHEN
    const map: AccessMap = JSON.parse(cli('map', path.join(folder.dir, 'folder'), '--format', 'json').stdout);

    // THEN
    expect(map.roles.map(r => r.template)).toEqual(['a.yaml']);
  });

  test.each([
    [['map', '--format', 'pdf'], /^cdk-cross-account-roles map: --format must be one of md, json, html, got 'pdf' \(see --help\)\n$/],
    [['map', '/nonexistent/cdk.out'], /^cdk-cross-account-roles map: \/nonexistent\/cdk\.out: no such file or directory\n$/],
    [['map', '--frobnicate'], /Unknown option '--frobnicate'/],
  ])('exits 2 on a usage error: %p', (argv, message) => {
    const result = cli(...argv);
    expect(result.code).toBe(2);
    expect(result.stdout).toBe('');
    expect(result.stderr).toMatch(message);
    expect(result.stderr.trim().split('\n')).toHaveLength(1);
  });

  test('exits 2 on a template that does not parse, with one line naming the file and the position', () => {
    // GIVEN
    const broken = file('broken.json', '{\n  "Resources": {\n    "Role": {,\n  }\n}\n');

    // WHEN
    const result = cli('map', broken);

    // THEN
    expect(result.code).toBe(2);
    expect(result.stdout).toBe('');
    expect(result.stderr).toMatch(/^cdk-cross-account-roles map: .*broken\.json:3:14: not valid JSON: /);
    expect(result.stderr.trim().split('\n')).toHaveLength(1);
  });

  test('prints its options with --help, and is listed among the commands', () => {
    expect(cli('map', '--help')).toEqual({ code: 0, stdout: expect.stringMatching(/--format md\|json\|html.*--output FILE/s), stderr: '' });
    expect(cli('--help').stdout).toMatch(/\n {2}map +map the cross-account access/);
  });
});
