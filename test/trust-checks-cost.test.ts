import { spawnSync } from 'child_process';
import * as path from 'path';
import { App, Stack, Stage, Validations } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Node } from 'constructs';
import { CrossAccountRole, OrganizationTrustPerimeter } from '../src';
import { useTempFolder } from './helpers/temp-folder';
import { WatchedTrustChecks } from './helpers/watched-checks';

const temp = useTempFolder('trust-checks-cost-');

/**
 * The plugin's own cost (issue 16 §3): one walk of the construct tree per
 * synthesis, shared by everything it needs (the index of stacks, the
 * perimeters and the rule context, acknowledgements, the access map's stacks),
 * and no module loaded inside validate(). The figures are in docs/performance.md.
 */

/** Counts, per construct, how often its children are read while the plugin's validate() runs. */
function childReadsDuringValidate(build: (app: App) => void): Map<string, number> {
  const reads = new Map<string, number>();
  const descriptor = Object.getOwnPropertyDescriptor(Node.prototype, 'children')!;
  Object.defineProperty(Node.prototype, 'children', {
    ...descriptor,
    get(this: Node) {
      if (WatchedTrustChecks.inValidate) { reads.set(this.path, (reads.get(this.path) ?? 0) + 1); }
      return descriptor.get!.call(this);
    },
  });
  try {
    const app = new App();
    Validations.of(app).addPlugins(new WatchedTrustChecks());
    build(app);
    app.synth();
  } finally {
    Object.defineProperty(Node.prototype, 'children', descriptor);
  }
  return reads;
}

/** An app with what makes the plugin look around: findings acknowledged, a perimeter, a stage, and the access map on. */
function busyApp(app: App): void {
  const workload = new Stack(app, 'Workload', { env: { account: '111111111111', region: 'eu-west-1' } });
  for (let i = 0; i < 20; i++) {
    const other = String(200000000000 + i);
    const role = new iam.Role(workload, `Role${i}`, { assumedBy: new iam.AccountPrincipal(other) });
    Validations.of(role).acknowledge({ id: 'CrossAccountTrustChecks::UnconditionedCrossAccountTrust', reason: `account ${other} is ours` });
  }
  new CrossAccountRole(workload, 'Reader', { roleName: 'Reader', trustedAccounts: ['222222222222'], externalIds: ['a-long-random-external-id'] });
  const stage = new Stage(app, 'Prod');
  const prod = new Stack(stage, 'Data', { env: { account: '333333333333', region: 'eu-west-1' } });
  new iam.Role(prod, 'Unacknowledged', { assumedBy: new iam.AccountPrincipal('444444444444') });
  const management = new Stack(app, 'Management', { env: { account: '999999999999', region: 'us-east-1' } });
  new OrganizationTrustPerimeter(management, 'Perimeter', {
    organizationId: 'o-a1b2c3d4e5',
    targetIds: ['r-ab12'],
    memberAccounts: ['111111111111', '222222222222', '333333333333', '444444444444', ...Array.from({ length: 20 }, (_, i) => String(200000000000 + i))],
  });
}

describe('the cost of CrossAccountTrustChecks itself', () => {
  test('reads the construct tree once per synthesis: no construct has its children read twice inside validate()', () => {
    // WHEN
    const reads = childReadsDuringValidate(busyApp);

    // THEN every construct was visited, once
    expect(reads.get('Workload/Role19')).toBe(1);
    expect(reads.get('Prod/Data')).toBe(1);
    expect(reads.get('Management/Perimeter')).toBe(1);
    expect(Array.from(reads).filter(([, count]) => count > 1)).toEqual([]);
  });

  test('loads no module inside validate(): what it needs is loaded when the plugin is created', () => {
    // WHEN a process of its own synthesizes an app with the plugin (module loading is per process)
    const script = path.join(__dirname, 'helpers', 'validate-loads.ts');
    const result = spawnSync(process.execPath, ['-r', require.resolve('ts-node/register/transpile-only'), script, temp.dir], {
      encoding: 'utf-8', cwd: path.join(__dirname, '..'), timeout: 120_000,
    });

    // THEN
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
    expect(JSON.parse(result.stdout)).toEqual([]);
  });
});
