import * as fs from 'fs';
import * as path from 'path';
import * as cdk from 'aws-cdk-lib';
import * as ts from 'typescript';
import * as library from '../src';

/**
 * Every TypeScript block of the README is compiled with the project's own
 * compiler settings and then run, and every app it creates is synthesized:
 * an example that does not compile, or does not synthesize, is a broken
 * promise to a user.
 *
 * - Compiled: all blocks in one program, with the compiler options of
 *   tsconfig.dev.json (strict, noUnusedLocals, noUnusedParameters ...), each
 *   block a module of its own in which `cdk-cross-account-roles` is the
 *   library's source.
 * - Run: each block is transpiled to CommonJS and run in this process, with
 *   `cdk-cross-account-roles` resolved to the library's source and
 *   aws-cdk-lib's `App` replaced by a subclass that records every app the
 *   block creates. After the block, each recorded app is synthesized (a
 *   block's own `app.synth()` is the same synthesis), and every stack in it
 *   must be in the cloud assembly, with no error annotation.
 * - A block that creates no `App` (no `new App(`) is wrapped: two
 *   exported constants are put before its code, `app` (an App) and `stack` (a
 *   Stack in account 111111111111, eu-west-1), so the block may use them as
 *   if the README had shown their declarations.
 */
const ROOT = path.join(__dirname, '..');
const README = fs.readFileSync(path.join(ROOT, 'README.md'), 'utf-8');
const LIBRARY = path.join(ROOT, 'src');

/** The code put before a block that creates no App (see above). */
const WRAPPER = [
  "import { App as ReadmeApp, Stack as ReadmeStack } from 'aws-cdk-lib';",
  'export const app = new ReadmeApp();',
  "export const stack = new ReadmeStack(app, 'ReadmeStack', { env: { account: '111111111111', region: 'eu-west-1' } });",
  '',
].join('\n');

interface Block {
  /** The line of the README where the block's code starts. */
  readonly line: number;
  /** The block's code as a module: the library imported from its source, wrapped when it creates no App. */
  readonly code: string;
  readonly wrapped: boolean;
}

