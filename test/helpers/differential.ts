/**
 * Test-only: runs one drawn configuration through the simulator
 * (@cloud-copilot/iam-simulate, AGPL, devDependency) and through the
 * library's own evaluator, and says whether they agree.
 *
 * Both see exactly the same request: the evaluator gets the context the
 * simulator was handed (the principal's keys as the harness derives them
 * from its ARN, `aws:ResourceAccount`, and the drawn keys), less the keys the
 * simulator dropped because its action data says they are not in the
 * request context of that action (`ignoredContextKeys`: in AWS they would not
 * be in the request at all).
 *
 * Where the simulator is wrong or limited, the harness says so here and
 * works around it without weakening the comparison: the evaluator always
 * gets the policies as drawn, and the simulator the same policies in a form
 * it reads right, or, for its one documented departure from AWS's logic, the
 * documented question asked of it again. Each workaround is counted
 * (`workarounds`), so that a test can show how often it applied.
 *
 * 1. Epoch dates. AWS's date operators take ISO 8601 dates and epoch (UNIX)
 *    time alike ("DateGreaterThan ... 1704067200"); the simulator reads an
 *    epoch value in seconds but an ISO 8601 one in milliseconds, and compares
 *    the two. The simulator gets each epoch value of a date operator written
 *    as the ISO 8601 date it stands for.
 *    https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition_operators.html#Conditions_Date
 * 2. Single IP addresses. `IpAddress` / `NotIpAddress` take an address or a
 *    CIDR range; the simulator's `NotIpAddress` with a single IPv4 address
 *    never holds for an IPv6 request. The simulator gets each single address
 *    as its one-address range (`/32`, `/128`).
 *    https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition_operators.html#Conditions_IPAddress
 * 3. Session policies and grants to the session itself. Within an account, a
 *    resource-based policy that names the role session itself (its session
 *    ARN, or everyone: `*`) grants "directly to the assumed role session",
 *    and such permissions "are not limited by an implicit deny in an
 *    identity-based policy, a permissions boundary, or session policy"; the
 *    simulator lets the session policy's implicit deny win always. When that
 *    is the only thing in the way (same account, the session policy neither
 *    allows nor denies, the simulator's resource analysis has an Allow that
 *    names the session itself), the simulator is asked again without the
 *    session policy, which is the documented decision.
 *    https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic_policy-eval-denyallow.html
 *    https://docs.aws.amazon.com/IAM/latest/UserGuide/access_policies.html#policies_session
 * 4. Policies without `Version: 2012-10-17`. In them, `${aws:username}` is
 *    not a variable but literal text; the simulator replaces it anyway. The
 *    simulator gets such a document as a 2012-10-17 one in which each `${`
 *    is written `${$}{`, IAM's way of writing a literal `$` before `{`.
 *    https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_variables.html
 * 5. Templated keys. The simulator does not know `kms:EncryptionContext:<key>`
 *    (a key whose name holds the context's key): it lists it among the
 *    ignored keys and, in Strict mode, reads it as absent, so a condition on
 *    a right encryption context reads as false. The simulation harness
 *    (`evaluateRequest` of test/helpers/simulate.ts) judges those conditions
 *    itself, with IAM's string operators, a few lines independent of the
 *    evaluator, and hands the simulator each statement without them (left
 *    out whole when one does not hold). The evaluator gets the statement as
 *    drawn, and the key in its context.
 *    https://docs.aws.amazon.com/kms/latest/developerguide/conditions-kms.html#conditions-kms-encryption-context
 */
import { DrawnRequest } from './random-requests';
import { Decision as SimulatorDecision, evaluateRequest } from './simulate';
import { ContextEntry, ControlLevel, Decision, PolicySet, RequestContext, evaluate, parseCaller, readPolicy } from '../../src/private/evaluator';

/** The simulator's outcomes, as the evaluator names them. */
const AS_EVALUATOR: Record<SimulatorDecision, Decision> = {
  Allowed: 'allowed',
  ImplicitlyDenied: 'implicit-deny',
  ExplicitlyDenied: 'explicit-deny',
};

/** How often each workaround of the simulator applied. */
export const workarounds = { epochDates: 0, singleAddresses: 0, sessionGrants: 0, literalVariables: 0, templatedKeys: 0 };

const isObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

/** The templated condition keys the simulator does not know (workaround 5). */
const TEMPLATED = /^kms:EncryptionContext:/i;

/** Writes every `${` of a value as `${$}{` (workaround 4). */
function literalDollars(value: unknown): unknown {
  if (typeof value === 'string') { return value.split('${').join('${$}{'); }
  if (Array.isArray(value)) { return value.map(literalDollars); }
  if (isObject(value)) { return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, literalDollars(v)])); }
  return value;
}

