/**
 * The policy evaluation logic of AWS, for one request: explicit denies
 * first, then the organisation's SCPs (the caller's account) and RCPs (the
 * resource's account), the resource-based policy, the identity-based
 * policies, the permissions boundary and the session policy, combined as AWS
 * combines them within an account and across accounts.
 *
 * Within an account, an Allow in an identity-based or a resource-based policy
 * is enough, except for role trust policies and KMS key policies, which must
 * allow the principal themselves; a resource-based policy that names the IAM
 * user or the session itself is not limited by an implicit deny in the
 * identity-based policies, the permissions boundary or the session policy,
 * and one that names the role of a session is limited by the boundary and
 * the session policy only. Across accounts, both sides must allow: the
 * resource-based policy of the resource's account, and the caller's
 * identity-based policies (within its boundary and session policy).
 *
 * @see https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic_policy-eval-denyallow.html
 * @see https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic-cross-account.html
 * @see https://docs.aws.amazon.com/kms/latest/developerguide/key-policies.html
 * @see https://docs.aws.amazon.com/organizations/latest/userguide/orgs_manage_policies_scps_evaluation.html
 * @see https://docs.aws.amazon.com/organizations/latest/userguide/orgs_manage_policies_rcps_evaluation.html
 */
import { Policy } from './policy';
import { PrincipalLevel } from './principals';
import { PolicyKind, Request, StatementResult, judgePolicies } from './statement';
import { Truth, UNKNOWN, and, not, or, some } from './truth';

/** The layers of a decision, named as `deniedBy` names them. */
export type LayerName = 'scp' | 'rcp' | 'identity-policy' | 'permissions-boundary' | 'session-policy'
| 'trust-policy' | 'resource-policy' | 'key-policy' | 'session-duration';

/** What the resource-based policy of the request is. */
export type ResourcePolicyKind = 'trust-policy' | 'key-policy' | 'resource-policy';

/** Policies of a layer, as far as the app knows them. */
export interface PolicySet {
  /** The policies (empty: none). */
  readonly policies: readonly Policy[];
  /** False when the app cannot see them (the caller is not in the app, the resource is not): the layer is unknown. */
  readonly known: boolean;
}

/** One level of an organisation (root, OU, account) and the control policies attached to it. */
export interface ControlLevel {
  /** The root, OU or account ID. */
  readonly target: string;
  readonly policies: readonly Policy[];
}

/** Everything a decision is made of. */
export interface EvaluationInput {
  readonly request: Request;
  /** The resource's account. */
  readonly resourceAccount: string;
  /** The caller's identity-based policies (a role session's: its role's). */
  readonly identity: PolicySet;
  /** The caller's permissions boundary; undefined when it has none. */
  readonly boundary?: PolicySet;
  /** The session policy of a role session; undefined when it has none. */
  readonly session?: PolicySet;
  /** The resource's resource-based policy; undefined when it has none. */
  readonly resourcePolicy?: PolicySet;
  readonly resourcePolicyKind: ResourcePolicyKind;
  /**
   * The SCPs of the caller's account, one level per root, OU and account in
   * the path to it: each level must allow. Undefined: no SCP applies (no
   * organisation, the management account, an AWS service).
   */
  readonly scps?: readonly ControlLevel[];
  /**
   * The RCPs of the resource's account, one level each; `RCPFullAWSAccess`,
   * which cannot be detached, allows everything at every level, so only
   * their denies count. Undefined: no RCP applies.
   */
  readonly rcps?: readonly ControlLevel[];
}

/** The internal decision: AWS's three outcomes, and unknown. */
export type Decision = 'allowed' | 'explicit-deny' | 'implicit-deny' | 'unknown';

