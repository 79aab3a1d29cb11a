/**
 * IAM's wildcard patterns, as `StringLike` and `Action` read them. Free of
 * aws-cdk-lib, so that the CLI loads no more than the audit needs.
 */

/** Compiled patterns: rules match the same few patterns (`sts:AssumeRole*`, `sts:*`) over and over. */
const compiled = new Map<string, RegExp>();
/** Past this many, the compiled patterns are forgotten (templates may hold any number of distinct ones). */
const MAX_COMPILED = 1000;

/**
 * Whether an IAM wildcard pattern (`*` any run of characters, `?` one) matches
 * a value, as `StringLike` does; `ignoreCase` for action names.
 */
export function iamPatternMatches(pattern: string, value: string, ignoreCase: boolean = false): boolean {
  const key = `${ignoreCase ? 'i' : 's'}${pattern}`;
  let regex = compiled.get(key);
  if (regex === undefined) {
    regex = new RegExp(`^${pattern.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.')}$`, ignoreCase ? 'i' : '');
    if (compiled.size >= MAX_COMPILED) { compiled.clear(); }
    compiled.set(key, regex);
  }
  return regex.test(value);
}
