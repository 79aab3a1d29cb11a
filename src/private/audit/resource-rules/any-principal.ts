import { eachAllow, ResourceRule, targetsText } from './types';
import { requiresKey } from '../rules/types';

/**
 * Condition keys that narrow `Principal: "*"` in a resource policy to
 * someone in particular: a principal, an account, an organisation or OU, the
 * resource or account of a service acting for you, your network, or (for KMS)
 * the caller's account.
 *
 * @see https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-keys.html
 * @see https://docs.aws.amazon.com/kms/latest/developerguide/conditions-kms.html#conditions-kms-caller-account
 */
export const NARROWING_KEYS = [
  'aws:PrincipalArn', 'aws:PrincipalAccount', 'aws:PrincipalOrgID', 'aws:PrincipalOrgPaths', 'aws:userid',
  'aws:SourceAccount', 'aws:SourceArn', 'aws:SourceOwner', 'aws:SourceOrgID', 'aws:SourceOrgPaths',
  'aws:SourceVpc', 'aws:SourceVpce', 'kms:CallerAccount',
];

/**
 * A resource policy that allows `Principal: "*"` (or `{"AWS": "*"}`) with no
 * condition that narrows it lets every principal of every AWS account in,
 * and for some services anonymous callers too.
 */
export const RESOURCE_POLICY_ANY_PRINCIPAL: ResourceRule = {
  id: 'ResourcePolicyAnyPrincipal',
  severity: 'error',
  description: 'A resource policy allows any principal (Principal "*") without a condition that narrows it',
  fix: 'Name the accounts that may use the resource, or add a condition on aws:PrincipalOrgID (your organisation), aws:PrincipalArn, '
    + 'aws:SourceArn / aws:SourceAccount (a service acting for you) or aws:SourceVpce',
  kind: 'resource',
  check: policy => eachAllow(policy, s => s.anyPrincipal && !NARROWING_KEYS.some(key => requiresKey(s, key))
    ? `${targetsText(policy)} allows ${s.actions.join(', ') || `every action but ${s.notActions.join(', ')}`} to any principal of any account, with no narrowing condition`
    : undefined),
};
