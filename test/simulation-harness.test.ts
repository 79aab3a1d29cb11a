import {
  evaluateAssumeRole,
  identityPoliciesFor,
  resolveCfn,
  roleArnOf,
  simulateAssumeRole,
  simulateRequest,
  trustPolicyOf,
  type AssumeRoleRequest,
  type RequestContext,
} from './helpers/simulate';

// Hand-written policies only: these tests prove the harness, not the library.
const TRUSTING = '111111111111';
const TRUSTED = '222222222222';
const OTHER = '333333333333';

const ROLE_ARN = `arn:aws:iam::${TRUSTING}:role/CrossAccountTarget`;
const ALICE = `arn:aws:iam::${TRUSTED}:user/alice`;
const MALLORY = `arn:aws:iam::${OTHER}:user/mallory`;

const policy = (...statements: object[]) => ({ Version: '2012-10-17', Statement: statements });

/** A trust policy trusting the whole of the trusted account, with optional conditions. */
const trustAccount = (condition?: object, account = TRUSTED) => policy({
  Effect: 'Allow',
  Principal: { AWS: `arn:aws:iam::${account}:root` },
  Action: 'sts:AssumeRole',
  ...(condition ? { Condition: condition } : {}),
});

/** The caller's identity policy allowing sts:AssumeRole on the target role. */
const mayAssume = policy({ Effect: 'Allow', Action: 'sts:AssumeRole', Resource: ROLE_ARN });

function assume(trustPolicy: unknown, context: RequestContext = {}, overrides: Partial<AssumeRoleRequest> = {}) {
  return simulateAssumeRole({
    principalArn: ALICE,
    principalAccount: TRUSTED,
    roleArn: ROLE_ARN,
    trustPolicy,
    identityPolicies: [mayAssume],
    context,
    ...overrides,
  });
}

describe('simulateAssumeRole: cross-account with an external ID', () => {
  const trust = trustAccount({ StringEquals: { 'sts:ExternalId': 'correct-horse' } });

  test('allows a user of the trusted account with the right external ID', async () => {
    // GIVEN a trust policy requiring an external ID, and an identity policy allowing the call
    // WHEN alice assumes the role with the right external ID
    const decision = await assume(trust, { 'sts:ExternalId': 'correct-horse' });

    // THEN
    expect(decision).toBe('Allowed');
  });

  test('implicitly denies a wrong external ID', async () => {
    // GIVEN / WHEN
    const decision = await assume(trust, { 'sts:ExternalId': 'battery-staple' });

    // THEN
    expect(decision).toBe('ImplicitlyDenied');
  });

  test('implicitly denies a missing external ID', async () => {
    // GIVEN / WHEN
    const decision = await assume(trust, {});

    // THEN
    expect(decision).toBe('ImplicitlyDenied');
  });

  test('implicitly denies a caller whose own account grants nothing, even though the trust policy allows', async () => {
    // GIVEN no identity policy on alice
    // WHEN
    const decision = await assume(trust, { 'sts:ExternalId': 'correct-horse' }, { identityPolicies: [] });

    // THEN cross-account needs both sides
    expect(decision).toBe('ImplicitlyDenied');
  });

  test('implicitly denies a user of an account the role does not trust', async () => {
    // GIVEN mallory in a third account with an identity policy allowing the call
    // WHEN
    const decision = await assume(trust, { 'sts:ExternalId': 'correct-horse' }, { principalArn: MALLORY, principalAccount: OTHER });

    // THEN
    expect(decision).toBe('ImplicitlyDenied');
  });

  test('lets an explicit deny in the identity policy win over both allows', async () => {
    // GIVEN
    const identity = policy(
      { Effect: 'Allow', Action: 'sts:AssumeRole', Resource: '*' },
      { Effect: 'Deny', Action: 'sts:AssumeRole', Resource: ROLE_ARN },
    );

    // WHEN
    const decision = await assume(trust, { 'sts:ExternalId': 'correct-horse' }, { identityPolicies: [identity] });

    // THEN
    expect(decision).toBe('ExplicitlyDenied');
  });

  test('still requires the identity policy when the trust policy names the user directly', async () => {
    // GIVEN a trust policy naming alice's ARN rather than her account
    const direct = policy({ Effect: 'Allow', Principal: { AWS: ALICE }, Action: 'sts:AssumeRole' });

    // WHEN / THEN
    expect(await assume(direct, {}, { identityPolicies: [] })).toBe('ImplicitlyDenied');
    expect(await assume(direct, {})).toBe('Allowed');
  });

  test('allows sts:TagSession only when the trust policy allows it too', async () => {
    // GIVEN a caller allowed sts:* and trust policies with and without sts:TagSession
    const identityPolicies = [policy({ Effect: 'Allow', Action: 'sts:*', Resource: '*' })];
    const withTagSession = policy({
      Effect: 'Allow',
      Principal: { AWS: `arn:aws:iam::${TRUSTED}:root` },
      Action: ['sts:AssumeRole', 'sts:TagSession'],
    });

    // WHEN / THEN
    expect(await assume(trustAccount(), {}, { action: 'sts:TagSession', identityPolicies })).toBe('ImplicitlyDenied');
    expect(await assume(withTagSession, {}, { action: 'sts:TagSession', identityPolicies })).toBe('Allowed');
  });

  test('refuses sts:ExternalId on sts:TagSession, which iam-simulate would silently drop, unless told to drop it', async () => {
    // GIVEN a statement covering both actions under an external ID condition
    const both = policy({
      Effect: 'Allow',
      Principal: { AWS: `arn:aws:iam::${TRUSTED}:root` },
      Action: ['sts:AssumeRole', 'sts:TagSession'],
      Condition: { StringEquals: { 'sts:ExternalId': 'correct-horse' } },
    });
    const request: AssumeRoleRequest = {
      principalArn: ALICE,
      roleArn: ROLE_ARN,
      trustPolicy: both,
      identityPolicies: [policy({ Effect: 'Allow', Action: 'sts:*', Resource: '*' })],
      context: { 'sts:ExternalId': 'correct-horse' },
      action: 'sts:TagSession',
    };

    // WHEN / THEN
    await expect(simulateAssumeRole(request)).rejects.toThrow(/would be ignored: sts:ExternalId/);
    const outcome = await evaluateAssumeRole({ ...request, ignoreInapplicableContextKeys: true });
    expect(outcome.ignoredContextKeys).toEqual(['sts:ExternalId']);
    expect(outcome.decision).toBe('ImplicitlyDenied');
  });
});

