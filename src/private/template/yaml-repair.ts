/**
 * The YAML that CloudFormation's toolchain accepts and the `yaml` library
 * refuses: a multi-line quoted scalar, or a flow collection over several
 * lines, whose continuation lines are not indented past their key.
 *
 * ```yaml
 * Parameters:
 *   ExternalId:
 *     Description: 'The external ID the vendor gave you,
 *     found on its integration page'
 * ```
 *
 * PyYAML (so cfn-lint) never checks the indentation inside a quoted scalar or
 * a flow collection; YAML 1.2, which the `yaml` library follows, requires it
 * ("Missing closing 'quote", "Flow sequence in block collection must be
 * sufficiently indented"). Leading white space of a continuation line is no
 * part of any value (it is folded away), so such a line can be indented
 * further without changing the template: the repair pads each one past the
 * column where its scalar or collection starts, and the text is parsed again.
 * Only lines are padded, never joined, so every line keeps its number, and a
 * column is moved back by the padding of its line (`PaddedText.originalOffset`).
 */
import { CST, Lexer } from 'yaml';
import { lineStarts, positionAt } from './location';

/** A text with spaces put before some of its lines. */
export interface PaddedText {
  readonly text: string;
  /** The offsets at which its lines start. */
  readonly starts: readonly number[];
  /** The offset in the text as given of an offset in this one. */
  originalOffset(offset: number): number;
}

/** Line index (0-based) → spaces put before the line. */
export type LinePadding = ReadonlyMap<number, number>;

/** A text with `padding` spaces before the lines it names. */
export function padLines(original: string, padding: LinePadding): PaddedText {
  const originalStarts = lineStarts(original);
  if (padding.size === 0) {
    return { text: original, starts: originalStarts, originalOffset: offset => offset };
  }
  const lines = original.split('\n').map((line, i) => ' '.repeat(padding.get(i) ?? 0) + line);
  const text = lines.join('\n');
  const starts = lineStarts(text);
  return {
    text,
    starts,
    originalOffset: offset => {
      const { line, column } = positionAt(starts, offset);
      return originalStarts[line - 1] + Math.max(0, column - 1 - (padding.get(line - 1) ?? 0));
    },
  };
}

/** The lexer's tokens that are not source text (document start, flow end, scalar markers). */
const CONTROL_TOKENS = ['\x02', '\x18', '\x1f'];

/** The offset just after the quoted scalar that starts (with its quote) at `i`; -1 when it never closes. */
function quotedEnd(text: string, i: number): number {
  const quote = text[i];
  for (let j = i + 1; j < text.length; j++) {
    if (quote === '"' && text[j] === '\\') { j++; continue; }
    if (text[j] !== quote) { continue; }
    if (quote === '\'' && text[j + 1] === '\'') { j++; continue; } // '' is an escaped quote
    return j + 1;
  }
  return -1;
}

/**
 * The offset just after the flow collection that starts (with its `[` or
 * `{`) at `i`; -1 when it never closes. Quoted scalars are skipped where a
 * node may start (after `[`, `{`, `,`, `:`, a tag or anchor); a quote inside
 * a plain scalar (`it's`) is its own character; comments are skipped.
 */
function flowEnd(text: string, i: number): number {
  let depth = 0;
  let nodeStart = true;
  let afterQuoted = false;
  for (let j = i; j < text.length; j++) {
    const c = text[j];
    if (c === '[' || c === '{') {
      depth++;
      nodeStart = true;
    } else if (c === ']' || c === '}') {
      depth--;
      if (depth === 0) { return j + 1; }
      nodeStart = false;
    } else if (c === ',') {
      nodeStart = true;
    } else if (c === '#' && /\s/.test(text[j - 1] ?? '\n')) {
      const eol = text.indexOf('\n', j);
      if (eol < 0) { return -1; }
      j = eol;
    } else if (/\s/.test(c)) {
      continue;
    } else if ((c === '\'' || c === '"') && nodeStart) {
      const end = quotedEnd(text, j);
      if (end < 0) { return -1; }
      j = end - 1;
      nodeStart = false;
      afterQuoted = true;
      continue;
    } else if (c === ':' && (afterQuoted || /[\s,[\]{}]/.test(text[j + 1] ?? '\n'))) {
      nodeStart = true;
    } else if ((c === '!' || c === '&') && nodeStart) {
      while (j + 1 < text.length && !/[\s,[\]{}]/.test(text[j + 1])) { j++; }
    } else {
      nodeStart = false;
    }
    afterQuoted = false;
  }
  return -1;
}

