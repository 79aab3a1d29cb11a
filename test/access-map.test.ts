import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as zlib from 'zlib';
import { App, NestedStack, Stack, Stage, Validations } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { buildExampleApp } from '../examples/example-app';
import { AssumeRoleMonitor, CrossAccountRole, CrossAccountTrustChecks, CrossAccountTrustChecksProps } from '../src';
import { AccessMap, buildAccessMap, MapRole } from '../src/private/access-map/model';
import { appTemplates } from '../src/private/access-map/plugin';
import { renderHtml } from '../src/private/access-map/render-html';
import { REGION, TRUSTED, TRUSTING, testApp } from './util';

/** Synthesizes an app with the plugin; returns the cloud assembly's directory. */
function synth(build: (app: App) => void, props: CrossAccountTrustChecksProps = {}, outdir?: string): string {
  const app = testApp(outdir !== undefined ? { outdir } : {});
  Validations.of(app).addPlugins(new CrossAccountTrustChecks(props));
  build(app);
  return app.synth().directory;
}

const readMap = (dir: string): AccessMap => JSON.parse(fs.readFileSync(path.join(dir, 'cross-account-access.json'), 'utf-8'));
const readMd = (dir: string): string => fs.readFileSync(path.join(dir, 'cross-account-access.md'), 'utf-8');
const roleNamed = (map: AccessMap, name: string): MapRole => {
  const role = map.roles.find(r => r.role === name);
  if (role === undefined) { throw new Error(`no role ${name} in the map: ${map.roles.map(r => r.role).join(', ')}`); }
  return role;
};

