import { TrustRule } from './types';
import { TRUST_POLICY_DEFAULT_QUOTA, TRUST_POLICY_MAX_QUOTA } from '../../constants';

/** Over the default quota, the deployment fails unless the account's quota was raised. */
export const TRUST_POLICY_OVER_DEFAULT_QUOTA: TrustRule = {
  id: 'TrustPolicyOverDefaultQuota',
  severity: 'warning',
  description: `The trust policy is over the default quota of ${TRUST_POLICY_DEFAULT_QUOTA} characters (whitespace not counted)`,
  fix: `Raise the "Role trust policy length" quota of the account (up to ${TRUST_POLICY_MAX_QUOTA}) in Service Quotas, or trust fewer principals per role`,
  check: role => role.trustPolicyLength > TRUST_POLICY_DEFAULT_QUOTA && role.trustPolicyLength <= TRUST_POLICY_MAX_QUOTA
    ? [{ message: `the trust policy is about ${role.trustPolicyLength} characters`, location: 'Properties/AssumeRolePolicyDocument' }]
    : [],
};

/** Over the maximum, no quota increase helps. */
export const TRUST_POLICY_OVER_MAXIMUM: TrustRule = {
  id: 'TrustPolicyOverMaximum',
  severity: 'error',
  description: `The trust policy is over the IAM maximum of ${TRUST_POLICY_MAX_QUOTA} characters (whitespace not counted)`,
  fix: 'Trust fewer principals per role, or an organization (aws:PrincipalOrgID) instead of a list of principals',
  check: role => role.trustPolicyLength > TRUST_POLICY_MAX_QUOTA
    ? [{ message: `the trust policy is about ${role.trustPolicyLength} characters`, location: 'Properties/AssumeRolePolicyDocument' }]
    : [],
};
