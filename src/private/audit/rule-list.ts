/**
 * Every rule of the audit: the trust rules (roles) and the resource rules
 * (resource and identity policies), as the front-ends list them (the rule
 * table, SARIF, `--ignore`, acknowledgements).
 */
import { RESOURCE_RULES } from './resource-rules';
import { TRUST_RULES } from './rules';

/** What every rule has, whichever policies it reads. */
export interface RuleInfo {
  readonly id: string;
  readonly severity: 'error' | 'warning';
  readonly description: string;
  readonly fix: string;
}

/** Every rule, trust rules first, in the order of the rule table. */
export const AUDIT_RULES: RuleInfo[] = [...TRUST_RULES, ...RESOURCE_RULES];
