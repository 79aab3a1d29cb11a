import { TrustRule } from './types';

/**
 * A trust policy written as a string that is not a JSON object: CloudFormation
 * fails the deployment, and nothing in it can be audited.
 */
export const UNREADABLE_TRUST_POLICY: TrustRule = {
  id: 'UnreadableTrustPolicy',
  severity: 'error',
  description: 'The trust policy is a string (or an Fn::Sub / Fn::Join building one) that is not a JSON object',
  fix: 'Write AssumeRolePolicyDocument as a YAML or JSON object, or fix the JSON in the string',
  check: role => role.documentError !== undefined
    ? [{ message: `role ${role.logicalId}: ${role.documentError}`, location: 'Properties/AssumeRolePolicyDocument' }]
    : [],
};
