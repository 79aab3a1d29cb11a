/**
 * Orders two strings by their UTF-16 code units, as `Array.prototype.sort()`
 * does: the same order on every machine. (`localeCompare` depends on the
 * runtime's ICU data and default locale, so generated files sorted with it
 * could differ between a laptop and CI, and its first call loads a collator.)
 */
export function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
