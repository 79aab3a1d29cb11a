import { Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import { resolvedPolicyLength } from './policy-length';

export { QUOTA_CONTEXT, resolvedPolicyLength } from './policy-length';

/**
 * The length IAM will count for a policy document: the JSON without any
 * whitespace, as IAM measures it against its quotas.
 *
 * Values only known at deploy time are estimated (see `QUOTA_CONTEXT`), so the
 * result is a close estimate, never a count of CDK's token syntax.
 */
export function policyLength(stack: Stack, document: iam.PolicyDocument): number {
  return resolvedPolicyLength(stack.resolve(document.toJSON()));
}