/** One layer of a decision. */
export interface LayerOutcome {
  readonly layer: LayerName;
  /** Whether the app can see this layer's policies. */
  readonly known: boolean;
  /** A Deny statement applies. */
  readonly deny: Truth;
  /** An Allow statement applies (the resource-based policy: at any level). */
  readonly allow: Truth;
  /** Every statement, judged. */
  readonly statements: StatementResult[];
  /** For the resource-based policy: whether it allows at each level of naming the caller. */
  readonly levels?: Readonly<Record<PrincipalLevel, Truth>>;
  /** For the SCPs: whether each level allows. */
  readonly levelAllows?: ReadonlyArray<{ readonly target: string; readonly allow: Truth }>;
}

/** A decision, with the layers it was made of. */
export interface Evaluation {
  readonly decision: Decision;
  readonly sameAccount: boolean;
  readonly layers: LayerOutcome[];
  /** The layers that deny, explicitly or by not allowing what they must. */
  readonly deniedBy: LayerName[];
  /** The layers whose being unknown leaves the decision unknown. */
  readonly unknownLayers: LayerName[];
}

const denies = (results: StatementResult[]): Truth => some(results.filter(r => r.statement.effect === 'Deny'), r => r.applies);
const allows = (results: StatementResult[]): Truth => some(results.filter(r => r.statement.effect === 'Allow'), r => r.applies);

/** Whether the app knows every policy of a set (and the set is complete). */
const isKnown = (set: PolicySet): boolean => set.known && !set.policies.some(p => p.unknown);

/** A layer of ordinary policies (identity, boundary, session): an unknown set is unknown both ways. */
function layer(name: LayerName, set: PolicySet, kind: PolicyKind, request: Request): LayerOutcome {
  const statements = judgePolicies(set.policies, kind, request);
  const known = isKnown(set);
  return {
    layer: name,
    known,
    deny: known ? denies(statements) : or(denies(statements), UNKNOWN),
    allow: known ? allows(statements) : or(allows(statements), UNKNOWN),
    statements,
  };
}

/** Control policies: each level must allow (RCPs: `RCPFullAWSAccess` always does). */
function controlLayer(name: 'scp' | 'rcp', levels: readonly ControlLevel[], request: Request): LayerOutcome {
  const kind: PolicyKind = name;
  const judged = levels.map(level => ({ target: level.target, statements: judgePolicies(level.policies, kind, request) }));
  const statements = judged.flatMap(j => j.statements);
  const unknown = levels.some(level => level.policies.some(p => p.unknown)) ? UNKNOWN : false;
  const levelAllows = judged.map((j, i) => ({
    target: j.target,
    allow: name === 'rcp' ? true : or(allows(j.statements), levels[i].policies.some(p => p.unknown) ? UNKNOWN : false),
  }));
  return {
    layer: name,
    known: unknown === false,
    deny: or(denies(statements), unknown),
    allow: and(...levelAllows.map(l => l.allow)),
    statements,
    levelAllows,
  };
}

/** The resource-based policy: whether it allows at each level of naming the caller. */
function resourceLayer(name: ResourcePolicyKind, set: PolicySet, request: Request): LayerOutcome {
  const statements = judgePolicies(set.policies, 'resource', request);
  const at = (level: PrincipalLevel): Truth => some(statements.filter(r => r.statement.effect === 'Allow' && r.level === level), r => r.applies);
  const unknown = isKnown(set) ? false : UNKNOWN;
  const levels = { direct: or(at('direct'), unknown), role: or(at('role'), unknown), account: or(at('account'), unknown) };
  return {
    layer: name,
    known: unknown === false,
    deny: or(denies(statements), unknown),
    allow: or(levels.direct, levels.role, levels.account),
    statements,
    levels,
  };
}

const NONE: Record<PrincipalLevel, Truth> = { direct: false, role: false, account: false };

