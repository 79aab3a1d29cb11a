import { Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import { MANAGED_POLICY_MAX_LENGTH } from '../constants';
import { policyLength } from './policy-size';

/**
 * The one packer for the managed-policy quota: splits `items` (in order) over
 * as few policy documents of at most 6,144 characters as it takes, each
 * document the longest run of the next items whose statements (built by
 * `statements`) fit. An item that does not fit even alone gets a document of
 * its own, for the caller's quota check to report.
 *
 * Each document is found by doubling the run, then bisecting: O(log n)
 * measurements per document, each of the document as IAM will count it
 * (`policyLength`).
 */
export function packPolicyDocuments<T>(stack: Stack, items: readonly T[],
  statements: (batch: T[]) => iam.PolicyStatement[]): iam.PolicyStatement[][] {
  const fits = (batch: T[]) => policyLength(stack, new iam.PolicyDocument({ statements: statements(batch) })) <= MANAGED_POLICY_MAX_LENGTH;
  const result: iam.PolicyStatement[][] = [];
  let start = 0;
  while (start < items.length) {
    let size = 1;
    while (start + size < items.length && fits(items.slice(start, start + size * 2))) { size *= 2; }
    let low = size;
    let high = Math.min(size * 2, items.length - start);
    while (low < high) {
      const mid = Math.ceil((low + high) / 2);
      if (fits(items.slice(start, start + mid))) { low = mid; } else { high = mid - 1; }
    }
    result.push(statements(items.slice(start, start + low)));
    start += low;
  }
  return result;
}

/** The total length of policy documents, as IAM counts each. */
export function totalPolicyLength(stack: Stack, documents: iam.PolicyStatement[][]): number {
  return documents.reduce((sum, statements) => sum + policyLength(stack, new iam.PolicyDocument({ statements })), 0);
}
