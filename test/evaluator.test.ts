import { UNRESOLVED } from '../src/private/audit/rules/types';
import {
  Condition, ContextEntry, EvaluationInput, RequestContext, UNKNOWN, conditionHolds, evaluate, parseCaller, readPolicy, resourceMatches,
} from '../src/private/evaluator';

/**
 * The evaluator's documented behaviours that the differential test against
 * the simulator cannot reach: values only known at deploy time, the
 * undocumented middle of NotPrincipal, and the corners of variables and
 * operators. Each expectation follows the AWS page cited in the code.
 */

const TRUSTING = '111111111111';
const TRUSTED = '222222222222';
const ROLE = `arn:aws:iam::${TRUSTING}:role/Audit`;
const ALICE = `arn:aws:iam::${TRUSTED}:user/alice`;

const doc = (...Statement: object[]) => ({ Version: '2012-10-17', Statement });
const context = (entries: Record<string, string | string[]>, unknown: string[] = []): RequestContext => new RequestContext([
  ...Object.entries(entries).map(([key, v]): ContextEntry =>
    ({ key, values: Array.isArray(v) ? v : [v], multiValued: Array.isArray(v), unknownValue: false })),
  ...unknown.map((key): ContextEntry => ({ key, values: [], multiValued: false, unknownValue: true })),
]);
const holds = (operator: string, key: string, values: string[], ctx: RequestContext, variables = true) =>
  conditionHolds({ operator, key, values } as Condition, ctx, variables);

/** An AssumeRole of the role by a caller, the trust policy and the caller's policies given. */
function assume(trust: object, identity: object[], caller = ALICE, ctx: Record<string, string> = {}, extra: Partial<EvaluationInput> = {}) {
  const parsed = parseCaller(caller);
  return evaluate({
    request: { caller: parsed, action: 'sts:AssumeRole', resource: ROLE, context: context({ 'aws:PrincipalArn': parsed.principalArn, 'aws:PrincipalAccount': parsed.account, ...ctx }) },
    resourceAccount: TRUSTING,
    identity: { policies: identity.map((d, i) => readPolicy(d, { description: `identity ${i}` })), known: true },
    resourcePolicy: { policies: [readPolicy(trust, { description: 'trust' })], known: true },
    resourcePolicyKind: 'trust-policy',
    ...extra,
  });
}

const mayAssume = doc({ Effect: 'Allow', Action: 'sts:AssumeRole', Resource: ROLE });