/** The TypeScript blocks of a Markdown text. */
function blocksOf(text: string): Block[] {
  return Array.from(text.matchAll(/```ts\n([\s\S]*?)```/g), match => {
    const line = text.slice(0, match.index).split('\n').length + 1;
    const source = match[1].replace(/from 'cdk-cross-account-roles'/g, `from ${JSON.stringify(LIBRARY)}`);
    const wrapped = !/\bnew App\(/.test(source);
    return { line, code: wrapped ? `${WRAPPER}${source}` : source, wrapped };
  });
}

const BLOCKS: Block[] = blocksOf(README);

/** The guides in docs/, whose TypeScript blocks are held to the README's standard. */
const DOCS = path.join(ROOT, 'docs');
const GUIDE_BLOCKS: Array<{ readonly guide: string; readonly block: Block }> = (fs.existsSync(DOCS) ? fs.readdirSync(DOCS) : [])
  .filter(file => file.endsWith('.md'))
  .sort()
  .flatMap(file => blocksOf(fs.readFileSync(path.join(DOCS, file), 'utf-8')).map(block => ({ guide: `docs/${file}`, block })));

/** The compiler options of the project's tsconfig.dev.json (those the tests and examples are compiled with). */
function projectCompilerOptions(): ts.CompilerOptions {
  const parsed = ts.getParsedCommandLineOfConfigFile(path.join(ROOT, 'tsconfig.dev.json'), {}, {
    ...ts.sys,
    onUnRecoverableConfigFileDiagnostic: d => { throw new Error(ts.flattenDiagnosticMessageText(d.messageText, '\n')); },
  });
  if (!parsed) { throw new Error('tsconfig.dev.json could not be read'); }
  return { ...parsed.options, noEmit: true };
}

/** Compiles every block in one program; the diagnostics of each block, by index. */
function compileBlocks(blocks: Block[] = BLOCKS): string[][] {
  // Inside the project (node_modules/.cache), so that modules resolve as in a user's project.
  const cache = path.join(ROOT, 'node_modules', '.cache');
  fs.mkdirSync(cache, { recursive: true });
  const dir = fs.mkdtempSync(path.join(cache, 'readme-examples-'));
  try {
    const files = blocks.map((block, i) => {
      const file = path.join(dir, `example${i}.ts`);
      fs.writeFileSync(file, block.code);
      return file;
    });
    const options = projectCompilerOptions();
    const program = ts.createProgram(files, { ...options, rootDir: ROOT });
    return files.map(file => ts.getPreEmitDiagnostics(program, program.getSourceFile(file)).map(d => {
      const where = d.file ? `${path.basename(d.file.fileName)}:${d.file.getLineAndCharacterOfPosition(d.start ?? 0).line + 1}` : '';
      return `${where} ${ts.flattenDiagnosticMessageText(d.messageText, '\n')}`;
    }));
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

/** Runs a block in this process and returns the apps it created. */
function runBlock(block: Block): cdk.App[] {
  const apps: cdk.App[] = [];
  class RecordingApp extends cdk.App {
    constructor(props?: cdk.AppProps) {
      super(props);
      apps.push(this);
    }
  }
  const cdkWithRecordingApp = new Proxy(cdk, { get: (target, key) => key === 'App' ? RecordingApp : Reflect.get(target, key) });
  const requireForBlock = (id: string): unknown => {
    if (id === 'aws-cdk-lib') { return cdkWithRecordingApp; }
    if (id === LIBRARY) { return library; }
    return jest.requireActual<object>(id);
  };
  const js = ts.transpileModule(block.code, {
    compilerOptions: { module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2022, esModuleInterop: true },
  }).outputText;
  const module = { exports: {} };
  new Function('require', 'module', 'exports', js)(requireForBlock, module, module.exports);
  return apps;
}

test('the README has TypeScript examples', () => {
  expect(BLOCKS.length).toBeGreaterThanOrEqual(10);
});

describe('every README example compiles with the project\'s settings', () => {
  let diagnostics: string[][];
  beforeAll(() => {
    diagnostics = compileBlocks();
  });

  test.each(BLOCKS.map((block, i) => [block.line, i] as const))('the example at README line %i compiles', (_line, i) => {
    expect(diagnostics[i]).toEqual([]);
  });

  test('the settings are the strict ones: noUnusedLocals is on', () => {
    const options = projectCompilerOptions();
    expect([options.strict, options.noUnusedLocals, options.noUnusedParameters]).toEqual([true, true, true]);
  });
});

describe('every README example synthesizes', () => {
  let log: jest.SpyInstance;
  beforeEach(() => { log = jest.spyOn(console, 'log').mockImplementation(() => undefined); });
  afterEach(() => log.mockRestore());

  test.each(BLOCKS.map(block => [block.line, block] as const))('the example at README line %i runs and synthesizes every stack it declares', (_line, block) => {
    // GIVEN / WHEN the block runs, and its apps synthesize
    const apps = runBlock(block);
    const assemblies = apps.map(app => app.synth());

    // THEN
    expect(apps.length).toBeGreaterThanOrEqual(1);
    apps.forEach((app, i) => {
      const declared = app.node.findAll().filter(c => cdk.Stack.isStack(c) && cdk.Stage.of(c) === app);
      const synthesized = assemblies[i].stacks;
      expect(synthesized.map(s => s.hierarchicalId).sort()).toEqual(declared.map(s => s.node.path).sort());
      const errors = synthesized.flatMap(s => s.messages).filter(m => m.level === 'error');
      expect(errors).toEqual([]);
    });
  });

  test('a block that creates no App runs with the documented app and stack', () => {
    // GIVEN
    const block: Block = {
      line: 0,
      wrapped: true,
      code: `${WRAPPER}import * as iam from 'aws-cdk-lib/aws-iam';\nnew iam.Role(stack, 'R', { assumedBy: new iam.AccountPrincipal('222222222222') });\n`,
    };

    // WHEN
    const [app] = runBlock(block);

    // THEN
    const template = app.synth().getStackByName('ReadmeStack').template;
    expect(Object.values<{ Type: string }>(template.Resources).map(r => r.Type)).toContain('AWS::IAM::Role');
  });
});

describe('every guide example (docs/*.md) compiles and synthesizes, as the README\'s do', () => {
  let diagnostics: string[][];
  beforeAll(() => {
    diagnostics = compileBlocks(GUIDE_BLOCKS.map(g => g.block));
  });

  test('the guides have TypeScript examples', () => {
    expect(GUIDE_BLOCKS.length).toBeGreaterThanOrEqual(3);
  });

  test.each(GUIDE_BLOCKS.map((g, i) => [g.guide, g.block.line, i] as const))('the example of %s at line %i compiles', (_guide, _line, i) => {
    expect(diagnostics[i]).toEqual([]);
  });

  test.each(GUIDE_BLOCKS.map(g => [g.guide, g.block.line, g.block] as const))('the example of %s at line %i runs and synthesizes every stack it declares', (_guide, _line, block) => {
    // GIVEN / WHEN
    const log = jest.spyOn(console, 'log').mockImplementation(() => undefined);
    const apps = runBlock(block);
    const assemblies = apps.map(app => app.synth());
    log.mockRestore();

    // THEN
    expect(apps.length).toBeGreaterThanOrEqual(1);
    apps.forEach((app, i) => {
      const declared = app.node.findAll().filter(c => cdk.Stack.isStack(c) && cdk.Stage.of(c) === app);
      expect(assemblies[i].stacks.map(s => s.hierarchicalId).sort()).toEqual(declared.map(s => s.node.path).sort());
      expect(assemblies[i].stacks.flatMap(s => s.messages).filter(m => m.level === 'error')).toEqual([]);
    });
  });
});

describe('the access map pasted in the README', () => {
  test('is what its example app writes: the Mermaid diagram and the table rows, to the character', () => {
    // GIVEN the example before the pasted map, and the pasted map
    const pastedAt = README.indexOf('`cdk.out/cross-account-access.md` is, pasted');
    expect(pastedAt).toBeGreaterThan(0);
    const block = BLOCKS.filter(b => README.split('\n').slice(0, b.line).join('\n').length < pastedAt).pop()!;
    const pasted = README.slice(pastedAt);
    const mermaid = /```mermaid\n([\s\S]*?)```/.exec(pasted)![1];
    const tableLines = pasted.slice(pasted.indexOf('| Role |')).split('\n');
    const rows = tableLines.slice(2, tableLines.findIndex(line => !line.startsWith('|')));

    // WHEN the example runs
    const log = jest.spyOn(console, 'log').mockImplementation(() => undefined);
    const [app] = runBlock(block);
    const assembly = app.synth();
    log.mockRestore();
    const written = fs.readFileSync(path.join(assembly.directory, 'cross-account-access.md'), 'utf-8');

    // THEN
    expect(rows.length).toBeGreaterThanOrEqual(3);
    expect(written).toContain(`\`\`\`mermaid\n${mermaid}\`\`\``);
    for (const row of rows) { expect(written.split('\n')).toContain(row); }
  });
});

describe('the archive rules pasted in the README', () => {
  test('are what its CrossAccountAccessAnalyzer example synthesizes', () => {
    // GIVEN the analyzer example, and the rules pasted after it
    const pastedAt = README.indexOf('The archive rules it writes');
    expect(pastedAt).toBeGreaterThan(0);
    const block = BLOCKS.filter(b => README.split('\n').slice(0, b.line).join('\n').length < pastedAt).pop()!;
    const pasted = JSON.parse(`{${/```json\n([\s\S]*?)```/.exec(README.slice(pastedAt))![1]}}`);

    // WHEN the example runs
    const [app] = runBlock(block);
    const template = app.synth().getStackByName('Security').template;

    // THEN
    const analyzers = Object.values<{ Type: string; Properties: { ArchiveRules: unknown } }>(template.Resources)
      .filter(r => r.Type === 'AWS::AccessAnalyzer::Analyzer');
    expect(analyzers).toHaveLength(1);
    expect(pasted.ArchiveRules.length).toBeGreaterThanOrEqual(2);
    expect(analyzers[0].Properties.ArchiveRules).toEqual(pasted.ArchiveRules);
  });
});

describe('the control policies pasted in the README', () => {
  test('are the RCP and the SCP its OrganizationTrustPerimeter example synthesizes', () => {
    // GIVEN the perimeter example, and the two policies pasted after it
    const pastedAt = README.indexOf('exceptions; `thirdPartyAccounts` adds more. The RCP this writes');
    expect(pastedAt).toBeGreaterThan(0);
    const block = BLOCKS.filter(b => README.split('\n').slice(0, b.line).join('\n').length < pastedAt).pop()!;
    const [rcp, scp] = Array.from(README.slice(pastedAt).matchAll(/```json\n([\s\S]*?)```/g)).slice(0, 2).map(m => JSON.parse(m[1]));

    // WHEN the example runs
    const [app] = runBlock(block);
    const template = app.synth().getStackByName('OrganizationPerimeter').template;

    // THEN
    const policies = Object.values<{ Type: string; Properties: { Type: string; Content: unknown } }>(template.Resources)
      .filter(r => r.Type === 'AWS::Organizations::Policy');
    expect(policies.map(p => p.Properties.Type).sort()).toEqual(['RESOURCE_CONTROL_POLICY', 'SERVICE_CONTROL_POLICY']);
    expect(policies.find(p => p.Properties.Type === 'RESOURCE_CONTROL_POLICY')!.Properties.Content).toEqual(rcp);
    expect(policies.find(p => p.Properties.Type === 'SERVICE_CONTROL_POLICY')!.Properties.Content).toEqual(scp);
  });
});
