/**
 * Benchmark: what CrossAccountTrustChecks costs a synthesis, and how fast the
 * CLI audits templates.
 *
 *   npx projen bench:trust-checks                 # N = 50, 200, 500 roles; median of 3 runs each
 *   npx projen bench:trust-checks -- --repeat 1   # faster, noisier
 *   npx projen bench:trust-checks -- --cli-only   # the CLI's part only
 *
 * Times are CPU time (user + system) of the process that synthesizes or
 * audits, not wall time: the machine this runs on is often shared.
 *
 * 1. An app of N roles (stacks of 50 roles each: iam.Role for another account,
 *    with an external ID, and one role in ten trusting any principal of the
 *    organization) is synthesized with no plugin, with a no-op validation
 *    plugin, and with CrossAccountTrustChecks. Each synthesis runs in a child
 *    process of its own (after a warm-up synthesis, so that aws-cdk-lib's lazy
 *    module loading stays out), the variants interleaved. Printed: synth time
 *    (median), the ratio checks / no-op, and the time the plugin's validate()
 *    itself took in its synthesis (less noisy than the difference of two
 *    processes on a shared machine): (no-op + validate) / no-op, and validate
 *    per role, which stays flat when the cost grows linearly.
 * 2. The CLI audits 1,000 one-role templates in a folder, in-process (after a
 *    warm-up run): JSON, YAML and both; with 100 findings, and with a finding
 *    in every template (each finding needs its position, which a scanner
 *    finds in a JSON template). Printed: roles per second.
 * 3. The CLI audits 1,000 JSON templates of five roles each (5,000 roles, as
 *    a cloud assembly holds them): the compiled CLI (`npx projen compile`
 *    builds lib/) in a node process of its own, as a CI job runs it (wall
 *    time, and the CPU time of that process: node's start and the loading of
 *    the CLI included), and `auditPaths()` in this process after a warm-up.
 *    Printed: roles per second of each.
 */
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { App, IPolicyValidationContext, IPolicyValidationPlugin, PolicyValidationPluginReport, Stack, Validations } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import { CrossAccountTrustChecks, CrossAccountTrustChecksProps } from '../src';
import { benchmarkArgs, machineLine, median, runChild, sampleAll, warmUp } from './util';
import { auditPaths } from '../src/cli/audit-command';

const VARIANTS = ['none', 'noop', 'checks', 'checks-no-map', 'none-ack', 'checks-ack'] as const;
type Variant = typeof VARIANTS[number];
const ROLES_PER_STACK = 50;

/** A plugin that does nothing: the cost of the validation machinery itself. */
class NoopPlugin implements IPolicyValidationPlugin {
  public readonly name = 'Noop';
  public validate(_context: IPolicyValidationContext): PolicyValidationPluginReport {
    return { success: true, violations: [] };
  }
}

/**
 * CPU milliseconds (user + system) of this process since `start`. On a shared
 * machine, wall time measures the neighbours as much as the code.
 */
function cpuMs(start: NodeJS.CpuUsage): number {
  const used = process.cpuUsage(start);
  return (used.user + used.system) / 1000;
}

/** CrossAccountTrustChecks, timed: the milliseconds its validate() took, in the same synthesis. */
class TimedChecks implements IPolicyValidationPlugin {
  public static ms = 0;
  public readonly name: string;
  public readonly ruleIds?: string[];
  private readonly checks: CrossAccountTrustChecks;
  constructor(props: CrossAccountTrustChecksProps = {}) {
    this.checks = new CrossAccountTrustChecks(props);
    this.name = this.checks.name;
    this.ruleIds = this.checks.ruleIds;
  }
  public validate(context: IPolicyValidationContext): PolicyValidationPluginReport {
    const start = process.cpuUsage();
    try {
      return this.checks.validate(context);
    } finally {
      TimedChecks.ms += cpuMs(start);
    }
  }
}