describe('simulateAssumeRole: same-account semantics differ, proving account awareness', () => {
  const BOB = `arn:aws:iam::${TRUSTING}:user/bob`;

  test('allows a same-account user named in the trust policy without any identity policy', async () => {
    // GIVEN
    const direct = policy({ Effect: 'Allow', Principal: { AWS: BOB }, Action: 'sts:AssumeRole' });

    // WHEN
    const decision = await assume(direct, {}, { principalArn: BOB, principalAccount: TRUSTING, identityPolicies: [] });

    // THEN
    expect(decision).toBe('Allowed');
  });

  test('implicitly denies a same-account user when the trust policy only names the account root and no identity policy allows', async () => {
    // GIVEN / WHEN
    const decision = await assume(trustAccount(undefined, TRUSTING), {}, { principalArn: BOB, principalAccount: TRUSTING, identityPolicies: [] });

    // THEN
    expect(decision).toBe('ImplicitlyDenied');
  });
});

describe('simulateAssumeRole: MFA conditions', () => {
  test('allows with MFA present and implicitly denies with MFA false or absent', async () => {
    // GIVEN
    const trust = trustAccount({ Bool: { 'aws:MultiFactorAuthPresent': 'true' } });

    // WHEN / THEN
    expect(await assume(trust, { 'aws:MultiFactorAuthPresent': true })).toBe('Allowed');
    expect(await assume(trust, { 'aws:MultiFactorAuthPresent': 'true' })).toBe('Allowed');
    expect(await assume(trust, { 'aws:MultiFactorAuthPresent': false })).toBe('ImplicitlyDenied');
    expect(await assume(trust, {})).toBe('ImplicitlyDenied');
  });

  test('allows a recent MFA and implicitly denies a stale or absent one with NumericLessThan aws:MultiFactorAuthAge', async () => {
    // GIVEN
    const trust = trustAccount({
      Bool: { 'aws:MultiFactorAuthPresent': 'true' },
      NumericLessThan: { 'aws:MultiFactorAuthAge': '3600' },
    });

    // WHEN / THEN
    expect(await assume(trust, { 'aws:MultiFactorAuthPresent': true, 'aws:MultiFactorAuthAge': 300 })).toBe('Allowed');
    expect(await assume(trust, { 'aws:MultiFactorAuthPresent': true, 'aws:MultiFactorAuthAge': 7200 })).toBe('ImplicitlyDenied');
    expect(await assume(trust, { 'aws:MultiFactorAuthPresent': true })).toBe('ImplicitlyDenied');
  });

  test('explicitly denies through a BoolIfExists false deny when MFA is off or the key is absent', async () => {
    // GIVEN an allow plus the classic "deny unless MFA" statement
    const trust = policy(trustAccount().Statement[0], {
      Effect: 'Deny',
      Principal: { AWS: '*' },
      Action: 'sts:AssumeRole',
      Condition: { BoolIfExists: { 'aws:MultiFactorAuthPresent': 'false' } },
    });

    // WHEN / THEN
    expect(await assume(trust, { 'aws:MultiFactorAuthPresent': false })).toBe('ExplicitlyDenied');
    expect(await assume(trust, {})).toBe('ExplicitlyDenied');
    expect(await assume(trust, { 'aws:MultiFactorAuthPresent': true })).toBe('Allowed');
  });
});

