/**
 * Who of the app may actually assume a role: every user, group (for its
 * members) and role of the trusted accounts, evaluated by the library's
 * evaluator against the role's trust policy and its own identity-based
 * policies, boundary and the organisation's SCPs and RCPs, with a request that
 * meets the guards both sides ask for (an external ID, an MFA sign-in, a
 * source address ...). The access map draws its arrows from them.
 */
import { STS_ASSUME_ROLE } from '../constants';
import { Caller, ContextEntry, POLICY_VARIABLE, Policy, RequestContext, UNKNOWN, callerKeys, evaluate, parseCaller, variableValue } from '../evaluator';
import { controlLevels } from './explain';
import { AccessModel, Identity } from './model';

/** A principal of the app that may assume a role. */
export interface AppAssumer {
  readonly identity: Identity;
  /** `allowed`: it may, when the guards are met; `unknown`: that depends on values only known at deploy time. */
  readonly decision: 'allowed' | 'unknown';
}

/** Keys the principal itself determines: a request cannot choose them to meet a guard. */
const PRINCIPAL_KEYS = /^aws:(PrincipalArn|PrincipalAccount|PrincipalType|username|userid|PrincipalOrgID|PrincipalTag\/.*|PrincipalIsAWSService|PrincipalServiceName)$/i;

/**
 * A string that a `String*` / `Arn*` value accepts: wildcards become a letter,
 * and a policy variable the caller's own value of its key (for
 * `sts:RoleSessionName` equal to `${aws:username}`, the user's name), as the
 * evaluator reads variables (`variableValue`); UNKNOWN when the caller's value
 * is only known at deploy time (a member of a group: which user is not known).
 * A variable the caller has no value for stays a letter, which no key equals:
 * IAM fails the condition then too.
 */
function meetingString(value: string, principal: RequestContext): string | typeof UNKNOWN {
  let unknown = false;
  const met = value.replace(new RegExp(`${POLICY_VARIABLE.source}|[*?]`, 'g'), (_whole: string, variable?: string) => {
    if (variable === undefined) { return 'x'; }
    const found = variableValue(variable, principal);
    if (found === UNKNOWN) { unknown = true; }
    return typeof found === 'string' ? found : 'x';
  });
  return unknown ? UNKNOWN : met;
}

/** A value that meets a condition under a positive operator (UNKNOWN when it hangs on the caller's deploy-time identity), if one can be told. */
function meeting(operator: string, value: string, principal: RequestContext): string | typeof UNKNOWN | undefined {
  const base = operator.replace(/^For(Any|All)Values?:/, '').replace(/IfExists$/, '');
  if (/^(String|Arn)(Equals|Like|EqualsIgnoreCase)$/.test(base)) { return meetingString(value, principal); }
  if (base === 'Bool') { return value; }
  if (base === 'NumericLessThan') { return String(Number(value) - 1); }
  if (base === 'NumericLessThanEquals' || base === 'NumericEquals' || base === 'NumericGreaterThanEquals') { return value; }
  if (base === 'NumericGreaterThan') { return String(Number(value) + 1); }
  if (base === 'IpAddress') { return value.split('/')[0]; }
  return undefined;
}

/**
 * A request context that meets the guards of the statements that may allow
 * the call: for each key the request chooses (not one the principal
 * determines), a value its first positive condition accepts; `Null false`:
 * present.
 */
function meetingGuards(policies: readonly Policy[], principal: RequestContext): ContextEntry[] {
  const entries = new Map<string, ContextEntry>();
  for (const statement of policies.flatMap(p => p.statements).filter(s => s.effect === 'Allow')) {
    for (const condition of statement.conditions) {
      const key = condition.key.toLowerCase();
      if (PRINCIPAL_KEYS.test(condition.key) || entries.has(key)) { continue; }
      const multi = /^For(Any|All)Values?:/.test(condition.operator);
      if (condition.operator === 'Null' && condition.values.some(v => v.toLowerCase() === 'false')) {
        entries.set(key, { key: condition.key, values: ['x'], multiValued: false, unknownValue: false });
        continue;
      }
      if (condition.values.length === 0) { continue; }
      const value = meeting(condition.operator, condition.values[0], principal);
      if (value === undefined) { continue; }
      // a value that hangs on the caller's deploy-time identity: the request's is unknown too
      entries.set(key, value === UNKNOWN
        ? { key: condition.key, values: [], multiValued: multi, unknownValue: true }
        : { key: condition.key, values: [value], multiValued: multi, unknownValue: false });
    }
  }
  return Array.from(entries.values());
}

/** The caller an identity stands for: a user, a session of a role, a member of a group (a principal of its account). */
function callerOf(identity: Identity): Caller | undefined {
  if (identity.account === undefined) { return undefined; }
  if (identity.kind === 'group') { return parseCaller(identity.account); }
  return identity.arn !== undefined ? parseCaller(identity.arn) : undefined;
}

/**
 * The principals of the app in `accounts` that may assume `role`: those the
 * evaluator allows (or cannot rule out, when a deploy-time value decides),
 * with the guards of the role's trust and of their own policies met.
 */
export function appAssumers(model: AccessModel, role: Identity, accounts: readonly string[]): AppAssumer[] {
  if (role.trust === undefined || role.arn === undefined || role.account === undefined) { return []; }
  const assumers: AppAssumer[] = [];
  for (const identity of model.identities) {
    if (identity === role || identity.account === undefined || !accounts.includes(identity.account)) { continue; }
    const caller = callerOf(identity);
    if (caller === undefined) { continue; }
    const principal = new RequestContext([
      ...callerKeys(caller),
      ...Object.entries(identity.tags).map(([k, v]) => ({ key: `aws:PrincipalTag/${k}`, values: [v], multiValued: false, unknownValue: false })),
      ...model.organization.organizationId !== undefined && model.organization.members.has(caller.account)
        ? [{ key: 'aws:PrincipalOrgID', values: [model.organization.organizationId], multiValued: false, unknownValue: false }] : [],
      { key: 'aws:ResourceAccount', values: [role.account], multiValued: false, unknownValue: false },
    ]);
    const context = new RequestContext([...principal.all(), ...meetingGuards([role.trust, ...identity.policies], principal)]);
    const evaluation = evaluate({
      request: { caller, action: STS_ASSUME_ROLE, resource: role.arn, context },
      resourceAccount: role.account,
      identity: { policies: identity.policies, known: true },
      ...(identity.boundary !== undefined ? { boundary: { policies: [identity.boundary], known: true } } : {}),
      resourcePolicy: { policies: [role.trust], known: true },
      resourcePolicyKind: 'trust-policy',
      scps: controlLevels(model, model.organization.scps, caller.account),
      rcps: controlLevels(model, model.organization.rcps, role.account),
    });
    if (evaluation.decision === 'allowed' || evaluation.decision === 'unknown') {
      assumers.push({ identity, decision: evaluation.decision });
    }
  }
  return assumers;
}
