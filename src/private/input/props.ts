import { Stack } from 'aws-cdk-lib';
import { IConstruct } from 'constructs';
import { fail } from './validation';

/** The keys of `T` whose value may not be left out. */
export type RequiredKeys<T> = { [K in keyof T]-?: undefined extends T[K] ? never : K }[keyof T];

/**
 * `unknown` when `K` lists every member of `Of`; otherwise a type no array
 * literal has, whose property names the members left out (the compiler's
 * error then reads "Property 'missingKeys' is missing ... 'newKey'").
 */
type ListsEvery<Of extends PropertyKey, K extends ReadonlyArray<PropertyKey>> =
  [Exclude<Of, K[number]>] extends [never] ? unknown : { readonly missingKeys: Exclude<Of, K[number]> };

/**
 * A list of keys that the compiler checks to be complete:
 * `everyKey<keyof Options>()(['a', 'b'])` fails to compile when `Options`
 * gains a key `c` that the list does not name.
 */
export function everyKey<Of extends PropertyKey>(): <const K extends ReadonlyArray<Of>>(keys: K & ListsEvery<Of, K>) => ReadonlyArray<Of> {
  return keys => keys;
}

/**
 * Checks the props of a construct as a plain JavaScript caller may give them:
 * missing altogether, or without a required field. TypeScript callers never
 * get here; the others get the library's usual error instead of a TypeError
 * from deep inside.
 *
 * @param construct the class name, as the user wrote it (`CrossAccountRolePair`)
 * @param required every required key of the props (`everyKey<RequiredKeys<Props>>()` keeps it complete)
 */
export function checkProps<T extends object>(
  scope: IConstruct,
  construct: string,
  props: T | undefined,
  required: ReadonlyArray<RequiredKeys<T>>,
): asserts props is T {
  const shape = required.length > 0 ? `{ ${required.map(String).join(', ')} }` : '{ ... }';
  if (props === undefined || props === null || typeof props !== 'object') {
    fail(scope, `${construct} needs props, got ${props === null ? 'null' : typeof props}; write new ${construct}(scope, id, ${shape})`);
  }
  const given = props as Record<PropertyKey, unknown>;
  const missing = required.filter(key => given[key] === undefined || given[key] === null);
  if (missing.length > 0) {
    fail(scope, `${missing.map(String).join(', ')} ${missing.length > 1 ? 'are' : 'is'} required in the props of ${construct}, got undefined; give ${shape}`);
  }
}

/**
 * Refuses a construct that creates its own stacks (a pair, a fan-out) inside a
 * `Stack`: its stacks would be nested in that stack's construct tree while the
 * stack itself stays empty, which is never what the user meant.
 */
export function refuseStackScope(scope: IConstruct, construct: string): void {
  const stack = scope.node.scopes.slice(0, -1).reverse().find(s => Stack.isStack(s));
  if (stack !== undefined) {
    fail(scope, `a ${construct} creates its own stacks (one per account), so it belongs in an App or a Stage, not in the Stack '${stack.node.path}'; `
      + `create it with the app or a stage as its scope (e.g. new ${construct}(app, ...) or, inside a Stack's code, new ${construct}(Stage.of(this) ?? this.node.root, ...))`);
  }
}
