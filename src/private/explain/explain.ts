/**
 * "Why was I denied?", answered from the app's own templates: the request
 * completed from what the app knows of its principal, every layer evaluated
 * by the library's evaluator, and each layer's decision given with the
 * statement that made it, the condition that failed and the fix.
 *
 * A request to assume a role is three questions when it passes session tags
 * or a source identity (`sts:TagSession` and `sts:SetSourceIdentity` must be
 * allowed too, by the trust policy and the caller's identity policies), and
 * a fourth about the session's duration: at most the role's
 * `MaxSessionDuration`, and one hour when the caller is itself a role session
 * (role chaining).
 *
 * @see https://docs.aws.amazon.com/IAM/latest/UserGuide/id_session-tags.html#id_session-tags_permissions-required
 * @see https://docs.aws.amazon.com/IAM/latest/UserGuide/id_credentials_temp_control-access_monitor.html
 * @see https://docs.aws.amazon.com/IAM/latest/UserGuide/id_roles_terms-and-concepts.html#iam-term-role-chaining
 * @see https://docs.aws.amazon.com/STS/latest/APIReference/API_AssumeRole.html
 */
import {
  ASSUME_ROLE_DEFAULT_DURATION_SECONDS, ASSUME_ROLE_MIN_DURATION_SECONDS, MAX_SESSION_DURATION_SECONDS, MIN_SESSION_DURATION_SECONDS,
  ROLE_CHAINING_MAX_DURATION_SECONDS, STS_ASSUME_ROLE, STS_SET_SOURCE_IDENTITY, STS_TAG_SESSION,
} from '../constants';
import {
  Caller, CallerError, ContextEntry, ControlLevel, Evaluation, EvaluationInput, LayerName, LayerOutcome, POLICY_VARIABLE, Policy, PolicySet,
  RequestContext, ResourcePolicyKind, StatementResult, UNKNOWN, callerKeys, evaluate, parseCaller, readPolicy, variableKey,
} from '../evaluator';
import { AccessModel, Identity, ModelResource } from './model';
import { Location, conditionFix, conditionReason, failingConditions, locate, statementText } from './reasons';
import { UNRESOLVED } from '../audit/rules/types';
import { compareText } from '../policy/compare';

/** A request to explain (the public `AccessRequest`, as the private side reads it). */
export interface ExplainInput {
  readonly principal: string;
  readonly action: string;
  readonly resource: string;
  readonly context?: Readonly<Record<string, string>>;
  readonly multiValuedContext?: Readonly<Record<string, readonly string[]>>;
  readonly durationSeconds?: number;
  /** A session policy, as a JSON document. */
  readonly sessionPolicy?: string;
  readonly roleSessionName?: string;
  readonly sourceIdentity?: string;
  readonly sessionTags?: Readonly<Record<string, string>>;
  readonly transitiveTagKeys?: readonly string[];
}

/** The decision of an explanation (the public `AccessDecision`). */
export type ExplainDecision = 'allowed' | 'denied' | 'undetermined';

/** What one layer says of a request (the public `LayerDecision`). */
export type LayerVerdict = 'allow' | 'explicit-deny' | 'implicit-deny' | 'unknown';

/** One layer of an explanation (the public `ExplainedLayer`). */
export interface LayerExplanation {
  readonly layer: LayerName;
  readonly action: string;
  readonly decision: LayerVerdict;
  readonly statements: Location[];
  readonly reason: string;
  readonly fix?: string;
}

/** An explanation (the public `AccessExplanation`, as the private side builds it). */
export interface Explanation {
  readonly decision: ExplainDecision;
  readonly deniedBy: LayerName[];
  readonly layers: LayerExplanation[];
  readonly summary: string;
  readonly fixes: string[];
  readonly missing: string[];
  readonly principal: string;
  readonly action: string;
  readonly resource: string;
  readonly requestContext: Record<string, string[]>;
  readonly unknownContextKeys: string[];
}

/** A request that cannot be explained as given: one line naming the problem. */
export class ExplainInputError extends Error {}

/** `FullAWSAccess`, the SCP AWS Organizations attaches everywhere, assumed to be attached still. */
const FULL_AWS_ACCESS = readPolicy({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: '*', Resource: '*' }] },
  { description: 'FullAWSAccess, AWS\'s default SCP (assumed attached at every level)' });

/** The actions that assume a role (their resource is the role, their resource-based policy its trust policy). */
const ASSUME_ACTIONS = [STS_ASSUME_ROLE, STS_TAG_SESSION, STS_SET_SOURCE_IDENTITY].map(a => a.toLowerCase());

/** What the request is made of, once read against the model. */
interface Resolved {
  readonly caller: Caller;
  /** The caller in the app, when it is there. */
  readonly identity?: Identity;
  /** Why the caller side is unknown, when it is. */
  readonly callerUnknown?: string;
  readonly resourceAccount: string;
  readonly resourcePolicy?: PolicySet;
  readonly resourcePolicyKind: ResourcePolicyKind;
  /** The role to assume, when it is in the app. */
  readonly role?: Identity;
  /** The resource, when it is in the app. */
  readonly resource?: ModelResource;
  /** Why the resource side is unknown, when it is. */
  readonly resourceUnknown?: string;
  /** What the resource is, in words. */
  readonly resourceText: string;
  /** The resource's ARN, as given. */
  readonly resourceArn: string;
  /**
   * The ARN that policies are matched against, when it is not the one given:
   * a key's, for a request that names its alias (KMS authorizes on the key;
   * an alias ARN in an identity policy's Resource allows nothing).
   */
  readonly authorizedArn?: string;
}

