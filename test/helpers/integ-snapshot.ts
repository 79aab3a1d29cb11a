/**
 * The integration tests' snapshots (test/integ.*.ts.snapshot/), in
 * integ-runner's layout: each is the cloud assembly of its `integ.*.ts` app,
 * committed, and compared offline with a new synthesis as integ-runner
 * compares them: every template and the test manifest (integ.json), asset
 * hashes left out.
 *
 * Why not integ-runner itself: the newest @aws-cdk/integ-runner on the
 * registry (2.197.10) bundles a toolkit that reads cloud assembly schema 53 at
 * most, and aws-cdk-lib 2.262.0, the lowest this library supports, writes 54
 * ("Cloud assembly schema version mismatch: Maximum schema version supported
 * is 53.x.x, but found 54.0.0"). The apps, their IntegTest assertions and the
 * snapshot layout are integ-runner's, so an integ-runner that reads schema 54
 * runs them as they are.
 */
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';

export const TEST_DIR = path.join(__dirname, '..');

/** The integration test apps: `test/integ.*.ts`. */
export function integTests(): string[] {
  return fs.readdirSync(TEST_DIR).filter(name => /^integ\..*(?<!\.d)\.ts$/.test(name)).sort().map(name => path.join(TEST_DIR, name));
}

/** Where an app's committed snapshot is: `test/integ.<name>.ts.snapshot/`, as integ-runner keeps it. */
export function snapshotDir(testFile: string): string {
  return `${testFile}.snapshot`;
}

/** Synthesizes an integration test app into `outdir`, in a process of its own, as integ-runner does. */
export function synthIntegTest(testFile: string, outdir: string): void {
  fs.rmSync(outdir, { recursive: true, force: true });
  const result = spawnSync(process.execPath, ['-r', require.resolve('ts-node/register/transpile-only'), testFile], {
    cwd: path.dirname(TEST_DIR),
    env: { ...process.env, CDK_OUTDIR: outdir },
    encoding: 'utf-8',
    timeout: 300_000,
  });
  if (result.status !== 0) {
    throw new Error(`${path.basename(testFile)} did not synthesize (exit ${result.status}): ${result.stderr}`);
  }
}

/** The files of a snapshot that are compared: the templates and the test manifest, by name. */
function comparedFiles(dir: string): string[] {
  return fs.readdirSync(dir).filter(name => name.endsWith('.template.json') || name === 'integ.json').sort();
}

/**
 * A file's JSON with what changes on every synthesis left out, as integ-runner
 * leaves it out: asset hashes (they change with aws-cdk-lib's bundled
 * handlers), and the `salt` of each assertion (a timestamp that makes the
 * assertion run again on every deployment).
 */
function normalized(file: string): unknown {
  const text = fs.readFileSync(file, 'utf-8')
    .replace(/\b[0-9a-f]{64}\b/g, '<asset hash>')
    .replace(/"salt": "\d+"/g, '"salt": "<salt>"');
  return JSON.parse(text);
}

/**
 * What differs between a committed snapshot and a new synthesis: files missing
 * or added, and the JSON paths whose values differ, one line each.
 */
export function snapshotDifferences(committed: string, synthesized: string): string[] {
  if (!fs.existsSync(committed)) { return [`no snapshot at ${path.relative(TEST_DIR, committed)}`]; }
  const before = comparedFiles(committed);
  const after = comparedFiles(synthesized);
  const differences = [
    ...before.filter(f => !after.includes(f)).map(f => `${f}: no longer synthesized`),
    ...after.filter(f => !before.includes(f)).map(f => `${f}: new`),
  ];
  for (const file of before.filter(f => after.includes(f))) {
    differences.push(...jsonDifferences(normalized(path.join(committed, file)), normalized(path.join(synthesized, file)), file));
  }
  return differences;
}

function jsonDifferences(a: unknown, b: unknown, at: string): string[] {
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null || Array.isArray(a) !== Array.isArray(b)) {
    return JSON.stringify(a) === JSON.stringify(b) ? [] : [`${at}: ${JSON.stringify(a)} became ${JSON.stringify(b)}`];
  }
  const keys = Array.from(new Set([...Object.keys(a), ...Object.keys(b)])).sort();
  return keys.flatMap(key => jsonDifferences((a as Record<string, unknown>)[key], (b as Record<string, unknown>)[key], `${at}/${key}`));
}