/** Evaluates a request. */
export function evaluate(input: EvaluationInput): Evaluation {
  const request = input.boundary !== undefined && input.request.caller.kind !== 'service' ? { ...input.request, callerHasBoundary: true } : input.request;
  const caller = request.caller;
  const layers: LayerOutcome[] = [];
  const scp = input.scps !== undefined && caller.kind !== 'service' ? controlLayer('scp', input.scps, request) : undefined;
  const rcp = input.rcps !== undefined ? controlLayer('rcp', input.rcps, request) : undefined;
  const isService = caller.kind === 'service';
  const identity = isService ? undefined : layer('identity-policy', input.identity, 'identity', request);
  const boundary = input.boundary !== undefined && !isService ? layer('permissions-boundary', input.boundary, 'boundary', request) : undefined;
  const session = input.session !== undefined && !isService ? layer('session-policy', input.session, 'session', request) : undefined;
  const resource = input.resourcePolicy !== undefined ? resourceLayer(input.resourcePolicyKind, input.resourcePolicy, request) : undefined;
  for (const l of [scp, rcp, identity, boundary, session, resource]) { if (l !== undefined) { layers.push(l); } }

  const sameAccount = caller.account === input.resourceAccount;
  const explicitDeny = or(...layers.map(l => l.deny));
  const levels = resource?.levels ?? NONE;
  const identityAllows = identity?.allow ?? false;
  const boundaryAllows = boundary?.allow ?? true;
  const sessionAllows = session?.allow ?? true;
  const mustNameCaller = input.resourcePolicyKind !== 'resource-policy';

  let core: Truth;
  if (isService) {
    core = or(levels.direct, levels.role, levels.account);
  } else if (sameAccount) {
    core = or(
      levels.direct,
      and(levels.role, boundaryAllows, sessionAllows),
      // a role trust policy or a key policy must name the account at least; other resources need nothing of their policy
      and(mustNameCaller ? levels.account : true, identityAllows, boundaryAllows, sessionAllows),
    );
  } else {
    core = and(or(levels.direct, levels.role, levels.account), identityAllows, boundaryAllows, sessionAllows);
  }
  const allowed = and(not(explicitDeny), scp?.allow ?? true, rcp?.allow ?? true, core);
  const decision: Decision = allowed === true ? 'allowed' : explicitDeny === true ? 'explicit-deny' : allowed === false ? 'implicit-deny' : 'unknown';

  const deniedBy: LayerName[] = [];
  const unknownLayers: LayerName[] = [];
  const blame = (outcome: LayerOutcome | undefined, value: Truth | undefined, name?: LayerName) => {
    const layerName = name ?? outcome?.layer;
    if (layerName === undefined) { return; }
    if (value === false && !deniedBy.includes(layerName)) { deniedBy.push(layerName); }
    if (value === UNKNOWN && !unknownLayers.includes(layerName)) { unknownLayers.push(layerName); }
  };
  if (decision === 'explicit-deny') {
    layers.filter(l => l.deny === true).forEach(l => deniedBy.push(l.layer));
  } else if (decision !== 'allowed') {
    layers.filter(l => l.deny === UNKNOWN).forEach(l => blame(l, UNKNOWN));
    blame(scp, scp?.allow);
    blame(rcp, rcp?.allow);
    const resourceName: LayerName = input.resourcePolicyKind;
    const resourceAllows = or(levels.direct, levels.role, levels.account);
    if (core !== true) {
      if (isService) {
        blame(resource, resourceAllows, resourceName);
      } else if (!sameAccount) {
        blame(resource, resourceAllows, resourceName);
        blame(identity, identityAllows);
        blame(boundary, boundaryAllows);
        blame(session, sessionAllows);
      } else if (mustNameCaller && resourceAllows !== true) {
        blame(resource, resourceAllows, resourceName);
        if (resourceAllows === UNKNOWN) { blame(identity, identityAllows); }
      } else if (levels.role === true) {
        blame(boundary, boundaryAllows);
        blame(session, sessionAllows);
      } else {
        // the caller's own policies must allow (no resource-based policy names it closely enough)
        blame(identity, identityAllows);
        blame(boundary, boundaryAllows);
        blame(session, sessionAllows);
        if (!mustNameCaller && identityAllows !== true && resource !== undefined) { blame(resource, or(levels.direct, levels.role), resourceName); }
      }
    }
  }
  return { decision, sameAccount, layers, deniedBy, unknownLayers };
}
