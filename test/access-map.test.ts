import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as zlib from 'zlib';
import { App, Duration, NestedStack, Stack, Stage, Validations } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { buildExampleApp } from '../examples/example-app';
import { AssumeRoleMonitor, AssumeRolePolicy, CrossAccountRole, CrossAccountTrustChecks, CrossAccountTrustChecksProps, OrganizationTrustPerimeter } from '../src';
import { OTHER, REGION, TRUSTED, TRUSTING, testApp } from './util';
import { AccessMap, buildAccessMap, MapRole } from '../src/private/access-map/model';
import { appTemplates } from '../src/private/access-map/plugin';
import { renderHtml } from '../src/private/access-map/render-html';
import { AppIndex } from '../src/private/audit/app-index';

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
    expect(md).toContain('| AuditReadOnly | group/workload-auditors (members) | MFA ≤ 60 min | 4 h | ReadOnlyAccess | no | none |');
    // the trusted side: the example's auditor group holds the assume permission, evaluated with the role's trust
    expect(audit.trusts[0]).toMatchObject({
      appAccounts: ['222222222222'],
      assumers: [{ kind: 'group', name: 'workload-auditors', account: '222222222222', decision: 'allowed' }],
    });
  });

  test('starts the arrows from the principals of the app that may assume the role, and from the trusted account when its side is not in the app', () => {
    // GIVEN a role trusted by account 222222222222, where alice holds the assume permission and bob does not,
    // and a role trusted by 444444444444, which has no stack in the app
    const dir = synth(app => {
      const workload = new Stack(app, 'Workload', { env: { account: TRUSTING, region: REGION } });
      const role = new CrossAccountRole(workload, 'Audit', { roleName: 'Audit', trustedAccounts: [TRUSTED] });
      new CrossAccountRole(workload, 'Vendor', { roleName: 'Vendor', trustedAccounts: ['444444444444'], externalIds: ['vendor-0123456789'] });
      const people = new Stack(app, 'People', { env: { account: TRUSTED, region: REGION } });
      role.grantAssumeRole(new iam.User(people, 'Alice', { userName: 'alice' }));
      new iam.User(people, 'Bob', { userName: 'bob' });
    });

    // WHEN
    const map = readMap(dir);
    const md = readMd(dir);

    // THEN
    expect(roleNamed(map, 'Audit').trusts[0].assumers).toEqual([expect.objectContaining({ kind: 'user', name: 'alice', decision: 'allowed' })]);
    expect(md).toMatch(/p\d+\(\["user\/alice"\]\)/);
    expect(md).not.toContain('user/bob');
    expect(md).toContain('| Audit | user/alice | no guard |');
    expect(roleNamed(map, 'Vendor').trusts[0]).toMatchObject({ appAccounts: [], assumers: [] });
    expect(md).toContain('| Vendor | any principal of 444444444444 with an identity policy allowing it (account outside the app) | ext-id |');
  });

  test('meets a guard written with a policy variable with the caller\'s own value: the session name must be the user\'s name', () => {
    // GIVEN a trust whose session name must equal ${aws:username}: a user has one, a role session has none
    const dir = synth(app => {
      const workload = new Stack(app, 'Workload', { env: { account: TRUSTING, region: REGION } });
      const ops = new CrossAccountRole(workload, 'Ops', { roleName: 'Ops', trustedAccounts: [TRUSTED], roleSessionNamePattern: '${aws:username}' });
      const people = new Stack(app, 'People', { env: { account: TRUSTED, region: REGION } });
      new AssumeRolePolicy(people, 'MayOps', {
        targetRoles: [ops],
        users: [new iam.User(people, 'Alice', { userName: 'alice' })],
        roles: [new iam.Role(people, 'Ci', { roleName: 'ci', assumedBy: new iam.AccountRootPrincipal() })],
        groups: [new iam.Group(people, 'Operators', { groupName: 'operators' })],
      });
    });

    // WHEN
    const assumers = roleNamed(readMap(dir), 'Ops').trusts[0].assumers;

    // THEN alice may (her session is named alice); a group's members may if their name is the session's; ci's sessions have no aws:username
    expect(assumers).toEqual([
      expect.objectContaining({ kind: 'group', name: 'operators', decision: 'unknown' }),
      expect.objectContaining({ kind: 'user', name: 'alice', decision: 'allowed' }),
    ]);
    expect(readMd(dir)).toContain('| Ops | group/operators (members) (if deploy-time values allow)<br>user/alice |');
  });

  test('says which side is unknown: an account outside the app, or one of the app where none of its principals may', () => {
    // GIVEN a role trusted by an account of the app whose only user may not assume it
    const dir = synth(app => {
      const workload = new Stack(app, 'Workload', { env: { account: TRUSTING, region: REGION } });
      new CrossAccountRole(workload, 'Audit', { roleName: 'Audit', trustedAccounts: [TRUSTED, '444444444444'] });
      const people = new Stack(app, 'People', { env: { account: TRUSTED, region: REGION } });
      new iam.User(people, 'Bob', { userName: 'bob' });
    });

    // WHEN
    const md = readMd(dir);

    // THEN
    expect(md).toContain('any principal of 222222222222 with an identity policy allowing it (none of the app\'s)');
    expect(md).toContain('any principal of 444444444444 with an identity policy allowing it (account outside the app)');
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

  test('lists the findings that need the whole app, as the plugin reports them: a trust the perimeter will deny', () => {
    // GIVEN an app whose role trusts an account that its organisation perimeter does not know
    const app = testApp();
    const workload = new Stack(app, 'Workload', { env: { account: TRUSTING, region: REGION } });
    new CrossAccountRole(workload, 'Partner', { roleName: 'Partner', trustedAccounts: [OTHER], requireMfa: true });
    const management = new Stack(app, 'Management', { env: { account: '999999999999', region: 'us-east-1' } });
    new OrganizationTrustPerimeter(management, 'Perimeter', { organizationId: 'o-abcdef1234', targetIds: ['r-ab12'] });
    app.synth();
    const stacks = [workload, management];

    // WHEN the plugin validates it, as aws-cdk-lib does (where the error then fails the synthesis)
    const report = new CrossAccountTrustChecks().validate({
      templatePaths: stacks.map(s => path.join(app.outdir, s.templateFile)),
      stackTemplates: stacks.map(s => ({ stackConstructPath: s.node.path, templatePath: path.join(app.outdir, s.templateFile) })),
      appConstruct: app,
      accountId: undefined,
      region: undefined,
    });

    // THEN
    expect(report.violations.map(v => v.ruleName)).toEqual(['TrustOutsidePerimeter']);
    expect(roleNamed(readMap(app.outdir), 'Partner').findings).toEqual([expect.objectContaining({ rule: 'TrustOutsidePerimeter', severity: 'error' })]);
  });

  test('labels each arrow with every guard of its trust: ext-id, MFA age, org, OU, IP, session name, source identity', () => {
    // WHEN
    const dir = synth(app => {
      const stack = new Stack(app, 'Workload', { env: { account: TRUSTING, region: REGION } });
      new CrossAccountRole(stack, 'Guarded', {
        roleName: 'Guarded',
        trustedAccounts: [TRUSTED],
        externalIds: ['guarded-0123456789abcdef'],
        requireMfa: true,
        maxMfaAge: Duration.minutes(30),
        trustedOrganizationId: 'o-abcdef1234',
        trustedOrganizationalUnitPaths: ['o-abcdef1234/r-ab12/ou-ab12-11111111/'],
        allowedSourceIps: ['203.0.113.0/24'],
        roleSessionNamePattern: '${aws:username}',
        sourceIdentityPattern: 'ci-*',
      });
    });

    // THEN
    const trusts = roleNamed(readMap(dir), 'Guarded').trusts;
    expect(trusts).toEqual([expect.objectContaining({
      accounts: [TRUSTED],
      organizationIds: ['o-abcdef1234'],
      organizationalUnitPaths: ['o-abcdef1234/r-ab12/ou-ab12-11111111/'],
      labels: ['ext-id', 'MFA ≤ 30 min', 'org', 'OU', 'IP', 'session name', 'source identity'],
      guards: { externalId: true, mfa: true, maxMfaAgeSeconds: 1800, sourceIps: ['203.0.113.0/24'], roleSessionNames: ['${aws:username}'], sourceIdentity: true },
    })]);
    expect(readMd(dir)).toMatch(/p0 -->\|"ext-id, MFA ≤ 30 min, org, OU, IP, session name, source identity"\| r0\n/);
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
    return buildAccessMap(appTemplates(new AppIndex(app).stacksUnder(app), dir));
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

  /** Runs headless Chromium on an HTML file: its rendered DOM, and a screenshot (PNG) of it. */
  function inBrowser(html: string): { dom: string; png: Buffer } {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'map-html-'));
    const file = path.join(dir, 'cross-account-access.html');
    fs.writeFileSync(file, html);
    const flags = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
      '--disable-component-update', '--disable-sync', `--user-data-dir=${fs.mkdtempSync(path.join(os.tmpdir(), 'chromium-'))}`];
    const dom = execFileSync(chromium ?? 'chromium', [...flags, '--dump-dom', `file://${file}`], { encoding: 'utf-8', timeout: 120_000, stdio: ['ignore', 'pipe', 'ignore'] });
    const png = path.join(dir, 'map.png');
    execFileSync(chromium ?? 'chromium', [...flags, `--screenshot=${png}`, '--window-size=1100,900', `file://${file}`], { timeout: 120_000, stdio: 'ignore' });
    return { dom, png: fs.readFileSync(png) };
  }

  inChromium('renders the role names in headless Chromium: the screenshot differs where the names are drawn', () => {
    // GIVEN the map, and the same map with the role names of the diagram left empty
    const names = ['BreakGlass', 'Reader', 'InlineAdmin'];
    const html = renderHtml(variedMap());
    const unnamed = html.replace(new RegExp(`>(${names.join('|')})</text>`, 'g'), '></text>');
    expect(unnamed).not.toEqual(html);

    // WHEN
    const shown = inBrowser(html);
    const blank = inBrowser(unnamed);

    // THEN the rendered document has the role names in its SVG
    for (const name of names) {
      expect(shown.dom).toMatch(new RegExp(`<text[^>]*>${name}</text>`));
    }
    // and they were drawn: the two screenshots differ (only) by the pixels of the names' glyphs
    const a = decodePng(shown.png);
    const b = decodePng(blank.png);
    expect([a.width, a.height]).toEqual([b.width, b.height]);
    expect(differingPixels(a, b)).toBeGreaterThan(100);
    // and the screenshot has more than a background colour
    expect(distinctColours(a)).toBeGreaterThan(20);
  });
});

