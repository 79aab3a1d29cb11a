import { eachAllow, ResourceRule, targetsText } from './types';
import { principalKey } from '../rules/types';

/**
 * A resource policy that names a role or user of another stack of the app in
 * `Principal` (as aws-cdk-lib's grants do across accounts): IAM checks that
 * the principal exists when the policy is written, and nothing orders the two
 * stacks, so deploying the resource's stack first fails ("Invalid principal
 * in policy"); and when the role is replaced, IAM has turned the ARN into the
 * deleted role's unique ID, so the policy silently stops matching.
 *
 * @see https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_principal.html#principal-roles
 */
export const APP_PRINCIPAL_IN_RESOURCE_POLICY: ResourceRule = {
  id: 'AppPrincipalInResourcePolicy',
  severity: 'warning',
  description: 'A resource policy names a role or user of another stack of the app in Principal (the deploy-order trap)',
  fix: 'Name the principal\'s account in Principal and narrow with ArnEquals aws:PrincipalArn <the role ARN> (CrossAccountGrants does), '
    + 'so that the stacks deploy in either order and the grant survives the role being replaced',
  kind: 'resource',
  check: (policy, context) => {
    const principals = context?.appPrincipals;
    if (principals === undefined || principals.size === 0) { return []; }
    return eachAllow(policy, s => {
      const named = s.aws.flatMap(arn => {
        const key = principalKey(arn);
        const stack = key !== undefined ? principals.get(key) : undefined;
        return stack !== undefined && stack !== context?.stackName ? [`${arn} (stack ${stack})`] : [];
      });
      return named.length > 0
        ? `${targetsText(policy)} names ${named.join(', ')} in Principal: deploying ${context?.stackName !== undefined ? `stack ${context.stackName}` : 'this stack'} `
          + 'first fails ("Invalid principal in policy"), and replacing the principal silently breaks the grant'
        : undefined;
    });
  },
};
