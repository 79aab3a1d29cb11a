import * as fs from 'fs';
import * as path from 'path';
import * as cdk from 'aws-cdk-lib';
import * as ts from 'typescript';
import * as library from '../src';

/**
 * Every TypeScript block of the README and of the guides in docs/ is compiled with the project's own
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
const LIBRARY = path.join(ROOT, 'src');
/** The README and every guide, by path from the root: the documents whose examples are checked. */
const DOCUMENTS: ReadonlyArray<readonly [string, string]> = [
  'README.md',
  ...fs.readdirSync(path.join(ROOT, 'docs')).filter(name => name.endsWith('.md')).sort().map(name => `docs/${name}`),
].map(file => [file, fs.readFileSync(path.join(ROOT, file), 'utf-8')] as const);

/** The code put before a block that creates no App (see above). */
const WRAPPER = [
  "import { App as ReadmeApp, Stack as ReadmeStack } from 'aws-cdk-lib';",
  'export const app = new ReadmeApp();',
  "export const stack = new ReadmeStack(app, 'ReadmeStack', { env: { account: '111111111111', region: 'eu-west-1' } });",
  '',
].join('\n');

interface Block {
  /** The document the block is in, e.g. `README.md` or `docs/use-cases.md`. */
  readonly file: string;
  /** The line of the document where the block's code starts. */
  readonly line: number;
  /** The block's code as a module: the library imported from its source, wrapped when it creates no App. */
  readonly code: string;
  readonly wrapped: boolean;
}

