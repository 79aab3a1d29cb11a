import { createHash } from 'crypto';
import { Names, Stack, Token } from 'aws-cdk-lib';
import { Construct } from 'constructs';

/**
 * The role name aws-cdk-lib's `PhysicalName.GENERATE_IF_NEEDED` gives a role
 * `scope/<childId>` once another environment refers to it: the stack name
 * (first 25 characters), the role node's unique ID (last 24) and a hash of
 * those with the stack's account and region, lowercased (at most 61
 * characters of `[a-z0-9-]`).
 *
 * Unlike `GENERATE_IF_NEEDED`, the caller always writes this name into the
 * template: adding an `AssumeRolePolicy` in another account later must not
 * rename, and so replace, a role whose ARN a vendor already holds. Being the
 * very name `GENERATE_IF_NEEDED` gives, a role another account already referred
 * to keeps its name.
 *
 * Call it before the child `childId` exists: the role node's unique ID is read
 * from a probe child of that id, removed again at once.
 *
 * @returns the name, or undefined when the stack's account or region is only
 * known at deploy time (such a role cannot be referenced from another account)
 */
export function generatedRoleName(scope: Construct, childId: string): string | undefined {
  const stack = Stack.of(scope);
  if (Token.isUnresolved(stack.account) || Token.isUnresolved(stack.region)) {
    return undefined;
  }
  const probe = new Construct(scope, childId);
  const uniqueId = Names.nodeUniqueId(probe.node);
  scope.node.tryRemoveChild(childId);
  const hash = createHash('sha256')
    .update(stack.stackName)
    .update(uniqueId)
    .update(stack.region)
    .update(stack.account)
    .digest('hex')
    .slice(0, 12);
  return `${stack.stackName.slice(0, 25)}${uniqueId.slice(-24)}${hash}`.toLowerCase();
}
