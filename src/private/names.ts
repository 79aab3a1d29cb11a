import { createHash } from 'crypto';
import { Names, Stack, Token } from 'aws-cdk-lib';
import { IConstruct } from 'constructs';

/**
 * A role name generated at synth time from the construct's place in the app:
 * the stack name (first 25 characters), the construct's unique ID (last 24)
 * and a hash of those with the stack's account and region, lowercased, as
 * aws-cdk-lib's `PhysicalName.GENERATE_IF_NEEDED` builds its names (at most 61
 * characters of `[a-z0-9-]`).
 *
 * Unlike `GENERATE_IF_NEEDED`, which only writes a name into the template once
 * another environment references the role, this name is always written: adding
 * an `AssumeRolePolicy` in another account later must not rename, and so
 * replace, a role whose ARN a vendor already holds.
 *
 * @returns the name, or undefined when the stack's account or region is only
 * known at deploy time (such a role cannot be referenced from another account)
 */
export function generatedRoleName(scope: IConstruct): string | undefined {
  const stack = Stack.of(scope);
  if (Token.isUnresolved(stack.account) || Token.isUnresolved(stack.region)) {
    return undefined;
  }
  const uniqueId = Names.nodeUniqueId(scope.node);
  const hash = createHash('sha256')
    .update(stack.stackName)
    .update(uniqueId)
    .update(stack.region)
    .update(stack.account)
    .digest('hex')
    .slice(0, 12);
  return `${stack.stackName.slice(0, 25)}${uniqueId.slice(-24)}${hash}`.toLowerCase();
}
