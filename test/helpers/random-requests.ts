/**
 * Test-only: random request configurations for the evaluator's differential
 * test. Each draw is a cross-account (or same-account) request and every
 * policy that decides it, made of the statements the library and the
 * simulation tests write by hand (trust policies naming an account root or a
 * principal ARN, external IDs, MFA, organisation and OU guards, source IPs,
 * session names, tags), mixed with the shapes that make evaluation subtle:
 * `NotAction`, `NotResource`, `NotPrincipal`, wildcards, policy variables,
 * `...IfExists`, `Null`, set operators, explicit denies in any layer, SCPs
 * with and without `FullAWSAccess` at each level, RCPs, boundaries and
 * session policies.
 *
 * Draws are reproducible: a seed gives the same configurations everywhere.
 */

/** A small, seeded generator: Park and Miller's minimal standard (exact in doubles, no bit operations). */
export class Random {
  private static readonly MODULUS = 2147483647;
  private state: number;

  constructor(seed: number) {
    this.state = (Math.abs(Math.floor(seed)) % (Random.MODULUS - 1)) + 1;
  }

  /** A float in [0, 1). */
  public next(): number {
    this.state = (this.state * 48271) % Random.MODULUS;
    return (this.state - 1) / (Random.MODULUS - 1);
  }

  /** True with probability p. */
  public chance(p: number): boolean {
    return this.next() < p;
  }

  /** An integer in [min, max]. */
  public int(min: number, max: number): number {
    return min + Math.floor(this.next() * (max - min + 1));
  }

  public pick<T>(items: readonly T[]): T {
    return items[Math.floor(this.next() * items.length)];
  }

  /** Some of the items (each with probability p), in order. */
  public some<T>(items: readonly T[], p: number): T[] {
    return items.filter(() => this.chance(p));
  }
}

export const RESOURCE_ACCOUNT = '111111111111';
export const CALLER_ACCOUNT = '222222222222';
export const THIRD_ACCOUNT = '333333333333';
export const ORG = 'o-abc123def4';
export const OU_PATH = `${ORG}/r-ab12/ou-ab12-11111111/`;

/** The callers drawn from: users and role sessions of the caller's account, of the resource's, and of a third. */
export const CALLERS = [
  `arn:aws:iam::${CALLER_ACCOUNT}:user/alice`,
  `arn:aws:iam::${CALLER_ACCOUNT}:user/ops/bob`,
  `arn:aws:sts::${CALLER_ACCOUNT}:assumed-role/Deployer/ci-run-42`,
  `arn:aws:iam::${RESOURCE_ACCOUNT}:user/carol`,
  `arn:aws:sts::${RESOURCE_ACCOUNT}:assumed-role/Local/carol`,
  `arn:aws:iam::${THIRD_ACCOUNT}:user/mallory`,
];

/** The role ARN of a session ARN (no path), the ARN itself otherwise. */
export function principalArnOf(caller: string): string {
  const session = /^arn:([^:]+):sts::(\d{12}):assumed-role\/([^/]+)\/.+$/.exec(caller);
  return session ? `arn:${session[1]}:iam::${session[2]}:role/${session[3]}` : caller;
}

const accountOf = (arn: string) => arn.split(':')[4];

/** One kind of request, with its resource, and whether its resource-based policy is required (a role, a key). */
interface Target {
  readonly action: string;
  readonly others: string[];
  readonly resource: string;
  readonly siblings: string[];
  readonly patterns: string[];
  readonly kind: 'trust-policy' | 'key-policy' | 'resource-policy';
  /** Condition keys of the service that the simulator knows for the action. */
  readonly serviceKeys: Array<[string, string[]]>;
}

