import { execFileSync, spawn } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as zlib from 'zlib';
import { App, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';

/**
 * The library as Python, Java and Go users get it: the packages jsii-pacmak
 * built into dist/ (`npx projen package:python|java|go`, which .ci/run runs
 * before jest), used by the example app of each language (examples/python,
 * examples/java, examples/go) with the real aws-cdk-lib of that language's
 * registry.
 *
 * Each app is synthesized with the real cdk CLI into its own cdk.out/, and
 * every template must equal the TypeScript app's once keys are sorted, but for
 * the metadata that names the language. Each language's own test proves that a
 * bad account ID raises that language's exception with the library's message.
 *
 * Without the built packages (a plain `npx projen test`) these tests are
 * skipped, saying why; under CI=true they are required.
 */
const ROOT = path.join(__dirname, '..');
const EXAMPLES = path.join(ROOT, 'examples');
const CDK = path.join(ROOT, 'node_modules', '.bin', 'cdk');
const IN_CI = !!process.env.CI && process.env.CI !== 'false';
/** Ample for a cold run (nothing downloaded yet) on a busy 2-core machine. */
const TIMEOUT = 40 * 60 * 1000;

interface Run { readonly ok: boolean; readonly output: string; readonly seconds: number }

/** Runs a command, never throwing: the tests assert on the result and show the output. */
function run(command: string, args: string[], cwd: string, env: NodeJS.ProcessEnv = {}): Promise<Run> {
  const started = Date.now();
  return new Promise(resolve => {
    let output = '';
    const child = spawn(command, args, { cwd, env: { ...languageEnv(), ...env } });
    child.stdout.on('data', chunk => { output += chunk; });
    child.stderr.on('data', chunk => { output += chunk; });
    child.on('error', err => resolve({ ok: false, output: `${output}\n${err}`, seconds: (Date.now() - started) / 1000 }));
    child.on('close', code => resolve({ ok: code === 0, output, seconds: (Date.now() - started) / 1000 }));
  });
}

/** The environment every app runs in: the example's own account IDs, no jsii deprecation banner. */
function languageEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, JSII_SILENCE_WARNING_DEPRECATED_NODE_VERSION: '1' };
  for (const name of ['TRUSTING_ACCOUNT', 'TRUSTED_ACCOUNT', 'VENDOR_ACCOUNT', 'MANAGEMENT_ACCOUNT', 'ORGANIZATION_ID', 'ORGANIZATION_ROOT', 'CDK_OUTDIR', 'CDK_CONTEXT_JSON']) {
    delete env[name];
  }
  return env;
}

/** Runs steps one after the other, stopping at the first that fails. */
async function steps(...commands: Array<() => Promise<Run>>): Promise<Run> {
  let output = '';
  let seconds = 0;
  for (const command of commands) {
    const result = await command();
    output += result.output;
    seconds += result.seconds;
    if (!result.ok) return { ok: false, output, seconds };
  }
  return { ok: true, output, seconds };
}

/** `cdk synth` of the app in `dir` (its cdk.json says how to run it) into `dir`/cdk.out. */
function synth(dir: string, env: NodeJS.ProcessEnv = {}): Promise<Run> {
  fs.rmSync(path.join(dir, 'cdk.out'), { recursive: true, force: true });
  return run(CDK, ['synth', '--quiet', '--output', 'cdk.out'], dir, env);
}

interface Language {
  readonly name: string;
  readonly dir: string;
  /** Why the language cannot run here, or undefined when it can. */
  readonly missing: () => string | undefined;
  /** Builds the app and runs its own tests (the bad-account and explain tests). */
  readonly build: () => Promise<Run>;
  /** Proves from the build's output that the language's bad-account test ran and passed. */
  readonly badAccountTestPassed: (build: Run) => boolean;
  /** Proves from the build's output that the language's AccessExplainer test (on the example app) ran and passed. */
  readonly explainTestPassed: (build: Run) => boolean;
  readonly synth: () => Promise<Run>;
  /** The package's README (or package docs) as built, where jsii-rosetta's translations of the README's examples go. */
  readonly packageReadme: () => string;
  /** How a code block of this language starts in that README, and how a TypeScript one would look there. */
  readonly translatedBlock: RegExp;
  readonly typescriptBlock: RegExp;
  /** Validation plugins of the TypeScript app that this app cannot add (their analytics entries are not compared), with the reason. */
  readonly pluginsNotInThisApp?: { readonly names: string[]; readonly reason: string };
}