/** An 8-bit RGB or RGBA PNG (as Chromium writes screenshots), decoded to RGB rows. */
interface Pixels { readonly width: number; readonly height: number; readonly rgb: Buffer }

/** Decodes an 8-bit RGB or RGBA, non-interlaced PNG. */
function decodePng(png: Buffer): Pixels {
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
  const rows: Buffer[] = [];
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
      line[i] = (line[i] + predictor) % 256;
    }
    line.copy(prev);
    const rgb = Buffer.alloc(width * 3);
    for (let x = 0; x < width; x++) { line.copy(rgb, x * 3, x * bpp, x * bpp + 3); }
    rows.push(rgb);
  }
  return { width, height: rows.length, rgb: Buffer.concat(rows) };
}

/** How many distinct RGB colours an image has. */
function distinctColours(image: Pixels): number {
  const colours = new Set<string>();
  for (let i = 0; i < image.rgb.length; i += 3) { colours.add(`${image.rgb[i]},${image.rgb[i + 1]},${image.rgb[i + 2]}`); }
  return colours.size;
}

/** How many pixels two images of one size differ in. */
function differingPixels(a: Pixels, b: Pixels): number {
  let count = 0;
  for (let i = 0; i < a.rgb.length; i += 3) {
    if (a.rgb[i] !== b.rgb[i] || a.rgb[i + 1] !== b.rgb[i + 1] || a.rgb[i + 2] !== b.rgb[i + 2]) { count++; }
  }
  return count;
}