const ROLE = `arn:aws:iam::${RESOURCE_ACCOUNT}:role/Target`;
const TARGETS: Target[] = [
  ...['sts:AssumeRole', 'sts:AssumeRole', 'sts:AssumeRole', 'sts:TagSession', 'sts:SetSourceIdentity'].map(action => ({
    action,
    others: ['sts:AssumeRole', 'sts:TagSession', 'sts:SetSourceIdentity', 'sts:GetCallerIdentity', 'iam:PassRole'].filter(a => a !== action),
    resource: ROLE,
    siblings: [`arn:aws:iam::${RESOURCE_ACCOUNT}:role/Other`, `arn:aws:iam::${THIRD_ACCOUNT}:role/Target`],
    patterns: [`arn:aws:iam::${RESOURCE_ACCOUNT}:role/*`, 'arn:aws:iam::*:role/Target', `arn:aws:iam::${RESOURCE_ACCOUNT}:role/T?rget`, `arn:*:iam::${RESOURCE_ACCOUNT}:role/Tar*`],
    kind: 'trust-policy' as const,
    serviceKeys: [
      ['sts:ExternalId', ['ext-1', 'ext-2', 'wrong']],
      ['sts:RoleSessionName', ['alice', 'ci-run-42', 'other']],
      ['sts:SourceIdentity', ['alice', 'bob']],
    ] as Array<[string, string[]]>,
  })),
  {
    action: 's3:GetObject',
    others: ['s3:PutObject', 's3:ListBucket', 'sqs:SendMessage'],
    resource: 'arn:aws:s3:::shared-bucket/reports/alice/2024.csv',
    siblings: ['arn:aws:s3:::other-bucket/reports/alice/2024.csv', 'arn:aws:s3:::shared-bucket'],
    patterns: ['arn:aws:s3:::shared-bucket/*', 'arn:aws:s3:::shared-*/*', 'arn:aws:s3:::shared-bucket/reports/${aws:username}/*', 'arn:aws:s3:::*/reports/*'],
    kind: 'resource-policy',
    serviceKeys: [],
  },
  {
    action: 'sqs:SendMessage',
    others: ['sqs:ReceiveMessage', 'sqs:DeleteMessage', 's3:GetObject'],
    resource: `arn:aws:sqs:eu-west-1:${RESOURCE_ACCOUNT}:jobs`,
    siblings: [`arn:aws:sqs:eu-west-1:${RESOURCE_ACCOUNT}:other`, `arn:aws:sqs:us-east-1:${RESOURCE_ACCOUNT}:jobs`],
    patterns: [`arn:aws:sqs:*:${RESOURCE_ACCOUNT}:*`, `arn:aws:sqs:eu-west-1:${RESOURCE_ACCOUNT}:jo*`, 'arn:aws:sqs:eu-west-1:*:jobs'],
    kind: 'resource-policy',
    serviceKeys: [],
  },
  {
    action: 'kms:Decrypt',
    others: ['kms:Encrypt', 'kms:GenerateDataKey', 'kms:DescribeKey'],
    resource: `arn:aws:kms:eu-west-1:${RESOURCE_ACCOUNT}:key/1234abcd-12ab-34cd-56ef-1234567890ab`,
    siblings: [`arn:aws:kms:eu-west-1:${CALLER_ACCOUNT}:key/1234abcd-12ab-34cd-56ef-1234567890ab`],
    patterns: [`arn:aws:kms:eu-west-1:${RESOURCE_ACCOUNT}:key/*`, 'arn:aws:kms:*:*:key/*'],
    kind: 'key-policy',
    serviceKeys: [
      ['kms:ViaService', ['s3.eu-west-1.amazonaws.com', 'sqs.eu-west-1.amazonaws.com']],
      ['kms:CallerAccount', [CALLER_ACCOUNT, RESOURCE_ACCOUNT]],
      ['kms:EncryptionContext:aws:s3:arn', ['arn:aws:s3:::shared-bucket', 'arn:aws:s3:::other-bucket']],
    ],
  },
  {
    action: 'secretsmanager:GetSecretValue',
    others: ['secretsmanager:PutSecretValue', 'secretsmanager:DescribeSecret'],
    resource: `arn:aws:secretsmanager:eu-west-1:${RESOURCE_ACCOUNT}:secret:db-password-AbCdEf`,
    siblings: [`arn:aws:secretsmanager:eu-west-1:${RESOURCE_ACCOUNT}:secret:other-AbCdEf`],
    patterns: [`arn:aws:secretsmanager:eu-west-1:${RESOURCE_ACCOUNT}:secret:db-password-??????`, `arn:aws:secretsmanager:*:${RESOURCE_ACCOUNT}:secret:*`],
    kind: 'resource-policy',
    serviceKeys: [],
  },
];

