import { Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import { LONGEST_PARTITION, UNRESOLVED_ARN_ESTIMATE, UNRESOLVED_VALUE_ESTIMATE } from '../constants';
import { IntrinsicContext, resolveIntrinsics } from './intrinsics';

/** What a pseudo parameter is counted as: its longest real value. */
const PSEUDO_PARAMETER_ESTIMATES: Record<string, string> = {
  'AWS::Partition': LONGEST_PARTITION,
  'AWS::AccountId': '123456789012',
  'AWS::Region': 'ap-southeast-5',
  'AWS::URLSuffix': 'amazonaws.com.cn',
};

/** What an ARN attribute (`Fn::GetAtt` of `Arn`, `TopicArn`, `StreamArn`, ...) is counted as. */
const ARN_ESTIMATE = 'x'.repeat(UNRESOLVED_ARN_ESTIMATE);

/**
 * What a policy's intrinsics count as when it is measured at synth time: pseudo
 * parameters as their longest value, an ARN attribute (`Fn::GetAtt` of `Arn`
 * or `...Arn`, also inside `Fn::Sub`) as `UNRESOLVED_ARN_ESTIMATE` characters,
 * anything else only known at deploy time (a parameter, another attribute, an
 * import) as `UNRESOLVED_VALUE_ESTIMATE` characters.
 */
export const QUOTA_CONTEXT: IntrinsicContext = {
  ref: name => Object.prototype.hasOwnProperty.call(PSEUDO_PARAMETER_ESTIMATES, name) ? PSEUDO_PARAMETER_ESTIMATES[name] : undefined,
  getAtt: (_logicalId, attribute) => attribute.endsWith('Arn') ? ARN_ESTIMATE : undefined,
  unknown: 'x'.repeat(UNRESOLVED_VALUE_ESTIMATE),
};

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

/** The same, for a policy as it stands in a template (intrinsics and all). */
export function resolvedPolicyLength(resolved: unknown): number {
  return JSON.stringify(resolveIntrinsics(resolved, QUOTA_CONTEXT) ?? {}).replace(/\s/g, '').length;
}
