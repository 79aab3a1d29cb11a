/**
 * Positions in a JSON template without a second parse: a scanner that walks
 * the text to the node at a path, skipping every value on the way. The audit
 * needs the position of a finding only; parsing the whole template again (as
 * YAML, with positions) for it cost more than the audit itself.
 */
import { NodeLocation } from './location';

const isSpace = (c: number) => c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09;

/** The offset of the first character at or after `i` that is not JSON whitespace. */
function skipSpace(text: string, i: number): number {
  while (i < text.length && isSpace(text.charCodeAt(i))) { i++; }
  return i;
}

/** The offset just after the string literal that starts (with its `"`) at `i`. */
function stringEnd(text: string, i: number): number {
  let j = i + 1;
  while (j < text.length) {
    const c = text.charCodeAt(j);
    if (c === 0x5c) { j += 2; continue; } // backslash: the escaped character is skipped with it
    if (c === 0x22) { return j + 1; }
    j++;
  }
  return j;
}

/** The offset just after the value that starts at `i`. */
function valueEnd(text: string, i: number): number {
  const c = text.charCodeAt(i);
  if (c === 0x22) { return stringEnd(text, i); }
  if (c !== 0x7b && c !== 0x5b) {
    // a number, true, false or null: up to the next delimiter
    let j = i;
    while (j < text.length && !/[\s,\]}]/.test(text[j])) { j++; }
    return j;
  }
  let depth = 0;
  let j = i;
  while (j < text.length) {
    const d = text.charCodeAt(j);
    if (d === 0x22) { j = stringEnd(text, j); continue; }
    if (d === 0x7b || d === 0x5b) { depth++; } else if (d === 0x7d || d === 0x5d) {
      depth--;
      if (depth === 0) { return j + 1; }
    }
    j++;
  }
  return j;
}

/** The start of the value of `key` in the object that starts at `i` (the last one, as `JSON.parse` keeps); -1 when absent. */
function memberValue(text: string, i: number, key: string): number {
  let found = -1;
  let j = skipSpace(text, i + 1);
  while (j < text.length && text.charCodeAt(j) === 0x22) {
    const end = stringEnd(text, j);
    // a key without escapes is itself; only one with escapes needs decoding
    const raw = text.slice(j + 1, end - 1);
    const name = raw.includes('\\') ? JSON.parse(text.slice(j, end)) as string : raw;
    const value = skipSpace(text, skipSpace(text, end) + 1); // past the ':'
    if (name === key) { found = value; }
    j = skipSpace(text, valueEnd(text, value));
    if (text.charCodeAt(j) !== 0x2c) { break; }
    j = skipSpace(text, j + 1);
  }
  return found;
}

/** The start of item `index` of the array that starts at `i`; -1 when absent. */
function itemValue(text: string, i: number, index: number): number {
  let j = skipSpace(text, i + 1);
  for (let n = 0; j < text.length && text.charCodeAt(j) !== 0x5d; n++) {
    if (n === index) { return j; }
    j = skipSpace(text, valueEnd(text, j));
    if (text.charCodeAt(j) !== 0x2c) { break; }
    j = skipSpace(text, j + 1);
  }
  return -1;
}

/**
 * The offset in a JSON string literal (starting with its `"` at `start`) of
 * the character at `decoded` in its value: escapes are one character of the
 * value and several of the text.
 */
export function jsonStringSourceOffset(text: string, start: number, decoded: number): number {
  let j = start + 1;
  for (let n = 0; n < decoded && j < text.length && text.charCodeAt(j) !== 0x22; n++) {
    j += text.charCodeAt(j) !== 0x5c ? 1 : text[j + 1] === 'u' ? 6 : 2;
  }
  return j;
}

/** The deepest node of a JSON text on a path, and the rest of the path below it. */
export function locateJson(text: string, path: readonly string[]): NodeLocation {
  let offset = skipSpace(text, 0);
  for (let step = 0; step < path.length; step++) {
    const c = text.charCodeAt(offset);
    const next = c === 0x7b ? memberValue(text, offset, path[step])
      : c === 0x5b && /^\d+$/.test(path[step]) ? itemValue(text, offset, Number(path[step]))
        : -1;
    if (next < 0) {
      const rest = path.slice(step);
      if (c !== 0x22) { return { offset, rest }; }
      const value = JSON.parse(text.slice(offset, stringEnd(text, offset))) as string;
      return { offset, rest, string: { value, sourceOffset: d => jsonStringSourceOffset(text, offset, d) } };
    }
    offset = next;
  }
  return { offset, rest: [] };
}