/**
 * An app of `size` roles, with the variant's plugin. In the `-ack` variants
 * every tenth role trusts another account with no condition (a finding of
 * UnconditionedCrossAccountTrust) and acknowledges it, as a team with a few
 * accepted exceptions would: the plugin then has findings to place and
 * acknowledgements to honour, not only clean roles.
 */
function build(app: App, variant: Variant, size: number): void {
  if (variant === 'noop') { Validations.of(app).addPlugins(new NoopPlugin()); }
  if (variant === 'checks' || variant === 'checks-ack') { Validations.of(app).addPlugins(new TimedChecks()); }
  if (variant === 'checks-no-map') { Validations.of(app).addPlugins(new TimedChecks({ accessMap: false })); }
  const acknowledged = variant.endsWith('-ack');
  let stack: Stack | undefined;
  for (let i = 0; i < size; i++) {
    if (i % ROLES_PER_STACK === 0) { stack = new Stack(app, `Roles${i / ROLES_PER_STACK}`, { env: { account: '111111111111', region: 'eu-west-1' } }); }
    const other = String(200000000000 + i);
    const assumedBy = i % 10 !== 0
      ? new iam.AccountPrincipal(other).withConditions({ StringEquals: { 'sts:ExternalId': `a-long-random-external-id-${i}` } })
      : acknowledged
        ? new iam.AccountPrincipal(other)
        : new iam.AnyPrincipal().withConditions({ StringEquals: { 'aws:PrincipalOrgID': 'o-abcdef1234' } });
    const role = new iam.Role(stack!, `Role${i}`, { assumedBy });
    if (acknowledged && i % 10 === 0) {
      Validations.of(role).acknowledge({ id: 'CrossAccountTrustChecks::UnconditionedCrossAccountTrust', reason: `account ${other} is our own backup account` });
    }
  }
}

/** In a child: warm up, then build and synthesize; print the milliseconds. */
function child(variant: Variant, size: number): void {
  warmUp(app => build(app, variant, 1));

  const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-'));
  TimedChecks.ms = 0;
  const start = process.cpuUsage();
  const app = new App({ outdir, analyticsReporting: false });
  build(app, variant, size);
  app.synth();
  const ms = cpuMs(start);
  fs.rmSync(outdir, { recursive: true, force: true });
  process.stdout.write(JSON.stringify({ ms, pluginMs: TimedChecks.ms }));
}

interface Sample {
  /** The whole synthesis. */
  readonly ms: number;
  /** CrossAccountTrustChecks' validate() in it. */
  readonly pluginMs: number;
}


type TemplateFormat = 'json' | 'yaml' | 'mixed';

/** One-role templates: JSON, YAML (short tags) or both, `withFindings` of them with a finding. */
function writeTemplates(dir: string, count: number, withFindings: number, format: TemplateFormat): void {
  for (let i = 0; i < count; i++) {
    const finding = i < withFindings;
    const principal = finding ? `arn:aws:iam::${200000000000 + i}:root` : 'lambda.amazonaws.com';
    if (format === 'json' || (format === 'mixed' && i % 2 === 0)) {
      fs.writeFileSync(path.join(dir, `t${i}.template.json`), JSON.stringify({
        Resources: {
          Role: {
            Type: 'AWS::IAM::Role',
            Properties: {
              AssumeRolePolicyDocument: { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: finding ? { AWS: principal } : { Service: principal }, Action: 'sts:AssumeRole' }] },
              ManagedPolicyArns: [{ 'Fn::Sub': 'arn:${AWS::Partition}:iam::aws:policy/ReadOnlyAccess' }],
            },
          },
        },
      }, null, 1));
    } else {
      fs.writeFileSync(path.join(dir, `t${i}.yaml`), [
        'Resources:',
        '  Role:',
        '    Type: AWS::IAM::Role',
        '    Properties:',
        '      AssumeRolePolicyDocument:',
        '        Version: "2012-10-17"',
        '        Statement:',
        '          - Effect: Allow',
        `            Principal: { ${finding ? 'AWS' : 'Service'}: ${principal} }`,
        '            Action: sts:AssumeRole',
        '      ManagedPolicyArns:',
        '        - !Sub arn:${AWS::Partition}:iam::aws:policy/ReadOnlyAccess',
        '',
      ].join('\n'));
    }
  }
}

