import { CfnParameter, Duration, Lazy, Stack, Stage, Token } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import * as iam from 'aws-cdk-lib/aws-iam';
import { AssumeRolePolicy, CrossAccountRole, CrossAccountRolePair, ExternalIdTrust } from '../src';
import { TRUSTED, TRUSTING, pairedStacks, testApp } from './util';

/** A role factory for the trusting stack of a fresh pair. */
function makeRole(props: ConstructorParameters<typeof CrossAccountRole>[2]) {
  const { trusting } = pairedStacks();
  return () => new CrossAccountRole(trusting, 'Role', props);
}

describe('synth-time validation', () => {
  describe('account IDs', () => {
    test.each([
      ['1234'],
      ['12345678901a'],
      ['1234567890123'],
      [' 123456789012'],
    ])('refuses %p as a trusted account', (account) => {
      expect(makeRole({ trustedAccounts: [account] }))
        .toThrow(`Trusting/Role: trustedAccounts[0] must be a 12-digit AWS account ID, got '${account}'; write it as a string of exactly 12 digits`);
    });

    test('refuses a bad account in ExternalIdTrust and in a principal ARN', () => {
      const { trusting } = pairedStacks();
      expect(() => new ExternalIdTrust(trusting, 'T', { trustedAccount: '42' })).toThrow(/trustedAccount must be a 12-digit AWS account ID, got '42'/);
      expect(() => new CrossAccountRole(trusting, 'R', { trustedPrincipalArns: ['arn:aws:iam::4242:role/x'] }))
        .toThrow(/the account of trustedPrincipalArns\[0\] \('arn:aws:iam::4242:role\/x'\) must be a 12-digit AWS account ID, got '4242'/);
    });

    test('refuses bad accounts in a pair', () => {
      const app = testApp();
      expect(() => new CrossAccountRolePair(app, 'Pair', { trustingAccount: 'abc', trustedAccount: TRUSTED, roleName: 'R' }))
        .toThrow(/Pair: trustingAccount must be a 12-digit AWS account ID, got 'abc'/);
      expect(() => new CrossAccountRolePair(app, 'Pair2', { trustingAccount: TRUSTING, trustedAccount: '1', roleName: 'R' }))
        .toThrow(/Pair2: trustedAccount must be a 12-digit AWS account ID, got '1'/);
    });
  });

  describe('external IDs', () => {
    test('refuses one shorter than 2 characters', () => {
      expect(makeRole({ trustedAccounts: [TRUSTED], externalIds: ['x'] }))
        .toThrow(/externalIds\[0\] must be 2 to 1224 characters long, got 1 \('x'\)/);
    });

    test('refuses one longer than 1224 characters', () => {
      expect(makeRole({ trustedAccounts: [TRUSTED], externalIds: ['a'.repeat(1225)] }))
        .toThrow(/externalIds\[0\] must be 2 to 1224 characters long, got 1225/);
    });

    test('accepts exactly 2 and exactly 1224 characters', () => {
      expect(makeRole({ trustedAccounts: [TRUSTED], externalIds: ['ab'] })).not.toThrow();
      expect(makeRole({ trustedAccounts: [TRUSTED], externalIds: ['a'.repeat(1224)] })).not.toThrow();
    });

    test('refuses characters outside [\\w+=,.@:/-] and names them', () => {
      expect(makeRole({ trustedAccounts: [TRUSTED], externalIds: ['has space#hash'] }))
        .toThrow(/externalIds\[0\] may only contain letters, digits and \+ = , \. @ : \/ - _, got 'has space#hash' with ' #'/);
    });

    test('accepts every allowed special character', () => {
      expect(makeRole({ trustedAccounts: [TRUSTED], externalIds: ['a+b=c,d.e@f:g/h-i_j'] })).not.toThrow();
    });
  });

  describe('role names', () => {
    test('refuses a name over 64 characters', () => {
      expect(makeRole({ trustedAccounts: [TRUSTED], roleName: 'r'.repeat(65) }))
        .toThrow(/roleName must be 1 to 64 characters long, got 65/);
    });

    test('refuses an empty name', () => {
      expect(makeRole({ trustedAccounts: [TRUSTED], roleName: '' })).toThrow(/roleName must be 1 to 64 characters long, got 0/);
    });

    test('refuses a slash and other characters outside [\\w+=,.@-]', () => {
      expect(makeRole({ trustedAccounts: [TRUSTED], roleName: 'team/reader' }))
        .toThrow(/roleName may only contain letters, digits and \+ = , \. @ - _, got 'team\/reader' with '\/'/);
    });

    test('accepts 64 characters with every allowed special character', () => {
      expect(makeRole({ trustedAccounts: [TRUSTED], roleName: 'a+b=c,d.e@f-g_h'.padEnd(64, 'x') })).not.toThrow();
    });
  });

  describe('session duration and MFA age', () => {
    test.each([
      [Duration.minutes(59), 3540],
      [Duration.hours(13), 46800],
    ])('refuses a maxSessionDuration of %p', (duration, seconds) => {
      expect(makeRole({ trustedAccounts: [TRUSTED], maxSessionDuration: duration }))
        .toThrow(`Trusting/Role: maxSessionDuration must be between 1 and 12 hours (3600 to 43200 seconds), got ${seconds} seconds`);
    });

    test('accepts 1 and 12 hours', () => {
      expect(makeRole({ trustedAccounts: [TRUSTED], maxSessionDuration: Duration.hours(1) })).not.toThrow();
      expect(makeRole({ trustedAccounts: [TRUSTED], maxSessionDuration: Duration.hours(12) })).not.toThrow();
    });

    test('refuses a maxMfaAge of zero', () => {
      expect(makeRole({ trustedAccounts: [TRUSTED], maxMfaAge: Duration.seconds(0) }))
        .toThrow(/maxMfaAge must be a positive duration, got 0 seconds/);
    });

    test('refuses durations that are not whole seconds', () => {
      expect(makeRole({ trustedAccounts: [TRUSTED], maxMfaAge: Duration.millis(1500) }))
        .toThrow(/maxMfaAge must be a whole number of seconds, got 1.5 seconds/);
      expect(makeRole({ trustedAccounts: [TRUSTED], maxSessionDuration: Duration.millis(3600500) }))
        .toThrow(/maxSessionDuration must be a whole number of seconds, got 3600.5 seconds/);
    });

    test('refuses maxMfaAge with requireMfa: false', () => {
      expect(makeRole({ trustedAccounts: [TRUSTED], maxMfaAge: Duration.hours(1), requireMfa: false }))
        .toThrow(/maxMfaAge is set but requireMfa is false/);
    });
  });

  describe('organization IDs', () => {
    test.each([['r-abcd'], ['ou-abcd-12345678'], ['o-short'], ['O-ABCDEFGHIJ']])('refuses %p', (org) => {
      expect(makeRole({ trustedAccounts: [TRUSTED], trustedOrganizationId: org }))
        .toThrow(/trustedOrganizationId must be an AWS Organizations ID like 'o-a1b2c3d4e5'/);
    });
  });

  describe('trust', () => {
    test('refuses a role that trusts nobody', () => {
      expect(makeRole({})).toThrow('Trusting/Role: the role trusts nobody; give trustedAccounts, trustedPrincipalArns or externalIdTrust');
      expect(makeRole({ trustedAccounts: [] })).toThrow(/the role trusts nobody/);
    });

    test('refuses an STS session ARN as a trusted principal', () => {
      expect(makeRole({ trustedPrincipalArns: [`arn:aws:sts::${TRUSTED}:assumed-role/Admin/alice`] }))
        .toThrow(/trustedPrincipalArns\[0\] is an STS session ARN .*give 'arn:<partition>:iam::222222222222:role\/<role name>' instead/);
    });

    test('refuses a trusted principal that is not a user or role ARN', () => {
      expect(makeRole({ trustedPrincipalArns: [`arn:aws:iam::${TRUSTED}:root`] }))
        .toThrow(/trustedPrincipalArns\[0\] must be an IAM role or user ARN .*to trust a whole account use trustedAccounts instead/);
      expect(makeRole({ trustedPrincipalArns: ['alice'] })).toThrow(/trustedPrincipalArns\[0\] must be an IAM role or user ARN/);
    });

    test('refuses an ExternalIdTrust from another stack', () => {
      const { trusting, trusted } = pairedStacks();
      const trust = new ExternalIdTrust(trusted, 'Vendor', { trustedAccount: TRUSTED, externalIds: ['external-id-01'] });

      expect(() => new CrossAccountRole(trusting, 'Role', { externalIdTrust: trust }))
        .toThrow(/externalIdTrust 'Trusted\/Vendor' is in another stack; create the ExternalIdTrust in the role's stack 'Trusting'/);
    });
  });

  describe('trust policy size', () => {
    const arns = (count: number) => Array.from({ length: count }, (_, i) => `arn:aws:iam::${TRUSTED}:role/deployment-pipeline-role-${String(i).padStart(3, '0')}`);

    test('stays silent under 2,048 characters', () => {
      const { app, trusting } = pairedStacks();
      new CrossAccountRole(trusting, 'Role', { trustedPrincipalArns: arns(10) });
      app.synth();
      Annotations.fromStack(trusting).hasNoWarning('*', Match.anyValue());
    });

    test('warns over the default 2,048-character quota', () => {
      const { trusting } = pairedStacks();
      new CrossAccountRole(trusting, 'Role', { trustedPrincipalArns: arns(40) });
      Annotations.fromStack(trusting).hasWarning('/Trusting/Role',
        Match.stringLikeRegexp('the trust policy is about \\d+ characters, over the default IAM quota of 2048 .*raised \\(up to 4096\\)'));
    });

    test('fails synthesis over the 4,096-character maximum', () => {
      const { app, trusting } = pairedStacks();
      new CrossAccountRole(trusting, 'Role', { trustedPrincipalArns: arns(80) });
      expect(() => app.synth()).toThrow(/Trusting\/Role.*the trust policy is about \d+ characters, over the IAM maximum of 4096/s);
    });

    test('does not count whitespace', () => {
      // 29 principal ARNs stay under 2,048 characters without whitespace; pretty-printed they would exceed it.
      const { trusting } = pairedStacks();
      const role = new CrossAccountRole(trusting, 'Role', { trustedPrincipalArns: arns(29) });
      const pretty = JSON.stringify(trusting.resolve(role.role.assumeRolePolicy!.toJSON()), null, 2);
      expect(pretty.length).toBeGreaterThan(2048);
      Annotations.fromStack(trusting).hasNoWarning('/Trusting/Role', Match.anyValue());
    });
  });

  describe('managed policy count', () => {
    const policies = (count: number) => Array.from({ length: count }, (_, i) => iam.ManagedPolicy.fromManagedPolicyArn(
      pairedStacks().trusting, `P${i}`, `arn:aws:iam::${TRUSTING}:policy/p${i}`));

    test('warns over the default 10 managed policies', () => {
      const { trusting } = pairedStacks();
      new CrossAccountRole(trusting, 'Role', { trustedAccounts: [TRUSTED], managedPolicies: policies(11) });
      Annotations.fromStack(trusting).hasWarning('/Trusting/Role', Match.stringLikeRegexp('the role has 11 managed policies, over the default IAM quota of 10'));
    });

    test('fails synthesis over 20 managed policies', () => {
      const { app, trusting } = pairedStacks();
      new CrossAccountRole(trusting, 'Role', { trustedAccounts: [TRUSTED], managedPolicies: policies(21) });
      expect(() => app.synth()).toThrow(/the role has 21 managed policies, over the IAM maximum of 20/);
    });
  });

  describe('managed policies attached from the policy\'s side', () => {
    test('count toward the quota like the role\'s own', () => {
      // GIVEN a role with 10 managed policies of its own, and 11 more that attach themselves to it
      const { app, trusting } = pairedStacks();
      const own = Array.from({ length: 10 }, (_, i) => iam.ManagedPolicy.fromManagedPolicyArn(trusting, `P${i}`, `arn:aws:iam::${TRUSTING}:policy/p${i}`));
      const role = new CrossAccountRole(trusting, 'Role', { trustedAccounts: [TRUSTED], managedPolicies: own });
      for (let i = 0; i < 11; i++) {
        new iam.ManagedPolicy(trusting, `Attached${i}`, { roles: [role.role], statements: [new iam.PolicyStatement({ actions: ['s3:GetObject'], resources: ['*'] })] });
      }

      // WHEN / THEN
      expect(() => app.synth()).toThrow(/the role has 21 managed policies, over the IAM maximum of 20/);
    });
  });

  describe('empty and misnamed policies', () => {
    test('refuses an inline policy without statements, by name, instead of crashing', () => {
      const { app, trusting } = pairedStacks();
      new CrossAccountRole(trusting, 'Role', { trustedAccounts: [TRUSTED], inlinePolicies: { Empty: new iam.PolicyDocument() } });
      expect(() => app.synth()).toThrow(/the inline policy 'Empty' has no statements, and IAM refuses an empty policy/);
    });

    test('refuses an inline policy name outside [\\w+=,.@-]', () => {
      const document = new iam.PolicyDocument({ statements: [new iam.PolicyStatement({ actions: ['s3:GetObject'], resources: ['*'] })] });
      expect(makeRole({ trustedAccounts: [TRUSTED], inlinePolicies: { 'read logs': document } }))
        .toThrow(/the name of inlinePolicies\['read logs'\] may only contain letters, digits and \+ = , \. @ - _, got 'read logs' with ' '/);
    });

    test('refuses a description IAM would refuse', () => {
      expect(makeRole({ trustedAccounts: [TRUSTED], description: 'deploys 🚀' }))
        .toThrow(/description may only contain printable Latin-1 characters \(IAM refuses others\), got 'deploys 🚀'/);
      expect(makeRole({ trustedAccounts: [TRUSTED], description: 'x'.repeat(1001) })).toThrow(/description must be at most 1000 characters, got 1001/);
      expect(makeRole({ trustedAccounts: [TRUSTED], description: 'Café, ©, tabs\tand\nnewlines' })).not.toThrow();
    });

    test('refuses bad names of the assume permission and its assumers', () => {
      const { trusting, trusted } = pairedStacks();
      const role = new CrossAccountRole(trusting, 'Role', { trustedAccounts: [TRUSTED], roleName: 'Reader' });
      expect(() => new AssumeRolePolicy(trusted, 'A', { targetRoles: [role], managedPolicyName: 'assume reader' }))
        .toThrow(/managedPolicyName may only contain letters, digits and \+ = , \. @ - _, got 'assume reader'/);
      const pair = (props: object) => () => new CrossAccountRolePair(testApp(), 'Pair', { trustingAccount: TRUSTING, trustedAccount: TRUSTED, roleName: 'R', ...props });
      expect(pair({ assumerGroupName: 'ops team' })).toThrow(/Pair: assumerGroupName may only contain letters/);
      expect(pair({ assumerRoleNames: ['r'.repeat(65)] })).toThrow(/Pair: assumerRoleNames\[0\] must be 1 to 64 characters long, got 65/);
      expect(pair({ assumerUserNames: ['alice', 'b/ob'] })).toThrow(/Pair: assumerUserNames\[1\] may only contain letters/);
    });

    test('takes any characters in the description of an assume policy, where IAM only limits its length', () => {
      const { trusting, trusted } = pairedStacks();
      const role = new CrossAccountRole(trusting, 'Role', { trustedAccounts: [TRUSTED], roleName: 'Reader' });
      expect(() => new AssumeRolePolicy(trusted, 'A', { targetRoles: [role], description: 'Erlaubt Zugriff auf “prod” — CI' })).not.toThrow();
      expect(() => new AssumeRolePolicy(trusted, 'B', { targetRoles: [role], description: 'x'.repeat(1001) })).toThrow(/description must be at most 1000 characters, got 1001/);
    });

    test('blames the stage when its name makes the pair\'s stack names invalid', () => {
      expect(() => new CrossAccountRolePair(new Stage(testApp(), 'prod_eu'), 'Access', { trustingAccount: TRUSTING, trustedAccount: TRUSTED, roleName: 'R' }))
        .toThrow(/the stack name 'prod_eu-Access-Trusting' is not a valid CloudFormation stack name .*; use a stage name of letters, digits and hyphens \(got 'prod_eu'\), or set trustingStackName/);
    });

    test('refuses a pair id that makes an invalid stack name, and says which id to change', () => {
      expect(() => new CrossAccountRolePair(testApp(), 'audit_access', { trustingAccount: TRUSTING, trustedAccount: TRUSTED, roleName: 'R' }))
        .toThrow(/audit_access: the stack name 'audit_access-Trusting' is not a valid CloudFormation stack name .*; use a construct id of letters, digits and hyphens for the pair \(got 'audit_access'\), or set trustingStackName/);
    });
  });

  describe('empty lists', () => {
    test('refuse externalIds: [] on a role, which would require no external ID', () => {
      expect(makeRole({ trustedAccounts: [TRUSTED], externalIds: [] }))
        .toThrow(/externalIds is an empty list, which would require no external ID at all/);
    });

    test('refuse externalIds: [] on a pair, pointing to externalIdParameter for a deploy-time ID', () => {
      expect(() => new CrossAccountRolePair(testApp(), 'Pair', { trustingAccount: TRUSTING, trustedAccount: TRUSTED, roleName: 'R', externalIds: [] }))
        .toThrow(/Pair: externalIds is an empty list, which would require no external ID at all; give at least one external ID, or set externalIdParameter: true/);
    });

    test('refuse trustedPrincipalArns: [] with a message that fits the construct', () => {
      expect(makeRole({ trustedPrincipalArns: [] })).toThrow(/trustedPrincipalArns is an empty list; give the principal ARNs, or leave it out and use trustedAccounts/);
      expect(() => new CrossAccountRolePair(testApp(), 'Pair', { trustingAccount: TRUSTING, trustedAccount: TRUSTED, roleName: 'R', trustedPrincipalArns: [] }))
        .toThrow(/Pair: trustedPrincipalArns is an empty list; give the principal ARNs of the trusted account, or leave it out to trust the whole account/);
    });
  });

  describe('principal ARNs', () => {
    test('refuse a region in an IAM ARN', () => {
      expect(makeRole({ trustedPrincipalArns: [`arn:aws:iam:eu-west-1:${TRUSTED}:role/ci`] }))
        .toThrow(/trustedPrincipalArns\[0\] has the region 'eu-west-1' in it .* but IAM ARNs have none: write 'arn:aws:iam::222222222222:role\/ci'/);
    });

    test('refuse a principal of another partition than the role\'s stack', () => {
      expect(makeRole({ trustedPrincipalArns: [`arn:aws-cn:iam::${TRUSTED}:role/ci`] }))
        .toThrow(/trustedPrincipalArns\[0\] is in the partition 'aws-cn' .* but the role's stack is in 'aws'; IAM does not trust principals across partitions/);
      const cn = new Stack(testApp(), 'Cn', { env: { account: TRUSTING, region: 'cn-north-1' } });
      expect(() => new CrossAccountRole(cn, 'Role', { trustedPrincipalArns: [`arn:aws-cn:iam::${TRUSTED}:role/ci`] })).not.toThrow();
    });

    test('refuse, in a pair, a principal outside the trusted account (it would trust that account instead)', () => {
      expect(() => new CrossAccountRolePair(testApp(), 'Pair', {
        trustingAccount: TRUSTING, trustedAccount: TRUSTED, roleName: 'R', trustedPrincipalArns: ['arn:aws:iam::333333333333:role/ci'],
      })).toThrow(/Pair: trustedPrincipalArns must be principals of the trusted account 222222222222, got one in '333333333333'/);
    });

    test('refuse a malformed target role ARN', () => {
      const { trusted } = pairedStacks();
      expect(() => new AssumeRolePolicy(trusted, 'A', { targetRoleArns: ['arn:aws:iam::111111111111:role/bad name!'] }))
        .toThrow(/targetRoleArns\[0\] must be an IAM role ARN/);
      expect(() => new AssumeRolePolicy(trusted, 'B', { targetRoleArns: ['arn:aws:iam::111111111111:role/team/reader'] })).not.toThrow();
    });
  });

  describe('pairs need literal accounts', () => {
    test('refuse a deploy-time account, at the pair, before any stack is made', () => {
      const app = testApp();
      const account = Lazy.string({ produce: () => TRUSTING });
      expect(() => new CrossAccountRolePair(app, 'Pair', { trustingAccount: account, trustedAccount: TRUSTED, roleName: 'R' }))
        .toThrow(/Pair: trustingAccount must be a literal 12-digit account ID, got a deploy-time value/);
    });
  });

  describe('tokens', () => {
    test('take a deploy-time maxSessionDuration and maxMfaAge in seconds', () => {
      // GIVEN durations from parameters
      const { trusting } = pairedStacks();
      const session = new CfnParameter(trusting, 'Session', { type: 'Number' }).valueAsNumber;
      const mfaAge = new CfnParameter(trusting, 'MfaAge', { type: 'Number' }).valueAsNumber;

      // WHEN
      new CrossAccountRole(trusting, 'Role', { trustedAccounts: [TRUSTED], maxSessionDuration: Duration.seconds(session), maxMfaAge: Duration.seconds(mfaAge) });

      // THEN both are references to the parameters in the template
      Template.fromStack(trusting).hasResourceProperties('AWS::IAM::Role', {
        MaxSessionDuration: { Ref: 'Session' },
        AssumeRolePolicyDocument: { Statement: [Match.objectLike({ Condition: Match.objectLike({ NumericLessThan: { 'aws:MultiFactorAuthAge': { Ref: 'MfaAge' } } }) })] },
      });
    });

    test('refuse a deploy-time duration in other units than seconds, clearly', () => {
      const { trusting } = pairedStacks();
      const hours = new CfnParameter(trusting, 'Hours', { type: 'Number' }).valueAsNumber;
      expect(() => new CrossAccountRole(trusting, 'Role', { trustedAccounts: [TRUSTED], maxSessionDuration: Duration.hours(hours) }))
        .toThrow(/Trusting\/Role: maxSessionDuration comes from a deploy-time value, which can only be given in seconds: write it as Duration.seconds\(<token>\)/);
    });

    test('do not compare a deploy-time trusted account with principal ARNs', () => {
      const { trusting } = pairedStacks();
      const account = new CfnParameter(trusting, 'Account').valueAsString;
      expect(() => new ExternalIdTrust(trusting, 'T', { trustedAccount: account, trustedPrincipalArns: [`arn:aws:iam::${TRUSTED}:role/x`] })).not.toThrow();
    });

    test('are never validated eagerly', () => {
      const { trusting } = pairedStacks();
      const account = new CfnParameter(trusting, 'Account').valueAsString;
      const externalId = Lazy.string({ produce: () => 'x' });
      const name = Token.asString({ Ref: 'SomeName' });

      expect(() => new CrossAccountRole(trusting, 'Role', {
        trustedAccounts: [account],
        externalIds: [externalId],
        roleName: name,
        trustedOrganizationId: Lazy.string({ produce: () => 'nope' }),
        trustedPrincipalArns: [Lazy.string({ produce: () => 'not-an-arn' })],
      })).not.toThrow();
    });
  });
});