/** Global condition keys, with the values drawn for them (the first ones are what the conditions ask for). */
const GLOBAL_KEYS: Array<[string, string[]]> = [
  ['aws:MultiFactorAuthPresent', ['true', 'false']],
  ['aws:MultiFactorAuthAge', ['300', '3599', '3600', '7200']],
  ['aws:SourceIp', ['203.0.113.7', '198.51.100.9', '2001:db8::1']],
  ['aws:PrincipalOrgID', [ORG, 'o-zzzzzzzzzz']],
  ['aws:PrincipalTag/team', ['ops', 'dev']],
  ['aws:RequestTag/project', ['apollo', 'gemini']],
  ['aws:CurrentTime', ['2024-06-01T12:00:00Z', '2023-01-01T00:00:00Z']],
  ['aws:SecureTransport', ['true', 'false']],
];

const MULTI_KEYS: Array<[string, string[][]]> = [
  ['aws:PrincipalOrgPaths', [[`${OU_PATH}`], [`${ORG}/r-ab12/ou-ab12-22222222/`], [`${OU_PATH}ou-ab12-33333333/`]]],
  ['aws:TagKeys', [['project'], ['project', 'team'], ['secret']]],
];

/** A drawn policy document. */
export type Document = { Version?: string; Statement: Array<Record<string, unknown>> };

/** One drawn configuration: a request and every policy that decides it. */
export interface DrawnRequest {
  readonly principalArn: string;
  readonly action: string;
  readonly resourceArn: string;
  readonly resourceAccount: string;
  readonly kind: Target['kind'];
  readonly context: Record<string, string | string[]>;
  readonly identityPolicies: Document[];
  readonly permissionsBoundary?: Document;
  readonly sessionPolicy?: Document;
  readonly resourcePolicy?: Document;
  readonly serviceControlPolicies?: Array<{ orgIdentifier: string; policies: Array<{ name: string; policy: Document }> }>;
  readonly resourceControlPolicies?: Array<{ orgIdentifier: string; policies: Array<{ name: string; policy: Document }> }>;
}