function which(tool: string): boolean {
  return (process.env.PATH ?? '').split(path.delimiter).some(dir => fs.existsSync(path.join(dir, tool)));
}

const PYTHON_DIR = path.join(EXAMPLES, 'python');
const VENV_BIN = path.join(PYTHON_DIR, '.venv', 'bin');
const VENV_PIP = path.join(VENV_BIN, 'pip');
const pythonPath = { PATH: `${VENV_BIN}${path.delimiter}${process.env.PATH}`, VIRTUAL_ENV: path.dirname(VENV_BIN) };
const wheel = () => fs.existsSync(path.join(ROOT, 'dist', 'python'))
  ? fs.readdirSync(path.join(ROOT, 'dist', 'python')).find(f => f.endsWith('.whl'))
  : undefined;

const JAVA_DIR = path.join(EXAMPLES, 'java');
const GO_DIR = path.join(EXAMPLES, 'go');

/** Whether Maven's surefire report says a test class of the Java example ran its tests, all passing. */
function surefirePassed(testClass: string, tests: number): boolean {
  const report = path.join(JAVA_DIR, 'target', 'surefire-reports', `TEST-com.example.crossaccount.${testClass}.xml`);
  return fs.existsSync(report) && new RegExp(`tests="${tests}"[^>]*errors="0"[^>]*skipped="0"[^>]*failures="0"`).test(fs.readFileSync(report, 'utf-8'));
}

