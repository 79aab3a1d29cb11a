/**
 * Reads the text of a CloudFormation template, JSON or YAML, into template
 * JSON, and finds the line and column of any path in it, down into the
 * template bodies that templates hold as strings (a StackSet's `TemplateBody`).
 * The CLI reads files with it; the audit engine reads StackSet bodies with it.
 */
import { locateJson } from './json';
import { lineStarts, NodeLocation, Position, positionAt, TemplateSyntaxError } from './location';
import type { YamlTemplate } from './yaml';

export { TemplateSyntaxError } from './location';
export type { Position } from './location';

/** A template text, read. */
export interface TemplateText {
  /** The template JSON (short-form tags written as their `Fn::` form). */
  readonly template: unknown;
  /**
   * The position of the deepest node on a path (`['Resources', 'Role', 'Properties', ...]`),
   * below a string that holds a template (a StackSet's body) too: inside its
   * text where each character's place is known (a JSON string, a literal block
   * `|`, a one-line scalar), else at the string.
   */
  positionOf(path: readonly string[]): Position;
}

/** The YAML reader, loaded when a YAML text is first read: JSON templates (a cloud assembly's) never need it. */
function yamlReader(): (text: string) => YamlTemplate {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return (require('./yaml') as typeof import('./yaml')).parseYamlTemplate;
}

/** Whether a text is JSON: it says so, or it starts with `{`. */
const looksLikeJson = (text: string) => /^[\s\uFEFF]*\{/.test(text);

/** A JSON text that does not parse, with the position `JSON.parse` names. */
function jsonSyntaxError(text: string, error: Error): TemplateSyntaxError {
  const at = /position (\d+)/.exec(error.message);
  const position = at ? positionAt(lineStarts(text), Number(at[1])) : undefined;
  return new TemplateSyntaxError(error.message.replace(/ in JSON at position \d+.*$/, ''), position?.line, position?.column);
}

/** A text read for its nodes' offsets: the template, and where a path leads. */
interface Located {
  readonly template: unknown;
  locate(path: readonly string[]): NodeLocation;
}

/** Reads a text as JSON (`json`), or as YAML; throws a TemplateSyntaxError. */
function read(text: string, json: boolean): Located {
  if (!json) { return yamlReader()(text); }
  let template: unknown;
  try {
    template = JSON.parse(text);
  } catch (e) {
    throw jsonSyntaxError(text, e as Error);
  }
  return { template, locate: path => locateJson(text, path) };
}

/**
 * The offset of the node at a path, in the text of `located`: where the path
 * goes on below a string (a template body, or the string of its `Fn::Sub`),
 * that string is read as a template and the offset is carried back out.
 */
function offsetOf(located: Located, path: readonly string[], bodies: Map<string, Located | undefined>): number {
  let found = located.locate(path);
  if (found.rest.length > 0 && found.string === undefined) {
    // a body built by Fn::Sub: its string (the short form is a tagged string, found as one)
    const prefix = path.slice(0, path.length - found.rest.length);
    const sub = [located.locate([...prefix, 'Fn::Sub']), located.locate([...prefix, 'Fn::Sub', '0'])].find(l => l.rest.length === 0 && l.string !== undefined);
    if (sub !== undefined) { found = { ...sub, rest: found.rest }; }
  }
  if (found.rest.length === 0 || found.string === undefined) { return found.offset; }
  const value = found.string.value;
  if (!bodies.has(value)) {
    let body: Located | undefined;
    try {
      body = read(value, looksLikeJson(value));
    } catch {
      body = undefined;
    }
    bodies.set(value, body);
  }
  const body = bodies.get(value);
  return body === undefined ? found.offset : found.string.sourceOffset(offsetOf(body, found.rest, bodies));
}

/**
 * Reads a template's text: JSON (`format: 'json'`, or a text that starts with
 * `{`) with `JSON.parse`, and its positions found by a scanner only when asked
 * for; YAML once, with its positions. Throws a TemplateSyntaxError.
 */
export function parseTemplateText(original: string, format?: 'json' | 'yaml'): TemplateText {
  // a byte order mark is no part of the template (editors on Windows write one; CloudFormation and cfn-lint read past it),
  // and no column: positions count from the character after it
  const text = original.replace(/^\uFEFF/, '');
  const located = read(text, format === 'json' || (format === undefined && looksLikeJson(text)));
  let starts: number[] | undefined;
  const bodies = new Map<string, Located | undefined>();
  return {
    template: located.template,
    positionOf: path => positionAt(starts ??= lineStarts(text), offsetOf(located, path, bodies)),
  };
}
