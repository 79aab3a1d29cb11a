import * as fs from 'fs';
import * as path from 'path';
import * as ts from 'typescript';

/**
 * Every TypeScript example in the README must compile against the library as
 * it is: an example that does not compile is a broken promise to a user.
 */
const README = fs.readFileSync(path.join(__dirname, '..', 'README.md'), 'utf-8');
const EXAMPLES = Array.from(README.matchAll(/```ts\n([\s\S]*?)```/g), m => m[1]);
const ROOT = path.join(__dirname, '..');

test('the README has TypeScript examples', () => {
  expect(EXAMPLES.length).toBeGreaterThanOrEqual(5);
});

test('every README example compiles against the library', () => {
  // GIVEN each example as a module importing the library's source
  // (inside node_modules/.cache, so that module resolution finds aws-cdk-lib as a user's project would)
  const cache = path.join(ROOT, 'node_modules', '.cache');
  fs.mkdirSync(cache, { recursive: true });
  const dir = fs.mkdtempSync(path.join(cache, 'readme-examples-'));
  const files = EXAMPLES.map((code, i) => {
    const file = path.join(dir, `example${i}.ts`);
    fs.writeFileSync(file, code.replace(/from 'cdk-cross-account-roles'/g, `from ${JSON.stringify(path.join(ROOT, 'src'))}`));
    return file;
  });

  // WHEN compiled with the project's strict settings
  const program = ts.createProgram(files, {
    strict: true,
    noEmit: true,
    target: ts.ScriptTarget.ES2022,
    module: ts.ModuleKind.Node16,
    moduleResolution: ts.ModuleResolutionKind.Node16,
    esModuleInterop: true,
    skipLibCheck: true,
    types: ['node'],
    typeRoots: [path.join(ROOT, 'node_modules', '@types')],
  });
  const diagnostics = ts.getPreEmitDiagnostics(program).map(d => {
    const where = d.file ? `${path.basename(d.file.fileName)}:${d.file.getLineAndCharacterOfPosition(d.start ?? 0).line + 1}` : '';
    return `${where} ${ts.flattenDiagnosticMessageText(d.messageText, '\n')}`;
  });

  fs.rmSync(dir, { recursive: true, force: true });

  // THEN
  expect(diagnostics).toEqual([]);
});