const LANGUAGES: Language[] = [
  {
    name: 'Python',
    dir: PYTHON_DIR,
    missing: () => !which('python3') ? 'python3 is not on PATH'
      : !wheel() ? 'dist/python has no wheel: run `npx projen package:python`' : undefined,
    build: () => steps(
      // (a virtualenv without pip is one whose creation was interrupted: create it again)
      () => fs.existsSync(VENV_PIP) ? Promise.resolve({ ok: true, output: '', seconds: 0 }) : run('python3', ['-m', 'venv', '--clear', '.venv'], PYTHON_DIR),
      // The wheel with its own requirements (the jsii runtime and the typeguard it pins), and the example's pins.
      () => run(path.join(VENV_BIN, 'pip'), ['install', '--quiet', '--disable-pip-version-check', '-r', 'requirements.txt', path.join(ROOT, 'dist', 'python', wheel()!)], PYTHON_DIR),
      // The version is always 0.0.0: replace an earlier build of it in a reused virtualenv.
      () => run(path.join(VENV_BIN, 'pip'), ['install', '--quiet', '--disable-pip-version-check', '--force-reinstall', '--no-deps', path.join(ROOT, 'dist', 'python', wheel()!)], PYTHON_DIR),
      // No `python -O`: typeguard's checks are on, as for any user.
      () => run(path.join(VENV_BIN, 'python'), ['-m', 'unittest', '-v', 'test_bad_account', 'test_explain'], PYTHON_DIR, pythonPath),
    ),
    packageReadme: () => readZipEntry(path.join(ROOT, 'dist', 'python', wheel()!), /\.dist-info\/METADATA$/),
    translatedBlock: /^```python$/gm,
    typescriptBlock: /^```(ts|typescript)$/gm,
    badAccountTestPassed: build => /test_a_short_account_id_raises_the_library_message \S+ \.\.\. ok/.test(build.output) && /Ran 3 tests/.test(build.output),
    explainTestPassed: build => /test_the_reader_reads_the_shared_reports_and_decrypts_them_only_through_s3 \S+ \.\.\. ok/.test(build.output)
      && /test_a_role_of_a_third_account_is_refused_by_the_bucket_policy \S+ \.\.\. ok/.test(build.output),
    synth: () => synth(PYTHON_DIR, pythonPath),
  },
  {
    name: 'Java',
    dir: JAVA_DIR,
    missing: () => !which('mvn') ? 'mvn is not on PATH'
      : !fs.existsSync(path.join(ROOT, 'dist', 'java', 'io')) ? 'dist/java has no Maven repository: run `npx projen package:java`' : undefined,
    build: () => {
      // The version is always 0.0.0: Maven would keep using a copy of an earlier build from ~/.m2.
      fs.rmSync(path.join(os.homedir(), '.m2', 'repository', 'io', 'github', 'cdk-cross-account-roles'), { recursive: true, force: true });
      fs.rmSync(path.join(JAVA_DIR, 'target'), { recursive: true, force: true });
      return run('mvn', ['-B', '-q', 'test'], JAVA_DIR);
    },
    packageReadme: () => readZipEntry(
      path.join(ROOT, 'dist', 'java', 'io', 'github', 'cdk-cross-account-roles', 'cdk-cross-account-roles', '0.0.0', 'cdk-cross-account-roles-0.0.0-sources.jar'),
      /\/package-info\.java$/),
    // Javadoc: each block is <blockquote><pre>; a translated one imports Java packages, an untranslated one TypeScript modules.
    translatedBlock: /<blockquote><pre>\n \* import [a-z]+\.[a-z]/g,
    typescriptBlock: /import \{[^}]*\} from /g,
    badAccountTestPassed: () => surefirePassed('BadAccountTest', 1),
    explainTestPassed: () => surefirePassed('ExplainTest', 2),
    synth: () => synth(JAVA_DIR),
    pluginsNotInThisApp: {
      names: ['cdk-validator-cfnguard'],
      reason: '@cdklabs/cdk-validator-cfnguard is not published to Maven Central',
    },
  },
  {
    name: 'Go',
    dir: GO_DIR,
    missing: () => !which('go') ? 'go is not on PATH'
      : !fs.existsSync(path.join(ROOT, 'dist', 'go', 'cdkcrossaccountroles', 'go.mod')) ? 'dist/go has no module: run `npx projen package:go`' : undefined,
    build: () => run('go', ['test', '-v', '-count=1', './...'], GO_DIR),
    packageReadme: () => fs.readFileSync(path.join(ROOT, 'dist', 'go', 'cdkcrossaccountroles', 'README.md'), 'utf-8'),
    translatedBlock: /^```go$/gm,
    typescriptBlock: /^```(ts|typescript)$/gm,
    badAccountTestPassed: build => /--- PASS: TestAShortAccountIdPanicsWithTheLibraryMessage/.test(build.output),
    explainTestPassed: build => /--- PASS: TestExplainTheSharedReports/.test(build.output),
    synth: () => synth(GO_DIR),
    pluginsNotInThisApp: {
      names: ['AwsSolutions', 'cdk-validator-cfnguard'],
      reason: 'cdk-nag v3 is not on the Go module proxy; @cdklabs/cdk-validator-cfnguard is not published for Go',
    },
  },
];

/** One file of a zip archive (a wheel, a jar), read with the Python every Python build has anyway. */
function readZipEntry(archive: string, entry: RegExp): string {
  return execFileSync('python3', ['-c', [
    'import re, sys, zipfile',
    'z = zipfile.ZipFile(sys.argv[1])',
    'name = next(n for n in z.namelist() if re.search(sys.argv[2], n))',
    'sys.stdout.write(z.read(name).decode("utf-8"))',
  ].join('\n'), archive, entry.source], { encoding: 'utf-8', maxBuffer: 64 * 1024 * 1024 });
}

/** The stack templates of a cloud assembly, by file name. */
function templates(assembly: string): Record<string, any> {
  return Object.fromEntries(fs.readdirSync(assembly)
    .filter(f => f.endsWith('.template.json'))
    .map(f => [f, JSON.parse(fs.readFileSync(path.join(assembly, f), 'utf-8'))]));
}

/** JSON with every object's keys sorted. */
function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (value && typeof value === 'object') {
    return Object.fromEntries(Object.keys(value).sort().map(k => [k, sortKeys((value as Record<string, unknown>)[k])]));
  }
  return value;
}

/**
 * The entries of a CDKMetadata `Analytics` value ("v2:deflate64:" + gzip of a
 * prefix-encoded list such as `2.262.0!aws-cdk-lib.{Stack,aws_iam.Role}`).
 */
