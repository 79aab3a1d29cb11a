/**
 * Whether one statement applies to a request: its action, resource,
 * principal and conditions, each judged, so that a reason can say which one
 * failed.
 *
 * @see https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements.html
 */
import { conditionHolds } from './conditions';
import { Caller, RequestContext } from './context';
import { actionMatches, resourceMatches } from './patterns';
import { Condition, Policy, Statement } from './policy';
import { PrincipalLevel, notPrincipalExcludes, principalMatches } from './principals';
import { Truth, UNKNOWN, and, not, some } from './truth';

/** The kinds of policy, which differ in the elements they have. */
export type PolicyKind = 'identity' | 'boundary' | 'session' | 'scp' | 'rcp' | 'resource';

/** A request, as statements are judged against it. */
export interface Request {
  readonly caller: Caller;
  readonly action: string;
  /** The resource's ARN. */
  readonly resource: string;
  readonly context: RequestContext;
  /**
   * The caller has a permissions boundary: a resource-based policy's Deny
   * with `NotPrincipal` then denies it whatever the element lists.
   */
  readonly callerHasBoundary?: boolean;
}

/** One condition of a statement, judged. */
export interface ConditionResult {
  readonly condition: Condition;
  readonly holds: Truth;
}

/** One statement, judged against a request. */
export interface StatementResult {
  readonly policy: Policy;
  readonly statement: Statement;
  readonly action: Truth;
  readonly resource: Truth;
  readonly principal: Truth;
  /** How closely a resource-based policy's statement names the caller. */
  readonly level?: PrincipalLevel;
  readonly conditions: ConditionResult[];
  /** Whether the statement applies: all of the above. */
  readonly applies: Truth;
}

function actionOf(statement: Statement, action: string): Truth {
  if (statement.actions !== undefined) { return some(statement.actions, p => actionMatches(p, action)); }
  if (statement.notActions !== undefined) { return not(some(statement.notActions, p => actionMatches(p, action))); }
  return false;
}

function resourceOf(statement: Statement, arn: string, variables: RequestContext | undefined): Truth {
  const matchesOne = (patterns: string[]): Truth => some(patterns, pattern => resourceMatches(pattern, arn, variables));
  if (statement.resources !== undefined) { return matchesOne(statement.resources); }
  if (statement.notResources !== undefined) { return not(matchesOne(statement.notResources)); }
  // a role's trust policy names no resource: the role is its resource
  return true;
}

/** Judges one statement of a policy of a kind against a request. */
export function judgeStatement(policy: Policy, statement: Statement, kind: PolicyKind, request: Request): StatementResult {
  const variablesOn = policy.version === '2012-10-17';
  const variables = variablesOn ? request.context : undefined;
  const action = statement.effect === 'Allow' || statement.effect === 'Deny' ? actionOf(statement, request.action) : false;
  const resource = resourceOf(statement, request.resource, variables);
  let principal: Truth = true;
  let level: PrincipalLevel | undefined;
  if (kind === 'resource' || kind === 'rcp') {
    if (statement.principal !== undefined) {
      const match = principalMatches(statement.principal, request.caller);
      principal = match.matches;
      level = match.level ?? (match.matches === UNKNOWN ? 'direct' : undefined);
    } else if (statement.notPrincipal !== undefined) {
      // "The NotPrincipal element with a Deny effect will always deny any IAM principal that has a permissions boundary
      // policy attached, regardless of the values specified in the NotPrincipal element."
      // https://docs.aws.amazon.com/IAM/latest/UserGuide/access_policies_boundaries.html
      principal = statement.effect === 'Deny' && request.callerHasBoundary ? true : not(notPrincipalExcludes(statement.notPrincipal, request.caller));
      level = 'direct';
    } else {
      principal = false;
    }
  }
  const conditions = statement.conditions.map(condition => ({ condition, holds: conditionHolds(condition, request.context, variablesOn) }));
  const applies = and(action, resource, principal, ...conditions.map(c => c.holds));
  return { policy, statement, action, resource, principal, ...(level !== undefined ? { level } : {}), conditions, applies };
}

/** Every statement of some policies, judged. */
export function judgePolicies(policies: readonly Policy[], kind: PolicyKind, request: Request): StatementResult[] {
  return policies.flatMap(policy => policy.statements.map(statement => judgeStatement(policy, statement, kind, request)));
}
