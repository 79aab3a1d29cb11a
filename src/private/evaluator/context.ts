/**
 * Who makes a request and what its request context holds, as the policy
 * evaluation sees them.
 *
 * @see https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic.html#policy-eval-reqcontext
 * @see https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-keys.html
 */

/** The kinds of caller the evaluator knows. */
export type CallerKind = 'user' | 'role-session' | 'federated-user' | 'service' | 'account';

/** The caller of a request, read from its ARN. */
export interface Caller {
  readonly kind: CallerKind;
  /** The ARN the caller was given as (a user, a role, a session, or the service's name). */
  readonly given: string;
  /** The caller's account (empty for an AWS service). */
  readonly account: string;
  readonly partition: string;
  /**
   * `aws:PrincipalArn`: the user's ARN, the role's ARN for a role session
   * (the path included when known); the account's root ARN for a principal of
   * which only the account is known.
   */
  readonly principalArn: string;
  /** An IAM user's name. */
  readonly userName?: string;
  /** A role session's role name. */
  readonly roleName?: string;
  /** A role session's session name, when known. */
  readonly sessionName?: string;
  /** A role session's or federated user's session ARN, when known (`arn:<p>:sts::<account>:assumed-role/<role>/<session>`). */
  readonly sessionArn?: string;
}

/** One key of a request context. */
export interface ContextEntry {
  /** The key as first given (condition keys are matched without regard to case). */
  readonly key: string;
  /** Its values: one for a single-valued key, any number for a multivalued one. */
  readonly values: readonly string[];
  /** Whether the key is multivalued (a set: `aws:TagKeys`, `aws:PrincipalOrgPaths`, ...). */
  readonly multiValued: boolean;
  /** The key is in the request, but its value is not known (a unique ID only known once deployed). */
  readonly unknownValue: boolean;
}

/** A request context: condition keys and their values, keys compared without regard to case. */
export class RequestContext {
  private readonly entries = new Map<string, ContextEntry>();

  constructor(entries: Iterable<ContextEntry> = []) {
    for (const entry of entries) { this.entries.set(entry.key.toLowerCase(), entry); }
  }

  /** The entry of a key, if the request has it. */
  public get(key: string): ContextEntry | undefined {
    return this.entries.get(key.toLowerCase());
  }

  /** Whether the request has the key. */
  public has(key: string): boolean {
    return this.entries.has(key.toLowerCase());
  }

  /** Every entry, in the order given. */
  public all(): ContextEntry[] {
    return Array.from(this.entries.values());
  }

  /** A copy with one key set (replacing any entry of it). */
  public with(key: string, values: string | readonly string[], multiValued: boolean = Array.isArray(values)): RequestContext {
    const list = typeof values === 'string' ? [values] : [...values];
    return new RequestContext([...this.without(key).all(), { key, values: list, multiValued, unknownValue: false }]);
  }

  /** A copy with a key that is present, its value unknown. */
  public withUnknown(key: string): RequestContext {
    return new RequestContext([...this.without(key).all(), { key, values: [], multiValued: false, unknownValue: true }]);
  }

  /** A copy without some keys. */
  public without(...keys: string[]): RequestContext {
    const lower = keys.map(k => k.toLowerCase());
    return new RequestContext(this.all().filter(e => !lower.includes(e.key.toLowerCase())));
  }
}

/** An AWS service principal, e.g. `ec2.amazonaws.com`. */
const SERVICE_PRINCIPAL = /^[a-z0-9-]+(\.[a-z0-9-]+)*\.amazonaws\.com(\.cn)?$/;

/** Why an ARN cannot be a caller. */
export class CallerError extends Error {}

/**
 * The caller behind an ARN: an IAM user; an IAM role, which stands for a
 * session of it; an assumed-role session; a federated user; an AWS service
 * principal; or a bare account ID, for a principal of that account not known
 * more closely.
 */
