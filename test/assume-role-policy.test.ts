import { Stack, Stage } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import * as iam from 'aws-cdk-lib/aws-iam';
import { AssumeRolePolicy, CrossAccountRole } from '../src';
import { REGION, TRUSTED, TRUSTING, pairedStacks, testApp } from './util';

const roleArn = (name: string) => ({ 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, `:iam::${TRUSTING}:role/${name}`]] });

describe('AssumeRolePolicy', () => {
  test('allows sts:AssumeRole on exactly the target roles, attached to users, groups and roles', () => {
    // GIVEN
    const { trusting, trusted } = pairedStacks();
    const a = new CrossAccountRole(trusting, 'A', { trustedAccounts: [TRUSTED], roleName: 'RoleA' });
    const b = new CrossAccountRole(trusting, 'B', { trustedAccounts: [TRUSTED], roleName: 'RoleB' });
    const user = new iam.User(trusted, 'User');
    const group = new iam.Group(trusted, 'Group');
    const role = new iam.Role(trusted, 'Ci', { assumedBy: new iam.ServicePrincipal('codebuild.amazonaws.com') });

    // WHEN
    const policy = new AssumeRolePolicy(trusted, 'Assume', { targetRoles: [a, b], users: [user], groups: [group], roles: [role] });

    // THEN
    expect(policy.policy).toBeInstanceOf(iam.ManagedPolicy);
    Template.fromStack(trusted).hasResourceProperties('AWS::IAM::ManagedPolicy', {
      PolicyDocument: {
        Statement: [{ Action: 'sts:AssumeRole', Effect: 'Allow', Resource: [roleArn('RoleA'), roleArn('RoleB')] }],
        Version: '2012-10-17',
      },
      Users: [{ Ref: Match.stringLikeRegexp('^User') }],
      Groups: [{ Ref: Match.stringLikeRegexp('^Group') }],
      Roles: [{ Ref: Match.stringLikeRegexp('^Ci') }],
    });
  });

  test('never allows a wildcard resource', () => {
    const { trusting, trusted } = pairedStacks();
    const a = new CrossAccountRole(trusting, 'A', { trustedAccounts: [TRUSTED] });

    new AssumeRolePolicy(trusted, 'Assume', { targetRoles: [a], targetRoleArns: [`arn:aws:iam::${TRUSTING}:role/Legacy`] });

    const text = JSON.stringify(Template.fromStack(trusted).findResources('AWS::IAM::ManagedPolicy'));
    expect(text).not.toContain('"*"');
    expect(text).toContain(`arn:aws:iam::${TRUSTING}:role/Legacy`);
  });

  test('refuses a wildcard in targetRoleArns', () => {
    const { trusted } = pairedStacks();

    expect(() => new AssumeRolePolicy(trusted, 'Assume', { targetRoleArns: [`arn:aws:iam::${TRUSTING}:role/*`] }))
      .toThrow(/Trusted\/Assume: targetRoleArns\[0\] is 'arn:aws:iam::111111111111:role\/\*'; a wildcard would allow assuming roles nobody reviewed/);
  });

  test('refuses a target ARN that is not a role ARN', () => {
    const { trusted } = pairedStacks();

    expect(() => new AssumeRolePolicy(trusted, 'Assume', { targetRoleArns: ['arn:aws:iam::111111111111:user/bob'] }))
      .toThrow(/targetRoleArns\[0\] must be an IAM role ARN like/);
  });

  test('with requireMfa, asks the caller for MFA too', () => {
    const { trusting, trusted } = pairedStacks();
    const a = new CrossAccountRole(trusting, 'A', { trustedAccounts: [TRUSTED], roleName: 'RoleA' });

    new AssumeRolePolicy(trusted, 'Assume', { targetRoles: [a], requireMfa: true });

    Template.fromStack(trusted).hasResourceProperties('AWS::IAM::ManagedPolicy', {
      PolicyDocument: {
        Statement: [{
          Action: 'sts:AssumeRole',
          Effect: 'Allow',
          Resource: roleArn('RoleA'),
          Condition: { Bool: { 'aws:MultiFactorAuthPresent': 'true' } },
        }],
        Version: '2012-10-17',
      },
    });
  });

  test('warns that roles as assumers may lack MFA when requireMfa is set', () => {
    const { trusted } = pairedStacks();
    const role = new iam.Role(trusted, 'Ci', { assumedBy: new iam.AccountRootPrincipal() });

    new AssumeRolePolicy(trusted, 'Assume', { targetRoleArns: [`arn:aws:iam::${TRUSTING}:role/R`], roles: [role], requireMfa: true });

    Annotations.fromStack(trusted).hasWarning('/Trusted/Assume', Match.stringLikeRegexp('a role session carries MFA only if'));
  });

  test('makes the trusted stack deploy after the trusting stack', () => {
    const { trusting, trusted } = pairedStacks();
    const a = new CrossAccountRole(trusting, 'A', { trustedAccounts: [TRUSTED] });

    new AssumeRolePolicy(trusted, 'Assume', { targetRoles: [a] });

    expect(trusted.dependencies).toEqual([trusting]);
    expect(trusting.dependencies).toEqual([]);
  });

  test('refuses a role whose stack has no concrete account', () => {
    const app = testApp();
    const agnostic = new Stack(app, 'Agnostic');
    const trusted = new Stack(app, 'Trusted', { env: { account: TRUSTED, region: REGION } });
    const a = new CrossAccountRole(agnostic, 'A', { trustedAccounts: [TRUSTED] });

    expect(() => new AssumeRolePolicy(trusted, 'Assume', { targetRoles: [a] }))
      .toThrow(/the stack 'Agnostic' of target role 'Agnostic\/A' has no concrete account; give it env: \{ account:/);
  });

  test('refuses a trusted stack without a concrete account', () => {
    const app = testApp();
    const trusting = new Stack(app, 'Trusting', { env: { account: TRUSTING, region: REGION } });
    const agnostic = new Stack(app, 'Agnostic');
    const a = new CrossAccountRole(trusting, 'A', { trustedAccounts: [TRUSTED] });

    expect(() => new AssumeRolePolicy(agnostic, 'Assume', { targetRoles: [a] }))
      .toThrow(/the stack 'Agnostic' has no concrete account, but target role 'Trusting\/A' is in another stack/);
  });

  test('takes literal role ARNs in a stack without a concrete environment', () => {
    const agnostic = new Stack(testApp(), 'Agnostic');

    new AssumeRolePolicy(agnostic, 'Assume', { targetRoleArns: [`arn:aws:iam::${TRUSTING}:role/Reader`] });

    Template.fromStack(agnostic).hasResourceProperties('AWS::IAM::ManagedPolicy', {
      PolicyDocument: { Statement: [Match.objectLike({ Resource: `arn:aws:iam::${TRUSTING}:role/Reader` })] },
    });
  });

  test('targets a role of another stage (a CDK Pipelines wave) with a literal ARN and no stack dependency', () => {
    // GIVEN the role and the permission in two stages, one per account
    const app = testApp();
    const workload = new Stack(new Stage(app, 'Workload'), 'Roles', { env: { account: TRUSTING, region: REGION } });
    const tooling = new Stack(new Stage(app, 'Tooling'), 'Access', { env: { account: TRUSTED, region: REGION } });
    const role = new CrossAccountRole(workload, 'Role', { trustedAccounts: [TRUSTED], roleName: 'Reader' });

    // WHEN
    new AssumeRolePolicy(tooling, 'Assume', { targetRoles: [role] });

    // THEN
    expect(tooling.dependencies).toEqual([]);
    Template.fromStack(tooling).hasResourceProperties('AWS::IAM::ManagedPolicy', {
      PolicyDocument: { Statement: [Match.objectLike({ Resource: { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, `:iam::${TRUSTING}:role/Reader`]] } })] },
    });
  });

  test('refuses a policy that targets no role', () => {
    const { trusted } = pairedStacks();

    expect(() => new AssumeRolePolicy(trusted, 'Assume', {}))
      .toThrow(/Trusted\/Assume: the policy allows assuming no role; give targetRoles or targetRoleArns/);
  });

  test('splits many target roles over several managed policies of at most 6,144 characters', () => {
    // GIVEN
    const { app, trusted } = pairedStacks();
    const group = new iam.Group(trusted, 'Group');
    const arns = Array.from({ length: 150 }, (_, i) => `arn:aws:iam::${TRUSTING}:role/a-rather-long-role-name-for-the-quota-${String(i).padStart(3, '0')}`);

    // WHEN
    const assume = new AssumeRolePolicy(trusted, 'Assume', { targetRoleArns: [...arns].reverse(), groups: [group] });

    // THEN every policy fits, every ARN is granted exactly once, in sorted order, and every policy is attached
    expect(() => app.synth()).not.toThrow();
    const policies = Object.values(Template.fromStack(trusted).findResources('AWS::IAM::ManagedPolicy')) as any[];
    expect(policies.length).toBe(assume.policies.length);
    expect(policies.length).toBeGreaterThan(1);
    for (const policy of policies) {
      expect(JSON.stringify(policy.Properties.PolicyDocument).replace(/\s/g, '').length).toBeLessThanOrEqual(6144);
      expect(policy.Properties.Groups).toEqual([{ Ref: expect.stringMatching(/^Group/) }]);
    }
    const granted = policies.flatMap(p => p.Properties.PolicyDocument.Statement.flatMap((st: any) => st.Resource));
    expect(granted).toEqual(arns);
    expect(assume.policy).toBe(assume.policies[0]);
  });

  test('keeps the first policy\'s logical ID when it splits', () => {
    const { trusted } = pairedStacks();
    const assume = new AssumeRolePolicy(trusted, 'Assume', { targetRoleArns: [`arn:aws:iam::${TRUSTING}:role/One`] });

    expect(trusted.getLogicalId(assume.policy.node.defaultChild as iam.CfnManagedPolicy)).toMatch(/^Assume[0-9A-F]{8}$/);
  });

  test('warns over 10 managed policies and fails over 20, naming the alternatives', () => {
    const { trusted } = pairedStacks();
    const arns = (count: number) => Array.from({ length: count }, (_, i) => `arn:aws:iam::${TRUSTING}:role/a-rather-long-role-name-for-the-quota-${String(i).padStart(4, '0')}`);

    new AssumeRolePolicy(trusted, 'Eleven', { targetRoleArns: arns(900) });
    expect(() => new AssumeRolePolicy(trusted, 'TooMany', { targetRoleArns: arns(2000) }))
      .toThrow(/the assume permission needs 2\d managed policies .* over the IAM maximum of 20 .*'arn:<partition>:iam::\*:role\/<name>' with an aws:ResourceOrgID/);
    Annotations.fromStack(trusted).hasWarning('/Trusted/Eleven', Match.stringLikeRegexp('the assume permission takes 1\\d managed policies, over the default IAM quota of 10'));
  });
});