/** A condition drawn for a statement: an operator, a key and its values. */
function condition(r: Random, target: Target, caller: string): Record<string, Record<string, string | string[]>> {
  const principalArn = principalArnOf(caller);
  const shapes: Array<() => [string, string, string | string[]]> = [
    () => [r.pick(['StringEquals', 'StringEquals', 'StringNotEquals', 'StringLike', 'StringEqualsIfExists', 'StringNotEqualsIfExists', 'StringEqualsIgnoreCase']),
      'sts:ExternalId', r.pick([['ext-1'], ['ext-1', 'ext-2'], 'ext-*', 'EXT-1'])],
    () => [r.pick(['Bool', 'Bool', 'BoolIfExists']), 'aws:MultiFactorAuthPresent', r.pick(['true', 'false'])],
    () => [r.pick(['NumericLessThan', 'NumericLessThanEquals', 'NumericGreaterThan', 'NumericLessThanIfExists', 'NumericNotEquals']), 'aws:MultiFactorAuthAge', r.pick(['3600', '300', '1800.5'])],
    () => [r.pick(['IpAddress', 'NotIpAddress', 'IpAddressIfExists']), 'aws:SourceIp', r.pick([['203.0.113.0/24'], ['198.51.100.9'], ['2001:db8::/32', '10.0.0.0/8']])],
    () => [r.pick(['ArnEquals', 'ArnLike', 'ArnNotLike', 'ArnNotEquals', 'StringLike', 'StringEquals']), 'aws:PrincipalArn',
      r.pick([principalArn, principalArn.replace(/[^/:]+$/, '*'), `arn:aws:iam::${accountOf(caller)}:role/Other`, 'arn:aws:iam::*:user/*', `arn:aws:iam::${THIRD_ACCOUNT}:*`])],
    () => [r.pick(['StringEquals', 'StringNotEquals']), 'aws:PrincipalAccount', r.pick([CALLER_ACCOUNT, RESOURCE_ACCOUNT, [CALLER_ACCOUNT, THIRD_ACCOUNT]])],
    () => [r.pick(['StringEquals', 'StringNotEqualsIfExists', 'StringNotEquals']), 'aws:PrincipalOrgID', ORG],
    () => [r.pick(['ForAnyValue:StringLike', 'ForAllValues:StringLike', 'ForAnyValue:StringEquals']), 'aws:PrincipalOrgPaths', r.pick([`${OU_PATH}*`, OU_PATH, [`${OU_PATH}*`, `${ORG}/r-ab12/ou-ab12-22222222/`]])],
    () => [r.pick(['StringEquals', 'StringEqualsIfExists', 'StringNotEquals']), 'aws:PrincipalTag/team', 'ops'],
    () => [r.pick(['StringEquals', 'StringLike']), 'aws:RequestTag/project', r.pick(['apollo', 'ap*'])],
    () => [r.pick(['ForAllValues:StringEquals', 'ForAnyValue:StringEquals', 'ForAllValues:StringLike']), 'aws:TagKeys', r.pick([['project', 'team'], 'project', 'pro*'])],
    () => [r.pick(['DateGreaterThan', 'DateLessThan', 'DateGreaterThanEquals']), 'aws:CurrentTime', r.pick(['2024-01-01T00:00:00Z', '1704067200'])],
    () => [r.pick(['Bool', 'BoolIfExists']), 'aws:SecureTransport', r.pick(['true', 'false'])],
    () => [r.pick(['StringEquals', 'StringLike']), 'aws:username', r.pick(['alice', 'carol', '*o*'])],
    () => ['Null', r.pick(['sts:ExternalId', 'aws:MultiFactorAuthAge', 'aws:PrincipalOrgID', 'aws:SourceIp', 'aws:username']), r.pick(['true', 'false'])],
    () => ['StringEquals', 'aws:ResourceAccount', r.pick([RESOURCE_ACCOUNT, CALLER_ACCOUNT])],
    ...target.action === 'sts:AssumeRole' || target.action === 'sts:SetSourceIdentity' ? [
      () => [r.pick(['StringLike', 'StringEquals']), 'sts:RoleSessionName', r.pick(['${aws:username}', 'ci-*', 'alice'])] as [string, string, string],
      () => [r.pick(['StringEquals', 'StringLike']), 'sts:SourceIdentity', r.pick(['${aws:username}', 'alice', 'b*'])] as [string, string, string],
    ] : [],
    ...target.action === 'kms:Decrypt' ? [
      () => ['StringEquals', 'kms:ViaService', 's3.eu-west-1.amazonaws.com'] as [string, string, string],
      () => ['StringEquals', 'kms:CallerAccount', CALLER_ACCOUNT] as [string, string, string],
      () => [r.pick(['StringEquals', 'StringLike', 'StringEqualsIfExists', 'StringNotEquals']), 'kms:EncryptionContext:aws:s3:arn',
        r.pick(['arn:aws:s3:::shared-bucket', 'arn:aws:s3:::shared-*', ['arn:aws:s3:::other-bucket', 'arn:aws:s3:::shared-bucket']])] as [string, string, string],
      () => ['Null', 'kms:EncryptionContext:aws:s3:arn', r.pick(['true', 'false'])] as [string, string, string],
    ] : [],
  ];
  const result: Record<string, Record<string, string | string[]>> = {};
  for (let i = r.int(1, 3); i > 0; i--) {
    const [operator, key, values] = r.pick(shapes)();
    result[operator] = { ...result[operator], [key]: values };
  }
  return result;
}

function actionElement(r: Random, target: Target): Record<string, string | string[]> {
  const service = target.action.split(':')[0];
  const name = target.action.split(':')[1];
  const pick = r.int(0, 9);
  if (pick <= 3) { return { Action: target.action }; }
  if (pick === 4) { return { Action: [r.pick(target.others), target.action] }; }
  if (pick === 5) { return { Action: `${service}:*` }; }
  if (pick === 6) { return { Action: r.pick(['*', `${service}:${name.slice(0, 3)}*`, `${service}:${name.toLowerCase()}`]) }; }
  if (pick === 7) { return { Action: r.pick(target.others) }; }
  if (pick === 8) { return { NotAction: r.pick(target.others) }; }
  return { NotAction: [target.action, r.pick(target.others)] };
}

