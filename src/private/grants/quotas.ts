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
      const length = resolvedPolicyLength(Stack.of(resource).resolve(quota.measure()));
      if (length <= quota.limit) { return []; }
      const message = `${quota.policy} is about ${length} characters, over the quota of ${quota.limitText}; ${quota.fix}`;
      if (quota.adjustable) {
        Annotations.of(resource).addWarningV2(`${WARNING_PREFIX}:resourcePolicySize`, `${message} (or raise the quota in Service Quotas)`);
        return [];
      }
      return [message];
    },
  });
}
