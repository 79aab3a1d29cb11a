import * as fs from 'fs';
import * as path from 'path';
import { integTests, snapshotDifferences, snapshotDir, synthIntegTest } from './helpers/integ-snapshot';
import { useTempFolder } from './helpers/temp-folder';

/**
 * The integration tests (test/integ.*.ts, in the CDK convention: IntegTest
 * apps whose assertions run on real AWS) synthesize exactly their committed
 * snapshots, offline. A change to what the library writes shows here as a
 * difference; `npx projen integ:update` writes new snapshots (never under CI,
 * which fails on a changed tracked file), and `npx projen integ:deploy` proves
 * them on real AWS (docs/development.md).
 */
const temp = useTempFolder('integ-');

describe('the integration tests', () => {
  test('every integration test has its committed snapshot', () => {
    const tests = integTests();
    expect(tests.length).toBeGreaterThanOrEqual(4);
    expect(tests.filter(t => !fs.existsSync(snapshotDir(t))).map(t => path.basename(t))).toEqual([]);
  });

  test.each(integTests().map(t => [path.basename(t), t]))('%s synthesizes its committed snapshot', (_name, testFile) => {
    // GIVEN / WHEN
    const outdir = path.join(temp.dir, path.basename(testFile));
    synthIntegTest(testFile, outdir);

    // THEN
    expect(fs.readdirSync(outdir).filter(f => f.endsWith('.template.json')).length).toBeGreaterThanOrEqual(2);
    expect(snapshotDifferences(snapshotDir(testFile), outdir)).toEqual([]);
  });

  test('a difference is found: the comparison can fail', () => {
    // GIVEN a snapshot, and a copy with one value changed
    const [testFile] = integTests();
    const copy = path.join(temp.dir, 'changed');
    fs.cpSync(snapshotDir(testFile), copy, { recursive: true });
    const template = fs.readdirSync(copy).find(f => f.endsWith('.template.json') && !f.includes('DeployAssert'))!;
    const text = fs.readFileSync(path.join(copy, template), 'utf-8');
    fs.writeFileSync(path.join(copy, template), text.replace('"sts:AssumeRole"', '"sts:AssumeRoleWithSAML"'));

    // WHEN / THEN
    expect(text).toContain('"sts:AssumeRole"');
    expect(snapshotDifferences(snapshotDir(testFile), copy)).toEqual([expect.stringMatching(/^\S+\.template\.json\/Resources\/.*"sts:AssumeRole" became "sts:AssumeRoleWithSAML"$/)]);
  });
});
