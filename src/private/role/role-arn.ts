import { Stack, Token } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import { IConstruct } from 'constructs';
import { fail } from '../input/validation';
import { isStackIndependent } from '../policy/literal-value';

/** What `roleArnIn` found out about a role. */
export interface RoleArnInStack {
  /** The role's ARN as `stack` may hold it: a literal (or the role's own attribute, in its own stack). */
  readonly arn: string;
  /** The stack that creates the role, when it is another stack of this app (the role exists once it is deployed). */
  readonly ownerStack?: Stack;
}

/**
 * The ARN of a role as a value of `stack`'s template that needs no
 * CloudFormation export: a role of this stack (or one imported here) as it is;
 * a role created in another stack as the literal ARN of its physical name; an
 * imported role by its ARN. Anything that would be an `Fn::ImportValue` (which
 * does not cross accounts) or is only known at deploy time in another stack
 * is refused with an error that names the fix.
 *
 * @param owner the construct named in errors
 * @param what what the role is to the owner, e.g. `target role`
 */
export function roleArnIn(stack: Stack, role: iam.IRole, owner: IConstruct, what: string): RoleArnInStack {
  const roleStack = Stack.of(role);
  const cfnRole = cfnRoleOf(role);
  const label = `${what} '${role.node.path}'`;
  if (roleStack === stack || !Token.isUnresolved(role.roleArn)) {
    return { arn: role.roleArn };
  }
  if (cfnRole !== undefined) {
    if (Token.isUnresolved(stack.account)) {
      fail(owner, `the stack '${stack.node.path}' has no concrete account, but ${label} is in another stack; give it env: { account: '222222222222', region: '...' } so the role's ARN resolves to a literal (CloudFormation exports do not cross accounts)`);
    }
    if (Token.isUnresolved(roleStack.account)) {
      fail(owner, `the stack '${roleStack.node.path}' of ${label} has no concrete account; give it env: { account: '111111111111', region: '...' } so the role's ARN is a literal here (CloudFormation exports do not cross accounts)`);
    }
  }
  const noPhysicalName = `${label} has no physical name, so its ARN is only known once its stack is deployed and would reach this stack as a CloudFormation export, which does not cross accounts; `
    + 'give the role a roleName (or roleName: PhysicalName.GENERATE_IF_NEEDED), or give its ARN';
  let resolved: unknown;
  try {
    // Another environment: aws-cdk-lib formats the ARN of the role's physical name here, or refuses (no physical name).
    resolved = stack.resolve(role.roleArn);
  } catch (error) {
    if (error instanceof Error && /cross-environment|physical name/i.test(error.message)) {
      fail(owner, noPhysicalName);
    }
    throw error;
  }
  if (isStackIndependent(resolved)) {
    return { arn: role.roleArn, ownerStack: cfnRole !== undefined ? roleStack : undefined };
  }
  // The same environment: aws-cdk-lib would export the attribute; the role's literal name makes the ARN.
  const name = cfnRole?.roleName;
  const rolePath = cfnRole?.path ?? '/';
  if (cfnRole === undefined || name === undefined || Token.isUnresolved(name) || Token.isUnresolved(rolePath)) {
    fail(owner, noPhysicalName);
  }
  const arn = stack.formatArn({ service: 'iam', region: '', account: roleStack.account, resource: 'role', resourceName: `${rolePath.replace(/^\//, '')}${name}` });
  return { arn, ownerStack: roleStack };
}

/**
 * The `AWS::IAM::Role` resource that a role stands for, when this app creates
 * it: an `iam.Role`'s own, or that of the role a construct wraps (its default
 * child, e.g. a `CrossAccountRole`'s `iam.Role`). Undefined for imported roles.
 */
export function cfnRoleOf(role: IConstruct): iam.CfnRole | undefined {
  let current: IConstruct | undefined = role;
  for (let depth = 0; current !== undefined && depth < 3; depth++) {
    if (current instanceof iam.CfnRole) { return current; }
    current = current.node.defaultChild;
  }
  return undefined;
}
