/**
 * Template text is data. A report copies text out of templates (principal
 * ARNs, role and resource names, logical IDs, file names), and a template's
 * author may be anyone who opens a pull request: each format escapes what it
 * would otherwise read as markup, so that the text is shown as it is written
 * and never becomes an element, a link or a new table cell.
 */

/** C0 and C1 control characters, and DEL: never printed as they are. */
const CONTROL = /[\u0000-\u001f\u007f-\u009f]/g;

/** Text for HTML (element content and quoted attribute values). */
export function htmlText(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&#39;')
    .replace(CONTROL, c => (c === '\n' || c === '\t' ? c : ' '));
}

/**
 * Text for Markdown, in a table cell or in prose: `&`, `<` and `>` as
 * entities (no HTML element, no autolink), `[`, `]`, `` ` `` and `\` as
 * numeric references (no link, image or code span, no escape of what
 * follows), `|` escaped (no new cell), line breaks and other control
 * characters as spaces (no new row). GitHub Flavored Markdown reads every one
 * back as the character it stands for.
 *
 * @see https://github.github.com/gfm/#entity-and-numeric-character-references
 * @see https://github.github.com/gfm/#tables-extension-
 */
export function markdownText(text: string): string {
  return text
    .replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;')
    .replace(/\\/g, '&#92;').replace(/`/g, '&#96;').replace(/\[/g, '&#91;').replace(/\]/g, '&#93;')
    .replace(/\|/g, '\\|')
    .replace(CONTROL, ' ');
}

/**
 * Text as a Markdown code span (monospace, shown as written: no markup is
 * read inside one): fenced with more backticks than any run of them in the
 * text, `|` escaped (GitHub reads the escape inside a code span of a table
 * cell), line breaks and control characters as spaces.
 *
 * @see https://github.github.com/gfm/#code-spans
 */
export function markdownCode(text: string): string {
  const body = text.replace(CONTROL, ' ').replace(/\|/g, '\\|');
  const longest = Math.max(0, ...Array.from(body.matchAll(/`+/g), m => m[0].length));
  const fence = '`'.repeat(longest + 1);
  const pad = body.startsWith('`') || body.endsWith('`') ? ' ' : '';
  return `${fence}${pad}${body}${pad}${fence}`;
}

/**
 * Text inside a quoted Mermaid label (`["..."]`, `|"..."|`): Mermaid's
 * numeric entity codes (`#34;` for `"`, `#60;` for `<` ...) for what would
 * close the label, start markup, an entity code or a directive (`%%{...}%%`),
 * or close the Markdown code fence around the diagram; line breaks as spaces.
 *
 * @see https://mermaid.js.org/syntax/flowchart.html#entity-codes-to-escape-characters
 */
export function mermaidText(text: string): string {
  return text
    // % too: Mermaid reads %%{init: ...}%% (a directive that restyles the diagram) and %% comments anywhere in its text
    .replace(/[#"<>&`|%]/g, c => `#${c.charCodeAt(0)};`)
    .replace(CONTROL, ' ');
}

/** Text for a terminal: control characters (escape sequences among them) written as `\u001b`, never sent. */
export function terminalText(text: string): string {
  return text.replace(CONTROL, c => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}