describe('the evaluator, on values only known at deploy time', () => {
  test('matches the known parts of an ARN with a deploy-time value in it, and leaves the rest unknown', () => {
    // GIVEN a resource pattern whose account is a parameter
    const pattern = `arn:aws:iam::${UNRESOLVED}:role/Audit`;

    // WHEN / THEN
    expect(resourceMatches(pattern, ROLE)).toBe(UNKNOWN);
    expect(resourceMatches(pattern, `arn:aws:iam::${TRUSTING}:role/Other`)).toBe(false);
  });

  test('decides an AssumeRole as unknown when the trusted account is a deploy-time value', () => {
    // GIVEN a trust naming an account only known at deploy time
    const trust = doc({ Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${UNRESOLVED}:root` }, Action: 'sts:AssumeRole' });

    // WHEN
    const evaluation = assume(trust, [mayAssume]);

    // THEN
    expect(evaluation.decision).toBe('unknown');
    expect(evaluation.unknownLayers).toEqual(['trust-policy']);
  });

  test('still denies when the side the app knows refuses, whatever the unknown side holds', () => {
    // GIVEN a trust of another account, and a caller whose policies are not known
    const trust = doc({ Effect: 'Allow', Principal: { AWS: 'arn:aws:iam::333333333333:root' }, Action: 'sts:AssumeRole' });

    // WHEN
    const evaluation = assume(trust, [], ALICE, {}, { identity: { policies: [], known: false } });

    // THEN
    expect(evaluation.decision).toBe('implicit-deny');
    expect(evaluation.deniedBy).toEqual(['trust-policy']);
    expect(evaluation.unknownLayers).toEqual(['identity-policy']);
  });

  test('reads a condition on a key whose value is unknown as unknown, except Null, which only asks whether it is there', () => {
    // GIVEN aws:userid, in every signed request, its value only known once deployed
    const ctx = context({}, ['aws:userid']);

    // WHEN / THEN
    expect(holds('StringEquals', 'aws:userid', ['AIDAEXAMPLE'], ctx)).toBe(UNKNOWN);
    expect(holds('StringEqualsIfExists', 'aws:userid', ['AIDAEXAMPLE'], ctx)).toBe(UNKNOWN);
    expect(holds('Null', 'aws:userid', ['false'], ctx)).toBe(true);
  });
});

describe('the evaluator, on NotPrincipal', () => {
  const denyAllBut = (listed: string[]) => doc(
    { Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${TRUSTED}:root` }, Action: 'sts:AssumeRole' },
    { Effect: 'Deny', NotPrincipal: { AWS: listed }, Action: 'sts:AssumeRole' },
  );

  test('leaves a user out when its account and its ARN are listed, and denies it when neither is', () => {
    // GIVEN / WHEN / THEN
    expect(assume(denyAllBut([`arn:aws:iam::${TRUSTED}:root`, ALICE]), [mayAssume]).decision).toBe('allowed');
    expect(assume(denyAllBut(['arn:aws:iam::333333333333:root']), [mayAssume]).decision).toBe('explicit-deny');
  });

  test('cannot tell when only the user is listed, without its account: AWS says the Deny "might" apply', () => {
    // GIVEN / WHEN
    const evaluation = assume(denyAllBut([ALICE]), [mayAssume]);

    // THEN
    expect(evaluation.decision).toBe('unknown');
  });

  test('denies a caller with a permissions boundary whatever NotPrincipal lists', () => {
    // GIVEN alice, listed in full, with a boundary allowing the call
    const boundary = { policies: [readPolicy(doc({ Effect: 'Allow', Action: '*', Resource: '*' }), { description: 'boundary' })], known: true };

    // WHEN
    const evaluation = assume(denyAllBut([`arn:aws:iam::${TRUSTED}:root`, ALICE]), [mayAssume], ALICE, {}, { boundary });

    // THEN
    expect(evaluation.decision).toBe('explicit-deny');
  });
});

describe('the evaluator, on grants to a role session within its account', () => {
  const SESSION = `arn:aws:sts::${TRUSTING}:assumed-role/Local/carol`;
  const session = (document: object) => ({ policies: [readPolicy(document, { description: 'session' })], known: true });
  const onlyListBuckets = doc({ Effect: 'Allow', Action: 's3:ListAllMyBuckets', Resource: '*' });

  function getObject(principal: string) {
    const parsed = parseCaller(SESSION);
    return evaluate({
      request: { caller: parsed, action: 's3:GetObject', resource: 'arn:aws:s3:::reports/a.csv', context: context({}) },
      resourceAccount: TRUSTING,
      identity: { policies: [], known: true },
      session: session(onlyListBuckets),
      resourcePolicy: { policies: [readPolicy(doc({ Effect: 'Allow', Principal: { AWS: principal }, Action: 's3:GetObject', Resource: 'arn:aws:s3:::reports/*' }), { description: 'bucket' })], known: true },
      resourcePolicyKind: 'resource-policy',
    });
  }

  test('is not limited by the session policy when the bucket policy names the session itself', () => {
    // GIVEN / WHEN / THEN
    expect(getObject(SESSION).decision).toBe('allowed');
  });

  test('is limited by the session policy when the bucket policy names the role', () => {
    // GIVEN / WHEN
    const evaluation = getObject(`arn:aws:iam::${TRUSTING}:role/Local`);

    // THEN
    expect(evaluation.decision).toBe('implicit-deny');
    expect(evaluation.deniedBy).toEqual(['session-policy']);
  });
});

describe('the evaluator, on policy variables and operators', () => {
  test('replaces a variable with its default when the key is absent, and `${*}` with a literal star', () => {
    // GIVEN / WHEN / THEN
    expect(holds('StringEquals', 'aws:RequestTag/team', ["${aws:PrincipalTag/team, 'none'}"], context({ 'aws:RequestTag/team': 'none' }))).toBe(true);
    expect(holds('StringLike', 'aws:RequestTag/note', ['a${*}b'], context({ 'aws:RequestTag/note': 'a*b' }))).toBe(true);
    expect(holds('StringLike', 'aws:RequestTag/note', ['a${*}b'], context({ 'aws:RequestTag/note': 'axxb' }))).toBe(false);
  });

  test('keeps `${aws:username}` literal in a policy without Version 2012-10-17', () => {
    // GIVEN / WHEN / THEN
    expect(holds('StringEquals', 'sts:RoleSessionName', ['${aws:username}'], context({ 'sts:RoleSessionName': 'alice', 'aws:username': 'alice' }), false)).toBe(false);
    expect(holds('StringEquals', 'sts:RoleSessionName', ['${aws:username}'], context({ 'sts:RoleSessionName': 'alice', 'aws:username': 'alice' }), true)).toBe(true);
  });

  test('matches IPv6 addresses against IPv6 ranges, and never an IPv4 range', () => {
    // GIVEN / WHEN / THEN
    expect(holds('IpAddress', 'aws:SourceIp', ['2001:db8::/32'], context({ 'aws:SourceIp': '2001:db8:0:1::7' }))).toBe(true);
    expect(holds('IpAddress', 'aws:SourceIp', ['203.0.113.0/24'], context({ 'aws:SourceIp': '2001:db8::1' }))).toBe(false);
    expect(holds('NotIpAddress', 'aws:SourceIp', ['203.0.113.7'], context({ 'aws:SourceIp': '2001:db8::1' }))).toBe(true);
  });

  test('reads epoch seconds and ISO 8601 dates alike', () => {
    // GIVEN / WHEN / THEN
    expect(holds('DateGreaterThan', 'aws:CurrentTime', ['1704067200'], context({ 'aws:CurrentTime': '2024-01-01T00:00:01Z' }))).toBe(true);
    expect(holds('DateGreaterThan', 'aws:CurrentTime', ['1704067200'], context({ 'aws:CurrentTime': '2023-12-31T23:59:59Z' }))).toBe(false);
  });

  test('holds ForAllValues on an absent key and fails ForAnyValue on it', () => {
    // GIVEN / WHEN / THEN
    expect(holds('ForAllValues:StringEquals', 'aws:TagKeys', ['team'], context({}))).toBe(true);
    expect(holds('ForAnyValue:StringEquals', 'aws:TagKeys', ['team'], context({}))).toBe(false);
    expect(holds('ForAllValues:StringEquals', 'aws:TagKeys', ['team'], context({ 'aws:TagKeys': ['team', 'cost'] }))).toBe(false);
  });

  test('matches kms:EncryptionContext:<key> as any other string key', () => {
    // GIVEN the encryption context S3 passes to KMS
    const ctx = context({ 'kms:EncryptionContext:aws:s3:arn': 'arn:aws:s3:::reports' });

    // WHEN / THEN
    expect(holds('StringEquals', 'kms:EncryptionContext:aws:s3:arn', ['arn:aws:s3:::reports'], ctx)).toBe(true);
    expect(holds('StringLike', 'kms:encryptioncontext:aws:s3:arn', ['arn:aws:s3:::rep*'], ctx)).toBe(true);
    expect(holds('StringEquals', 'kms:EncryptionContext:aws:s3:arn', ['arn:aws:s3:::other'], ctx)).toBe(false);
  });

  test('matches the resource type of an ARN as written: a role pattern is no user\'s', () => {
    // GIVEN / WHEN / THEN
    expect(resourceMatches(`arn:aws:iam::${TRUSTED}:user/*`, ALICE)).toBe(true);
    expect(resourceMatches(`arn:aws:iam::${TRUSTED}:*`, ALICE)).toBe(true);
    expect(resourceMatches(`arn:aws:iam::${TRUSTED}:role/*`, ALICE)).toBe(false);
  });
});