/** Audits a folder of templates in-process; returns roles per second (median of runs). */
function cliRolesPerSecond(format: TemplateFormat, withFindings: number, repeat: number): { rps: number; ms: number; findings: number } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-cli-'));
  writeTemplates(dir, 1000, withFindings, format);
  auditPaths([dir]); // warm up
  const runs = Array.from({ length: repeat }, () => {
    const start = process.cpuUsage();
    const report = auditPaths([dir]);
    return { ms: cpuMs(start), roles: report.roles, findings: report.findings.length };
  });
  fs.rmSync(dir, { recursive: true, force: true });
  const ms = median(runs.map(r => r.ms));
  return { rps: runs[0].roles / (ms / 1000), ms, findings: runs[0].findings };
}

/** The CLI's throughput, as a table. */
function printCli(repeat: number): void {
  console.log('| CLI: 1,000 one-role templates | findings | CPU ms | roles per CPU second |');
  console.log('|---|---:|---:|---:|');
  const formats: Array<[TemplateFormat, string]> = [['json', 'JSON (as in cdk.out)'], ['yaml', 'YAML, short tags'], ['mixed', '500 JSON, 500 YAML']];
  for (const [format, label] of formats) {
    for (const withFindings of [100, 1000]) {
      const { rps, ms, findings } = cliRolesPerSecond(format, withFindings, Math.max(repeat, 3));
      console.log(`| ${label} | ${findings} | ${ms.toFixed(0)} | ${rps.toFixed(0)} |`);
    }
  }
}

/** The partition, as CDK writes it into ARNs. */
const PARTITION = { Ref: 'AWS::Partition' };
const rootOf = (account: string) => ({ 'Fn::Join': ['', ['arn:', PARTITION, `:iam::${account}:root`]] });
const trustOf = (statement: object) => ({ Version: '2012-10-17', Statement: [statement] });

/**
 * A template of five roles as a cloud assembly holds them: a vendor's role
 * (another account, an external ID, a managed policy), a Lambda role, a role
 * for the organisation, a role for people of another account (MFA and a
 * principal ARN), and a GitHub Actions role with its OIDC provider. One
 * template in ten has an error (the organisation's role without its condition).
 */
