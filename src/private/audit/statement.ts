/**
 * A statement of a policy as the rules see it: one value or many as a list,
 * principals by kind, conditions by operator and key. Trust policies,
 * resource policies and identity policies are read alike.
 */
import { PolicyStatement, TrustStatement, UNRESOLVED } from './rules/types';
import { JsonObject, isObject } from './template';

/** A value that may be one or many, as a list of strings (none when undefined; a list of strings as it is). */
export function list(value: unknown): string[] {
  if (value === undefined) { return []; }
  if (!Array.isArray(value)) { return [String(value)]; }
  return value.every(v => typeof v === 'string') ? value as string[] : value.map(String);
}

/** One statement of a resolved trust policy, normalized for the rules. */
export function normalizeStatement(raw: JsonObject): TrustStatement {
  const principal = raw.Principal;
  const aws = isObject(principal) ? list(principal.AWS) : [];
  const conditions: Record<string, Record<string, string[]>> = {};
  // a Condition block (or an operator's keys) only known at deploy time: the statement cannot be judged
  let conditionsKnown = raw.Condition === undefined || isObject(raw.Condition);
  const block = isObject(raw.Condition) ? raw.Condition : {};
  for (const operator in block) {
    const keys = block[operator];
    if (!isObject(keys)) { conditionsKnown = false; continue; }
    const values: Record<string, string[]> = {};
    for (const key in keys) { values[key] = list(keys[key]); }
    conditions[operator] = values;
  }
  return {
    effect: conditionsKnown ? String(raw.Effect) : UNRESOLVED,
    anyPrincipal: principal === '*' || aws.includes('*'),
    notPrincipal: raw.NotPrincipal !== undefined,
    aws: aws.filter(p => p !== '*'),
    service: isObject(principal) ? list(principal.Service) : [],
    federated: isObject(principal) ? list(principal.Federated) : [],
    actions: list(raw.Action),
    notActions: list(raw.NotAction),
    conditions,
  };
}

/** One statement of a resolved resource or identity policy: a trust statement's parts, and its resources. */
export function normalizePolicyStatement(raw: JsonObject): PolicyStatement {
  return {
    ...normalizeStatement(raw),
    sid: typeof raw.Sid === 'string' ? raw.Sid : undefined,
    resources: list(raw.Resource),
    notResources: list(raw.NotResource),
  };
}