/** A policy document in the form the simulator reads right (workarounds 1, 2 and 4); the document is not changed. */
function forSimulator<T>(given: T): T {
  if (!isObject(given) || !Array.isArray(given.Statement)) { return given; }
  let document: Record<string, unknown> & { Statement: unknown[] } = given as Record<string, unknown> & { Statement: unknown[] };
  if (document.Version !== '2012-10-17') {
    if (JSON.stringify(document).includes('${')) { workarounds.literalVariables++; }
    document = { ...document, Version: '2012-10-17', Statement: literalDollars(document.Statement) as unknown[] };
  }
  let epoch = false;
  let single = false;
  const statements = document.Statement.map(statement => {
    if (!isObject(statement) || !isObject(statement.Condition)) { return statement; }
    const condition = Object.fromEntries(Object.entries(statement.Condition).map(([operator, keys]) => {
      if (!isObject(keys)) { return [operator, keys]; }
      const base = operator.replace(/^For(Any|All)Values?:/, '').replace(/IfExists$/, '');
      const rewrite = (value: string): string => {
        if (base.startsWith('Date') && /^\d+$/.test(value)) {
          epoch = true;
          return new Date(Number(value) * 1000).toISOString().replace('.000Z', 'Z');
        }
        if ((base === 'IpAddress' || base === 'NotIpAddress') && !value.includes('/')) {
          single = true;
          return `${value}/${value.includes(':') ? 128 : 32}`;
        }
        return value;
      };
      return [operator, Object.fromEntries(Object.entries(keys).map(([key, values]) =>
        [key, Array.isArray(values) ? values.map(v => rewrite(String(v))) : rewrite(String(values))]))];
    }));
    return { ...statement, Condition: condition };
  });
  if (epoch) { workarounds.epochDates++; }
  if (single) { workarounds.singleAddresses++; }
  return { ...document, Statement: statements } as unknown as T;
}

const levelsForSimulator = (given: DrawnRequest['serviceControlPolicies']) =>
  given?.map(level => ({ ...level, policies: level.policies.map(p => ({ ...p, policy: forSimulator(p.policy) })) }));

/** One comparison. */
export interface Comparison {
  readonly simulator: Decision;
  readonly evaluator: Decision;
  readonly request: DrawnRequest;
  /** The context both were given. */
  readonly context: Record<string, string | string[]>;
  readonly sameAccount: boolean;
}

const set = (documents: readonly unknown[], what: string): PolicySet => ({
  known: true,
  policies: documents.map((d, i) => readPolicy(d, { description: `${what} ${i}` })),
});

const levels = (given: DrawnRequest['serviceControlPolicies']): ControlLevel[] | undefined => given?.map(level => ({
  target: level.orgIdentifier,
  policies: level.policies.map(p => readPolicy(p.policy, { description: p.name })),
}));

/** Runs one configuration through both. */
export async function compare(request: DrawnRequest): Promise<Comparison> {
  const input = {
    principalArn: request.principalArn,
    action: request.action,
    resourceArn: request.resourceArn,
    resourceAccount: request.resourceAccount,
    identityPolicies: request.identityPolicies.map(forSimulator),
    permissionsBoundary: forSimulator(request.permissionsBoundary),
    sessionPolicy: forSimulator(request.sessionPolicy),
    resourcePolicy: forSimulator(request.resourcePolicy),
    context: request.context,
    ignoreInapplicableContextKeys: true,
    serviceControlPolicies: levelsForSimulator(request.serviceControlPolicies),
    resourceControlPolicies: levelsForSimulator(request.resourceControlPolicies),
  };
  const outcome = await evaluateRequest(input);
  if (outcome.judgedEncryptionContext.length > 0) { workarounds.templatedKeys++; }
  let simulator = AS_EVALUATOR[outcome.decision];
  const analysis = outcome.raw.resultType === 'single' ? outcome.raw.result.analysis : undefined;
  if (simulator === 'implicit-deny' && analysis?.sameAccount && request.sessionPolicy !== undefined
    && analysis.sessionAnalysis !== undefined && analysis.sessionAnalysis.result === 'ImplicitlyDenied'
    && (analysis.resourceAnalysis?.allowStatements ?? []).some(s => s.principalMatch === 'Match')) {
    // workaround 3: the session policy's implicit deny does not limit a grant to the session itself
    workarounds.sessionGrants++;
    simulator = AS_EVALUATOR[(await evaluateRequest({ ...input, sessionPolicy: undefined })).decision];
  }
  // keys the simulator's data says the action does not have are not in the request; templated keys are (workaround 5:
  // the harness keeps them from the simulator, which does not know them)
  const ignored = new Set(outcome.ignoredContextKeys.map(k => k.toLowerCase()));
  const given = {
    ...Object.fromEntries(Object.entries(outcome.simulation.request.contextVariables).filter(([key]) => !ignored.has(key.toLowerCase()))),
    ...Object.fromEntries(Object.entries(request.context).filter(([key]) => TEMPLATED.test(key))),
  };
  const entries: ContextEntry[] = Object.entries(given).map(([key, value]) => ({
    key,
    values: Array.isArray(value) ? value : [value],
    multiValued: Array.isArray(value),
    unknownValue: false,
  }));
  const caller = parseCaller(request.principalArn);
  const evaluation = evaluate({
    request: { caller, action: request.action, resource: request.resourceArn, context: new RequestContext(entries) },
    resourceAccount: request.resourceAccount,
    identity: set(request.identityPolicies, 'identity policy'),
    boundary: request.permissionsBoundary !== undefined ? set([request.permissionsBoundary], 'permissions boundary') : undefined,
    session: request.sessionPolicy !== undefined ? set([request.sessionPolicy], 'session policy') : undefined,
    resourcePolicy: request.resourcePolicy !== undefined ? set([request.resourcePolicy], request.kind) : undefined,
    resourcePolicyKind: request.kind,
    scps: levels(request.serviceControlPolicies),
    rcps: levels(request.resourceControlPolicies),
  });
  return {
    simulator,
    evaluator: evaluation.decision,
    request,
    context: given,
    sameAccount: evaluation.sameAccount,
  };
}