/** An app with what the map must tell apart: an administrator watched by a monitor, a plain role with grants, a stage, a nested stack. */
function variedApp(app: App): void {
  const stack = new Stack(app, 'Workload', { env: { account: TRUSTING, region: REGION } });
  const admin = new CrossAccountRole(stack, 'Admin', {
    roleName: 'BreakGlass',
    trustedAccounts: [TRUSTED],
    externalIds: ['break-glass-0123456789'],
    managedPolicies: [iam.ManagedPolicy.fromAwsManagedPolicyName('AdministratorAccess')],
  });
  new AssumeRoleMonitor(stack, 'Monitor', { roles: [admin] });
  const reader = new iam.Role(stack, 'Reader', { roleName: 'Reader', assumedBy: new iam.AccountPrincipal(TRUSTED) });
  new s3.Bucket(stack, 'Data').grantRead(reader);
  const inline = new iam.Role(new NestedStack(stack, 'Inner'), 'Inline', { roleName: 'InlineAdmin', assumedBy: new iam.AccountPrincipal(TRUSTED).withConditions({ Bool: { 'aws:MultiFactorAuthPresent': 'true' } }) });
  inline.addToPolicy(new iam.PolicyStatement({ actions: ['*'], resources: ['*'] }));
  const staged = new Stack(new Stage(app, 'Prod'), 'Ci', { env: { account: TRUSTED, region: REGION } });
  new iam.Role(staged, 'Lambda', { roleName: 'Fn', assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com') });
}

describe('access map written by CrossAccountTrustChecks', () => {
  test("writes the example app's roles, trusts, guards, sessions and permissions into the cloud assembly", () => {
    // WHEN
    const dir = synth(app => { buildExampleApp(app); });

    // THEN
    const map = readMap(dir);
    const audit = roleNamed(map, 'AuditReadOnly');
    expect(audit).toMatchObject({
      account: '111111111111',
      maxSessionDurationSeconds: 14400,
      permissions: { managedPolicies: ['ReadOnlyAccess'], adminEquivalent: false },
      monitored: false,
      findings: [],
    });
    expect(audit.trusts).toEqual([expect.objectContaining({ accounts: ['222222222222'], labels: ['MFA ≤ 60 min'] })]);
    expect(roleNamed(map, 'VendorCostExplorer').trusts).toEqual([expect.objectContaining({ accounts: ['333333333333'], labels: ['ext-id'] })]);
    const md = readMd(dir);
    expect(md).toContain('```mermaid\nflowchart LR\n');
    expect(md).toMatch(/subgraph acct_111111111111\["account 111111111111"\]\n {4}r\d+\["AuditReadOnly"\]/);
    expect(md).toMatch(/p\d+ -->\|"MFA ≤ 60 min"\| r\d+/);
    expect(md).toMatch(/p\d+ -->\|"ext-id"\| r\d+/);
    expect(md).toContain('## Account 111111111111');
    expect(md).toContain('| AuditReadOnly | any principal of 222222222222 | MFA ≤ 60 min | 4 h | ReadOnlyAccess | no | none |');
  });

  test('gives the same bytes on every synthesis', () => {
    const first = synth(variedApp);
    const second = synth(variedApp);
    expect(fs.readFileSync(path.join(second, 'cross-account-access.json'), 'utf-8')).toEqual(fs.readFileSync(path.join(first, 'cross-account-access.json'), 'utf-8'));
    expect(readMd(second)).toEqual(readMd(first));
  });

  test('tells admin-equivalent, monitored and flagged roles apart, in nested stacks and stages', () => {
    // WHEN
    const map = readMap(synth(variedApp));

    // THEN
    expect(roleNamed(map, 'BreakGlass')).toMatchObject({
      permissions: { managedPolicies: ['AdministratorAccess'], adminEquivalent: true }, monitored: true, findings: [],
    });
    expect(roleNamed(map, 'BreakGlass').trusts[0].labels).toEqual(['ext-id']);
    expect(roleNamed(map, 'Reader')).toMatchObject({
      permissions: { managedPolicies: [], adminEquivalent: false },
      monitored: false,
      findings: [expect.objectContaining({ rule: 'UnconditionedCrossAccountTrust', severity: 'warning' })],
    });
    expect(roleNamed(map, 'InlineAdmin')).toMatchObject({ permissions: { adminEquivalent: true }, template: expect.stringMatching(/Inner.*\.nested\.template\.json$/) });
    expect(roleNamed(map, 'InlineAdmin').trusts[0].labels).toEqual(['MFA']);
    expect(roleNamed(map, 'Fn')).toMatchObject({ account: TRUSTED, template: expect.stringMatching(/^assembly-Prod\//) });
    expect(map.roles.map(r => `${r.account} ${r.role}`)).toEqual([...map.roles.map(r => `${r.account} ${r.role}`)].sort());
  });

  test('leaves the roles trusted only by AWS services out of the diagram, not out of the tables', () => {
    const md = readMd(synth(variedApp));
    expect(md).not.toMatch(/\["Fn"\]/);
    expect(md).toContain('| Fn | lambda.amazonaws.com | no guard |');
    expect(md).toContain('1 role(s) trusted only by AWS services are listed in the tables, not drawn.');
  });

  test('writes nothing with accessMap: false', () => {
    const dir = synth(variedApp, { accessMap: false });
    expect(fs.existsSync(path.join(dir, 'cross-account-access.json'))).toBe(false);
    expect(fs.existsSync(path.join(dir, 'cross-account-access.md'))).toBe(false);
  });

  test('replaces the map of an earlier synthesis into the same directory, once synthesis returns', async () => {
    // GIVEN an assembly directory that holds the map of an earlier app (cdk.out is reused)
    const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'map-'));
    synth(app => new CrossAccountRole(new Stack(app, 'Workload', { env: { account: TRUSTING, region: REGION } }), 'Old', { roleName: 'Old', trustedAccounts: [TRUSTED], requireMfa: true }), {}, outdir);

    // WHEN the app changes and synthesizes again (aws-cdk-lib refuses a plugin that rewrites a file during validation)
    synth(app => new CrossAccountRole(new Stack(app, 'Workload', { env: { account: TRUSTING, region: REGION } }), 'New', { roleName: 'New', trustedAccounts: [TRUSTED], requireMfa: true }), {}, outdir);
    await new Promise(resolve => setImmediate(resolve));

    // THEN
    expect(readMap(outdir).roles.map(r => r.role)).toEqual(['New']);
    expect(readMd(outdir)).toContain('| New |');
  });
});

describe('access map as HTML', () => {
  /** The map of the varied app, from its synthesized templates. */
  function variedMap(): AccessMap {
    const app = testApp();
    variedApp(app);
    const dir = app.synth().directory;
    return buildAccessMap(appTemplates(app, dir));
  }

  test('is one self-contained file: no script, and nothing fetched', () => {
    // WHEN
    const html = renderHtml(variedMap());

    // THEN
    expect(html).not.toMatch(/<script|<link|<img|<iframe|@import|src=|href=/i);
    expect(html.match(/url\([^)]*\)/g)).toEqual(expect.arrayContaining(['url(#arrow)']));
    expect(html.match(/url\([^)]*\)/g)!.every(u => u === 'url(#arrow)')).toBe(true);
    expect(html).toContain("default-src 'none'");
    expect(html).toMatch(/<svg [^>]*>[\s\S]*>BreakGlass<\/text>[\s\S]*<\/svg>/);
  });

  const chromium = ['chromium', 'chromium-browser'].map(bin => {
    try {
      return execFileSync('which', [bin], { encoding: 'utf-8' }).trim();
    } catch {
      return '';
    }
  }).find(p => p !== '');
  if (chromium === undefined && process.env.CI !== 'true') {
    // eslint-disable-next-line no-console
    console.warn('skipping the headless Chromium test of the HTML access map: no chromium on PATH (CI installs it: apt-get install chromium)');
  }
  const inChromium = chromium !== undefined || process.env.CI === 'true' ? test : test.skip;

  inChromium('renders the role names in headless Chromium, in a screenshot that is not blank', () => {
    // GIVEN
    const html = renderHtml(variedMap());
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'map-html-'));
    const file = path.join(dir, 'cross-account-access.html');
    fs.writeFileSync(file, html);
    const flags = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
      '--disable-component-update', '--disable-sync', `--user-data-dir=${fs.mkdtempSync(path.join(os.tmpdir(), 'chromium-'))}`];

    // WHEN
    const dom = execFileSync(chromium ?? 'chromium', [...flags, '--dump-dom', `file://${file}`], { encoding: 'utf-8', timeout: 120_000, stdio: ['ignore', 'pipe', 'ignore'] });
    const png = path.join(dir, 'map.png');
    execFileSync(chromium ?? 'chromium', [...flags, `--screenshot=${png}`, '--window-size=1100,900', `file://${file}`], { timeout: 120_000, stdio: 'ignore' });

    // THEN the rendered document has the role names in its SVG
    for (const name of ['BreakGlass', 'Reader', 'InlineAdmin']) {
      expect(dom).toMatch(new RegExp(`<text[^>]*>${name}</text>`));
    }
    // and the screenshot has more than a background colour
    expect(distinctPixels(fs.readFileSync(png))).toBeGreaterThan(20);
  });
});

