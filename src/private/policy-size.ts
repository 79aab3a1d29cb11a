import { Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import { LONGEST_PARTITION, UNRESOLVED_VALUE_ESTIMATE } from './constants';

/** What a pseudo parameter is counted as: its longest real value. */
const PSEUDO_PARAMETER_ESTIMATES: Record<string, string> = {
  'AWS::Partition': LONGEST_PARTITION,
  'AWS::AccountId': '123456789012',
  'AWS::Region': 'ap-southeast-5',
  'AWS::URLSuffix': 'amazonaws.com.cn',
};

/**
 * Replaces the CloudFormation intrinsics in a resolved policy by strings of
 * the length they will have once deployed: pseudo parameters by their longest
 * value, `Fn::Join` by the joined parts, anything else (a parameter, an
 * attribute) by a fixed estimate.
 */
function flatten(value: unknown): unknown {
  if (Array.isArray(value)) {
    return value.map(flatten);
  }
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>);
    if (entries.length === 1) {
      const [key, arg] = entries[0];
      if (key === 'Ref' && typeof arg === 'string') {
        return PSEUDO_PARAMETER_ESTIMATES[arg] ?? 'x'.repeat(UNRESOLVED_VALUE_ESTIMATE);
      }
      if (key === 'Fn::Join' && Array.isArray(arg) && Array.isArray(arg[1])) {
        return (arg[1] as unknown[]).map(part => {
          const flat = flatten(part);
          return typeof flat === 'string' ? flat : JSON.stringify(flat);
        }).join(String(arg[0]));
      }
      if (key.startsWith('Fn::')) {
        return 'x'.repeat(UNRESOLVED_VALUE_ESTIMATE);
      }
    }
    return Object.fromEntries(entries.map(([k, v]) => [k, flatten(v)]));
  }
  return value;
}

/**
 * The length IAM will count for a policy document: the JSON without any
 * whitespace, as IAM measures it against its quotas.
 *
 * Values only known at deploy time are estimated (see `flatten`), so the
 * result is a close estimate, never a count of CDK's token syntax.
 */
export function policyLength(stack: Stack, document: iam.PolicyDocument): number {
  return resolvedPolicyLength(stack.resolve(document.toJSON()));
}

/** The same, for a policy as it stands in a template (intrinsics and all). */
export function resolvedPolicyLength(resolved: unknown): number {
  return JSON.stringify(flatten(resolved) ?? {}).replace(/\s/g, '').length;
}
