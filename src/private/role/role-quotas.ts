import { Annotations, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import { IConstruct } from 'constructs';
import {
  MANAGED_POLICIES_PER_PRINCIPAL_DEFAULT,
  MANAGED_POLICIES_PER_PRINCIPAL_MAX,
  ROLE_INLINE_POLICIES_MAX_LENGTH,
  TRUST_POLICY_DEFAULT_QUOTA,
  TRUST_POLICY_MAX_QUOTA,
  WARNING_PREFIX,
} from '../constants';
import { policyLength, resolvedPolicyLength } from '../policy/policy-size';

/**
 * Measures a role against the IAM quotas, as CloudFormation will deploy it:
 * the trust policy (2,048 characters, 4,096 at most), its inline policies
 * together (10,240), its managed policies (10, 20 at most). Every policy is
 * measured as synthesized, intrinsics and all (see `policy-size.ts` for what a
 * value only known at deploy time counts as), and counts wherever it attaches
 * from: the role's own properties, an `AWS::IAM::Policy` or an
 * `AWS::IAM::ManagedPolicy` of the role's stack naming the role (grants,
 * `iam.Policy`, aws-cdk-lib's overflow policies).
 *
 * @param scope the `CrossAccountRole`: warnings name it
 * @returns the errors, for `node.addValidation`; warnings are added to `scope`
 */
export function roleQuotaErrors(scope: IConstruct, role: iam.Role): string[] {
  const errors: string[] = [];
  const stack = Stack.of(scope);
  const length = policyLength(stack, role.assumeRolePolicy!);
  if (length > TRUST_POLICY_MAX_QUOTA) {
    errors.push(`the trust policy is about ${length} characters, over the IAM maximum of ${TRUST_POLICY_MAX_QUOTA} (whitespace not counted); trust fewer principals per role, or use trustedAccounts or an organization condition instead of many principal ARNs`);
  } else if (length > TRUST_POLICY_DEFAULT_QUOTA) {
    Annotations.of(scope).addWarningV2(`${WARNING_PREFIX}:trustPolicySize`,
      `the trust policy is about ${length} characters, over the default IAM quota of ${TRUST_POLICY_DEFAULT_QUOTA} (whitespace not counted); the deployment fails unless the 'Role trust policy length' quota of the trusting account is raised (up to ${TRUST_POLICY_MAX_QUOTA}) in Service Quotas`);
  }
  const cfnRole = role.node.defaultChild as iam.CfnRole;
  const own = (stack.resolve(cfnRole.policies) ?? []) as Array<{ policyName?: string; policyDocument?: unknown }>;
  for (const policy of own) {
    if (policy.policyDocument === undefined) {
      errors.push(`the inline policy '${policy.policyName}' has no statements, and IAM refuses an empty policy; add statements to it or remove it from inlinePolicies`);
    }
  }
  const attachedInline = attached(stack, role, iam.CfnPolicy, p => p.roles).map(p => p.policyDocument);
  const inline = [...own.map(p => p.policyDocument), ...attachedInline]
    .filter(doc => doc !== undefined)
    // Measured as resolved, intrinsics and all: iam.PolicyDocument.fromJson refuses a resolved token resource.
    .reduce<number>((sum, doc) => sum + resolvedPolicyLength(stack.resolve(doc)), 0);
  if (inline > ROLE_INLINE_POLICIES_MAX_LENGTH) {
    errors.push(`the role's inline policies are about ${inline} characters in total, over the IAM quota of ${ROLE_INLINE_POLICIES_MAX_LENGTH} (whitespace not counted); move statements into customer managed policies (managedPolicies)`);
  }
  // Managed policies attach from either side: the role's ManagedPolicyArns, or a policy's Roles.
  const arns = stack.resolve(cfnRole.managedPolicyArns);
  const count = (Array.isArray(arns) ? arns.length : 0) + attached(stack, role, iam.CfnManagedPolicy, p => p.roles).length;
  if (count > MANAGED_POLICIES_PER_PRINCIPAL_MAX) {
    errors.push(`the role has ${count} managed policies, over the IAM maximum of ${MANAGED_POLICIES_PER_PRINCIPAL_MAX}; merge some into one customer managed policy or use inlinePolicies`);
  } else if (count > MANAGED_POLICIES_PER_PRINCIPAL_DEFAULT) {
    Annotations.of(scope).addWarningV2(`${WARNING_PREFIX}:managedPolicyCount`,
      `the role has ${count} managed policies, over the default IAM quota of ${MANAGED_POLICIES_PER_PRINCIPAL_DEFAULT}; the deployment fails unless the 'Managed policies per role' quota is raised (up to ${MANAGED_POLICIES_PER_PRINCIPAL_MAX})`);
  }
  return errors;
}

/** The policy resources of the role's stack that attach themselves to the role through their `Roles`. */
function attached<T extends IConstruct>(stack: Stack, role: iam.Role, type: new (...args: never[]) => T, rolesOf: (policy: T) => unknown): T[] {
  const roleRef = JSON.stringify(stack.resolve(role.roleName));
  return stack.node.findAll()
    .filter((c): c is T => c instanceof type)
    .filter(p => JSON.stringify(stack.resolve(rolesOf(p)) ?? []).includes(roleRef));
}
