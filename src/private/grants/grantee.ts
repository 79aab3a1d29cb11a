import { Resource, Stack, Token } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Construct, IConstruct } from 'constructs';
import { fail, show } from '../input/validation';
import { holdsOnlyPseudoParameters, isStackIndependent } from '../policy/literal-value';
import { cfnRoleOf, roleArnIn } from '../role/role-arn';

/**
 * Whom a grant is for, read from the `iam.IGrantable` a user passes:
 *
 * - `identity`: an IAM role or user (of a stack of the app, or imported by
 *   ARN). The resource's policy names its account and narrows to its ARN; its
 *   own identity policy gets the permission where the app can write it.
 * - `account`: a whole account (`iam.AccountPrincipal`): its administrators
 *   decide who in it may act, with identity policies of their own.
 * - `organization`: every account of an organization (`iam.OrganizationPrincipal`).
 */
export interface Grantee {
  readonly kind: 'identity' | 'account' | 'organization';
  readonly grantable: iam.IGrantable;
  /** How messages name it: `the role 'B/Reader'`, `account 222222222222`. */
  readonly label: string;
  /** Its account, when known at synth time (never for an organization). */
  readonly account?: string;
  /** The organization of an `iam.OrganizationPrincipal`. */
  readonly organizationId?: string;
  /** An identity's stack, where its identity policy goes (for an imported one: the stack it is imported into). */
  readonly stack?: Stack;
  /** An identity this app creates (an `iam.Role`, `iam.User`, or a construct wrapping one). */
  readonly created: boolean;
}

/**
 * Reads the grantee of `CrossAccountGrants.<method>`. Refuses what a resource
 * policy cannot name or this library does not grant: a group (IAM does not
 * accept groups as principals), anyone (`*`), AWS services, web identity and
 * SAML federation, composites.
 *
 * @param owner the resource, named in errors
 * @param resourceStack the resource's stack, where a token account (`Aws.ACCOUNT_ID`) means its own
 */
export function readGrantee(owner: IConstruct, method: string, grantable: iam.IGrantable, resourceStack: Stack): Grantee {
  const principal = grantable.grantPrincipal;
  const label = describe(principal);
  if (principal instanceof iam.Group || 'groupArn' in principal) {
    fail(owner, `CrossAccountGrants.${method} cannot grant to ${label}: IAM does not accept a group as the principal of a resource policy (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_principal.html); grant to the group's account (new iam.AccountPrincipal('<account>')) and give the group the permission in its own account, or grant to a role its members assume`);
  }
  if (principal instanceof iam.OrganizationPrincipal) {
    return { kind: 'organization', grantable, label: `organization ${principal.organizationId}`, organizationId: principal.organizationId, created: false };
  }
  if (principal instanceof iam.AccountPrincipal) {
    const account = literalAccount(resourceStack, principal.accountId);
    return { kind: 'account', grantable, label: `account ${account ?? principal.accountId}`, account, created: false };
  }
  if (isRole(principal) || isUser(principal)) {
    const created = isRole(principal) ? cfnRoleOf(principal) !== undefined : principal.node.defaultChild instanceof iam.CfnUser;
    const account = literalAccount(resourceStack, principal.principalAccount ?? Stack.of(principal).account);
    const arn = isRole(principal) ? principal.roleArn : principal.userArn;
    if (!created && account === undefined && !holdsOnlyPseudoParameters(Stack.of(principal).resolve(arn))) {
      const kind = isRole(principal) ? 'role' : 'user';
      fail(owner, `${label} is imported with an ARN only known at deploy time (a CloudFormation parameter, an import or another resource's attribute), so CrossAccountGrants.${method} can tell neither its account nor its ARN at synth time, and a resource policy must name both; `
        + `import it with its literal ARN (iam.${kind === 'role' ? 'Role.fromRoleArn' : 'User.fromUserArn'}(scope, id, 'arn:aws:iam::222222222222:${kind}/name')), or grant its account (new iam.AccountPrincipal('222222222222'))`);
    }
    return { kind: 'identity', grantable, label, account, stack: Stack.of(principal), created };
  }
  if (principal instanceof iam.ArnPrincipal && /^arn:[^:]+:iam::\d{12}:(role|user)\//.test(principal.arn)) {
    return { kind: 'identity', grantable, label, account: principal.arn.split(':')[4], created: false };
  }
  return fail(owner, `CrossAccountGrants.${method} grants principals of other AWS accounts (an IAM role or user, an account or an organization), not ${label}; `
    + 'for an AWS service or a federated principal use the resource\'s own grant (e.g. bucket.grantRead(...)) with the conditions that service documents');
}

/**
 * The ARN of an identity grantee as the resource's stack may hold it: a role's
 * or user's literal ARN, from its physical name when it is created in another
 * stack (an error names the prop to set when it has none).
 */
export function identityArnIn(stack: Stack, grantee: Grantee, owner: IConstruct): string {
  const principal = grantee.grantable.grantPrincipal;
  if (isRole(principal)) {
    return roleArnIn(stack, principal, owner, 'the grantee').arn;
  }
  if (isUser(principal)) {
    const noName = `the grantee '${principal.node.path}' has no physical name, so its ARN is only known once its stack is deployed and would reach this stack as a CloudFormation export, which does not cross accounts; give the user a userName`;
    if (!Token.isUnresolved(principal.userArn)) { return principal.userArn; }
    let resolved: unknown;
    try {
      resolved = stack.resolve(principal.userArn);
    } catch (error) {
      if (error instanceof Error && /cross-environment|physical name/i.test(error.message)) { fail(owner, noName); }
      throw error;
    }
    if (!isStackIndependent(resolved)) { fail(owner, noName); }
    return principal.userArn;
  }
  return (principal as iam.ArnPrincipal).arn;
}

function isRole(principal: iam.IPrincipal): principal is iam.IRole {
  return 'roleArn' in principal && principal instanceof Construct;
}

function isUser(principal: iam.IPrincipal): principal is iam.IUser {
  return 'userArn' in principal && principal instanceof Construct;
}

/** A literal account, the resource stack's own for its token, or undefined when only known at deploy time. */
function literalAccount(resourceStack: Stack, account: string): string | undefined {
  if (!Token.isUnresolved(account)) { return account; }
  // A token that resolves to a literal in the resource's stack (iam.AccountRootPrincipal: the stack's own account).
  const resolved = resourceStack.resolve(account);
  return typeof resolved === 'string' ? resolved : undefined;
}

function describe(principal: iam.IPrincipal): string {
  if (principal instanceof iam.Group || 'groupArn' in principal) { return `the group '${(principal as unknown as IConstruct).node.path}'`; }
  if (isRole(principal)) { return `the role '${principal.node.path}'`; }
  if (isUser(principal)) { return `the user '${principal.node.path}'`; }
  if (principal instanceof Resource) { return `'${principal.node.path}'`; }
  if (principal instanceof iam.ArnPrincipal && !Token.isUnresolved(principal.arn)) { return `the principal ${show(principal.arn)}`; }
  return principal.toString();
}