/** How many distinct RGB colours a PNG has (an 8-bit RGB or RGBA screenshot, as Chromium writes it). */
function distinctPixels(png: Buffer): number {
  let offset = 8;
  let width = 0;
  let colorType = 0;
  const idat: Buffer[] = [];
  while (offset < png.length) {
    const length = png.readUInt32BE(offset);
    const type = png.toString('ascii', offset + 4, offset + 8);
    const data = png.subarray(offset + 8, offset + 8 + length);
    if (type === 'IHDR') { width = data.readUInt32BE(0); colorType = data[9]; }
    if (type === 'IDAT') { idat.push(data); }
    offset += 12 + length;
  }
  const bpp = colorType === 6 ? 4 : 3;
  const raw = zlib.inflateSync(Buffer.concat(idat));
  const stride = width * bpp;
  const prev = Buffer.alloc(stride);
  const colours = new Set<string>();
  for (let row = 0; (row + 1) * (stride + 1) <= raw.length; row++) {
    const filter = raw[row * (stride + 1)];
    const line = Buffer.from(raw.subarray(row * (stride + 1) + 1, (row + 1) * (stride + 1)));
    for (let i = 0; i < stride; i++) {
      const a = i >= bpp ? line[i - bpp] : 0;
      const b = prev[i];
      const c = i >= bpp ? prev[i - bpp] : 0;
      const p = a + b - c;
      const predictor = [0, a, b, Math.floor((a + b) / 2),
        Math.abs(p - a) <= Math.abs(p - b) && Math.abs(p - a) <= Math.abs(p - c) ? a : Math.abs(p - b) <= Math.abs(p - c) ? b : c][filter];
      line[i] = (line[i] + predictor) & 0xff;
    }
    line.copy(prev);
    for (let i = 0; i < stride; i += bpp) { colours.add(`${line[i]},${line[i + 1]},${line[i + 2]}`); }
  }
  return colours.size;
}