describe('simulateAssumeRole: principal conditions derived from the caller ARN', () => {
  test('matches ArnLike aws:PrincipalArn without the test passing it', async () => {
    // GIVEN
    const trust = trustAccount({ ArnLike: { 'aws:PrincipalArn': `arn:aws:iam::${TRUSTED}:user/ops-*` } });

    // WHEN / THEN
    expect(await assume(trust, {}, { principalArn: `arn:aws:iam::${TRUSTED}:user/ops-alice` })).toBe('Allowed');
    expect(await assume(trust, {}, { principalArn: ALICE })).toBe('ImplicitlyDenied');
  });

  test('matches ArnEquals aws:PrincipalArn against the role of an assumed-role session', async () => {
    // GIVEN a trust policy for the Deployer role's sessions only
    const trust = trustAccount({ ArnEquals: { 'aws:PrincipalArn': `arn:aws:iam::${TRUSTED}:role/Deployer` } });

    // WHEN / THEN
    expect(await assume(trust, {}, { principalArn: `arn:aws:sts::${TRUSTED}:assumed-role/Deployer/ci-run-42` })).toBe('Allowed');
    expect(await assume(trust, {}, { principalArn: `arn:aws:sts::${TRUSTED}:assumed-role/Intruder/ci-run-42` })).toBe('ImplicitlyDenied');
  });

  test('derives aws:PrincipalAccount and aws:username from the caller ARN', async () => {
    // GIVEN
    const trust = trustAccount({ StringEquals: { 'aws:PrincipalAccount': TRUSTED, 'aws:username': 'alice' } });

    // WHEN / THEN
    expect(await assume(trust)).toBe('Allowed');
    expect(await assume(trust, {}, { principalArn: `arn:aws:iam::${TRUSTED}:user/bob` })).toBe('ImplicitlyDenied');
  });

  test('refuses a context that contradicts the caller ARN', async () => {
    // GIVEN / WHEN / THEN
    await expect(assume(trustAccount(), { 'aws:PrincipalAccount': OTHER })).rejects.toThrow(/contradicts/);
    await expect(assume(trustAccount(), {}, { principalAccount: OTHER })).rejects.toThrow(/does not match/);
  });
});

describe('simulateAssumeRole: organisation conditions', () => {
  test('allows the right aws:PrincipalOrgID and implicitly denies another or none', async () => {
    // GIVEN
    const trust = trustAccount({ StringEquals: { 'aws:PrincipalOrgID': 'o-abc123' } });

    // WHEN / THEN
    expect(await assume(trust, { 'aws:PrincipalOrgID': 'o-abc123' })).toBe('Allowed');
    expect(await assume(trust, { 'aws:PrincipalOrgID': 'o-zzz999' })).toBe('ImplicitlyDenied');
    expect(await assume(trust, {})).toBe('ImplicitlyDenied');
  });

  test('explicitly denies callers outside the organisation through a StringNotEquals deny, including when the key is absent', async () => {
    // GIVEN
    const trust = policy(trustAccount().Statement[0], {
      Effect: 'Deny',
      Principal: { AWS: '*' },
      Action: 'sts:AssumeRole',
      Condition: { StringNotEquals: { 'aws:PrincipalOrgID': 'o-abc123' } },
    });

    // WHEN / THEN
    expect(await assume(trust, { 'aws:PrincipalOrgID': 'o-abc123' })).toBe('Allowed');
    expect(await assume(trust, { 'aws:PrincipalOrgID': 'o-zzz999' })).toBe('ExplicitlyDenied');
    expect(await assume(trust, {})).toBe('ExplicitlyDenied');
  });
});

