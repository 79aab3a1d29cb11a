import { Annotations, Stack } from 'aws-cdk-lib';
import { IConstruct } from 'constructs';
import { WARNING_PREFIX } from '../constants';
import { resolvedPolicyLength } from '../policy/policy-size';

/**
 * The size quota of a resource policy: how to find the policy as it will be
 * deployed, and its documented limit.
 */
export interface PolicyQuota {
  /** What the policy is, for messages: `the bucket policy`. */
  readonly policy: string;
  /** The limit, as the service documents it: `20 KB (20,480 bytes)`. */
  readonly limitText: string;
  readonly limit: number;
  /** The policy's statements or document as synthesized (intrinsics and all), found at validation time. */
  readonly measure: () => unknown;
  /** What to do when it is over. */
  readonly fix: string;
  /** The quota can be raised (a warning, not an error). */
  readonly adjustable?: boolean;
  /** Quotas on the policy's parts besides its size (SQS, SNS), each an error when over. */
  readonly counts?: readonly CountQuota[];
}

/** A documented quota on how many statements, principals or actions a resource policy holds. */
export interface CountQuota {
  /** What is counted. */
  readonly of: 'statements' | 'principals' | 'actions per statement';
  readonly max: number;
}

/** The statements of a policy document as synthesized (an object with `Statement`, or the list itself). */
function statementsOf(document: unknown): Array<Record<string, unknown>> {
  const list = Array.isArray(document) ? document
    : typeof document === 'object' && document !== null ? [(document as Record<string, unknown>).Statement].flat() : [];
  return list.filter((s): s is Record<string, unknown> => typeof s === 'object' && s !== null);
}

/** How many principals a statement names: each value of each principal type, `"*"` one. */
function principalCount(statement: Record<string, unknown>): number {
  const principal = statement.Principal;
  if (principal === undefined) { return 0; }
  if (typeof principal !== 'object' || principal === null) { return 1; }
  return Object.values(principal as Record<string, unknown>).reduce<number>((n, v) => n + (Array.isArray(v) ? v.length : 1), 0);
}

/** The count quotas a document breaks, in words. */
function overCounts(document: unknown, counts: readonly CountQuota[]): string[] {
  const statements = statementsOf(document);
  const actions = (s: Record<string, unknown>) => [s.Action ?? s.NotAction ?? []].flat().length;
  return counts.flatMap(count => {
    const found = count.of === 'statements' ? statements.length
      : count.of === 'principals' ? statements.reduce((n, s) => n + principalCount(s), 0)
        : Math.max(0, ...statements.map(actions));
    return found > count.max ? [`${found} ${count.of}, over the quota of ${count.max}`] : [];
  });
}

/** The quotas checked on each resource, by policy, so that each is checked once however many grants it has. */
const checked = new WeakMap<IConstruct, Set<string>>();

/**
 * Checks a resource's policy against its quota when the app is synthesized,
 * after every grant and every other statement has been added: the policy is
 * measured as deployed (whitespace not counted, values only known at deploy
 * time estimated as `policy-size.ts` does), an error when it is over the
 * limit (a warning for a quota that can be raised).
 */
export function checkPolicyQuota(resource: IConstruct, quota: PolicyQuota): void {
  const done = checked.get(resource) ?? new Set<string>();
  checked.set(resource, done);
  if (done.has(quota.policy)) { return; }
  done.add(quota.policy);
  resource.node.addValidation({
    validate: () => {
      const document = Stack.of(resource).resolve(quota.measure());
      const counted = overCounts(document, quota.counts ?? []);
      const countErrors = counted.length > 0 ? [`${quota.policy} has ${counted.join(', and ')} (${quota.limitText}); ${quota.fix}`] : [];
      const length = resolvedPolicyLength(document);
      if (length <= quota.limit) { return countErrors; }
      const message = `${quota.policy} is about ${length} characters, over the quota of ${quota.limitText}; ${quota.fix}`;
      if (quota.adjustable) {
        Annotations.of(resource).addWarningV2(`${WARNING_PREFIX}:resourcePolicySize`, `${message} (or raise the quota in Service Quotas)`);
        return countErrors;
      }
      return [message, ...countErrors];
    },
  });
}