const BLOCKS: Block[] = DOCUMENTS.flatMap(([file, text]) => Array.from(text.matchAll(/```ts\n([\s\S]*?)```/g), match => {
  const line = text.slice(0, match.index).split('\n').length + 1;
  const source = match[1].replace(/from 'cdk-cross-account-roles'/g, `from ${JSON.stringify(LIBRARY)}`);
  const wrapped = !/\bnew App\(/.test(source);
  return { file, line, code: wrapped ? `${WRAPPER}${source}` : source, wrapped };
}));

/** The text of the one document that contains `phrase`, and where. */
function documentWith(phrase: string): { text: string; at: number; blocksBefore: Block[] } {
  const found = DOCUMENTS.filter(([, text]) => text.includes(phrase));
  expect(found.map(([file]) => file)).toHaveLength(1);
  const [file, text] = found[0];
  const at = text.indexOf(phrase);
  const lineOfPhrase = text.slice(0, at).split('\n').length;
  return { text, at, blocksBefore: BLOCKS.filter(b => b.file === file && b.line < lineOfPhrase) };
}

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
function compileBlocks(): string[][] {
  // Inside the project (node_modules/.cache), so that modules resolve as in a user's project.
  const cache = path.join(ROOT, 'node_modules', '.cache');
  fs.mkdirSync(cache, { recursive: true });
  const dir = fs.mkdtempSync(path.join(cache, 'readme-examples-'));
  try {
    const files = BLOCKS.map((block, i) => {
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

test('the README and the guides have TypeScript examples', () => {
  expect(BLOCKS.filter(b => b.file === 'README.md').length).toBeGreaterThanOrEqual(6);
  expect(BLOCKS.length).toBeGreaterThanOrEqual(25);
});

describe('every example of the README and the guides compiles with the project\'s settings', () => {
  let diagnostics: string[][];
  beforeAll(() => {
    diagnostics = compileBlocks();
  });

  test.each(BLOCKS.map((block, i) => [block.file, block.line, i] as const))('the example of %s at line %i compiles', (_file, _line, i) => {
    expect(diagnostics[i]).toEqual([]);
  });

  test('the settings are the strict ones: noUnusedLocals is on', () => {
    const options = projectCompilerOptions();
    expect([options.strict, options.noUnusedLocals, options.noUnusedParameters]).toEqual([true, true, true]);
  });
});

describe('every example of the README and the guides synthesizes', () => {
  let log: jest.SpyInstance;
  beforeEach(() => { log = jest.spyOn(console, 'log').mockImplementation(() => undefined); });
  afterEach(() => log.mockRestore());

  test.each(BLOCKS.map(block => [block.file, block.line, block] as const))('the example of %s at line %i runs and synthesizes every stack it declares', (_file, _line, block) => {
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
      file: 'test',
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

describe('the access map pasted in the guides', () => {
  test('is what its example app writes: the Mermaid diagram and the table rows, to the character', () => {
    // GIVEN the example before the pasted map, and the pasted map
    const doc = documentWith('`cdk.out/cross-account-access.md` is, pasted');
    const block = doc.blocksBefore.pop()!;
    const pasted = doc.text.slice(doc.at);
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

describe('the archive rules pasted in the guides', () => {
  test('are what its CrossAccountAccessAnalyzer example synthesizes', () => {
    // GIVEN the analyzer example, and the rules pasted after it
    const doc = documentWith('The archive rules it writes');
    const block = doc.blocksBefore.pop()!;
    const pasted = JSON.parse(`{${/```json\n([\s\S]*?)```/.exec(doc.text.slice(doc.at))![1]}}`);

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

describe('the control policies pasted in the guides', () => {
  test('are the RCP and the SCP its OrganizationTrustPerimeter example synthesizes', () => {
    // GIVEN the perimeter example, and the two policies pasted after it
    const doc = documentWith('exceptions; `thirdPartyAccounts` adds more. The RCP this writes');
    const block = doc.blocksBefore.pop()!;
    const [rcp, scp] = Array.from(doc.text.slice(doc.at).matchAll(/```json\n([\s\S]*?)```/g)).slice(0, 2).map(m => JSON.parse(m[1]));

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

/**
 * The anchor GitHub gives a heading: lowercased, punctuation but hyphens and
 * underscores dropped, spaces made hyphens; a repeated heading gets -1, -2 ...
 */
function anchorsOf(text: string): Set<string> {
  const anchors = new Set<string>();
  const seen = new Map<string, number>();
  let fenced = false;
  for (const line of text.split('\n')) {
    if (line.startsWith('```')) { fenced = !fenced; continue; }
    const heading = fenced ? null : /^#{1,6} (.*)$/.exec(line);
    if (!heading) { continue; }
    const base = heading[1].toLowerCase().replace(/<[^>]*>/g, '').replace(/[^\p{L}\p{N}\s_-]/gu, '').replace(/ /g, '-');
    const count = seen.get(base) ?? 0;
    seen.set(base, count + 1);
    anchors.add(count === 0 ? base : `${base}-${count}`);
  }
  return anchors;
}

describe('links between the documents', () => {
  /** Every relative link of every document, with the file and anchor it points to. */
  const links = DOCUMENTS.flatMap(([file, text]) => {
    const prose = text.replace(/```[\s\S]*?```/g, block => block.replace(/[^\n]/g, ' '));
    return Array.from(prose.matchAll(/\]\(([^)\s]+)\)/g), m => m[1])
      .filter(target => !/^[a-z]+:/.test(target))
      .map(target => {
        const [pathPart, anchor] = target.split('#');
        const resolved = pathPart === '' ? file : path.posix.normalize(path.posix.join(path.posix.dirname(file), pathPart));
        return { file, target, resolved, anchor };
      });
  });

  test('the README links to every guide', () => {
    const guides = DOCUMENTS.map(([file]) => file).filter(file => file.startsWith('docs/'));
    expect(guides.length).toBeGreaterThanOrEqual(8);
    const fromReadme = new Set(links.filter(l => l.file === 'README.md').map(l => l.resolved));
    expect(guides.filter(guide => !fromReadme.has(guide))).toEqual([]);
  });

  test('every relative link points at a file that exists, and at a heading that exists in it', () => {
    // WHEN
    const broken = links.filter(link => {
      const full = path.join(ROOT, link.resolved);
      if (!fs.existsSync(full)) { return true; }
      if (link.anchor === undefined) { return false; }
      return !link.resolved.endsWith('.md') || !anchorsOf(fs.readFileSync(full, 'utf-8')).has(link.anchor);
    }).map(link => `${link.file}: ${link.target}`);

    // THEN
    expect(links.length).toBeGreaterThan(20);
    expect(broken).toEqual([]);
  });

  test('the anchors are GitHub\'s: lowercased, punctuation dropped, repeats numbered', () => {
    expect(Array.from(anchorsOf('# Audit any template: `cdk-cross-account-roles audit`\n## Use\n## Use\n```\n# not a heading\n```\n'))).toEqual([
      'audit-any-template-cdk-cross-account-roles-audit', 'use', 'use-1',
    ]);
  });
});
