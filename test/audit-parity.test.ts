import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { App, NestedStack, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import { buildExampleApp } from '../examples/example-app';
import { CrossAccountTrustChecks } from '../src';
import { TRUSTED } from './util';
import { auditPaths } from '../src/cli/audit-command';

/** A finding as both front-ends can name it: template file, logical ID, rule, severity. */
type Found = [string, string, string, string];

/** The example app (with whatever `extend` adds to it), synthesized into a folder of its own. */
function synthExample(extend: (stack: Stack) => void = () => undefined) {
  const app = new App({ outdir: fs.mkdtempSync(path.join(os.tmpdir(), 'parity-')) });
  const pairs = buildExampleApp(app);
  extend(pairs[0].trustingStack);
  return { app, assembly: app.synth() };
}

/** What CrossAccountTrustChecks reports, run as aws-cdk-lib runs it (top-level templates only). */
function pluginFindings(app: App, directory: string): Found[] {
  const stacks = app.node.findAll().filter((s): s is Stack => Stack.isStack(s) && !NestedStack.isNestedStack(s));
  const report = new CrossAccountTrustChecks().validate({
    templatePaths: stacks.map(s => path.join(directory, s.templateFile)),
    stackTemplates: stacks.map(s => ({ stackConstructPath: s.node.path, templatePath: path.join(directory, s.templateFile) })),
    appConstruct: app,
    accountId: undefined,
    region: undefined,
  });
  return report.violations.flatMap(v => v.violatingResources.map((r): Found =>
    [path.basename(r.templatePath ?? ''), r.resourceLogicalId ?? '', v.ruleName.replace(/@.*$/, ''), v.severity ?? '']));
}

/** What `cdk-cross-account-roles audit cdk.out` reports. */
function cliFindings(directory: string): Found[] {
  return auditPaths([directory]).findings.map((f): Found => [path.basename(f.file), f.logicalId, f.ruleId, f.severity]);
}

const sorted = (found: Found[]) => [...found].sort((a, b) => a.join('|').localeCompare(b.join('|')));

describe('one rule engine, two front-ends', () => {
  test('the example app is clean under the plugin and under the CLI', () => {
    const { app, assembly } = synthExample();
    expect(pluginFindings(app, assembly.directory)).toEqual([]);
    expect(cliFindings(assembly.directory)).toEqual([]);
  });

  test('the plugin and the CLI give the same findings on the example app, with roles in every form added', () => {
    // GIVEN the example app, plus the roles a careless change could add to it
    const { app, assembly } = synthExample(stack => {
      new iam.Role(stack, 'Open', { assumedBy: new iam.AnyPrincipal() });
      new iam.Role(stack, 'Partner', { assumedBy: new iam.AccountPrincipal(TRUSTED).withConditions({ StringEquals: { 'sts:ExternalId': 'test' } }) });
      const asString = new iam.CfnRole(stack, 'AsString', { assumeRolePolicyDocument: {} });
      asString.addPropertyOverride('AssumeRolePolicyDocument', JSON.stringify({ Statement: [{ Effect: 'Allow', Principal: { AWS: ['*'] }, Action: 'sts:*' }] }));
      const broken = new iam.CfnRole(stack, 'Broken', { assumeRolePolicyDocument: {} });
      broken.addPropertyOverride('AssumeRolePolicyDocument', '{"Statement": [}');
      new iam.CfnRole(stack, 'NotPrincipal', { assumeRolePolicyDocument: { Statement: [{ Effect: 'Allow', NotPrincipal: { Service: 'ec2.amazonaws.com' }, Action: 'sts:AssumeRole' }] } });
      new iam.Role(new NestedStack(stack, 'Nested'), 'NestedOpen', { assumedBy: new iam.AnyPrincipal(), maxSessionDuration: undefined });
    });

    // WHEN
    const plugin = sorted(pluginFindings(app, assembly.directory));
    const cli = sorted(cliFindings(assembly.directory));

    // THEN
    expect(cli).toEqual(plugin);
    expect(new Set(plugin.map(f => f[2]))).toEqual(new Set([
      'WildcardPrincipal', 'WeakExternalId', 'WildcardStsAction', 'UnreadableTrustPolicy', 'NotPrincipalTrust',
    ]));
    expect(plugin.filter(f => f[2] === 'WildcardPrincipal').map(f => f[0])).toEqual([
      expect.stringMatching(/^AuditAccessTrusting[0-9A-F]+\.template\.json$/),
      expect.stringMatching(/^AuditAccessTrusting[0-9A-F]+\.template\.json$/),
      expect.stringMatching(/^AuditAccessTrustingNested[0-9A-F]+\.nested\.template\.json$/),
    ]);
  });
});
