/**
 * What the readers of template text (JSON and YAML) share: where a node is,
 * and the error of a text that does not parse.
 */

/** A line and column, 1-based. */
export interface Position {
  readonly line: number;
  readonly column: number;
}

/** A string value of a template, and where each of its characters is in the text. */
export interface LocatedString {
  readonly value: string;
  /** The offset in the text of the character at this offset of the value (where it can be told; else the string's start). */
  sourceOffset(valueOffset: number): number;
}

/** The deepest node of a text on a path. */
export interface NodeLocation {
  /** The node's offset in the text. */
  readonly offset: number;
  /** The steps of the path below the node, which the node does not have (empty when the whole path was found). */
  readonly rest: readonly string[];
  /** The node's value when it is a string, with its characters' offsets (a template body inside a template). */
  readonly string?: LocatedString;
}

/** A template text that does not parse: the message, and where. */
export class TemplateSyntaxError extends Error {
  constructor(message: string, public readonly line?: number, public readonly column?: number) {
    super(message);
  }
}

/** The offsets at which the lines of a text start. */
export function lineStarts(text: string): number[] {
  const starts = [0];
  for (let i = text.indexOf('\n'); i >= 0; i = text.indexOf('\n', i + 1)) { starts.push(i + 1); }
  return starts;
}

/** The 1-based line and column of an offset, given the text's line starts. */
export function positionAt(starts: readonly number[], offset: number): Position {
  let low = 0;
  let high = starts.length - 1;
  while (low < high) {
    const mid = Math.floor((low + high + 1) / 2);
    if (starts[mid] <= offset) { low = mid; } else { high = mid - 1; }
  }
  return { line: low + 1, column: offset - starts[low] + 1 };
}