function resourceElement(r: Random, target: Target): Record<string, string | string[]> {
  const pick = r.int(0, 9);
  if (pick <= 3) { return { Resource: target.resource }; }
  if (pick === 4) { return { Resource: '*' }; }
  if (pick <= 6) { return { Resource: r.pick(target.patterns) }; }
  if (pick === 7) { return { Resource: r.pick(target.siblings) }; }
  if (pick === 8) { return { Resource: [r.pick(target.siblings), r.pick([target.resource, ...target.patterns])] }; }
  return { NotResource: r.pick([...target.siblings, target.resource]) };
}

function principalElement(r: Random, caller: string): Record<string, unknown> {
  const account = accountOf(caller);
  const principalArn = principalArnOf(caller);
  const pick = r.int(0, 13);
  if (pick <= 3) { return { Principal: { AWS: `arn:aws:iam::${account}:root` } }; }
  if (pick === 4) { return { Principal: { AWS: account } }; }
  if (pick === 5) { return { Principal: '*' }; }
  if (pick === 6) { return { Principal: { AWS: '*' } }; }
  if (pick === 7) { return { Principal: { AWS: principalArn } }; }
  if (pick === 8) { return { Principal: { AWS: caller } }; }
  if (pick === 9) { return { Principal: { AWS: r.pick([`arn:aws:iam::${THIRD_ACCOUNT}:root`, `arn:aws:iam::${CALLER_ACCOUNT}:root`, `arn:aws:iam::${RESOURCE_ACCOUNT}:root`]) } }; }
  if (pick === 10) { return { Principal: { AWS: [`arn:aws:iam::${THIRD_ACCOUNT}:root`, r.pick([principalArn, `arn:aws:iam::${account}:root`])] } }; }
  if (pick === 11) { return { Principal: { AWS: `arn:aws:iam::${account}:user/someone-else` } }; }
  if (pick === 12) { return { Principal: { Service: 'ec2.amazonaws.com' } }; }
  return { Principal: { AWS: `arn:aws:iam::${r.pick([CALLER_ACCOUNT, RESOURCE_ACCOUNT])}:role/Deployer` } };
}

/** One statement of a policy of a kind. */
function statement(r: Random, target: Target, caller: string, kind: 'identity' | 'resource' | 'scp' | 'rcp', allowShare: number): Record<string, unknown> {
  const effect = r.chance(allowShare) ? 'Allow' : 'Deny';
  const s: Record<string, unknown> = { Effect: effect };
  if (r.chance(0.3)) { s.Sid = `S${r.int(0, 99)}`; }
  Object.assign(s, actionElement(r, target));
  if (kind === 'resource') {
    if (effect === 'Deny' && r.chance(0.15)) {
      // NotPrincipal with Deny: everyone but the principals listed. AWS documents the outcome when the caller's whole
      // chain is listed (its account and user; its account, role and session) and when none of it is; when only part
      // of it is, the statement "might" apply "depending on the service", so such lists decide nothing and are not drawn.
      const account = accountOf(caller);
      const chain = caller.includes(':assumed-role/') ? [`arn:aws:iam::${account}:root`, principalArnOf(caller), caller] : [`arn:aws:iam::${account}:root`, caller];
      const others = [`arn:aws:iam::${THIRD_ACCOUNT === account ? CALLER_ACCOUNT : THIRD_ACCOUNT}:root`, `arn:aws:iam::${THIRD_ACCOUNT === account ? CALLER_ACCOUNT : THIRD_ACCOUNT}:user/bob`];
      s.NotPrincipal = { AWS: [...r.chance(0.5) ? chain : [], ...r.some(others, 0.5), ...r.chance(0.2) ? [] : [others[0]]] };
    } else {
      Object.assign(s, principalElement(r, caller));
    }
    if (target.kind !== 'trust-policy') { Object.assign(s, r.chance(0.8) ? { Resource: target.resource } : resourceElement(r, target)); }
  } else if (kind === 'rcp') {
    // an RCP statement names Principal "*" and its actions with Action (never NotAction)
    s.Principal = '*';
    delete s.NotAction;
    const action = actionElement(r, target).Action;
    s.Action = action === undefined || action === '*' ? target.action : action;
    Object.assign(s, r.chance(0.7) ? { Resource: '*' } : resourceElement(r, target));
  } else {
    Object.assign(s, resourceElement(r, target));
  }
  // most denies are guards (they deny on a condition), most allows are plain grants
  if (r.chance(effect === 'Deny' ? 0.85 : 0.4)) { s.Condition = condition(r, target, caller); }
  if (target.action === 'kms:Decrypt' && r.chance(0.4)) {
    // KMS grants through a service narrow by the encryption context: draw it often
    const operator = r.pick(['StringEquals', 'StringLike', 'StringEqualsIfExists', 'StringNotEquals']);
    const conditionBlock = (s.Condition ?? {}) as Record<string, Record<string, unknown>>;
    conditionBlock[operator] = { ...conditionBlock[operator], 'kms:EncryptionContext:aws:s3:arn': r.pick(['arn:aws:s3:::shared-bucket', 'arn:aws:s3:::shared-*', 'arn:aws:s3:::other-*']) };
    s.Condition = conditionBlock;
  }
  return s;
}

