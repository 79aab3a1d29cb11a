/**
 * The rules of the second road: resource policies (what a resource lets
 * others do) and identity policies (what a principal may do), one rule a
 * file, judged by the engine as the trust rules are.
 */
import { SHARED_RESOURCE_WORDS } from '../resource-policies';
import type { AuditedPolicy, PolicyKind, SharedResource } from '../resource-policies';
import { Finding, PolicyStatement, RuleContext } from '../rules/types';

/** A rule of resource or identity policies: one check, one id, one severity. */
export interface ResourceRule {
  /** Stable id, used to acknowledge findings: `CrossAccountTrustChecks::<id>`. */
  readonly id: string;
  readonly severity: 'error' | 'warning';
  /** What the rule guards against. */
  readonly description: string;
  /** How to comply. */
  readonly fix: string;
  /** The policies the rule reads. */
  readonly kind: PolicyKind;
  check(policy: AuditedPolicy, context?: RuleContext): Finding[];
}

/** The resources a policy is on, in words (`bucket my-data`, `queue Queue4A7E3555`). */
export function targetsText(policy: AuditedPolicy): string {
  const one = (t: SharedResource) => `${SHARED_RESOURCE_WORDS[t.type] ?? t.type} ${t.name ?? t.logicalId ?? '(known at deploy time)'}`;
  return policy.targets.length > 0 ? policy.targets.map(one).join(', ') : policy.logicalId;
}

/** The findings of a rule on each Allow statement of a policy, at the statement. */
export function eachAllow(policy: AuditedPolicy, message: (s: PolicyStatement) => string | undefined): Finding[] {
  const findings: Finding[] = [];
  policy.statements.forEach((s, i) => {
    if (s.effect !== 'Allow') { return; }
    const text = message(s);
    if (text !== undefined) { findings.push({ message: text, location: policy.statementPaths[i] }); }
  });
  return findings;
}