function analyticsEntries(analytics: string): string[] {
  const [version, encoding, data] = analytics.split(':');
  if (version !== 'v2' || encoding !== 'deflate64') throw new Error(`unknown analytics format: ${analytics}`);
  const text = zlib.gunzipSync(Buffer.from(data, 'base64')).toString('utf-8');
  const entries: string[] = [];
  let i = 0;
  const parse = (prefix: string): void => {
    let token = '';
    while (i < text.length) {
      const c = text[i++];
      if (c === '{') {
        parse(prefix + token);
        token = '';
      } else if (c === ',' || c === '}') {
        if (token) entries.push(prefix + token);
        token = '';
        if (c === '}') return;
      } else {
        token += c;
      }
    }
    if (token) entries.push(prefix + token);
  };
  parse('');
  return entries.sort();
}

/** The analytics entry of a validation plugin: `0.0.0!policyValidation.<name>` then `.<rule ids>` if it lists them. */
function pluginEntry(name: string): RegExp {
  return new RegExp(`!policyValidation\\.${name.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}(\\.|$)`);
}

/** The jsii runtime entry (`node.js/v20.1.0!jsii-runtime.Runtime`, `Python/3.11.7!...`) names the language. */
const RUNTIME_ENTRY = /^[^!]*!jsii-runtime\.Runtime$/;

/**
 * A template with the language named nowhere: the CDKMetadata analytics as
 * its sorted entries, the runtime entry's version (the language) blanked,
 * and the entries this app cannot have dropped.
 */
function comparable(template: any, plugins: string[] = []): unknown {
  const dropped = (entry: string) => plugins.some(name => pluginEntry(name).test(entry));
  const copy = JSON.parse(JSON.stringify(template));
  for (const resource of Object.values<any>(copy.Resources ?? {})) {
    if (resource.Type === 'AWS::CDK::Metadata' && resource.Properties?.Analytics) {
      resource.Properties.Analytics = analyticsEntries(resource.Properties.Analytics)
        .map(e => RUNTIME_ENTRY.test(e) ? '<language>!jsii-runtime.Runtime' : e)
        .filter(e => !dropped(e));
    }
  }
  return sortKeys(copy);
}

/**
 * The TypeScript app as an npm user runs it: examples/app.ts and example-app.ts importing
 * 'cdk-cross-account-roles', the package jsii compiled into lib/, like the other languages' apps
 * use the packages jsii-pacmak built. (Run from src/ with ts-node instead, the library's classes
 * carry no jsii type information, and aws-cdk-lib's analytics would name their nearest aws-cdk-lib
 * base class, e.g. `aws-cdk-lib.Resource` for CrossAccountRole, which no user's template has.)
 */
const TS_DIR = path.join(ROOT, 'node_modules', '.cache', 'languages', 'typescript');
const TS_OUT = path.join(TS_DIR, 'cdk.out');

function typescriptApp(): Promise<Run> {
  if (!fs.existsSync(path.join(ROOT, 'lib', 'index.js'))) {
    return Promise.resolve({ ok: false, output: 'lib/index.js is missing: run `npx projen compile`', seconds: 0 });
  }
  fs.rmSync(TS_DIR, { recursive: true, force: true });
  fs.mkdirSync(path.join(TS_DIR, 'node_modules'), { recursive: true });
  fs.symlinkSync(ROOT, path.join(TS_DIR, 'node_modules', 'cdk-cross-account-roles'), 'dir');
  for (const file of ['app.ts', 'example-app.ts']) {
    const source = fs.readFileSync(path.join(EXAMPLES, file), 'utf-8');
    fs.writeFileSync(path.join(TS_DIR, file), source.replace(/from '\.\.\/src'/g, 'from \'cdk-cross-account-roles\''));
  }
  const cdkJson = JSON.parse(fs.readFileSync(path.join(ROOT, 'cdk.json'), 'utf-8'));
  const tsNode = path.join(ROOT, 'node_modules', '.bin', 'ts-node');
  cdkJson.app = `${tsNode} -P ${path.join(ROOT, 'tsconfig.dev.json')} --transpile-only --skipIgnore app.ts`;
  fs.writeFileSync(path.join(TS_DIR, 'cdk.json'), JSON.stringify(cdkJson, undefined, 2));
  return synth(TS_DIR);
}
let typescript: Promise<Run> | undefined;
const results = new Map<string, Promise<{ build: Run; synth?: Run }>>();

