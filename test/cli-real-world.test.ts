import * as fs from 'fs';
import * as path from 'path';
import Ajv from 'ajv-draft-04';
import { App, CfnParameter, NestedStack, Stack } from 'aws-cdk-lib';
import * as cloudformation from 'aws-cdk-lib/aws-cloudformation';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as include from 'aws-cdk-lib/cloudformation-include';
import { CrossAccountTrustChecks } from '../src';
import { useTempFolder } from './helpers/temp-folder';
import { TRUSTED, TRUSTING } from './util';
import { auditPaths } from '../src/cli/audit-command';
import { runCli } from '../src/cli/cli';

/**
 * The templates people write by hand, as the CLI and the plugin read them:
 * small fixtures (test/fixtures/real-world) written here, each with the
 * shape of a public template the audit once refused or misjudged.
 */
const FIXTURES = path.join(__dirname, 'fixtures', 'real-world');
const fixture = (name: string) => path.join(FIXTURES, name);

/** Runs the CLI in this process, capturing what it writes. */
function cli(...argv: string[]): { code: number; stdout: string; stderr: string } {
  let stdout = '';
  let stderr = '';
  const code = runCli(argv, { stdout: t => { stdout += t; }, stderr: t => { stderr += t; } });
  return { code, stdout, stderr };
}

/** The 1-based line and column of the first occurrence of `needle` in a file, at or after the line holding `after`. */
function whereIs(file: string, needle: string, after?: string): { line: number; column: number } {
  const lines = fs.readFileSync(file, 'utf-8').split('\n');
  const from = after === undefined ? 0 : lines.findIndex(l => l.includes(after));
  const line = lines.findIndex((l, i) => i >= from && l.includes(needle));
  return { line: line + 1, column: lines[line].indexOf(needle) + 1 };
}

const folder = useTempFolder('audit-real-world-');

describe('templates CloudFormation accepts', () => {
  test('audits a template with multi-line quoted scalars and flow collections at their key\'s indentation, instead of refusing it', () => {
    // WHEN
    const { code, stdout, stderr } = cli('audit', fixture('vendor-multiline.yaml'), '--format', 'json');
    const report = JSON.parse(stdout);

    // THEN both roles are read: the vendor's, guarded by the external ID, is clean; the 2008-version policy with "*" fails
    expect(stderr).toBe('');
    expect(code).toBe(1);
    expect(report.roles).toBe(2);
    expect(report.findings.map((f: any) => [f.logicalId, f.ruleId, f.line, f.column])).toEqual([
      ['Wildcard', 'UnconditionedCrossAccountTrust', 36, 13],
      ['Wildcard', 'WildcardPrincipal', 36, 13],
    ]);
  });

  test('reads a template saved with a byte order mark and Windows line ends, in JSON as in YAML, at the same positions as without', () => {
    // GIVEN the same role written four ways: JSON and YAML, each with a BOM and CRLF line ends, and without
    const json = '{\n  "Resources": {\n    "Open": {\n      "Type": "AWS::IAM::Role",\n      "Properties": {\n        "AssumeRolePolicyDocument": {\n'
      + '          "Version": "2012-10-17",\n          "Statement": [{ "Effect": "Allow", "Principal": { "AWS": "*" }, "Action": "sts:AssumeRole" }]\n'
      + '        }\n      }\n    }\n  }\n}\n';
    const yaml = 'Resources:\n  Open:\n    Type: AWS::IAM::Role\n    Properties:\n      AssumeRolePolicyDocument:\n        Version: 2012-10-17\n'
      + '        Statement:\n          - Effect: Allow\n            Principal: { AWS: "*" }\n            Action: sts:AssumeRole\n';
    const write = (name: string, text: string) => { const file = path.join(folder.dir, name); fs.writeFileSync(file, text); return file; };
    const files = [
      write('plain.json', json), write('bom.json', '\uFEFF' + json.replace(/\n/g, '\r\n')),
      write('plain.yaml', yaml), write('bom.yaml', '\uFEFF' + yaml.replace(/\n/g, '\r\n')),
    ];

    // WHEN
    const found = files.map(file => {
      const { code, stdout, stderr } = cli('audit', file, '--format', 'json');
      expect(stderr).toBe('');
      expect(code).toBe(1);
      return JSON.parse(stdout).findings.map((f: any) => [f.ruleId, f.line, f.column]);
    });

    // THEN
    expect(found[0]).toEqual([['WildcardPrincipal', 8, 25]]);
    expect(found[2]).toEqual([['WildcardPrincipal', 8, 13]]);
    expect(found[1]).toEqual(found[0]);
    expect(found[3]).toEqual(found[2]);
  });
});