function fiveRoleTemplate(i: number): object {
  const other = String(200000000000 + i);
  const org = i % 10 === 0 ? {} : { Condition: { StringEquals: { 'aws:PrincipalOrgID': 'o-abcdef1234' } } };
  return {
    Resources: {
      Vendor: {
        Type: 'AWS::IAM::Role',
        Properties: {
          AssumeRolePolicyDocument: trustOf({ Effect: 'Allow', Principal: { AWS: rootOf(other) }, Action: 'sts:AssumeRole', Condition: { StringEquals: { 'sts:ExternalId': `a-long-random-external-id-${i}` } } }),
          ManagedPolicyArns: [{ 'Fn::Join': ['', ['arn:', PARTITION, ':iam::aws:policy/ReadOnlyAccess']] }],
          RoleName: `vendor-${i}`,
        },
      },
      Lambda: {
        Type: 'AWS::IAM::Role',
        Properties: {
          AssumeRolePolicyDocument: trustOf({ Effect: 'Allow', Principal: { Service: 'lambda.amazonaws.com' }, Action: 'sts:AssumeRole' }),
          ManagedPolicyArns: [{ 'Fn::Join': ['', ['arn:', PARTITION, ':iam::aws:policy/service-role/AWSLambdaBasicExecutionRole']] }],
        },
      },
      Org: { Type: 'AWS::IAM::Role', Properties: { AssumeRolePolicyDocument: trustOf({ Effect: 'Allow', Principal: { AWS: '*' }, Action: 'sts:AssumeRole', ...org }) } },
      People: {
        Type: 'AWS::IAM::Role',
        Properties: {
          AssumeRolePolicyDocument: trustOf({
            Effect: 'Allow',
            Principal: { AWS: rootOf(other) },
            Action: 'sts:AssumeRole',
            Condition: { Bool: { 'aws:MultiFactorAuthPresent': 'true' }, ArnEquals: { 'aws:PrincipalArn': `arn:aws:iam::${other}:role/admins` } },
          }),
        },
      },
      Deploy: {
        Type: 'AWS::IAM::Role',
        Properties: {
          AssumeRolePolicyDocument: trustOf({
            Effect: 'Allow',
            Principal: { Federated: { Ref: 'GitHub' } },
            Action: 'sts:AssumeRoleWithWebIdentity',
            Condition: { StringEquals: { 'token.actions.githubusercontent.com:aud': 'sts.amazonaws.com' }, StringLike: { 'token.actions.githubusercontent.com:sub': 'repo:my-org/my-repo:*' } },
          }),
        },
      },
      GitHub: { Type: 'AWS::IAM::OIDCProvider', Properties: { Url: 'https://token.actions.githubusercontent.com', ClientIdList: ['sts.amazonaws.com'] } },
    },
  };
}

/** The CLI as users run it: the compiled package (`npx projen compile` writes lib/). */
const CLI_MAIN = path.join(__dirname, '..', 'lib', 'cli', 'main.js');

/**
 * One run of the compiled CLI in a node process of its own, as CI runs it:
 * wall milliseconds from before the process starts to after it ends, and the
 * CPU milliseconds the process used (node's start and module loading included).
 */
function cliProcess(dir: string): { wallMs: number; cpuMs: number } {
  const script = [
    'process.on("exit", () => { const u = process.cpuUsage(); require("fs").writeSync(3, JSON.stringify({ cpuMs: (u.user + u.system) / 1000 })); });',
    `process.argv = [process.argv[0], ${JSON.stringify(CLI_MAIN)}, "audit", ${JSON.stringify(dir)}, "--fail-on", "none"];`,
    `require(${JSON.stringify(CLI_MAIN)});`,
  ].join('\n');
  const start = process.hrtime.bigint();
  const result = spawnSync(process.execPath, ['-e', script], { encoding: 'utf-8', stdio: ['ignore', 'ignore', 'pipe', 'pipe'], maxBuffer: 64 * 1024 * 1024 });
  const wallMs = Number(process.hrtime.bigint() - start) / 1e6;
  if (result.status !== 0) { throw new Error(`the CLI failed: ${result.stderr}`); }
  return { wallMs, ...JSON.parse(String(result.output[3])) as { cpuMs: number } };
}

/**
 * 1,000 JSON templates of five roles each (5,000 roles): the compiled CLI in
 * a process of its own (wall and CPU time), and the audit in this process
 * after a warm-up (CPU time). Median of the runs.
 */
