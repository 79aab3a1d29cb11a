import { Annotations, Stack, Token } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Construct, Dependable } from 'constructs';
import { WARNING_PREFIX } from '../constants';
import { fail } from '../input/validation';
import { assumeStatementParts } from '../trusted/assume-statement';

/** What a grant of the permission to assume a role needs to know of the role. */
export interface AssumableRole {
  /** The `CrossAccountRole`: errors and warnings name it. */
  readonly scope: Construct;
  /** The inner role, which grants the permission in its own account. */
  readonly role: iam.Role;
  readonly roleArn: string;
  /** The role's account (its stack's). */
  readonly account: string;
  readonly trustedAccounts: string[];
  readonly assumeRoleActions: string[];
  readonly requiresMfa: boolean;
}

/**
 * `CrossAccountRole.grantAssumeRole`: gives `grantee` the permission to assume
 * `role` on the caller's side (the trust side is the role's own).
 *
 * - A grantee of the role's stack or account gets what `iam.Role` gives.
 * - A grantee of another account's stack gets what an `AssumeRolePolicy`
 *   writes: the role's literal ARN, every action of `assumeRoleActions`, the
 *   MFA condition when the role requires MFA. Its account must be trusted.
 * - A grantee whose identity policy this app cannot change gets nothing
 *   written: aws-cdk-lib treats a role imported from another account (or with
 *   `mutable: false`) as immutable and still reports the grant as a success, so
 *   a warning says so, and where to give the permission instead.
 */
export function grantAssume(role: AssumableRole, grantee: iam.IPrincipal): iam.Grant {
  const roleAccount = role.account;
  const granteeAccount = accountOf(grantee);
  const who = grantee instanceof Construct ? `'${grantee.node.path}'` : grantee.toString();
  const sameStack = grantee instanceof Construct && Stack.of(grantee) === Stack.of(role.scope);
  if (sameStack || (granteeAccount !== undefined && granteeAccount === roleAccount)) {
    return warnIfNothingWritten(role, role.role.grantAssumeRole(grantee), who, granteeAccount);
  }
  if (granteeAccount === undefined) {
    fail(role.scope, `grantAssumeRole cannot tell the account of ${who}; give it a user, group or role in a stack with env: { account: '222222222222', region: '...' }, so that the permission names this role by a literal ARN (CloudFormation exports do not cross accounts)`);
  }
  if (Token.isUnresolved(roleAccount)) {
    fail(role.scope, `grantAssumeRole to ${who} in account ${granteeAccount} needs this role's account at synth time; give stack '${Stack.of(role.scope).node.path}' env: { account, region }`);
  }
  if (!role.trustedAccounts.includes(granteeAccount)) {
    fail(role.scope, `grantAssumeRole: ${who} is in account ${granteeAccount}, which this role does not trust (it trusts ${role.trustedAccounts.join(', ')}), so its trust policy would refuse the call; add ${granteeAccount} to trustedAccounts (or trustedPrincipalArns)`);
  }
  const statement = assumeStatementParts({ actions: role.assumeRoleActions, roleArns: [role.roleArn], requireMfa: role.requiresMfa });
  const grant = iam.Grant.addToPrincipal({
    grantee,
    actions: statement.actions,
    resourceArns: statement.resources,
    conditions: statement.conditions,
  });
  if (!grant.success) {
    fail(role.scope, `grantAssumeRole could not add the permission to ${who}: it has no identity policy this app can change (an imported or immutable principal); give the permission in its account, e.g. with an AssumeRolePolicy there`);
  }
  return warnIfNothingWritten(role, grant, who, granteeAccount);
}

/**
 * Warns when a grant wrote no statement into any policy of the app: the
 * grantee refused it, or said it added it while no policy holds it (the grant
 * depends on nothing: aws-cdk-lib's immutable roles do this). An `iam.Role`
 * says where its statement went only when the app is prepared (an aspect of
 * aws-cdk-lib splits its default policy then, and fills the grant's
 * dependencies), so a grant that depends on nothing yet is judged again at
 * validation, after every aspect has run.
 */
function warnIfNothingWritten(role: AssumableRole, grant: iam.Grant, who: string, granteeAccount: string | undefined): iam.Grant {
  const written = () => grant.success && Dependable.of(grant).dependencyRoots.length > 0;
  if (written()) {
    return grant;
  }
  role.scope.node.addValidation({
    validate: () => {
      if (!written()) {
        const where = granteeAccount !== undefined ? `account ${granteeAccount}` : 'its account';
        Annotations.of(role.scope).addWarningV2(`${WARNING_PREFIX}:grantAssumeRoleNotWritten`,
          `grantAssumeRole wrote nothing for ${who}: this app cannot change its identity policy (aws-cdk-lib leaves a role imported from another account, or imported with mutable: false, untouched), so nothing lets it assume this role; give it the permission in ${where}, e.g. with an AssumeRolePolicy in a stack of ${where} whose roles (or users, groups) include it`);
      }
      return [];
    },
  });
  return grant;
}

/** The account of a principal when it is known at synth time: its own, or its stack's. */
function accountOf(principal: iam.IPrincipal): string | undefined {
  const account = principal.grantPrincipal.principalAccount
    ?? (principal instanceof Construct ? Stack.of(principal).account : undefined);
  return account === undefined || Token.isUnresolved(account) ? undefined : account;
}
