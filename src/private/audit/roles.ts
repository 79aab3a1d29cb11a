/**
 * A role of a template as the trust rules see it: its trust policy read in
 * any form, intrinsics resolved where possible, statements normalized.
 */
import { MIN_SESSION_DURATION_SECONDS } from '../constants';
import { AuditContext, branchCombinations, ifConditions } from './resolve';
import { AuditedRole, featuresOf, TrustStatement, UNRESOLVED } from './rules';
import { JsonObject, isObject } from './template';
import { readTrustDocument } from './trust-document';
import { resolvedPolicyLength } from '../policy/policy-length';

/** A value that may be one or many, as a list of strings (none when undefined; a list of strings as it is). */
export function list(value: unknown): string[] {
  if (value === undefined) { return []; }
  if (!Array.isArray(value)) { return [String(value)]; }
  return value.every(v => typeof v === 'string') ? value as string[] : value.map(String);
}

/** One statement of a resolved trust policy, normalized for the rules. */
function normalizeStatement(raw: JsonObject): TrustStatement {
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

/** The role on one branch of the `Fn::If`s of its trust policy (`ctx.conditions`). */
function auditedRole(logicalId: string, properties: JsonObject, ctx: AuditContext): AuditedRole {
  const raw = properties.AssumeRolePolicyDocument;
  const { document, error } = readTrustDocument(raw, ctx);
  // a document written as a string is measured as parsed; an object one as written (intrinsics estimated)
  const fromString = typeof raw === 'string' || (isObject(raw) && Object.keys(raw).length === 1 && ('Fn::Sub' in raw || 'Fn::Join' in raw));
  const raws = document === undefined ? [] : Array.isArray(document.Statement) ? document.Statement : [document.Statement];
  const statements = raws.filter(isObject).map(normalizeStatement);
  return {
    logicalId,
    account: ctx.account,
    partition: ctx.knownPartition,
    statements,
    features: featuresOf(statements),
    trustPolicyLength: resolvedPolicyLength(fromString ? document ?? {} : raw ?? {}),
    maxSessionDuration: typeof properties.MaxSessionDuration === 'number' ? properties.MaxSessionDuration : MIN_SESSION_DURATION_SECONDS,
    documentError: error,
  };
}

/** The role's trust on each branch of the `Fn::If`s of its trust policy. */
export function auditedRoles(logicalId: string, properties: JsonObject, ctx: AuditContext): AuditedRole[] {
  const names = ifConditions(properties.AssumeRolePolicyDocument);
  // most trust policies have no Fn::If: their one branch is read in the template's own context
  if (names.size === 0) { return [auditedRole(logicalId, properties, ctx)]; }
  return branchCombinations(Array.from(names)).map(conditions => auditedRole(logicalId, properties, { ...ctx, conditions }));
}
