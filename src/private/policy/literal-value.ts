import { resolveIntrinsics } from './intrinsics';

/** The pseudo parameters a value may hold and still be the same value in every stack. */
const STACK_INDEPENDENT_PSEUDO_PARAMETERS = ['AWS::Partition', 'AWS::URLSuffix'];

/** Whether a resolved value flattens to a string whose only references are the pseudo parameters `keep` allows. */
function flattensWith(resolved: unknown, keep: (name: string) => boolean): boolean {
  const flat = resolveIntrinsics(resolved, { ref: name => keep(name) ? name : undefined, unknown: '\0' });
  return typeof flat === 'string' && !flat.includes('\0');
}

/**
 * Whether a resolved value holds nothing but literals and stack-independent
 * pseudo parameters: a value that means the same in any stack of the app, so
 * one stack may name what another creates (by physical name, never by an
 * export, which does not cross accounts).
 */
export function isStackIndependent(resolved: unknown): boolean {
  return flattensWith(resolved, name => STACK_INDEPENDENT_PSEUDO_PARAMETERS.includes(name));
}

/**
 * Whether a resolved value holds nothing but literals and pseudo parameters
 * (`AWS::AccountId`, `AWS::Region` ...): a value its stack knows at synth
 * time, as opposed to one only known at deploy time (a parameter, an import,
 * a resource's attribute).
 */
export function holdsOnlyPseudoParameters(resolved: unknown): boolean {
  return flattensWith(resolved, name => name.startsWith('AWS::'));
}
