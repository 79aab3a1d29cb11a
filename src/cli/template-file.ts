/**
 * Reads a CloudFormation template file, JSON or YAML, with the library's one
 * template reader (src/private/template/text.ts), and names the file in its errors.
 */
import { Position, TemplateSyntaxError, parseTemplateText } from '../private/template/text';

/** A user error in a file: printed as one line, `file:line:column: message`. */
export class InputError extends Error {
  constructor(public readonly file: string, message: string, public readonly line?: number, public readonly column?: number) {
    super(`${file}${line !== undefined ? `:${line}:${column ?? 1}` : ''}: ${message}`);
  }
}

/** A template file, read. */
export interface TemplateFile {
  /** The file, as given or found. */
  readonly file: string;
  /** The template JSON (short tags written as their `Fn::` form). */
  readonly template: unknown;
  /** The position of the deepest node of the template on a path (`['Resources', 'Role', 'Properties', ...]`), inside StackSet bodies too. */
  positionOf(path: readonly string[]): Position;
}

/**
 * Reads a template's text: JSON when the file says so (or the text starts
 * with `{`), else YAML as CloudFormation reads it. A text that does not parse
 * is an InputError naming the file and the position.
 */
export function readTemplateText(file: string, text: string): TemplateFile {
  const json = /\.json$/i.test(file) ? 'json' : undefined;
  try {
    return { file, ...parseTemplateText(text, json) };
  } catch (e) {
    if (!(e instanceof TemplateSyntaxError)) { throw e; }
    const isJson = json !== undefined || /^[\s\uFEFF]*\{/.test(text);
    throw new InputError(file, `not valid ${isJson ? 'JSON' : 'YAML'}: ${e.message}`, e.line, e.line !== undefined ? e.column : undefined);
  }
}
