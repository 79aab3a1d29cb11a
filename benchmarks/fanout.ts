/**
 * Benchmark: CrossAccountRoleFanout against the same apps written by hand with
 * aws-cdk-lib (a plain iam.Role per spoke stack and a hub iam.ManagedPolicy; a
 * CfnStackSet with a hand-written template), synthesized in the same run.
 *
 *   npx projen bench                 # sizes 10, 100, 500; median of 3 runs each
 *   npx projen bench -- --repeat 1   # faster, noisier
 *
 * Each synthesis runs in a child process of its own, so that one run's heap
 * and JIT state do not flatter the next, and runs of the library and of the
 * hand-written app are interleaved; each child first synthesizes a one-spoke
 * app, so that aws-cdk-lib's lazy module loading stays out of the measured
 * time. Printed per size: synth wall time (median),
 * peak memory (max RSS of the child), total template bytes, and the ratio
 * library / hand-written.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { App, Stack } from 'aws-cdk-lib';
import * as cloudformation from 'aws-cdk-lib/aws-cloudformation';
import * as iam from 'aws-cdk-lib/aws-iam';
import { CrossAccountRoleFanout } from '../src';
import { benchmarkArgs, machineLine, median, runChild, sampleAll, warmUp } from './util';

const HUB = '999999999999';
const ORG = 'o-abcdef1234';
const ROLE = 'OpsRead';
const VARIANTS = ['library-stacks', 'hand-stacks', 'library-stackset', 'hand-stackset'] as const;
type Variant = typeof VARIANTS[number];

const spokes = (count: number) => Array.from({ length: count }, (_, i) => String(100000000000 + i * 7919));

/** Builds one variant's app at one size. */
function build(app: App, variant: Variant, size: number): void {
  const accounts = spokes(size);
  switch (variant) {
    case 'library-stacks':
      new CrossAccountRoleFanout(app, 'Ops', { hubAccount: HUB, roleName: ROLE, spokeAccounts: accounts });
      return;
    case 'hand-stacks': {
      const hub = new Stack(app, 'Hub', { env: { account: HUB, region: 'us-east-1' } });
      for (const account of accounts) {
        const spoke = new Stack(app, `Spoke${account}`, { env: { account, region: 'us-east-1' } });
        new iam.Role(spoke, 'Role', { roleName: ROLE, assumedBy: new iam.AccountPrincipal(HUB) });
      }
      const group = new iam.Group(hub, 'Assumers');
      // The hand-written hub policy lists the role ARNs, 100 to a managed policy (6,144 characters).
      for (let i = 0; i < accounts.length; i += 100) {
        new iam.ManagedPolicy(hub, `Assume${i}`, {
          groups: [group],
          statements: [new iam.PolicyStatement({
            actions: ['sts:AssumeRole'],
            resources: accounts.slice(i, i + 100).map(account => `arn:${hub.partition}:iam::${account}:role/${ROLE}`),
          })],
        });
      }
      return;
    }
    case 'library-stackset':
      new CrossAccountRoleFanout(app, 'Org', {
        hubAccount: HUB, roleName: ROLE, organizationalUnitIds: ['ou-ab12-cd34ef56'], organizationId: ORG, deploymentAccount: '888888888888',
      });
      return;
    case 'hand-stackset': {
      const hub = new Stack(app, 'Hub', { env: { account: HUB, region: 'us-east-1' } });
      const admin = new Stack(app, 'StackSet', { env: { account: '888888888888', region: 'us-east-1' } });
      new cloudformation.CfnStackSet(admin, 'StackSet', {
        stackSetName: ROLE,
        permissionModel: 'SERVICE_MANAGED',
        autoDeployment: { enabled: true, retainStacksOnAccountRemoval: false },
        capabilities: ['CAPABILITY_NAMED_IAM'],
        stackInstancesGroup: [{ deploymentTargets: { organizationalUnitIds: ['ou-ab12-cd34ef56'] }, regions: ['us-east-1'] }],
        templateBody: JSON.stringify({
          Resources: {
            Role: {
              Type: 'AWS::IAM::Role',
              Properties: {
                RoleName: ROLE,
                AssumeRolePolicyDocument: {
                  Version: '2012-10-17',
                  Statement: [{ Effect: 'Allow', Action: 'sts:AssumeRole', Principal: { AWS: { 'Fn::Sub': `arn:\${AWS::Partition}:iam::${HUB}:root` } } }],
                },
              },
            },
          },
        }),
      });
      new iam.ManagedPolicy(hub, 'Assume', {
        groups: [new iam.Group(hub, 'Assumers')],
        statements: [new iam.PolicyStatement({
          actions: ['sts:AssumeRole'],
          resources: [`arn:${hub.partition}:iam::*:role/${ROLE}`],
          conditions: { StringEquals: { 'aws:ResourceOrgID': ORG } },
        })],
      });
      return;
    }
  }
}

interface Sample {
  readonly ms: number;
  readonly maxRssMb: number;
  readonly bytes: number;
}

/** In a child: build and synthesize, then print the measurements as JSON. */
function child(variant: Variant, size: number): void {
  warmUp(app => build(app, variant, 1));

  const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-'));
  const start = process.hrtime.bigint();
  const app = new App({ outdir, analyticsReporting: false });
  build(app, variant, size);
  app.synth();
  const ms = Number(process.hrtime.bigint() - start) / 1e6;
  const bytes = fs.readdirSync(outdir).filter(f => f.endsWith('.template.json')).reduce((sum, f) => sum + fs.statSync(path.join(outdir, f)).size, 0);
  fs.rmSync(outdir, { recursive: true, force: true });
  const sample: Sample = { ms, maxRssMb: process.resourceUsage().maxRSS / 1024, bytes };
  process.stdout.write(JSON.stringify(sample));
}

function main(): void {
  const command = benchmarkArgs<Variant>(child);
  if (command === undefined) { return; }
  const { repeat } = command;
  const sizes = [10, 100, 500];
  const samples = sampleAll(sizes, VARIANTS, repeat, (variant, size) => runChild<Sample>(__filename, variant, size));

  console.log(`${machineLine()}, median of ${repeat} runs`);
  console.log('');
  console.log('| mode | spokes | library ms | hand-written ms | time ratio | library MB | hand-written MB | memory ratio | library bytes | hand-written bytes | bytes ratio |');
  console.log('|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|');
  for (const mode of ['stacks', 'stackset']) {
    for (const size of sizes) {
      const lib = samples.get(`library-${mode}@${size}`)!;
      const hand = samples.get(`hand-${mode}@${size}`)!;
      const [lms, hms] = [median(lib.map(s => s.ms)), median(hand.map(s => s.ms))];
      const [lmb, hmb] = [Math.max(...lib.map(s => s.maxRssMb)), Math.max(...hand.map(s => s.maxRssMb))];
      const [lb, hb] = [lib[0].bytes, hand[0].bytes];
      console.log(`| ${mode === 'stacks' ? 'stack' : 'StackSet'} | ${size} | ${lms.toFixed(0)} | ${hms.toFixed(0)} | ${(lms / hms).toFixed(2)} | `
        + `${lmb.toFixed(0)} | ${hmb.toFixed(0)} | ${(lmb / hmb).toFixed(2)} | ${lb} | ${hb} | ${(lb / hb).toFixed(2)} |`);
    }
  }
  const perSpoke = (size: number) => median(samples.get(`library-stacks@${size}`)!.map(s => s.ms)) / size;
  console.log('');
  console.log(`stack mode, library ms per spoke: ${sizes.map(s => `${s}: ${perSpoke(s).toFixed(1)}`).join(', ')}`);
}

main();