/** Everything runs at once: the builds wait on the network and on Maven, npm and Go as much as on the CPU. */
function start() {
  typescript ??= typescriptApp();
  for (const language of LANGUAGES) {
    if (language.missing() || results.has(language.name)) continue;
    results.set(language.name, language.build().then(async build => ({ build, synth: build.ok ? await language.synth() : undefined })));
  }
}

function outcome(language: Language): Promise<{ build: Run; synth?: Run }> {
  const result = results.get(language.name);
  if (!result) throw new Error(`${language.name} was not built: ${language.missing()}`);
  return result;
}

function show(result: Run | undefined): string {
  return result ? `(${result.seconds.toFixed(0)} s)\n${result.output.slice(-6000)}` : '(not run: the build failed)';
}

/** Fails with the command's output when it did not succeed. */
function expectSuccess(what: string, result: Run | undefined): void {
  if (!result?.ok) throw new Error(`${what} failed ${show(result)}`);
}

test('the example apps use the TypeScript app\'s aws-cdk-lib, validation plugins and cdk.json context', () => {
  // GIVEN what the TypeScript app is built with
  const lock = JSON.parse(fs.readFileSync(path.join(ROOT, 'package-lock.json'), 'utf-8'));
  const cdkVersion = lock.packages['node_modules/aws-cdk-lib'].version;
  const nagVersion = lock.packages['node_modules/cdk-nag'].version;
  const guardVersion = lock.packages['node_modules/@cdklabs/cdk-validator-cfnguard'].version;
  const context = JSON.parse(fs.readFileSync(path.join(ROOT, 'cdk.json'), 'utf-8')).context;

  // WHEN each language pins its own
  const requirements = fs.readFileSync(path.join(PYTHON_DIR, 'requirements.txt'), 'utf-8');
  const pom = fs.readFileSync(path.join(JAVA_DIR, 'pom.xml'), 'utf-8');
  const goMod = fs.readFileSync(path.join(GO_DIR, 'go.mod'), 'utf-8');

  // THEN they are the same versions
  expect(requirements).toContain(`aws-cdk-lib==${cdkVersion}\n`);
  expect(requirements).toContain(`cdk-nag==${nagVersion}\n`);
  expect(requirements).toContain(`cdklabs.cdk-validator-cfnguard==${guardVersion}\n`);
  expect(pom).toContain(`<cdk.version>${cdkVersion}</cdk.version>`);
  expect(pom).toContain(`<cdknag.version>${nagVersion}</cdknag.version>`);
  expect(goMod).toContain(`github.com/aws/aws-cdk-go/awscdk/v2 v${cdkVersion}\n`);
  // ... and every app synthesizes with the same feature flags
  for (const language of LANGUAGES) {
    expect([language.name, JSON.parse(fs.readFileSync(path.join(language.dir, 'cdk.json'), 'utf-8')).context]).toEqual([language.name, context]);
  }
});

test('the analytics decoder reads what aws-cdk-lib writes', () => {
  // GIVEN a stack synthesized with version reporting on, as the cdk CLI turns it on
  const app = new App({ analyticsReporting: true });
  new iam.Role(new Stack(app, 'Stack', { env: { account: '111111111111', region: 'eu-west-1' } }), 'Role', { assumedBy: new iam.AccountPrincipal('222222222222') });
  const template = app.synth().getStackByName('Stack').template;

  // WHEN
  const entries = analyticsEntries(template.Resources.CDKMetadata.Properties.Analytics);

  // THEN
  expect(entries).toEqual(expect.arrayContaining([expect.stringMatching(/!aws-cdk-lib\.Stack$/), expect.stringMatching(/!aws-cdk-lib\.aws_iam\.Role$/)]));
  expect(entries.filter(e => RUNTIME_ENTRY.test(e))).toEqual([`node.js/${process.version}!jsii-runtime.Runtime`]);
});