function document(r: Random, statements: Array<Record<string, unknown>>): Document {
  // policy variables are only replaced in 2012-10-17 documents
  return r.chance(0.9) ? { Version: '2012-10-17', Statement: statements } : { Statement: statements };
}

/** The context of a request: some global keys, the service's keys, the multivalued keys; the principal's own keys are the harness's. */
function context(r: Random, target: Target): Record<string, string | string[]> {
  const result: Record<string, string | string[]> = {};
  for (const [key, values] of [...GLOBAL_KEYS, ...target.serviceKeys]) {
    if (r.chance(0.45)) { result[key] = r.pick(values); }
  }
  for (const [key, values] of MULTI_KEYS) {
    if (r.chance(0.3)) { result[key] = r.pick(values); }
  }
  return result;
}

const FULL_AWS_ACCESS: Document = { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: '*', Resource: '*' }] };

/** Draws one configuration. */
export function drawRequest(r: Random): DrawnRequest {
  const target = r.pick(TARGETS);
  const caller = r.pick(CALLERS);
  const callerAccount = accountOf(caller);
  const statements = (kind: 'identity' | 'resource' | 'scp' | 'rcp', min: number, max: number, allowShare: number) =>
    Array.from({ length: r.int(min, max) }, () => statement(r, target, caller, kind, allowShare));
  const identityPolicies = Array.from({ length: r.int(0, 3) }, () => document(r, statements('identity', 1, 3, 0.85)));
  const needsResourcePolicy = target.kind !== 'resource-policy';
  const isSession = caller.includes(':assumed-role/');
  const orgLevels = (kind: 'scp' | 'rcp') => {
    const targets = ['r-ab12', 'ou-ab12-11111111', kind === 'scp' ? callerAccount : RESOURCE_ACCOUNT].slice(r.int(0, 2));
    return targets.map(orgIdentifier => ({
      orgIdentifier,
      policies: [
        ...(kind === 'scp' && r.chance(0.85) ? [{ name: 'FullAWSAccess', policy: FULL_AWS_ACCESS }] : []),
        ...Array.from({ length: r.int(kind === 'scp' ? 0 : 1, 2) }, (_, i) => ({
          name: `${kind}-${i}`,
          // an RCP is always a 2012-10-17 document
          policy: kind === 'rcp' ? { Version: '2012-10-17', Statement: statements(kind, 1, 2, 0) } : document(r, statements(kind, 1, 2, 0.3)),
        })),
      ],
    })).filter(level => level.policies.length > 0);
  };
  return {
    principalArn: caller,
    action: target.action,
    resourceArn: target.resource,
    resourceAccount: RESOURCE_ACCOUNT,
    kind: target.kind,
    context: context(r, target),
    identityPolicies,
    ...r.chance(0.25) ? { permissionsBoundary: document(r, statements('identity', 1, 2, 0.85)) } : {},
    ...isSession && r.chance(0.3) ? { sessionPolicy: document(r, statements('identity', 1, 2, 0.85)) } : {},
    ...needsResourcePolicy || r.chance(0.6) ? { resourcePolicy: document(r, statements('resource', 1, 3, 0.85)) } : {},
    ...r.chance(0.3) ? { serviceControlPolicies: orgLevels('scp') } : {},
    ...r.chance(0.3) ? { resourceControlPolicies: orgLevels('rcp') } : {},
  };
}
