import { TrustRule, location } from './types';

/** The partition of a literal ARN (`aws`, `aws-cn`, `aws-us-gov`, ...). */
const ARN_PARTITION = /^arn:(aws[a-z-]*):/;

/**
 * IAM does not trust across partitions: a principal of another partition than
 * the role's can never assume it (and IAM may refuse the policy).
 *
 * @see https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_principal.html
 */
export const CROSS_PARTITION_TRUST: TrustRule = {
  id: 'CrossPartitionTrust',
  severity: 'error',
  description: 'The role trusts a principal ARN of another partition than its stack\'s (IAM does not trust across partitions)',
  fix: 'Build principal ARNs with the stack\'s partition (iam.AccountPrincipal, Aws.PARTITION, Stack.of(this).formatArn), or trust a principal of the same partition',
  appliesTo: ['aws', 'federated'],
  check: role => role.partition === undefined ? [] : role.statements.flatMap((s, i) => {
    if (s.effect !== 'Allow') { return []; }
    const foreign = [...s.aws, ...s.federated].filter(p => {
      const partition = ARN_PARTITION.exec(p)?.[1];
      return partition !== undefined && partition !== role.partition;
    });
    return foreign.length > 0
      ? [{ message: `the role is in partition '${role.partition}' and trusts ${foreign.join(', ')}, which can never assume it`, location: location(i) }]
      : [];
  }),
};