const ACCOUNT = /^\d{12}$/;

/**
 * Services whose resources have no resource-based policy (the "Resource-based
 * policies: No" column of "AWS services that work with IAM",
 * https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_aws-services-that-work-with-iam.html):
 * their requests are decided by the caller's side alone. A role's trust
 * policy governs only `sts:AssumeRole*`, asked for apart; every other IAM
 * action on a role is the caller's policies' to decide. Services left out of
 * the list (Systems Manager, Organizations: they have resource policies for
 * some resources) keep an unknown resource side when the resource is not in
 * the app.
 */
const NO_RESOURCE_POLICY = new Set([
  'iam', 'ec2', 'rds', 'cloudformation', 'cloudwatch', 'autoscaling', 'application-autoscaling', 'elasticloadbalancing',
  'route53', 'ecs', 'eks', 'cloudfront', 'acm', 'elasticache', 'states', 'athena', 'config', 'guardduty', 'securityhub',
  'tag', 'codepipeline', 'codedeploy',
]);

/** The account field of an ARN, if it is an account. */
function arnAccount(arn: string): string | undefined {
  const account = arn.split(':')[4];
  return account !== undefined && ACCOUNT.test(account) ? account : undefined;
}

/** Whether an ARN of the model (UNRESOLVED where a part is only known at deploy time) may be the ARN given. */
function mayBe(modelArn: string, arn: string): boolean {
  if (!modelArn.includes(UNRESOLVED)) { return modelArn === arn; }
  const source = modelArn.split(UNRESOLVED).map(part => part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('[^:/]*');
  return new RegExp(`^${source}$`).test(arn);
}

/** The one candidate, or the literal one among several; undefined when none or several could be it. */
function pick<T extends { arn?: string }>(candidates: T[], arn: string): { found?: T; ambiguous: boolean } {
  if (candidates.length === 1) { return { found: candidates[0], ambiguous: false }; }
  const exact = candidates.filter(c => c.arn === arn);
  if (exact.length === 1) { return { found: exact[0], ambiguous: false }; }
  return { ambiguous: candidates.length > 1 };
}

/** How many roles of an account of the app have a name generated at deploy time (any of them could be a role the request names). */
function unnamedRoles(model: AccessModel, account: string): number {
  return model.identities.filter(i => i.kind === 'role' && i.account === account && i.name === undefined).length;
}

/** The caller's identity in the model. */
function findCaller(model: AccessModel, caller: Caller): Identity | undefined {
  if (caller.kind === 'service' || caller.kind === 'federated-user') { return undefined; }
  const kind = caller.kind === 'user' ? 'user' : 'role';
  const name = caller.kind === 'user' ? caller.userName : caller.roleName;
  const candidates = model.identities.filter(i => i.kind === kind && i.account === caller.account && i.name === name);
  // a user ARN has the user's path; a session ARN has no role path, a role ARN has it
  const exact = candidates.filter(i => i.arn === caller.principalArn || i.arn === caller.given);
  return exact[0] ?? (caller.kind === 'role-session' && caller.given.includes(':assumed-role/') ? candidates[0] : undefined);
}

/** A key policy CloudFormation writes when `KeyPolicy` is not given: the account (its IAM policies) may use the key. */
function defaultKeyPolicy(resource: ModelResource): Policy {
  const partition = resource.arn.split(':')[1] ?? 'aws';
  return readPolicy({
    Version: '2012-10-17',
    Statement: [{ Effect: 'Allow', Principal: { AWS: `arn:${partition}:iam::${resource.account ?? UNRESOLVED}:root` }, Action: 'kms:*', Resource: '*' }],
  }, { description: `the default key policy of ${resource.logicalId}` });
}

/**
 * The resource of a request in the model (a bucket for an object's ARN, a key
 * for its alias's, a function for a qualified ARN). A resource whose name is
 * literal and equal to the request's is the one, even when others of the app
 * have generated names that could match: two resources of a type cannot
 * share a name (a bucket's is unique in its partition, a queue's in its
 * account and region), so none of those can be it.
 */
function findResource(model: AccessModel, arn: string): { found?: ModelResource; ambiguous: boolean } {
  const fields = arn.split(':');
  const [service, region, account] = [fields[2], fields[3], fields[4]];
  const resourcePart = fields.slice(5).join(':');
  // the ARN the resource of the model has, for this request: an object's bucket, an unqualified function
  let target = arn;
  let candidates: ModelResource[];
  if (service === 's3') {
    target = `arn:${fields[1]}:s3:::${resourcePart.split('/')[0]}`;
    candidates = model.resources.filter(r => r.kind === 'bucket' && mayBe(r.arn, target));
  } else if (service === 'kms' && resourcePart.startsWith('alias/')) {
    candidates = model.resources.filter(r => r.kind === 'key' && r.account === account && r.region === region && r.aliases.includes(resourcePart));
  } else if (service === 'lambda') {
    target = fields.slice(0, 7).join(':');
    candidates = model.resources.filter(r => r.kind === 'function' && mayBe(r.arn, target));
  } else {
    candidates = model.resources.filter(r => mayBe(r.arn, arn));
  }
  return pick(candidates, target);
}

/** Reads the request against the model: who calls, what the resource is, and which of the two sides the app holds. */
function resolve(model: AccessModel, input: ExplainInput): Resolved {
  let caller: Caller;
  try {
    caller = parseCaller(input.principal);
  } catch (e) {
    if (e instanceof CallerError) { throw new ExplainInputError(e.message); }
    throw e;
  }
  const identity = findCaller(model, caller);
  if (identity?.arn !== undefined && caller.kind === 'role-session') {
    caller = { ...caller, principalArn: identity.arn };
  }
  const callerUnknown = identity !== undefined || caller.kind === 'service' ? undefined
    : caller.kind === 'account'
      ? `the request names only the account ${caller.account}, not which of its principals made it (as the resource account's copy of a cross-account CloudTrail event does)`
      : model.accounts.has(caller.account)
        ? `${caller.given} is not in the app's templates (account ${caller.account} has stacks in the app, but not this ${caller.kind === 'user' ? 'user' : 'role'})`
        : `${caller.given} is not in the app: account ${caller.account} has no stack in it`;

  if (!/^[a-z0-9-]+:[A-Za-z0-9*?]+$/.test(input.action)) {
    throw new ExplainInputError(`the action must be a service prefix and an action name like 'sts:AssumeRole', got '${input.action}'`);
  }
  if (!/^arn:[^:]+:[^:]+:/.test(input.resource)) {
    throw new ExplainInputError(`the resource must be an ARN like 'arn:aws:iam::111111111111:role/Audit', got '${input.resource}'`);
  }
  if (ASSUME_ACTIONS.includes(input.action.toLowerCase())) {
    if (!/^arn:[^:]+:iam::\d{12}:role\/.+/.test(input.resource)) {
      throw new ExplainInputError(`${input.action} needs a role ARN as its resource ('arn:aws:iam::111111111111:role/Audit'), got '${input.resource}'`);
    }
    const account = arnAccount(input.resource)!;
    const name = input.resource.slice(input.resource.lastIndexOf('/') + 1);
    const candidates = model.identities.filter(i => i.kind === 'role' && i.account === account && i.name === name);
    const { found: role } = pick(candidates, input.resource);
    const resourceText = `the role ${input.resource}`;
    if (role === undefined) {
      return {
        caller,
        identity,
        callerUnknown,
        resourceAccount: account,
        resourcePolicyKind: 'trust-policy',
        resourceText,
        resourceArn: input.resource,
        resourcePolicy: { policies: [], known: false },
        resourceUnknown: unnamedRoles(model, account) > 0
          ? `no role of the app is named ${name} in ${account}, but ${unnamedRoles(model, account)} of its roles there ha${unnamedRoles(model, account) === 1 ? 's a name' : 've names'} generated at deploy time: give the role a roleName to explain requests to it`
          : `the role ${input.resource} is not in the app's templates${model.accounts.has(account) ? '' : ` (account ${account} has no stack in it)`}`,
      };
    }
    return { caller, identity, callerUnknown, resourceAccount: account, resourcePolicyKind: 'trust-policy', role, resourceText, resourceArn: input.resource, resourcePolicy: { policies: [role.trust!], known: true } };
  }
  const { found: resource, ambiguous } = findResource(model, input.resource);
  const account = arnAccount(input.resource) ?? resource?.account ?? '';
  const service = input.resource.split(':')[2];
  const kind: ResourcePolicyKind = service === 'kms' ? 'key-policy' : 'resource-policy';
  if (resource === undefined && NO_RESOURCE_POLICY.has(service)) {
    // nothing of the resource takes part in the decision: the caller's own policies decide in its account,
    // and another account's principal is refused (it may only assume a role of the resource's account)
    return {
      caller, identity, callerUnknown, resourceAccount: account, resourcePolicyKind: kind, resourceText: input.resource, resourceArn: input.resource,
    };
  }
  if (resource === undefined) {
    return {
      caller,
      identity,
      callerUnknown,
      resourceAccount: account,
      resourcePolicyKind: kind,
      resourceText: input.resource,
      resourceArn: input.resource,
      resourcePolicy: { policies: [], known: false },
      resourceUnknown: ambiguous
        ? `several resources of the app could be ${input.resource} (their names or IDs are only known at deploy time)`
        : `${input.resource} is not in the app's templates${account === '' || model.accounts.has(account) ? '' : ` (account ${account} has no stack in it)`}`,
    };
  }
  const policies = resource.kind === 'key' && resource.policies.length === 0 ? [defaultKeyPolicy(resource)] : resource.policies;
  const byAlias = resource.kind === 'key' && input.resource.split(':').slice(5).join(':').startsWith('alias/');
  return {
    caller,
    identity,
    callerUnknown,
    resourceAccount: account,
    resourcePolicyKind: kind,
    resource,
    resourceArn: input.resource,
    ...(byAlias ? { authorizedArn: resource.arn } : {}),
    resourceText: `${input.resource} (${byAlias ? 'the key ' : ''}${resource.logicalId}${resource.template.stackName !== undefined ? ` of stack ${resource.template.stackName}` : ''})`,
    ...(policies.length > 0 ? { resourcePolicy: { policies, known: true } } : {}),
  };
}

const entry = (key: string, values: readonly string[], multiValued = false): ContextEntry => ({ key, values, multiValued, unknownValue: false });

/** Keys whose whole family (`aws:PrincipalTag/<key>`) a policy may ask about. */
function principalTagKeys(policies: readonly Policy[]): string[] {
  return policies.flatMap(p => p.statements.flatMap(s => s.conditions.map(c => c.key))).filter(k => /^aws:PrincipalTag\//i.test(k));
}

/**
 * The request context: what the principal determines (its ARN, account,
 * type, user name, unique ID, tags, organisation), what the AssumeRole
 * request carries (session name, source identity, session tags), and the
 * keys given, which win (a key of the principal may not contradict it).
 */
function requestContext(model: AccessModel, resolved: Resolved, input: ExplainInput, consulted: readonly Policy[]): RequestContext {
  const { caller, identity } = resolved;
  const entries = new Map<string, ContextEntry>();
  const set = (e: ContextEntry) => entries.set(e.key.toLowerCase(), e);
  callerKeys(caller).forEach(set);
  if (identity !== undefined) {
    Object.entries(identity.tags).forEach(([k, v]) => set(entry(`aws:PrincipalTag/${k}`, [v])));
  } else if (caller.kind !== 'service') {
    // the caller's tags are not known: a condition on them can go either way
    principalTagKeys(consulted).forEach(k => set({ key: k, values: [], multiValued: false, unknownValue: true }));
  }
  const org = model.organization;
  if (org.organizationId !== undefined && caller.kind !== 'service' && org.members.has(caller.account)) {
    set(entry('aws:PrincipalOrgID', [org.organizationId]));
  }
  if (resolved.resourceAccount !== '') { set(entry('aws:ResourceAccount', [resolved.resourceAccount])); }
  if (resolved.resource?.kind === 'key' && resolved.resource.aliases.length > 0) {
    // the aliases of the key a request uses, whatever names it (https://docs.aws.amazon.com/kms/latest/developerguide/conditions-kms.html#conditions-kms-resource-aliases)
    set(entry('kms:ResourceAliases', resolved.resource.aliases, true));
  }
  if (ASSUME_ACTIONS.includes(input.action.toLowerCase())) {
    if (input.roleSessionName !== undefined) { set(entry('sts:RoleSessionName', [input.roleSessionName])); }
    if (input.sourceIdentity !== undefined) { set(entry('sts:SourceIdentity', [input.sourceIdentity])); }
    const tags = Object.entries(input.sessionTags ?? {});
    tags.forEach(([k, v]) => set(entry(`aws:RequestTag/${k}`, [v])));
    if (tags.length > 0) { set(entry('aws:TagKeys', tags.map(([k]) => k), true)); }
    if (input.transitiveTagKeys !== undefined && input.transitiveTagKeys.length > 0) { set(entry('sts:TransitiveTagKeys', input.transitiveTagKeys, true)); }
  }
  const derived = new Map(callerKeys(caller).filter(e => !e.unknownValue).map(e => [e.key.toLowerCase(), e.values[0]]));
  const given = [
    ...Object.entries(input.context ?? {}).map(([k, v]) => entry(k, [v])),
    ...Object.entries(input.multiValuedContext ?? {}).map(([k, v]) => entry(k, v, true)),
  ];
  for (const e of given) {
    const expected = derived.get(e.key.toLowerCase());
    if (expected !== undefined && (e.values.length !== 1 || e.values[0] !== expected)) {
      throw new ExplainInputError(`the context key ${e.key}='${e.values.join(',')}' contradicts the principal ${caller.given} (it is '${expected}'); leave it out, it is completed from the principal`);
    }
    set(e);
  }
  return new RequestContext(entries.values());
}

/** Control policies that apply to an account, as one level under `FullAWSAccess` (assumed attached). */
export function controlLevels(model: AccessModel, controls: AccessModel['organization']['scps'], account: string): ControlLevel[] | undefined {
  const org = model.organization;
  if (controls.length === 0 || !org.members.has(account) || org.managers.has(account)) { return undefined; }
  // attached to a root or an OU: taken to apply to every member account (the app does not say which OU an account is in)
  const applicable = controls.filter(c => c.targets.some(t => t === account || /^(r|ou)-/.test(t)));
  return applicable.length > 0 ? [{ target: account, policies: [FULL_AWS_ACCESS, ...applicable.map(c => c.policy)] }] : undefined;
}

/** The session policy given with the request. */
function sessionPolicyOf(input: ExplainInput): Policy | undefined {
  if (input.sessionPolicy === undefined) { return undefined; }
  let document: unknown;
  try {
    document = JSON.parse(input.sessionPolicy);
  } catch (e) {
    throw new ExplainInputError(`the session policy is not JSON (${(e as Error).message})`);
  }
  const problem = sessionPolicyProblem(document);
  if (problem !== undefined) { throw new ExplainInputError(`the session policy is not a valid IAM policy: ${problem}`); }
  return readPolicy(document, { description: 'the session policy given with the request' });
}

/**
 * What makes a session policy invalid, as STS would refuse it: a document
 * with statements, each with an Effect of Allow or Deny, an action and a
 * resource, and no principal (a session policy is an identity-based policy).
 */
function sessionPolicyProblem(document: unknown): string | undefined {
  if (typeof document !== 'object' || document === null || Array.isArray(document)) { return 'it must be a JSON object with a Statement'; }
  const statements = (document as Record<string, unknown>).Statement;
  if (statements === undefined) { return 'it has no Statement'; }
  const list = Array.isArray(statements) ? statements : [statements];
  for (const [i, statement] of list.entries()) {
    if (typeof statement !== 'object' || statement === null || Array.isArray(statement)) { return `statement ${i} is not an object`; }
    const s = statement as Record<string, unknown>;
    if (s.Effect !== 'Allow' && s.Effect !== 'Deny') { return `statement ${i} has Effect ${JSON.stringify(s.Effect)}; it must be "Allow" or "Deny"`; }
    if (s.Action === undefined && s.NotAction === undefined) { return `statement ${i} has neither Action nor NotAction`; }
    if (s.Resource === undefined && s.NotResource === undefined) { return `statement ${i} has neither Resource nor NotResource`; }
    if (s.Principal !== undefined || s.NotPrincipal !== undefined) { return `statement ${i} has a Principal, which a session policy cannot have`; }
  }
  return undefined;
}

/** Evaluates one action of the request. */
function evaluateAction(model: AccessModel, resolved: Resolved, action: string, input: ExplainInput, context: RequestContext,
  session?: Policy): Evaluation {
  const { caller, identity } = resolved;
  const known = identity !== undefined;
  const evaluation: EvaluationInput = {
    request: { caller, action, resource: resolved.authorizedArn ?? input.resource, context },
    resourceAccount: resolved.resourceAccount,
    identity: { policies: identity?.policies ?? [], known },
    ...(identity?.boundary !== undefined ? { boundary: { policies: [identity.boundary], known: true } }
      : !known && caller.kind !== 'service' ? { boundary: { policies: [], known: false } } : {}),
    ...(session !== undefined ? { session: { policies: [session], known: true } } : {}),
    ...(resolved.resourcePolicy !== undefined ? { resourcePolicy: resolved.resourcePolicy } : {}),
    resourcePolicyKind: resolved.resourcePolicyKind,
    scps: caller.kind !== 'service' ? controlLevels(model, model.organization.scps, caller.account) : undefined,
    rcps: resolved.resourceAccount !== '' ? controlLevels(model, model.organization.rcps, resolved.resourceAccount) : undefined,
  };
  return evaluate(evaluation);
}

/** What a layer outcome decided. */
function layerDecision(outcome: LayerOutcome): LayerVerdict {
  if (outcome.deny === true) { return 'explicit-deny'; }
  if (outcome.deny === UNKNOWN) { return 'unknown'; }
  if (outcome.allow === true) { return 'allow'; }
  return outcome.allow === false ? 'implicit-deny' : 'unknown';
}

const LAYER_NAMES: Record<string, string> = {
  'identity-policy': 'the caller\'s identity-based policies',
  'permissions-boundary': 'the caller\'s permissions boundary',
  'session-policy': 'the session policy',
  'scp': 'the SCPs of the caller\'s account',
  'rcp': 'the RCPs of the resource\'s account',
  'trust-policy': 'the role\'s trust policy',
  'resource-policy': 'the resource\'s policy',
  'key-policy': 'the key policy',
};

/** Statements that nearly apply: the action (and resource) match, a condition or the principal does not. */
function nearMisses(outcome: LayerOutcome): StatementResult[] {
  return outcome.statements.filter(r => r.statement.effect === 'Allow' && r.action === true && r.applies !== true);
}

/**
 * The keys of the request, unknown to it, that undecided conditions read:
 * their own key, or a policy variable in their values (`${aws:username}` when
 * the caller is only known by its account).
 */
function unknownRequestKeys(outcome: LayerOutcome, context: RequestContext): string[] {
  const keys = new Set<string>();
  for (const result of outcome.statements.filter(r => r.applies === UNKNOWN)) {
    for (const { condition, holds } of result.conditions) {
      if (holds !== UNKNOWN) { continue; }
      const variables = condition.values.flatMap(v => Array.from(v.matchAll(POLICY_VARIABLE), m => variableKey(m[1])))
        .filter((k): k is string => k !== undefined);
      for (const key of [condition.key, ...variables]) {
        if (context.get(key)?.unknownValue) { keys.add(context.get(key)!.key); }
      }
    }
  }
  return Array.from(keys).sort();
}

/** The reason and fix of one layer. */
function explainLayer(outcome: LayerOutcome, evaluation: Evaluation, resolved: Resolved, action: string, context: RequestContext): LayerExplanation {
  const decision = layerDecision(outcome);
  const name = LAYER_NAMES[outcome.layer];
  const layer = outcome.layer;
  const denying = outcome.statements.filter(r => r.statement.effect === 'Deny' && r.applies === true);
  const allowing = outcome.statements.filter(r => r.statement.effect === 'Allow' && r.applies === true);
  const base = { layer, action, decision };
  const who = resolved.caller.given;
  const denied = evaluation.deniedBy.includes(outcome.layer);
  if (decision === 'explicit-deny') {
    const first = denying[0];
    return {
      ...base,
      statements: denying.map(r => locate(r.policy, r.statement)),
      reason: `${statementText(first.policy, first.statement)} denies ${action}${first.conditions.length > 0 ? ` (its conditions hold: ${first.conditions.map(c => c.condition.key).join(', ')})` : ''}`,
      fix: first.conditions.length > 0
        ? `the Deny applies while its conditions hold: ${first.conditions.map(c => `${c.condition.key} ${c.condition.operator} ${c.condition.values.join(', ')}`).join('; ')}; change the request, or the statement`
        : `remove ${action} from the Deny of ${statementText(first.policy, first.statement)}, or exempt the caller`,
    };
  }
  if (decision === 'allow') {
    const first = allowing[0];
    const scpDefault = (outcome.layer === 'scp' || outcome.layer === 'rcp') && allowing.every(r => r.policy === FULL_AWS_ACCESS);
    return {
      ...base,
      statements: allowing.filter(r => r.policy !== FULL_AWS_ACCESS).map(r => locate(r.policy, r.statement)),
      reason: outcome.layer === 'rcp' || scpDefault
        ? `no statement of ${name} denies it (${outcome.layer === 'rcp' ? 'RCPFullAWSAccess, which cannot be detached, allows everything' : 'FullAWSAccess is assumed attached'})`
        : `${statementText(first.policy, first.statement)} allows ${action}${first.level !== undefined ? ` (it names ${first.level === 'account' ? `the account ${resolved.caller.account}` : first.level === 'role' ? `the role ${resolved.caller.principalArn}` : 'the caller'})` : ''}`,
    };
  }
  if (decision === 'unknown') {
    const unknownWhy = !outcome.known
      ? outcome.layer === 'identity-policy' || outcome.layer === 'permissions-boundary'
        ? resolved.callerUnknown ?? `a policy of ${name} is only known at deploy time or is not in the app`
        : resolved.resourceUnknown ?? `a policy of ${name} is only known at deploy time or is not in the app`
      : unknownRequestKeys(outcome, context).length > 0
        ? `a condition depends on what the request does not tell: ${unknownRequestKeys(outcome, context).join(', ')}${resolved.caller.kind === 'account' ? ` (the request names only the account ${resolved.caller.account}, not which of its principals made it)` : ''}`
        : `a statement depends on a value only known at deploy time: ${outcome.statements.filter(r => r.applies === UNKNOWN).map(r => statementText(r.policy, r.statement)).join('; ')}`;
    return { ...base, statements: outcome.statements.filter(r => r.applies === UNKNOWN).map(r => locate(r.policy, r.statement)), reason: `${name}: unknown; ${unknownWhy}` };
  }
  // implicit deny: nothing allows; say what nearly did, and why not
  const misses = nearMisses(outcome);
  const statements = misses.slice(0, 3).map(r => locate(r.policy, r.statement));
  let reason: string;
  let fix: string;
  const miss = misses.find(r => r.principal === true && failingConditions(r).length > 0) ?? misses[0];
  const requirement = outcome.layer === 'trust-policy' ? 'the trust' : outcome.layer === 'identity-policy' ? 'the policy' : 'the statement';
  const resource = resolved.resourceArn;
  if (miss !== undefined && miss.principal !== true) {
    const account = resolved.caller.account;
    reason = `no statement of ${name} names ${who}${account !== '' ? ` or its account ${account}` : ''} for ${action} (${statementText(miss.policy, miss.statement)} names others)`;
    fix = outcome.layer === 'trust-policy'
      ? `trust the caller in the role's trust policy: its account ${account} (trustedAccounts), or its ARN (trustedPrincipalArns)`
      // a resource policy names a role, never one of its sessions (aws:PrincipalArn is the role's ARN)
      : `name ${resolved.caller.principalArn} (or its account ${account}) in ${name} with ${action}`;
  } else if (miss !== undefined && failingConditions(miss).length > 0) {
    const failed = failingConditions(miss);
    const more = failed.length - 1;
    reason = `${statementText(miss.policy, miss.statement)} would allow ${action}, but ${conditionReason(failed[0], context, requirement)}${more > 0 ? `; ${more} more of its conditions ${more === 1 ? 'fails' : 'fail'} (${failed.slice(1).map(c => c.condition.key).join(', ')})` : ''}`;
    fix = conditionFix(failed[0]);
  } else if (miss !== undefined && miss.resource !== true) {
    reason = `${statementText(miss.policy, miss.statement)} allows ${action}, but on other resources than ${resolved.resourceText}`;
    fix = `allow ${action} on ${resource} in ${name}`;
  } else {
    reason = `no statement of ${name} allows ${action} on ${resolved.resourceText}${outcome.statements.length === 0 ? ` (${outcome.layer === 'identity-policy' ? `${who} has no identity-based policy` : 'it has no statement'})` : ''}`;
    fix = fixFor(outcome.layer, action, who, resource, name);
  }
  return { ...base, statements, reason, ...(denied ? { fix } : {}) };
}

/** What to add where, when nothing of a layer allows an action at all. */
function fixFor(layer: string, action: string, who: string, resource: string, name: string): string {
  const lower = action.toLowerCase();
  if (layer === 'trust-policy' && lower === STS_TAG_SESSION.toLowerCase()) {
    return 'let the role\'s trust allow sts:TagSession (allowSessionTags: true on a CrossAccountRole), or pass no session tags';
  }
  if (layer === 'trust-policy' && lower === STS_SET_SOURCE_IDENTITY.toLowerCase()) {
    return 'let the role\'s trust allow sts:SetSourceIdentity (requireSourceIdentity or sourceIdentityPattern on a CrossAccountRole), or set no source identity';
  }
  if (layer === 'identity-policy') {
    const hint = lower === STS_ASSUME_ROLE.toLowerCase() ? ' (an AssumeRolePolicy, or role.grantAssumeRole(...))'
      : lower === STS_TAG_SESSION.toLowerCase() || lower === STS_SET_SOURCE_IDENTITY.toLowerCase() ? ' (AssumeRolePolicy adds it when the role\'s trust asks for it)' : '';
    return `allow ${action} on ${resource} in an identity-based policy of ${who}${hint}`;
  }
  return `allow ${action} for ${who} in ${name}`;
}

/** The session-duration layer of an AssumeRole: the role's maximum, and one hour for role chaining. */
function durationLayer(resolved: Resolved, input: ExplainInput): { layer: LayerExplanation; denied: boolean; unknown: boolean } {
  const asked = input.durationSeconds ?? ASSUME_ROLE_DEFAULT_DURATION_SECONDS;
  const chaining = resolved.caller.kind === 'role-session';
  const roleMax = resolved.role?.maxSessionDuration;
  const base = { layer: 'session-duration' as const, action: STS_ASSUME_ROLE, statements: [] };
  const askedText = `${asked} s ${input.durationSeconds === undefined ? '(the default) ' : ''}asked`;
  const deny = (reason: string, fix: string): { layer: LayerExplanation; denied: boolean; unknown: boolean } =>
    ({ layer: { ...base, decision: 'explicit-deny', reason, fix }, denied: true, unknown: false });
  if (!Number.isInteger(asked) || asked < ASSUME_ROLE_MIN_DURATION_SECONDS || asked > MAX_SESSION_DURATION_SECONDS) {
    return deny(`${askedText}: DurationSeconds must be a whole number from ${ASSUME_ROLE_MIN_DURATION_SECONDS} to ${MAX_SESSION_DURATION_SECONDS}`, `ask for ${ASSUME_ROLE_MIN_DURATION_SECONDS} to ${MAX_SESSION_DURATION_SECONDS} seconds`);
  }
  if (chaining && asked > ROLE_CHAINING_MAX_DURATION_SECONDS) {
    return deny(`${askedText}, but the caller is a role session: role chaining limits the new session to one hour (${ROLE_CHAINING_MAX_DURATION_SECONDS} s), whatever the role's MaxSessionDuration`,
      `ask for at most ${ROLE_CHAINING_MAX_DURATION_SECONDS} seconds, or assume the role from a user or from outside AWS (not from another role's session)`);
  }
  if (roleMax !== undefined && asked > roleMax) {
    return deny(`${askedText}, but the role's MaxSessionDuration is ${roleMax} s`, `ask for at most ${roleMax} seconds, or raise the role's maxSessionDuration (up to ${MAX_SESSION_DURATION_SECONDS})`);
  }
  if (roleMax === undefined && asked > MIN_SESSION_DURATION_SECONDS) {
    return { layer: { ...base, decision: 'unknown', reason: `${askedText}; the role is not in the app, so its MaxSessionDuration (1 to 12 hours) is not known` }, denied: false, unknown: true };
  }
  const limit = chaining ? `role chaining allows at most ${ROLE_CHAINING_MAX_DURATION_SECONDS} s` : `the role's MaxSessionDuration is ${roleMax ?? MIN_SESSION_DURATION_SECONDS} s`;
  return { layer: { ...base, decision: 'allow', reason: `${askedText}; ${limit}` }, denied: false, unknown: false };
}

/** What the app does not hold, for an undetermined request. */
function missingOf(evaluation: Evaluation, resolved: Resolved, action: string, context: RequestContext): string[] {
  const missing: string[] = [];
  const resource = resolved.resourceArn;
  for (const layer of evaluation.unknownLayers) {
    if ((layer === 'identity-policy' || layer === 'permissions-boundary') && resolved.callerUnknown !== undefined) {
      missing.push(`the caller's identity-based policy in ${resolved.caller.account} must allow ${action} on ${resource} (and its permissions boundary, if it has one): ${resolved.callerUnknown}`);
    } else if ((layer === 'trust-policy' || layer === 'resource-policy' || layer === 'key-policy') && resolved.resourceUnknown !== undefined) {
      missing.push(`${LAYER_NAMES[layer]} of ${resource} must allow ${resolved.caller.given} (or its account) ${action}: ${resolved.resourceUnknown}`);
    } else {
      const outcome = evaluation.layers.find(l => l.layer === layer);
      const untold = outcome !== undefined ? unknownRequestKeys(outcome, context) : [];
      const verb = `depend${layer.endsWith('y') || layer === 'permissions-boundary' ? 's' : ''}`;
      missing.push(untold.length > 0
        ? `${LAYER_NAMES[layer]} ${verb} on what the request does not tell: ${untold.join(', ')}`
        : `${LAYER_NAMES[layer]} ${verb} on values or policies only known at deploy time`);
    }
  }
  return missing;
}

/** Explains a request against the model. */
export function explainRequest(model: AccessModel, input: ExplainInput): Explanation {
  const resolved = resolve(model, input);
  const session = sessionPolicyOf(input);
  if (session !== undefined && (resolved.caller.kind === 'user' || resolved.caller.kind === 'service')) {
    // session policies are passed to AssumeRole* or GetFederationToken: they limit a role's or a federated user's session
    throw new ExplainInputError(`a session policy limits a role session or a federated user's session, and ${resolved.caller.given} is ${resolved.caller.kind === 'user' ? 'an IAM user' : 'an AWS service'}: give a session ARN (arn:aws:sts::<account>:assumed-role/<role>/<session>), or leave the session policy out`);
  }
  const org = model.organization;
  const consulted = [...resolved.resourcePolicy?.policies ?? [], ...org.scps.map(c => c.policy), ...org.rcps.map(c => c.policy)];
  const context = requestContext(model, resolved, input, consulted);
  const isAssume = input.action.toLowerCase() === STS_ASSUME_ROLE.toLowerCase();
  const actions = [input.action];
  if (isAssume && (context.has('aws:TagKeys') || context.all().some(e => /^aws:RequestTag\//i.test(e.key)))) { actions.push(STS_TAG_SESSION); }
  if (isAssume && context.has('sts:SourceIdentity')) { actions.push(STS_SET_SOURCE_IDENTITY); }

  const layers: LayerExplanation[] = [];
  const deniedBy: LayerName[] = [];
  const missing: string[] = [];
  let denied = false;
  let unknown = false;
  for (const action of actions) {
    const evaluation = evaluateAction(model, resolved, action, input, context, session);
    denied ||= evaluation.decision === 'explicit-deny' || evaluation.decision === 'implicit-deny';
    unknown ||= evaluation.decision === 'unknown';
    evaluation.deniedBy.forEach(l => { if (!deniedBy.includes(l)) { deniedBy.push(l); } });
    layers.push(...evaluation.layers.map(outcome => explainLayer(outcome, evaluation, resolved, action, context)));
    if (evaluation.decision === 'unknown') { missing.push(...missingOf(evaluation, resolved, action, context)); }
  }
  if (isAssume) {
    const duration = durationLayer(resolved, input);
    layers.push(duration.layer);
    if (duration.denied) { denied = true; deniedBy.push('session-duration'); }
    if (duration.unknown) {
      unknown = true;
      missing.push(`the role's MaxSessionDuration must be at least ${input.durationSeconds} s: ${resolved.resourceUnknown ?? 'the role is not in the app'}`);
    }
  }
  const decision: ExplainDecision = denied ? 'denied' : unknown ? 'undetermined' : 'allowed';
  const fixes = decision === 'denied'
    ? Array.from(new Set(layers.filter(l => deniedBy.includes(l.layer) && l.decision !== 'allow')
      .flatMap(l => (l.fix !== undefined ? [l.fix] : []))))
    : [];
  const verdict = `${decision}: ${resolved.caller.given} ${input.action} on ${input.resource}`;
  const main = decision === 'denied'
    ? layers.find(l => deniedBy.includes(l.layer) && l.decision !== 'allow')?.reason
    : decision === 'undetermined' ? missing[0] : undefined;
  const requestContextOut: Record<string, string[]> = {};
  for (const known of context.all().filter(e => !e.unknownValue).sort((a, b) => compareText(a.key, b.key))) {
    requestContextOut[known.key] = [...known.values];
  }
  return {
    decision,
    deniedBy: decision === 'denied' ? deniedBy : [],
    layers,
    summary: main !== undefined ? `${verdict}: ${main}` : verdict,
    fixes,
    missing: decision === 'undetermined' ? Array.from(new Set(missing)) : [],
    principal: resolved.caller.principalArn,
    action: input.action,
    resource: input.resource,
    requestContext: requestContextOut,
    unknownContextKeys: context.all().filter(e => e.unknownValue).map(e => e.key).sort(compareText),
  };
}
