/**
 * Reads a YAML template as CloudFormation does, with the `yaml` library:
 *
 * - YAML 1.1 without the binary, omap, pairs, set and timestamp tags and
 *   without hash merges, which CloudFormation does not support (so an
 *   unquoted `Version: 2012-10-17` stays the string it is to IAM);
 * - CloudFormation's short-form intrinsic functions (`!Ref`, `!Sub`, `!GetAtt` ...);
 * - integers as the YAML 1.1 parsers of CloudFormation's toolchain (PyYAML,
 *   so cfn-lint) read them: `012345678901` (an account ID with a leading
 *   zero) is a string, not the number 12345678901;
 * - multi-line flow scalars and flow collections whose continuation lines are
 *   not indented past their key, which those parsers accept and the `yaml`
 *   library refuses: see `./yaml-repair.ts`.
 *
 * @see https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/template-formats.html
 */
import { Document, isAlias, isMap, isPair, isScalar, isSeq, Node, parseDocument, Scalar } from 'yaml';
import type { CollectionTag, ScalarTag, Tags } from 'yaml';
import { LocatedString, lineStarts, NodeLocation, positionAt, TemplateSyntaxError } from './location';
import { padLines, PaddedText, repairFlowContinuations } from './yaml-repair';

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

/** The YAML 1.1 tags CloudFormation does not support: their values are read as plain strings. */
const UNSUPPORTED_TAGS = ['binary', 'omap', 'pairs', 'set', 'timestamp'].map(name => `tag:yaml.org,2002:${name}`);

/** A decimal YAML 1.1 integer as PyYAML resolves it: no leading zero (`0[0-7]+` is octal; anything else with one is a string). */
const DECIMAL_INT = /^[-+]?(?:0|[1-9][0-9_]*)$/;

/** The YAML 1.1 schema, as CloudFormation reads it, and the short forms. */
function cloudFormationTags(tags: Tags): Tags {
  const supported = tags.filter(tag => typeof tag === 'string' || !UNSUPPORTED_TAGS.includes(tag.tag));
  return [
    ...supported.map(tag => typeof tag !== 'string' && tag.tag === 'tag:yaml.org,2002:int' && (tag as ScalarTag).format === undefined
      ? { ...tag, test: DECIMAL_INT } as ScalarTag : tag),
    ...CFN_TAGS,
  ];
}

const PARSE_OPTIONS = {
  version: '1.1',
  schema: 'yaml-1.1',
  merge: false,
  customTags: cloudFormationTags,
  uniqueKeys: false,
  prettyErrors: false,
  strict: false,
} as const;

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

/** A YAML template, parsed. */
export interface YamlTemplate {
  readonly template: unknown;
  /** The deepest node on a path (offsets in the text as given, whatever the repair padded). */
  locate(path: readonly string[]): NodeLocation;
}

/**
 * Where each character of a scalar's value is in the text: exactly for a
 * single-line scalar and for a literal block (`|`, a template body's usual
 * form); at the scalar's start for folded and multi-line flow scalars.
 */
function scalarString(node: Scalar, value: string, text: PaddedText): LocatedString {
  const [start, end] = node.range ?? [0, 0];
  const source = text.text.slice(start, end);
  const atStart = () => text.originalOffset(start);
  if (node.type === Scalar.BLOCK_LITERAL) {
    const valueLines = value.split('\n');
    const valueStarts = lineStarts(value);
    const firstLine = positionAt(text.starts, start).line; // the header's line; the content starts on the next
    return {
      value,
      sourceOffset: offset => {
        const { line, column } = positionAt(valueStarts, offset);
        const lineStart = text.starts[firstLine + line - 1];
        if (lineStart === undefined) { return atStart(); }
        const lineEnd = text.text.indexOf('\n', lineStart);
        const sourceLine = text.text.slice(lineStart, lineEnd < 0 ? undefined : lineEnd).replace(/\r$/, '');
        const indent = Math.max(0, sourceLine.length - valueLines[line - 1].length);
        return text.originalOffset(lineStart + indent + column - 1);
      },
    };
  }
  if (source.includes('\n') || node.type === Scalar.BLOCK_FOLDED) { return { value, sourceOffset: atStart }; }
  if (node.type === Scalar.PLAIN) { return { value, sourceOffset: offset => text.originalOffset(start + offset) }; }
  // a quoted scalar on one line: escapes ('' in single quotes, \x in double quotes) are one character of the value
  const escape = node.type === Scalar.QUOTE_SINGLE ? (i: number) => (source[i] === '\'' ? 2 : 1)
    : (i: number) => (source[i] !== '\\' ? 1 : ({ x: 4, u: 6, U: 10 } as Record<string, number>)[source[i + 1]] ?? 2);
  return {
    value,
    sourceOffset: offset => {
      let i = 1;
      for (let n = 0; n < offset && i < source.length - 1; n++) { i += escape(i); }
      return text.originalOffset(start + i);
    },
  };
}

/** The deepest node of a parsed YAML document on a path. */
function locate(doc: Document, text: PaddedText, path: readonly string[]): NodeLocation {
  let node: unknown = doc.contents;
  let offset = (doc.contents as Node | null)?.range?.[0] ?? 0;
  for (let step = 0; step < path.length; step++) {
    if (isAlias(node)) { node = node.resolve(doc); }
    let next: unknown;
    if (isMap(node)) {
      const pair = node.items.find(p => isPair(p) && String(isScalar(p.key) ? p.key.value : p.key) === path[step]);
      next = pair?.value;
    } else if (isSeq(node) && /^\d+$/.test(path[step])) {
      next = node.items[Number(path[step])];
    }
    const range = (next as Node | undefined)?.range;
    if (next === undefined || next === null || range === undefined || range === null) {
      const rest = path.slice(step);
      // a string, or the string of a short-form !Sub (a template body with ${} in it)
      const value = isScalar(node) && [undefined, '!Sub'].includes((node as Node).tag) ? node.value : undefined;
      return typeof value === 'string'
        ? { offset: text.originalOffset(offset), rest, string: scalarString(node as Scalar, value, text) }
        : { offset: text.originalOffset(offset), rest };
    }
    node = next;
    offset = range[0];
  }
  return { offset: text.originalOffset(offset), rest: [] };
}

/** The first error of a document, as a syntax error at its position in `text`. */
function syntaxError(doc: Document, text: string): TemplateSyntaxError {
  const error = doc.errors[0];
  const { line, column } = positionAt(lineStarts(text), error.pos[0]);
  return new TemplateSyntaxError(error.message.split('\n')[0], line, column);
}

/**
 * Parses a YAML template (or JSON, which YAML reads too). When the `yaml`
 * library refuses it, the continuation lines of its multi-line flow scalars
 * and flow collections are indented (which changes no value) and it is parsed
 * again; if it still fails, the first error of the text as given is thrown.
 */
export function parseYamlTemplate(text: string): YamlTemplate {
  const first = parseDocument(text, PARSE_OPTIONS);
  let parsed = first;
  let padded: PaddedText = padLines(text, new Map());
  if (first.errors.length > 0) {
    const padding = repairFlowContinuations(text, candidate => {
      parsed = parseDocument(candidate, PARSE_OPTIONS);
      return parsed.errors[0]?.pos[0];
    });
    if (padding === undefined) { throw syntaxError(first, text); }
    padded = padLines(text, padding);
  }
  const doc = parsed;
  return { template: toJson(doc.contents, doc), locate: path => locate(doc, padded, path) };
}
