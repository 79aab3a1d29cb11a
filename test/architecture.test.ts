import * as fs from 'fs';
import * as path from 'path';
import * as ts from 'typescript';

/**
 * The layout is part of the design (DESIGN.md decision 11): public constructs
 * flat in `src/`, private parts grouped by subsystem in `src/private/`, and no
 * import circle anywhere, type-only imports included, so that every part can
 * be read, tested and moved alone.
 */
const SRC = path.join(__dirname, '..', 'src');

function sourceFiles(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap(entry => {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) { return sourceFiles(full); }
    return entry.name.endsWith('.ts') && !entry.name.endsWith('.d.ts') ? [full] : [];
  });
}

/** The files of `src/` each file imports (`import`, `import type`, `export ... from`, `require`), resolved. */
function importGraph(files: string[]): Map<string, string[]> {
  const graph = new Map<string, string[]>();
  for (const file of files) {
    const info = ts.preProcessFile(fs.readFileSync(file, 'utf-8'), true, true);
    const targets = info.importedFiles
      .map(imported => imported.fileName)
      .filter(name => name.startsWith('.'))
      .map(name => {
        const base = path.resolve(path.dirname(file), name);
        return [`${base}.ts`, path.join(base, 'index.ts')].find(candidate => fs.existsSync(candidate));
      })
      .filter((target): target is string => target !== undefined);
    graph.set(file, targets);
  }
  return graph;
}

/** The strongly connected components of more than one file, or of one file importing itself (Tarjan). */
function circles(graph: Map<string, string[]>): string[][] {
  let index = 0;
  const indices = new Map<string, number>();
  const lowLinks = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const found: string[][] = [];
  const visit = (node: string) => {
    indices.set(node, index);
    lowLinks.set(node, index);
    index++;
    stack.push(node);
    onStack.add(node);
    for (const next of graph.get(node) ?? []) {
      if (!indices.has(next)) {
        visit(next);
        lowLinks.set(node, Math.min(lowLinks.get(node)!, lowLinks.get(next)!));
      } else if (onStack.has(next)) {
        lowLinks.set(node, Math.min(lowLinks.get(node)!, indices.get(next)!));
      }
    }
    if (lowLinks.get(node) === indices.get(node)) {
      const component: string[] = [];
      let member: string;
      do {
        member = stack.pop()!;
        onStack.delete(member);
        component.push(member);
      } while (member !== node);
      if (component.length > 1 || (graph.get(node) ?? []).includes(node)) {
        found.push(component.map(file => path.relative(SRC, file)).sort());
      }
    }
  };
  for (const node of graph.keys()) {
    if (!indices.has(node)) { visit(node); }
  }
  return found;
}

describe('the layout of src/', () => {
  const files = sourceFiles(SRC);

  test('has no import circle, type-only imports included', () => {
    // GIVEN
    const graph = importGraph(files);

    // WHEN
    const found = circles(graph);

    // THEN
    expect(graph.size).toBeGreaterThan(50);
    expect(found).toEqual([]);
  });

  test('finds a circle when there is one (the check itself works)', () => {
    // GIVEN two files that import each other, and a third that only imports
    const a = path.join(SRC, 'a.ts');
    const b = path.join(SRC, 'private', 'b.ts');
    const c = path.join(SRC, 'c.ts');
    const graph = new Map([[a, [b]], [b, [a]], [c, [a]]]);

    // WHEN / THEN
    expect(circles(graph)).toEqual([['a.ts', path.join('private', 'b.ts')]]);
  });

  test('keeps private parts in subsystem folders: the only loose file of src/private is constants.ts', () => {
    const loose = fs.readdirSync(path.join(SRC, 'private'), { withFileTypes: true }).filter(entry => entry.isFile()).map(entry => entry.name);
    expect(loose).toEqual(['constants.ts']);
  });

  test('keeps public constructs flat in src/: no public module in a folder but cli/ and private/', () => {
    const folders = fs.readdirSync(SRC, { withFileTypes: true }).filter(entry => entry.isDirectory()).map(entry => entry.name).sort();
    expect(folders).toEqual(['cli', 'private']);
  });

  test('private parts never take a public class: at most a public interface, by a type-only import', () => {
    // GIVEN every class the public modules export
    const publicModules = files.filter(file => path.dirname(file) === SRC);
    const publicClasses = new Set(publicModules.flatMap(file => Array.from(fs.readFileSync(file, 'utf-8').matchAll(/^export (?:abstract )?class (\w+)/gm), m => m[1])));

    // WHEN every import of a public module by a private part is read
    const offending = files
      .filter(file => file.startsWith(path.join(SRC, 'private') + path.sep))
      .flatMap(file => Array.from(fs.readFileSync(file, 'utf-8').matchAll(/^import (type )?\{([^}]*)\} from '([^']+)';/gm))
        .filter(m => publicModules.includes(path.resolve(path.dirname(file), `${m[3]}.ts`)))
        .flatMap(m => m[2].split(',').map(name => name.trim()).filter(name => m[1] === undefined || publicClasses.has(name))
          .map(name => `${path.relative(SRC, file)} imports ${m[1] ?? ''}${name} from ${m[3]}`)));

    // THEN
    expect(publicClasses.size).toBeGreaterThanOrEqual(8);
    expect(offending).toEqual([]);
  });

  test('the layout table of docs/development.md describes every folder of src/private in a line', () => {
    // GIVEN every folder below src/private
    const folders = (dir: string): string[] => fs.readdirSync(dir, { withFileTypes: true }).filter(e => e.isDirectory())
      .flatMap(e => [path.join(dir, e.name), ...folders(path.join(dir, e.name))]);
    const guide = fs.readFileSync(path.join(__dirname, '..', 'docs', 'development.md'), 'utf-8');

    // WHEN
    const undescribed = folders(path.join(SRC, 'private'))
      .map(folder => `src/${path.relative(SRC, folder).split(path.sep).join('/')}/`)
      .filter(folder => !new RegExp(`^\\| \`${folder.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\` \\| .+ \\|$`, 'm').test(guide));

    // THEN
    expect(undescribed).toEqual([]);
  });
});
