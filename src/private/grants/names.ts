import { Resource, Stack, Token } from 'aws-cdk-lib';
import { IConstruct } from 'constructs';
import { fail } from '../input/validation';
import { isStackIndependent } from '../policy/literal-value';

/**
 * A resource's ARN (or name) as `stack` may hold it: a literal, from the
 * resource's physical name when `stack` is in another environment, never a
 * CloudFormation export (exports do not cross accounts). Resolving it here
 * also gives a resource named `PhysicalName.GENERATE_IF_NEEDED` its name.
 *
 * @param what how messages name the resource: `the bucket 'A/Data'`
 * @param nameProp the prop that gives it a physical name: `bucketName`
 */
export function literalIn(stack: Stack, value: string, owner: IConstruct, what: string, nameProp: string): string {
  if (!Token.isUnresolved(value)) { return value; }
  const noName = `${what} has no physical name, so the grantee's policy could only name it by a CloudFormation export, which does not cross accounts; `
    + `give it a ${nameProp} (or ${nameProp}: PhysicalName.GENERATE_IF_NEEDED)`;
  let resolved: unknown;
  try {
    resolved = stack.resolve(value);
  } catch (error) {
    if (error instanceof Error && /cross-environment|physical name/i.test(error.message)) { fail(owner, noName); }
    throw error;
  }
  if (!isStackIndependent(resolved)) { fail(owner, noName); }
  return value;
}

/**
 * The literal physical name a resource of the app is created with (its L1's
 * name property, resolved in its own stack), or an error naming the prop to
 * set. A key's policy names the resource it encrypts by this name: a
 * reference to the resource itself would make the key and the resource
 * depend on each other (CloudFormation refuses the circular dependency, and
 * cfn-lint reports it as E3004), even in the resource's own stack.
 *
 * A resource named `PhysicalName.GENERATE_IF_NEEDED` gets its name here, as a
 * reference from another environment would give it: that a key policy needs
 * it is the need. One named by CloudFormation at deploy time cannot be named.
 */
export function createdName(resource: IConstruct, nameOfL1: unknown, what: string, nameProp: string, why: string): string {
  const stack = Stack.of(resource);
  let resolved = stack.resolve(nameOfL1);
  if (typeof resolved !== 'string' && generatePhysicalName(resource)) {
    resolved = stack.resolve(nameOfL1);
  }
  if (typeof resolved !== 'string' || resolved === '') {
    fail(resource, `${what} has no ${nameProp} known at synth time (CloudFormation would only name it at deploy time), but ${why}; `
      + `give it a ${nameProp} (or ${nameProp}: PhysicalName.GENERATE_IF_NEEDED, which names it at synth time)`);
  }
  return resolved;
}

/**
 * Gives a resource created with `PhysicalName.GENERATE_IF_NEEDED` its
 * generated name now (aws-cdk-lib generates it when a stack of another
 * environment first refers to the resource). False for a resource named at
 * deploy time, which aws-cdk-lib refuses to name.
 */
function generatePhysicalName(resource: IConstruct): boolean {
  // _enableCrossEnvironment is aws-cdk-lib's own hook (marked internal) for the name a reference from another
  // environment gives: should a later aws-cdk-lib drop it, the user gets the error that names the prop, not a TypeError
  if (!Resource.isResource(resource) || typeof (resource as { _enableCrossEnvironment?: unknown })._enableCrossEnvironment !== 'function') { return false; }
  try {
    resource._enableCrossEnvironment();
    return true;
  } catch (error) {
    if (error instanceof Error && /cross-environment/i.test(error.message)) { return false; }
    throw error;
  }
}
