/**
 * A role of a template as the trust rules see it: its trust policy read in
 * any form, intrinsics resolved where possible, statements normalized.
 */
import { MIN_SESSION_DURATION_SECONDS } from '../constants';
import { AuditContext, branchCombinations, ifConditions } from './resolve';
import { AuditedRole, featuresOf } from './rules';
import { normalizeStatement } from './statement';
import { JsonObject, isObject } from './template';
import { readTrustDocument } from './trust-document';
import { resolvedPolicyLength } from '../policy/policy-length';

export { list } from './statement';

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