export function parseCaller(arn: string, sessionName?: string): Caller {
  if (/^\d{12}$/.test(arn)) {
    // some principal of the account, not known which (what the trusting account's CloudTrail event of a cross-account call names)
    return { kind: 'account', given: arn, account: arn, partition: 'aws', principalArn: `arn:aws:iam::${arn}:root` };
  }
  if (SERVICE_PRINCIPAL.test(arn)) {
    return { kind: 'service', given: arn, account: '', partition: arn.endsWith('.cn') ? 'aws-cn' : 'aws', principalArn: arn };
  }
  const match = /^arn:(aws[a-z-]*):(iam|sts)::(\d{12}):(.+)$/.exec(arn);
  if (match === null) {
    throw new CallerError(`the principal must be an IAM user or role ARN ('arn:aws:iam::222222222222:user/alice'), an assumed-role session ARN or an AWS service principal, got '${arn}'`);
  }
  const [, partition, service, account, resource] = match;
  const parts = resource.split('/');
  const name = parts[parts.length - 1];
  if (service === 'iam' && parts[0] === 'user' && parts.length >= 2 && name !== '') {
    return { kind: 'user', given: arn, account, partition, principalArn: arn, userName: name };
  }
  if (service === 'iam' && parts[0] === 'role' && parts.length >= 2 && name !== '') {
    const sessionArn = sessionName !== undefined ? `arn:${partition}:sts::${account}:assumed-role/${name}/${sessionName}` : undefined;
    return { kind: 'role-session', given: arn, account, partition, principalArn: arn, roleName: name, sessionName, sessionArn };
  }
  if (service === 'sts' && parts[0] === 'assumed-role' && parts.length === 3 && parts[1] !== '' && parts[2] !== '') {
    // aws:PrincipalArn of a session is its role's ARN; a session ARN has no path (the app model adds it when it knows the role)
    return {
      kind: 'role-session',
      given: arn,
      account,
      partition,
      principalArn: `arn:${partition}:iam::${account}:role/${parts[1]}`,
      roleName: parts[1],
      sessionName: parts[2],
      sessionArn: arn,
    };
  }
  if (service === 'sts' && parts[0] === 'federated-user' && parts.length === 2 && name !== '') {
    return { kind: 'federated-user', given: arn, account, partition, principalArn: arn, sessionArn: arn };
  }
  if (service === 'iam' && resource === 'root') {
    throw new CallerError(`the principal '${arn}' is an account's root user, which this tool does not evaluate; give an IAM user or role ARN`);
  }
  throw new CallerError(`the principal must be an IAM user or role ARN ('arn:aws:iam::222222222222:user/alice'), an assumed-role session ARN or an AWS service principal, got '${arn}'`);
}

/**
 * The keys the caller itself determines, as AWS puts them in every request it
 * signs: `aws:PrincipalArn`, `aws:PrincipalAccount`, `aws:PrincipalType`,
 * `aws:username` (IAM users) and `aws:userid` (the principal's unique ID:
 * only known once deployed, so present with an unknown value unless given),
 * and `aws:PrincipalIsAWSService`.
 *
 * @see https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-keys.html#condition-keys-principalarn
 * @see https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_variables.html#principaltable
 */
export function callerKeys(caller: Caller): ContextEntry[] {
  const entry = (key: string, value: string): ContextEntry => ({ key, values: [value], multiValued: false, unknownValue: false });
  if (caller.kind === 'service') {
    return [entry('aws:PrincipalIsAWSService', 'true'), entry('aws:PrincipalServiceName', caller.given)];
  }
  const unknown = (key: string): ContextEntry => ({ key, values: [], multiValued: false, unknownValue: true });
  if (caller.kind === 'account') {
    // which principal it is (a user has aws:username, a session does not) is not known
    return [entry('aws:PrincipalAccount', caller.account), entry('aws:PrincipalIsAWSService', 'false'),
      unknown('aws:PrincipalArn'), unknown('aws:PrincipalType'), unknown('aws:username'), unknown('aws:userid')];
  }
  const type = caller.kind === 'user' ? 'User' : caller.kind === 'role-session' ? 'AssumedRole' : 'FederatedUser';
  return [
    entry('aws:PrincipalArn', caller.principalArn),
    entry('aws:PrincipalAccount', caller.account),
    entry('aws:PrincipalType', type),
    entry('aws:PrincipalIsAWSService', 'false'),
    ...caller.userName !== undefined ? [entry('aws:username', caller.userName)] : [],
    unknown('aws:userid'),
  ];
}