function printFiveRoleCli(repeat: number): void {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-five-'));
  for (let i = 0; i < 1000; i++) { fs.writeFileSync(path.join(dir, `t${i}.template.json`), JSON.stringify(fiveRoleTemplate(i), null, 1)); }
  const runs = Math.max(repeat, 5);
  console.log('| CLI: 1,000 JSON templates of five roles each (5,000 roles) | ms | roles per second |');
  console.log('|---|---:|---:|');
  if (fs.existsSync(CLI_MAIN)) {
    const processes = Array.from({ length: runs }, () => cliProcess(dir));
    const wall = median(processes.map(p => p.wallMs));
    const cpu = median(processes.map(p => p.cpuMs));
    console.log(`| \`cdk-cross-account-roles audit\`, a process of its own: wall | ${wall.toFixed(0)} | ${(5000 / (wall / 1000)).toFixed(0)} |`);
    console.log(`| the same: CPU (user + system) of the process | ${cpu.toFixed(0)} | ${(5000 / (cpu / 1000)).toFixed(0)} |`);
  } else {
    console.log(`| (the compiled CLI, ${path.relative(process.cwd(), CLI_MAIN)}, is not built: run \`npx projen compile\` first) | | |`);
  }
  auditPaths([dir]); // warm up
  const inProcess = median(Array.from({ length: runs }, () => {
    const start = process.cpuUsage();
    auditPaths([dir]);
    return cpuMs(start);
  }));
  console.log(`| auditPaths() in this process, warm: CPU | ${inProcess.toFixed(0)} | ${(5000 / (inProcess / 1000)).toFixed(0)} |`);
  fs.rmSync(dir, { recursive: true, force: true });
}

function main(): void {
  const command = benchmarkArgs<Variant>(child);
  if (command === undefined) { return; }
  const { args, repeat } = command;
  if (args.includes('--cli-only')) {
    printCli(repeat);
    console.log('');
    printFiveRoleCli(repeat);
    return;
  }
  const sizes = [50, 200, 500];
  const samples = sampleAll(sizes, VARIANTS, repeat, (variant, size) => runChild<Sample>(__filename, variant, size));

  console.log(`${machineLine()}, median of ${repeat} runs, CPU time (user + system) of the measuring process`);
  console.log('');
  console.log('| roles | no plugin, CPU ms | no-op plugin, CPU ms | CrossAccountTrustChecks, CPU ms | checks / no-op | its validate(), CPU ms | (no-op + validate) / no-op | validate, CPU ms per role | validate with accessMap: false, CPU ms | the access map, CPU ms |');
  console.log('|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|');
  for (const size of sizes) {
    const [none, noop, checks] = VARIANTS.map(v => median(samples.get(`${v}@${size}`)!.map(x => x.ms)));
    // the plugin's own time, measured inside its synthesis: free of the noise between two processes
    const validate = median(samples.get(`checks@${size}`)!.map(x => x.pluginMs));
    const withoutMap = median(samples.get(`checks-no-map@${size}`)!.map(x => x.pluginMs));
    console.log(`| ${size} | ${none.toFixed(0)} | ${noop.toFixed(0)} | ${checks.toFixed(0)} | ${(checks / noop).toFixed(3)} | `
      + `${validate.toFixed(0)} | ${((noop + validate) / noop).toFixed(3)} | ${(validate / size).toFixed(3)} | ${withoutMap.toFixed(0)} | ${(validate - withoutMap).toFixed(0)} |`);
  }
  console.log('');
  console.log('Every tenth role with an acknowledged finding:');
  console.log('');
  console.log('| roles | plain synth (no plugin), CPU ms | its validate(), CPU ms | validate / plain synth | validate, CPU ms per role | per role / per role at 50 |');
  console.log('|---:|---:|---:|---:|---:|---:|');
  const perRoleAt = new Map<number, number>();
  for (const size of sizes) {
    const plain = median(samples.get(`none-ack@${size}`)!.map(x => x.ms));
    const validate = median(samples.get(`checks-ack@${size}`)!.map(x => x.pluginMs));
    perRoleAt.set(size, validate / size);
    console.log(`| ${size} | ${plain.toFixed(0)} | ${validate.toFixed(0)} | ${(100 * validate / plain).toFixed(1)}% | ${(validate / size).toFixed(3)} | `
      + `${(perRoleAt.get(size)! / perRoleAt.get(sizes[0])!).toFixed(2)} |`);
  }
  console.log('');
  printCli(repeat);
  console.log('');
  printFiveRoleCli(repeat);
}

main();