describe('simulateAssumeRole: strictness', () => {
  test('throws on a context key that does not apply to the request rather than ignoring it', async () => {
    // GIVEN / WHEN / THEN
    await expect(assume(trustAccount(), { 's3:prefix': 'x' })).rejects.toThrow(/would be ignored: s3:prefix/);
  });

  test('throws when a policy still contains an unresolved intrinsic', async () => {
    // GIVEN
    const unresolved = policy({ Effect: 'Allow', Principal: { AWS: { Ref: 'AWS::AccountId' } }, Action: 'sts:AssumeRole' });

    // WHEN / THEN
    await expect(assume(unresolved)).rejects.toThrow(/iam-simulate rejected the simulation/);
  });

  test('exposes the raw iam-simulate result for debugging', async () => {
    // GIVEN / WHEN
    const outcome = await evaluateAssumeRole({ principalArn: ALICE, roleArn: ROLE_ARN, trustPolicy: trustAccount(), identityPolicies: [mayAssume] });

    // THEN
    expect(outcome.decision).toBe('Allowed');
    expect(outcome.raw.resultType).toBe('single');
    expect(outcome.simulation.request.resource.accountId).toBe(TRUSTING);
    expect(outcome.simulation.request.contextVariables['aws:PrincipalArn']).toBe(ALICE);
  });
});

describe('simulateRequest', () => {
  const SESSION = `arn:aws:sts::${TRUSTING}:assumed-role/CrossAccountTarget/alice-session`;
  const rolePolicies = [policy(
    { Effect: 'Allow', Action: 's3:GetObject', Resource: 'arn:aws:s3:::reports/*' },
    { Effect: 'Deny', Action: '*', Resource: '*', Condition: { DateLessThan: { 'aws:TokenIssueTime': '2024-05-01T00:00:00Z' } } },
  )];
  const getObject = (tokenIssueTime: string) => simulateRequest({
    principalArn: SESSION,
    action: 's3:GetObject',
    resourceArn: 'arn:aws:s3:::reports/2024/q1.csv',
    resourceAccount: TRUSTING,
    identityPolicies: rolePolicies,
    context: { 'aws:TokenIssueTime': tokenIssueTime },
  });

  test('explicitly denies a role session whose token was issued before the revocation time', async () => {
    // GIVEN / WHEN
    const decision = await getObject('2024-04-30T23:59:59Z');

    // THEN
    expect(decision).toBe('ExplicitlyDenied');
  });

  test('allows a role session whose token was issued after the revocation time', async () => {
    // GIVEN / WHEN
    const decision = await getObject('2024-05-01T00:00:01Z');

    // THEN
    expect(decision).toBe('Allowed');
  });

  test('requires the resource account when the ARN has none', async () => {
    // GIVEN / WHEN / THEN
    await expect(simulateRequest({
      principalArn: SESSION, action: 's3:GetObject', resourceArn: 'arn:aws:s3:::reports/x', identityPolicies: rolePolicies,
    })).rejects.toThrow(/pass resourceAccount/);
  });
});

