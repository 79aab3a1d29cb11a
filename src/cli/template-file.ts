/**
 * Reads a CloudFormation template file, JSON or YAML (CloudFormation's short
 * tags `!Ref`, `!Sub`, `!GetAtt` ... included), into template JSON, and finds
 * the line and column of any path in it.
 */
import { Document, LineCounter, Node, isAlias, isMap, isPair, isScalar, isSeq, parseDocument } from 'yaml';
import type { CollectionTag, ScalarTag } from 'yaml';

/** CloudFormation's short-form intrinsic functions (`!Name` stands for `Fn::Name`). */
const FUNCTIONS = [
  'And', 'Base64', 'Cidr', 'Equals', 'FindInMap', 'GetAtt', 'GetAZs', 'If', 'ImportValue', 'Join', 'Length',
  'Not', 'Or', 'Select', 'Split', 'Sub', 'ToJsonString', 'Transform', 'ForEach',
];
/** Short forms that stand for a key without `Fn::`. */
const PLAIN = ['Ref', 'Condition'];

/** One tag per short form and node kind: the node keeps its tag, read by `toJson`. */
const CFN_TAGS: Array<ScalarTag | CollectionTag> = [...FUNCTIONS, ...PLAIN].flatMap(name => [
  { tag: `!${name}`, resolve: (value: string) => value } as ScalarTag,
  { tag: `!${name}`, collection: 'seq' } as CollectionTag,
  { tag: `!${name}`, collection: 'map' } as CollectionTag,
]);

/** A user error in a file: printed as one line, `file:line:column: message`. */
export class InputError extends Error {
  constructor(public readonly file: string, message: string, public readonly line?: number, public readonly column?: number) {
    super(`${file}${line !== undefined ? `:${line}:${column ?? 1}` : ''}: ${message}`);
  }
}

/** A line and column, 1-based. */
export interface Position {
  readonly line: number;
  readonly column: number;
}

/** A template file, read. */
export interface TemplateFile {
  /** The file, as given or found. */
  readonly file: string;
  /** The template JSON (short tags written as their `Fn::` form). */
  readonly template: unknown;
  /** The position of the deepest node of the template on a path (`['Resources', 'Role', 'Properties', ...]`). */
  positionOf(path: string[]): Position;
}

/** Template JSON from a YAML node: short tags become their long form. */
function toJson(node: unknown, doc: Document): unknown {
  if (isAlias(node)) { return toJson(node.resolve(doc), doc); }
  let value: unknown;
  if (isMap(node)) {
    value = Object.fromEntries(node.items.map(pair => [String(toJson(pair.key, doc)), toJson(pair.value, doc)]));
  } else if (isSeq(node)) {
    value = node.items.map(item => toJson(item, doc));
  } else if (isScalar(node)) {
    value = node.value;
  } else {
    value = null;
  }
  const tag = (node as Node | undefined)?.tag;
  const name = typeof tag === 'string' && tag.startsWith('!') ? tag.slice(1) : undefined;
  if (name === undefined || (!FUNCTIONS.includes(name) && !PLAIN.includes(name))) { return value; }
  if (name === 'GetAtt' && typeof value === 'string') {
    const dot = value.indexOf('.');
    return { 'Fn::GetAtt': dot < 0 ? [value] : [value.slice(0, dot), value.slice(dot + 1)] };
  }
  return { [PLAIN.includes(name) ? name : `Fn::${name}`]: value };
}

/** The deepest node on a path, and its start offset. */
function offsetOf(doc: Document, path: string[]): number {
  let node: unknown = doc.contents;
  let offset = (doc.contents as Node | null)?.range?.[0] ?? 0;
  for (const step of path) {
    if (isAlias(node)) { node = node.resolve(doc); }
    let next: unknown;
    if (isMap(node)) {
      const pair = node.items.find(p => isPair(p) && String(isScalar(p.key) ? p.key.value : p.key) === step);
      next = pair?.value;
    } else if (isSeq(node) && /^\d+$/.test(step)) {
      next = node.items[Number(step)];
    }
    const range = (next as Node | undefined)?.range;
    if (next === undefined || next === null || range === undefined || range === null) { break; }
    node = next;
    offset = range[0];
  }
  return offset;
}

/** The line and column (1-based) of an offset in a text. */
function positionIn(lineCounter: LineCounter, offset: number): Position {
  const { line, col } = lineCounter.linePos(offset);
  return { line, column: col };
}

/** Parses YAML (or JSON, which YAML reads too) with its positions; throws an InputError on a syntax error. */
function parseYaml(file: string, text: string): { doc: Document; lineCounter: LineCounter } {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, customTags: CFN_TAGS, uniqueKeys: false, prettyErrors: false, strict: false });
  const error = doc.errors[0];
  if (error !== undefined) {
    const { line, col } = lineCounter.linePos(error.pos[0]);
    throw new InputError(file, `not valid ${/\.json$/i.test(file) ? 'JSON' : 'YAML'}: ${error.message.split('\n')[0]}`, line, col);
  }
  return { doc, lineCounter };
}

/** The 1-based line and column of a character offset. */
function lineAndColumn(text: string, offset: number): Position {
  const before = text.slice(0, offset).split('\n');
  return { line: before.length, column: before[before.length - 1].length + 1 };
}

/**
 * Reads a template's text. JSON is parsed with `JSON.parse` (fast), and again
 * as YAML only when a position is asked for; YAML is parsed once, with its
 * positions.
 */
export function readTemplateText(file: string, text: string): TemplateFile {
  const isJson = /\.json$/i.test(file) || /^\s*\{/.test(text);
  if (isJson) {
    let template: unknown;
    try {
      template = JSON.parse(text);
    } catch (e) {
      const message = (e as Error).message;
      const at = /position (\d+)/.exec(message);
      const position = at ? lineAndColumn(text, Number(at[1])) : undefined;
      throw new InputError(file, `not valid JSON: ${message.replace(/ in JSON at position \d+.*$/, '')}`, position?.line, position?.column);
    }
    let parsed: { doc: Document; lineCounter: LineCounter } | undefined;
    return {
      file,
      template,
      positionOf: path => {
        parsed ??= parseYaml(file, text);
        return positionIn(parsed.lineCounter, offsetOf(parsed.doc, path));
      },
    };
  }
  const { doc, lineCounter } = parseYaml(file, text);
  return { file, template: toJson(doc.contents, doc), positionOf: path => positionIn(lineCounter, offsetOf(doc, path)) };
}
