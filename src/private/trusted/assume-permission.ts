import { Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import { assumeStatement } from './assume-statement';
import { unique } from '../input/validation';
import { packPolicyDocuments } from '../policy/policy-packer';

/** One role the trusted side may assume, and the actions its trust requires. */
export interface AssumeTarget {
  /** `sts:AssumeRole`, and `sts:TagSession` / `sts:SetSourceIdentity` when the role's trust requires them. */
  readonly actions: readonly string[];
  /** The role's ARN, a literal in the caller's stack. */
  readonly arn: string;
}

/**
 * The targets in the order of the permission: grouped by their set of
 * actions (groups in the order first seen), each group's ARNs unique and
 * sorted by their resolved text, so that the policy does not change when the
 * roles are given in another order.
 */
export function orderTargets(stack: Stack, targets: readonly AssumeTarget[]): AssumeTarget[] {
  const groups = new Map<string, Map<string, AssumeTarget>>();
  for (const target of targets) {
    const key = actionKey(target.actions);
    const group = groups.get(key) ?? new Map<string, AssumeTarget>();
    groups.set(key, group);
    const sortKey = JSON.stringify(stack.resolve(target.arn));
    if (!group.has(sortKey)) { group.set(sortKey, target); }
  }
  return Array.from(groups.values()).flatMap(group => Array.from(group.keys()).sort().map(k => group.get(k)!));
}

/**
 * The statements of the caller's side for a run of targets: one per run of
 * targets that share their actions, each built by `assumeStatement` (the
 * actions on their ARNs, the MFA condition when asked for).
 */
export function assumeStatements(targets: readonly AssumeTarget[], requireMfa: boolean): iam.PolicyStatement[] {
  const runs: AssumeTarget[][] = [];
  for (const target of targets) {
    const last = runs[runs.length - 1];
    if (last !== undefined && actionKey(last[0].actions) === actionKey(target.actions)) {
      last.push(target);
    } else {
      runs.push([target]);
    }
  }
  return runs.map(run => assumeStatement({ actions: run[0].actions, roleArns: run.map(t => t.arn), requireMfa }));
}

/**
 * The caller's side for the targets, packed into as few managed policy
 * documents as the 6,144-character quota allows (see `packPolicyDocuments`),
 * in the order of `orderTargets`.
 */
export function assumePermissionDocuments(stack: Stack, targets: readonly AssumeTarget[], requireMfa: boolean): iam.PolicyStatement[][] {
  return packPolicyDocuments(stack, orderTargets(stack, targets), batch => assumeStatements(batch, requireMfa));
}

function actionKey(actions: readonly string[]): string {
  return unique([...actions]).sort().join(',');
}
