/**
 * Three-valued logic for judgements the app may not fully know.
 *
 * A value only known at deploy time (a generated name, a parameter) can stand
 * in a policy, and a caller whose account is not in the app has policies the
 * app cannot see. A statement then neither matches nor fails to: it is
 * `UNKNOWN`, and so is whatever depends on it (Kleene's strong logic: `false`
 * wins an `and`, `true` wins an `or`).
 */

/** Whether something holds: `true`, `false`, or `UNKNOWN`. */
export type Truth = boolean | typeof UNKNOWN;

/** Neither known to hold nor known not to. */
export const UNKNOWN = 'unknown';

/** All hold: `false` if one is false, else `UNKNOWN` if one is unknown, else `true`. */
export function and(...values: Truth[]): Truth {
  if (values.some(v => v === false)) { return false; }
  return values.some(v => v === UNKNOWN) ? UNKNOWN : true;
}

/** One holds: `true` if one is true, else `UNKNOWN` if one is unknown, else `false`. */
export function or(...values: Truth[]): Truth {
  if (values.some(v => v === true)) { return true; }
  return values.some(v => v === UNKNOWN) ? UNKNOWN : false;
}

/** The opposite; `UNKNOWN` stays unknown. */
export function not(value: Truth): Truth {
  return value === UNKNOWN ? UNKNOWN : !value;
}

/** `and` over a list (true for an empty one). */
export function every<T>(items: readonly T[], test: (item: T) => Truth): Truth {
  let result: Truth = true;
  for (const item of items) {
    const value = test(item);
    if (value === false) { return false; }
    if (value === UNKNOWN) { result = UNKNOWN; }
  }
  return result;
}

/** `or` over a list (false for an empty one). */
export function some<T>(items: readonly T[], test: (item: T) => Truth): Truth {
  let result: Truth = false;
  for (const item of items) {
    const value = test(item);
    if (value === true) { return true; }
    if (value === UNKNOWN) { result = UNKNOWN; }
  }
  return result;
}