describe('resolveCfn and the template helpers', () => {
  const join = (...parts: unknown[]) => ({ 'Fn::Join': ['', parts] });

  test('resolves Fn::Join with AWS::Partition into a principal the simulator allows', async () => {
    // GIVEN a trust policy as the CDK synthesizes it
    const synthesized = policy({
      Effect: 'Allow',
      Principal: { AWS: join('arn:', { Ref: 'AWS::Partition' }, `:iam::${TRUSTED}:root`) },
      Action: 'sts:AssumeRole',
    });

    // WHEN
    const trust = resolveCfn(synthesized, { account: TRUSTING });

    // THEN
    expect(trust).toEqual(trustAccount());
    expect(await assume(trust)).toBe('Allowed');
  });

  test('resolves AWS::Partition from the context, e.g. aws-cn', async () => {
    // GIVEN / WHEN
    const arn = resolveCfn(join('arn:', { Ref: 'AWS::Partition' }, `:iam::${TRUSTED}:root`), { account: TRUSTING, partition: 'aws-cn' });

    // THEN
    expect(arn).toBe(`arn:aws-cn:iam::${TRUSTED}:root`);
    expect(await assume(policy({ Effect: 'Allow', Principal: { AWS: arn }, Action: 'sts:AssumeRole' }), {}, {
      principalArn: `arn:aws-cn:iam::${TRUSTED}:user/alice`,
      roleArn: `arn:aws-cn:iam::${TRUSTING}:role/CrossAccountTarget`,
      identityPolicies: [policy({ Effect: 'Allow', Action: 'sts:AssumeRole', Resource: '*' })],
    })).toBe('Allowed');
  });

  test('throws on an unknown intrinsic instead of passing it through', () => {
    // GIVEN / WHEN / THEN
    expect(() => resolveCfn({ Statement: [{ Resource: { 'Fn::FindInMap': ['M', 'a', 'b'] } }] }, { account: TRUSTING }))
      .toThrow(/Unsupported CloudFormation intrinsic Fn::FindInMap/);
    expect(() => resolveCfn({ Ref: 'ExternalIdParam' }, { account: TRUSTING })).toThrow(/no value for parameter 'ExternalIdParam'/);
    expect(() => resolveCfn({ Ref: 'AWS::Region' }, { account: TRUSTING })).toThrow(/no region/);
  });

  test('reads the trust policy, role ARN and identity policies from hand-written templates and simulates them', async () => {
    // GIVEN a trusting template whose role takes its external ID from a parameter
    const trustingTemplate = {
      Parameters: { ExternalId: { Type: 'String' } },
      Resources: {
        TargetRole1234: {
          Type: 'AWS::IAM::Role',
          Properties: {
            RoleName: 'CrossAccountTarget',
            AssumeRolePolicyDocument: policy({
              Effect: 'Allow',
              Principal: { AWS: { 'Fn::Sub': `arn:\${AWS::Partition}:iam::${TRUSTED}:root` } },
              Action: 'sts:AssumeRole',
              Condition: { StringEquals: { 'sts:ExternalId': { Ref: 'ExternalId' } } },
            }),
          },
        },
      },
    };
    // and a trusted template granting alice the call through a managed policy and an inline group policy
    const trustedTemplate = {
      Resources: {
        Alice: { Type: 'AWS::IAM::User', Properties: { UserName: 'alice', Groups: [{ Ref: 'Ops' }] } },
        Ops: { Type: 'AWS::IAM::Group', Properties: { GroupName: 'ops' } },
        AssumePolicy: {
          Type: 'AWS::IAM::ManagedPolicy',
          Properties: {
            Users: [{ Ref: 'Alice' }],
            PolicyDocument: policy({
              Effect: 'Allow',
              Action: 'sts:AssumeRole',
              Resource: join('arn:', { Ref: 'AWS::Partition' }, `:iam::${TRUSTING}:role/CrossAccountTarget`),
            }),
          },
        },
        OpsDeny: {
          Type: 'AWS::IAM::Policy',
          Properties: {
            PolicyName: 'deny-when-no-mfa',
            Groups: ['ops'],
            PolicyDocument: policy({
              Effect: 'Deny',
              Action: 'sts:AssumeRole',
              Resource: '*',
              Condition: { BoolIfExists: { 'aws:MultiFactorAuthPresent': 'false' } },
            }),
          },
        },
      },
    };

    // WHEN
    const trustingCtx = { account: TRUSTING, parameters: { ExternalId: 'correct-horse' } };
    const request = {
      principalArn: ALICE,
      principalAccount: TRUSTED,
      roleArn: roleArnOf(trustingTemplate, trustingCtx),
      trustPolicy: trustPolicyOf(trustingTemplate, 'TargetRole1234', trustingCtx),
      identityPolicies: identityPoliciesFor(trustedTemplate, { type: 'user', logicalId: 'Alice' }, { account: TRUSTED }),
    };

    // THEN
    expect(request.roleArn).toBe(ROLE_ARN);
    expect(request.identityPolicies).toHaveLength(2);
    expect(await simulateAssumeRole({ ...request, context: { 'sts:ExternalId': 'correct-horse', 'aws:MultiFactorAuthPresent': true } }))
      .toBe('Allowed');
    expect(await simulateAssumeRole({ ...request, context: { 'sts:ExternalId': 'correct-horse' } })).toBe('ExplicitlyDenied');
    expect(await simulateAssumeRole({ ...request, context: { 'sts:ExternalId': 'wrong', 'aws:MultiFactorAuthPresent': true } }))
      .toBe('ImplicitlyDenied');
  });
});
