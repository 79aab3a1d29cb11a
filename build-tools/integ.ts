/**
 * The integration tests' two commands besides the offline check (which is
 * test/integ-snapshots.test.ts, in the test suite):
 *
 *   npx projen integ:update [integ.x.ts ...]   writes the snapshots anew (review the diff, commit it)
 *   npx projen integ:deploy [integ.x.ts ...]   proves them on real AWS, in the account and region of your credentials
 *
 * `integ:deploy` does what integ-runner does with credentials: for each test,
 * `cdk deploy` of its stacks and of its assertion stack (the assertions are
 * custom resources that call AWS as they deploy, and a `waitForAssertions`
 * that never holds fails the deployment), then every assertion's result
 * (the `AssertionResults...` outputs) must be success; then `cdk destroy`,
 * whatever happened. It leaves nothing behind. Exit 0 when every test passed.
 */
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { integTests, snapshotDifferences, snapshotDir, synthIntegTest } from '../test/helpers/integ-snapshot';

const APP = `${process.execPath} -r ${require.resolve('ts-node/register/transpile-only')}`;
const CDK = require.resolve('aws-cdk/bin/cdk');

function selected(names: string[]): string[] {
  const all = integTests();
  if (names.length === 0) { return all; }
  return names.map(name => {
    const found = all.find(t => path.basename(t) === path.basename(name));
    if (found === undefined) { throw new Error(`no integration test ${name}; they are: ${all.map(t => path.basename(t)).join(', ')}`); }
    return found;
  });
}

/**
 * Writes each test's snapshot: its cloud assembly, in integ-runner's layout, but for the assets (the
 * assertion provider's bundled handler, 2 MB a test): nothing compares them, and a deployment makes them anew.
 */
function update(tests: string[]): void {
  for (const test of tests) {
    const dir = snapshotDir(test);
    const fresh = fs.mkdtempSync(path.join(os.tmpdir(), 'integ-snapshot-'));
    synthIntegTest(test, fresh);
    // an unchanged snapshot is left as it is: the assertions' salt and the asset hashes change on every synthesis
    const differences = snapshotDifferences(dir, fresh);
    if (differences.length === 0) {
      console.log(`unchanged ${path.relative(process.cwd(), dir)}`);
    } else {
      fs.rmSync(dir, { recursive: true, force: true });
      fs.cpSync(fresh, dir, { recursive: true, filter: source => !path.basename(source).startsWith('asset.') });
      console.log(`wrote ${path.relative(process.cwd(), dir)}:\n  ${differences.slice(0, 20).join('\n  ')}`);
    }
    fs.rmSync(fresh, { recursive: true, force: true });
  }
}

function cdk(args: string[]): number {
  const result = spawnSync(process.execPath, [CDK, ...args], { stdio: 'inherit' });
  return result.status ?? 1;
}

/** Deploys one test, reads its assertions' results, destroys it; true when every assertion held. */
function deploy(test: string): boolean {
  const name = path.basename(test);
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'integ-deploy-'));
  const outputs = path.join(work, 'outputs.json');
  const app = ['--app', `${APP} ${test}`, '--output', path.join(work, 'cdk.out')];
  try {
    console.log(`\n=== ${name}: deploy`);
    if (cdk(['deploy', ...app, '--all', '--require-approval', 'never', '--outputs-file', outputs]) !== 0) {
      console.log(`=== ${name}: FAILED (the deployment failed: an assertion that waits never held, or a resource was refused)`);
      return false;
    }
    const results = Object.values<Record<string, string>>(JSON.parse(fs.readFileSync(outputs, 'utf-8')))
      .flatMap(stackOutputs => Object.entries(stackOutputs).filter(([key]) => key.startsWith('AssertionResults')));
    const failed = results.filter(([, value]) => !/"status"\s*:\s*"success"/.test(value));
    failed.forEach(([key, value]) => console.log(`=== ${name}: ${key}: ${value}`));
    console.log(`=== ${name}: ${failed.length === 0 ? 'passed' : 'FAILED'} (${results.length - failed.length} of ${results.length} assertions held)`);
    return failed.length === 0 && results.length > 0;
  } finally {
    console.log(`=== ${name}: destroy`);
    if (cdk(['destroy', ...app, '--all', '--force']) !== 0) {
      console.log(`=== ${name}: the stacks could not be destroyed; delete them in the CloudFormation console`);
    }
    fs.rmSync(work, { recursive: true, force: true });
  }
}

function main(): void {
  const [mode, ...names] = process.argv.slice(2);
  const tests = selected(names);
  if (mode === 'update') {
    update(tests);
  } else if (mode === 'deploy') {
    const failed = tests.filter(test => !deploy(test));
    console.log(`\n${tests.length - failed.length} passed, ${failed.length} failed`);
    process.exitCode = failed.length === 0 ? 0 : 1;
  } else {
    console.error('usage: integ.ts update|deploy [integ.x.ts ...]');
    process.exitCode = 2;
  }
}

main();