describe.each(LANGUAGES)('$name', (language) => {
  const missing = language.missing();

  if (missing && !IN_CI) {
    test.skip(`(skipped: ${missing})`, () => undefined);
    return;
  }

  beforeAll(() => start());

  test(`the ${language.name} package is built and its toolchain is here`, () => {
    // CI builds every package before jest (.ci/run): a missing one is a failure there.
    expect(missing).toBeUndefined();
  });

  test('synthesizes every stack of the TypeScript app, with identical templates but for the metadata naming the language', async () => {
    // GIVEN both apps synthesized with the real cdk CLI
    const ts = await typescript!;
    expectSuccess('the TypeScript app\'s cdk synth', ts);
    const { build, synth: synthesized } = await outcome(language);
    expectSuccess(`the ${language.name} build`, build);
    expectSuccess(`the ${language.name} app's cdk synth`, synthesized);

    // WHEN
    const expected = templates(TS_OUT);
    const actual = templates(path.join(language.dir, 'cdk.out'));

    // THEN the same stacks ...
    expect(Object.keys(actual).sort()).toEqual(Object.keys(expected).sort());
    expect(Object.keys(expected).length).toBeGreaterThanOrEqual(4);
    // ... and the same templates
    for (const file of Object.keys(expected)) {
      expect([file, comparable(actual[file])]).toEqual([file, comparable(expected[file], language.pluginsNotInThisApp?.names)]);
    }
    // ... (the plugins this app cannot add are in the TypeScript app's, so they are what is left out)
    const expectedEntries = Object.values(expected).flatMap(t => Object.values<any>(t.Resources))
      .filter(r => r.Type === 'AWS::CDK::Metadata')
      .flatMap(r => analyticsEntries(r.Properties.Analytics));
    for (const name of language.pluginsNotInThisApp?.names ?? []) {
      expect([name, expectedEntries.some(e => pluginEntry(name).test(e))]).toEqual([name, true]);
    }
    // ... which do record the language that synthesized them
    const runtimes = Object.values(actual).flatMap(t => Object.values<any>(t.Resources))
      .filter(r => r.Type === 'AWS::CDK::Metadata')
      .flatMap(r => analyticsEntries(r.Properties.Analytics).filter(e => RUNTIME_ENTRY.test(e)));
    expect(runtimes.length).toBeGreaterThan(0);
    expect(runtimes.every(e => e.toLowerCase().startsWith(language.name.toLowerCase()))).toBe(true);
  }, TIMEOUT);

  test(`the ${language.name} package shows every TypeScript example of the README translated by jsii-rosetta`, () => {
    // GIVEN the README's TypeScript blocks (every one translates: \`npx projen rosetta:extract\` is strict)
    const readme = fs.readFileSync(path.join(ROOT, 'README.md'), 'utf-8');
    const blocks = readme.match(/^```ts$/gm)?.length ?? 0;

    // WHEN
    const packageReadme = language.packageReadme();

    // THEN each is there in the package's language, and none is left in TypeScript
    expect(blocks).toBeGreaterThanOrEqual(5);
    expect(packageReadme.match(language.translatedBlock)?.length ?? 0).toBe(blocks);
    expect(packageReadme.match(language.typescriptBlock) ?? []).toEqual([]);
  });

  test(`a bad account ID raises the ${language.name} exception with the library's message (${path.relative(ROOT, language.dir)}'s own test)`, async () => {
    // GIVEN / WHEN the language's own test, run by the build
    const { build } = await outcome(language);

    // THEN
    expectSuccess(`the ${language.name} build`, build);
    if (!language.badAccountTestPassed(build)) throw new Error(`the ${language.name} bad-account test did not run and pass ${show(build)}`);
  }, TIMEOUT);

  test(`AccessExplainer answers from ${language.name}: the example app's reader reads the shared reports, a third account is refused (${path.relative(ROOT, language.dir)}'s own test)`, async () => {
    // GIVEN / WHEN the language's own test, run by the build
    const { build } = await outcome(language);

    // THEN
    expectSuccess(`the ${language.name} build`, build);
    if (!language.explainTestPassed(build)) throw new Error(`the ${language.name} explain test did not run and pass ${show(build)}`);
  }, TIMEOUT);
});