/**
 * The padding that indents the continuation lines of the construct spanning
 * `start`..`end` past its first character (blank lines left as they are).
 */
function continuationPadding(text: string, starts: readonly number[], start: number, end: number): Map<number, number> {
  const padding = new Map<number, number>();
  const first = positionAt(starts, start);
  const last = positionAt(starts, end - 1);
  const needed = first.column; // one past the construct's first column (0-based)
  for (let line = first.line; line < last.line; line++) {
    const lineText = text.slice(starts[line], line + 1 < starts.length ? starts[line + 1] : undefined);
    if (lineText.trim() === '') { continue; }
    const indent = lineText.length - lineText.replace(/^ +/, '').length;
    if (indent < needed) { padding.set(line, needed - indent); }
  }
  return padding;
}

/**
 * The first quoted scalar or flow collection of block context that starts at
 * or after `from` and before `before` and has continuation lines to pad: its
 * padding and its end. The lexer finds where they start (it knows comments,
 * block scalars and plain scalars); it reads the text as the `yaml` library
 * does, so its tokens are right up to the first error, the bound `before`.
 */
function nextToPad(text: string, starts: readonly number[], from: number, before: number): { padding: Map<number, number>; end: number } | undefined {
  let offset = 0;
  let depth = 0;
  for (const token of new Lexer().lex(text)) {
    if (CONTROL_TOKENS.includes(token)) { continue; }
    const type = CST.tokenType(token);
    const start = offset;
    offset += token.length;
    if (start >= before) { return undefined; }
    const opens = type === 'flow-map-start' || type === 'flow-seq-start';
    if (type === 'flow-map-end' || type === 'flow-seq-end') { depth = Math.max(0, depth - 1); }
    if (depth === 0 && start >= from && (opens || type === 'single-quoted-scalar' || type === 'double-quoted-scalar')) {
      const end = opens ? flowEnd(text, start) : quotedEnd(text, start);
      if (end < 0) { return undefined; }
      const padding = continuationPadding(text, starts, start, end);
      if (padding.size > 0) { return { padding, end }; }
    }
    if (opens) { depth++; }
  }
  return undefined;
}

/** At most this many constructs are repaired in one template. */
const MAX_REPAIRS = 200;

/**
 * Pads the continuation lines of the multi-line flow scalars and collections
 * of a text that `firstError` (a parse) refuses, one construct at a time
 * (each before the first error that remains), until it parses. Returns the
 * padding, or undefined when the text does not parse however padded.
 */
export function repairFlowContinuations(original: string, firstError: (text: string) => number | undefined): LinePadding | undefined {
  const padding = new Map<number, number>();
  let from = { line: 0, column: 0 }; // where the next construct may start, in the text as given
  for (let round = 0; round < MAX_REPAIRS; round++) {
    const padded = padLines(original, padding);
    const error = firstError(padded.text);
    if (error === undefined) { return round > 0 ? padding : undefined; }
    const fromOffset = padded.starts[from.line] + (padding.get(from.line) ?? 0) + from.column;
    const found = nextToPad(padded.text, padded.starts, fromOffset, error);
    if (found === undefined) { return undefined; }
    const end = positionAt(padded.starts, found.end);
    from = { line: end.line - 1, column: end.column - 1 - (padding.get(end.line - 1) ?? 0) };
    for (const [line, n] of found.padding) { padding.set(line, (padding.get(line) ?? 0) + n); }
  }
  return undefined;
}