describe('StackSet bodies in YAML', () => {
  test('audits the roles of a YAML TemplateBody as JSON bodies are audited, against the StackSet, at their place in the block', () => {
    // GIVEN
    const file = fixture('stackset-yaml-body.yaml');

    // WHEN
    const report = JSON.parse(cli('audit', file, '--format', 'json').stdout);

    // THEN the two roles beside the StackSet and the two inside it are audited
    expect(report.roles).toBe(4);
    const found = report.findings.map((f: any) =>
      ({ resource: f.logicalId, role: f.roleLogicalId, rule: f.ruleId, severity: f.severity, at: f.locations[0], line: f.line, column: f.column }));
    expect(found).toEqual([
      {
        resource: 'MemberRoles',
        role: 'ScannerRole',
        rule: 'UnconditionedCrossAccountTrust',
        severity: 'warning',
        at: 'Properties/TemplateBody/Resources/ScannerRole/Properties/AssumeRolePolicyDocument/Statement/0',
        ...whereIs(file, 'Effect: Allow', 'ScannerRole:'),
      },
      {
        resource: 'MemberRoles',
        role: 'OpenRole',
        rule: 'WildcardPrincipal',
        severity: 'error',
        at: 'Properties/TemplateBody/Resources/OpenRole/Properties/AssumeRolePolicyDocument/Statement/0',
        ...whereIs(file, 'Effect: Allow', 'OpenRole:'),
      },
    ]);
    // (the statement's map starts at its first key, after "- ")
    expect(report.findings[0].message).toMatch(/role ScannerRole of the StackSet's template.*the account of parameter ManagementAccountId \(known only at deploy time\)/);
  });

  test('says once, as information and not as a finding, that a TemplateURL body cannot be read', () => {
    // GIVEN
    const file = fixture('stackset-yaml-body.yaml');
    const url = whereIs(file, 'https://vendor-templates');

    // WHEN
    const text = cli('audit', file).stdout;
    const json = JSON.parse(cli('audit', file, '--format', 'json').stdout);
    const markdown = cli('audit', file, '--format', 'markdown').stdout;

    // THEN
    const info = text.split('\n').filter(l => l.includes('TemplateURL'));
    expect(info).toEqual([`${file}:${url.line}:${url.column}: info: RemoteRoles: the StackSet's template is at its TemplateURL `
      + '(https://vendor-templates.s3.amazonaws.com/member-roles.yaml), which the audit cannot read: audit that template file itself']);
    expect(json.notes).toEqual([expect.objectContaining({ logicalId: 'RemoteRoles', line: url.line })]);
    expect(json.findings.map((f: any) => f.logicalId)).not.toContain('RemoteRoles');
    expect(markdown).toMatch(/\nNot audited:\n\n- `.*stackset-yaml-body\.yaml:\d+` `RemoteRoles`: the StackSet's template is at its TemplateURL/);
  });

  test('writes the TemplateURL note into SARIF as a notification of the run, valid against the SARIF 2.1.0 schema', () => {
    // WHEN
    const sarif = JSON.parse(cli('audit', fixture('stackset-yaml-body.yaml'), '--format', 'sarif').stdout);

    // THEN
    const schema = JSON.parse(fs.readFileSync(path.join(__dirname, 'fixtures', 'sarif-schema-2.1.0.json'), 'utf-8'));
    const validate = new Ajv({ strict: false, validateFormats: false, allErrors: true, unicodeRegExp: false }).compile(schema);
    expect(validate(sarif) ? [] : validate.errors).toEqual([]);
    expect(sarif.runs[0].invocations[0].toolExecutionNotifications).toEqual([expect.objectContaining({
      level: 'note',
      message: { text: expect.stringMatching(/^RemoteRoles: the StackSet's template is at its TemplateURL/) },
    })]);
    expect(sarif.runs[0].results.map((r: any) => r.ruleId)).toEqual(['UnconditionedCrossAccountTrust', 'WildcardPrincipal']);
  });

  test('notes a body that is not a template, and a body built by Fn::Sub is read with its parameters named', () => {
    // GIVEN
    const file = folder.file('bodies.yaml', [
      'Parameters:',
      '  Hub:',
      '    Type: String',
      'Resources:',
      '  Broken:',
      '    Type: AWS::CloudFormation::StackSet',
      '    Properties:',
      '      TemplateBody: "Resources: [unclosed"',
      '  Mapping:',
      '    Type: AWS::CloudFormation::StackSet',
      '    Properties:',
      '      TemplateBody:',
      '        Resources: {}',
      '  Built:',
      '    Type: AWS::CloudFormation::StackSet',
      '    Properties:',
      '      TemplateBody: !Sub |',
      '        Resources:',
      '          Spoke:',
      '            Type: AWS::IAM::Role',
      '            Properties:',
      '              AssumeRolePolicyDocument:',
      '                Statement:',
      '                  - Effect: Allow',
      '                    Principal: { AWS: "arn:${AWS::Partition}:iam::${Hub}:root" }',
      '                    Action: sts:AssumeRole',
      '',
    ].join('\n'));

    // WHEN
    const report = JSON.parse(cli('audit', file, '--format', 'json').stdout);

    // THEN
    expect(report.notes.map((n: any) => [n.logicalId, n.line])).toEqual([['Broken', 8], ['Mapping', 13]]);
    expect(report.notes[0].message).toMatch(/^the StackSet's TemplateBody is not audited: it is not valid JSON or YAML/);
    expect(report.notes[1].message).toMatch(/^the StackSet's TemplateBody is not audited: it is written as a mapping, and TemplateBody must be a string/);
    expect(report.findings.map((f: any) => [f.logicalId, f.roleLogicalId, f.ruleId, f.line])).toEqual([['Built', 'Spoke', 'UnconditionedCrossAccountTrust', 24]]);
    expect(report.findings[0].message).toMatch(/the account of parameter Hub \(known only at deploy time\)/);
  });
});

describe('accounts known only at deploy time', () => {
  test('warns on each shape of a deploy-time account trusted with no guard, naming where the account comes from, and errs on none', () => {
    // WHEN
    const { code, stdout } = cli('audit', fixture('deploy-time-accounts.yaml'), '--format', 'json');
    const report = JSON.parse(stdout);

    // THEN
    expect(code).toBe(0);
    const named = report.findings.map((f: any) => [f.logicalId, f.severity, /trusts the account of (.*) \(known only at deploy time\)/.exec(f.message)?.[1]]);
    expect(named).toEqual([
      ['ToolsRole', 'warning', 'parameter ToolsAccount'],
      ['ManagementRole', 'warning', 'parameter ManagementAccountId'],
      ['AuditRole', 'warning', 'parameter AuditAccounts'],
      ['FirstAuditRole', 'warning', 'parameter AuditAccounts'],
      ['PrismRole', 'warning', 'parameter PrismAccount'],
      ['ProdRole', 'warning', 'parameter ProdAccount'],
      ['ImportedRole', 'warning', 'import shared-tools-account'],
      ['MappedRole', 'warning', 'mapping DeployAccounts keyed by parameter Environment'],
    ]);
    // the stack's own account (AWS::AccountId), and the deploy-time accounts with an external ID or a principal ARN, are silent
    expect(report.roles).toBe(11);
    expect(report.findings.map((f: any) => f.logicalId)).not.toEqual(expect.arrayContaining(['OwnAccountRole']));
    expect(report.findings.map((f: any) => f.logicalId)).not.toEqual(expect.arrayContaining(['GuardedByExternalId']));
    expect(report.findings.map((f: any) => f.logicalId)).not.toEqual(expect.arrayContaining(['GuardedByPrincipalArn']));
  });

  test('the plugin and the CLI agree on a CDK app that includes the hand-written templates, and on the templates themselves', () => {
    // GIVEN the fixtures, included in a CDK app as users include hand-written templates
    const outdir = path.join(folder.dir, 'included.out');
    const app = new App({ outdir });
    const stack = new Stack(app, 'Included', { env: { account: TRUSTING, region: 'eu-west-1' } });
    new include.CfnInclude(stack, 'DeployTime', { templateFile: fixture('deploy-time-accounts.yaml') });
    const sets = new Stack(app, 'Sets', { env: { account: TRUSTING, region: 'eu-west-1' } });
    new include.CfnInclude(sets, 'StackSets', { templateFile: fixture('stackset-yaml-body.yaml') });
    const assembly = app.synth();

    // WHEN
    const stacks = [stack, sets];
    const plugin = new CrossAccountTrustChecks({ accessMap: false }).validate({
      templatePaths: stacks.map(s => path.join(assembly.directory, s.templateFile)),
      stackTemplates: stacks.map(s => ({ stackConstructPath: s.node.path, templatePath: path.join(assembly.directory, s.templateFile) })),
      appConstruct: app,
      accountId: undefined,
      region: undefined,
    });
    const fromPlugin = plugin.violations.flatMap(v => v.violatingResources.map(r => `${r.resourceLogicalId} ${v.ruleName.replace(/@.*$/, '')} ${v.severity}`)).sort();
    const fromAssembly = auditPaths([assembly.directory]).findings.map(f => `${f.logicalId} ${f.ruleId} ${f.severity}`).sort();
    const fromFiles = auditPaths([fixture('deploy-time-accounts.yaml'), fixture('stackset-yaml-body.yaml')]).findings
      .map(f => `${f.logicalId} ${f.ruleId} ${f.severity}`).sort();

    // THEN
    expect(fromPlugin).toHaveLength(10);
    expect(fromAssembly).toEqual(fromPlugin);
    expect(fromFiles).toEqual(fromPlugin);
    // and the plugin, which has no line for information, lists the StackSet it could not read in its report's metadata
    expect(plugin.metadata).toEqual({ 'notAudited:Sets/StackSets/RemoteRoles': expect.stringMatching(/TemplateURL/) });
  });

  test('judges a CfnParameter of a CDK app trusted as an account, and not its stack\'s own account', () => {
    // GIVEN
    const app = new App({ outdir: path.join(folder.dir, 'params.out') });
    const stack = new Stack(app, 'Params', { env: { account: TRUSTING, region: 'eu-west-1' } });
    const partner = new CfnParameter(stack, 'PartnerAccount', { type: 'String' });
    new iam.Role(stack, 'Partner', { assumedBy: new iam.AccountPrincipal(partner.valueAsString) });
    new iam.Role(stack, 'Own', { assumedBy: new iam.AccountRootPrincipal() });
    new iam.Role(new NestedStack(stack, 'Nested'), 'Guarded', {
      assumedBy: new iam.AccountPrincipal(TRUSTED).withConditions({ StringEquals: { 'sts:ExternalId': 'a-long-random-external-id-1' } }),
    });
    const assembly = app.synth();

    // WHEN
    const findings = auditPaths([assembly.directory]).findings;

    // THEN
    expect(findings.map(f => [f.logicalId, f.ruleId, f.severity])).toEqual([[expect.stringMatching(/^Partner/), 'UnconditionedCrossAccountTrust', 'warning']]);
    expect(findings[0].message).toMatch(/the account of parameter PartnerAccount \(known only at deploy time\)/);
  });

  test('reads a StackSet whose YAML body a CDK app gives, in the plugin as in the CLI', () => {
    // GIVEN
    const app = new App({ outdir: path.join(folder.dir, 'stackset.out') });
    const stack = new Stack(app, 'Deployment', { env: { account: TRUSTING, region: 'eu-west-1' } });
    new cloudformation.CfnStackSet(stack, 'Roles', {
      stackSetName: 'roles',
      permissionModel: 'SERVICE_MANAGED',
      templateBody: [
        'Resources:',
        '  Open:',
        '    Type: AWS::IAM::Role',
        '    Properties:',
        '      AssumeRolePolicyDocument:',
        '        Statement:',
        '          - { Effect: Allow, Principal: { AWS: !Sub "arn:${AWS::Partition}:iam::*:root" }, Action: sts:AssumeRole }',
        '          - Effect: Allow',
        '            Principal: "*"',
        '            Action: sts:AssumeRole',
      ].join('\n'),
    });
    const assembly = app.synth();

    // WHEN
    const cliFindings = auditPaths([assembly.directory]).findings;

    // THEN the second statement is the error; its position is in the JSON string of the synthesized template
    expect(cliFindings.map(f => [f.logicalId, f.roleLogicalId, f.ruleId, f.locations[0]])).toEqual([
      [expect.stringMatching(/^Roles/), 'Open', 'MalformedPrincipal', 'Properties/TemplateBody/Resources/Open/Properties/AssumeRolePolicyDocument/Statement/0'],
      [expect.stringMatching(/^Roles/), 'Open', 'WildcardPrincipal', 'Properties/TemplateBody/Resources/Open/Properties/AssumeRolePolicyDocument/Statement/1'],
    ]);
    const line = fs.readFileSync(cliFindings[1].file, 'utf-8').split('\n')[cliFindings[1].line - 1];
    expect(line.slice(cliFindings[1].column - 1)).toMatch(/^Effect: Allow\\n {12}Principal: \\"\*\\"/);
  });
});

describe('template text is data, in every report', () => {
  const hostile = fixture('hostile.json');
  /** Markup a hostile template tries to put into a report. */
  const MARKUP = /<script|<img|<b>|\]\(javascript/i;

  test('the Markdown audit report shows the principals as text, in the cells they belong to', () => {
    // WHEN
    const markdown = cli('audit', hostile, '--format', 'markdown').stdout;

    // THEN
    expect(markdown).not.toMatch(MARKUP);
    const rows = markdown.split('\n').filter(l => l.startsWith('| warning') || l.startsWith('| error'));
    expect(rows).toHaveLength(2);
    for (const row of rows) {
      // six cells: seven pipes that are not escaped
      expect(row.match(/(?<!\\)\|/g)).toHaveLength(7);
    }
    expect(markdown).toContain('&lt;b&gt;&amp;amp;&lt;/b&gt;\\|"quoted" &#96;&#96;&#96; # heading:root');
  });

  test('the access map\'s Mermaid diagram takes no directive or comment from a template\'s text', () => {
    // GIVEN a role whose name carries a Mermaid init directive, which would restyle the whole diagram
    const file = folder.file('directive.json', JSON.stringify({
      Resources: {
        R: {
          Type: 'AWS::IAM::Role',
          Properties: {
            RoleName: "x%%{init: {'theme':'forest'}}%%y",
            AssumeRolePolicyDocument: { Statement: [{ Effect: 'Allow', Principal: { AWS: 'arn:aws:iam::123456789012:root' }, Action: 'sts:AssumeRole' }] },
          },
        },
      },
    }));

    // WHEN
    const mermaid = /```mermaid\n([\s\S]*?)```/.exec(cli('map', file, '--format', 'md').stdout)![1];

    // THEN
    expect(mermaid).not.toContain('%');
    expect(mermaid).toContain("x#37;#37;{init: {'theme':'forest'}}#37;#37;y");
  });

  test('the text report writes control characters out instead of sending them to the terminal', () => {
    // GIVEN a principal with an escape sequence that would clear the screen
    const file = folder.file('escape.json', JSON.stringify({
      Resources: { R: { Type: 'AWS::IAM::Role', Properties: { AssumeRolePolicyDocument: { Statement: [{ Effect: 'Allow', Principal: { AWS: 'x\u001b[2Jy' }, Action: 'sts:AssumeRole' }] } } } },
    }));

    // WHEN
    const text = cli('audit', file).stdout;

    // THEN
    expect(text).not.toContain('\u001b');
    expect(text).toContain('x\\u001b[2Jy');
  });

  test('the access map shows them as text in Markdown (tables and Mermaid), HTML and keeps them as they are in JSON', () => {
    // WHEN
    const md = cli('map', hostile, '--format', 'md').stdout;
    const html = cli('map', hostile, '--format', 'html').stdout;
    const json = JSON.parse(cli('map', hostile, '--format', 'json').stdout);

    // THEN Markdown: no markup, one row of seven cells; the Mermaid labels (Mermaid's own text, not Markdown) hold no
    // character that starts markup, ends a label or closes the code block early
    const mermaid = /```mermaid\n([\s\S]*?)```/.exec(md)![1];
    expect(md.replace(mermaid, '')).not.toMatch(MARKUP);
    const row = md.split('\n').find(l => l.startsWith('| ') && l.includes('onerror'))!;
    expect(row.match(/(?<!\\)\|/g)).toHaveLength(8);
    const labels = Array.from(mermaid.matchAll(/"([^"]*)"/g), m => m[1]);
    expect(labels.length).toBeGreaterThanOrEqual(6);
    expect(labels.filter(l => /[<>`&|]/.test(l))).toEqual([]);
    expect(mermaid).not.toContain('`');
    expect(mermaid).toContain('#60;img src=x onerror=alert(1)#62;#124;#96;x#96;#124;');
    expect(mermaid.split('\n').filter(l => /\["|\(\["/.test(l)).every(l => (l.match(/"/g) ?? []).length === 2)).toBe(true);
    expect(md.match(/```/g)).toHaveLength(2);
    // HTML: no element from the template
    expect(html).not.toMatch(/<script|<img|<b>/i);
    expect(html).toContain('&lt;img src=x onerror=alert(1)&gt;');
    // JSON: the data, as written
    expect(json.roles[0].role).toBe('<img src=x onerror=alert(1)>|`x`|[click](javascript:alert(1))');
    expect(json.roles[0].trusts.flatMap((t: any) => t.principalArns)).toContain('arn:aws:iam::123456789012:role/<script>alert(1)</script>');
  });
});
