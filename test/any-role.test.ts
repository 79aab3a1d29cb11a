import { PhysicalName, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as sns from 'aws-cdk-lib/aws-sns';
import { AssumeRoleMonitor, AssumeRolePolicy, CrossAccountRole } from '../src';
import { identityPoliciesFor, roleArnOf, simulateAssumeRole, trustPolicyOf } from './helpers/simulate';
import { REGION, TRUSTED, TRUSTING, pairedStacks, testApp } from './util';

/** How aws-cdk-lib writes the ARN of a role of another account: a literal, the partition aside. */
const literalArn = (account: string, name: string) => ({ 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, `:iam::${account}:role/${name}`]] });

/** Every statement of the managed policies of a stack. */
function statementsOf(stack: Stack): any[] {
  return Object.values(Template.fromStack(stack).findResources('AWS::IAM::ManagedPolicy'))
    .flatMap((p: any) => p.Properties.PolicyDocument.Statement);
}

/** A plain aws-cdk-lib role that trusts the other account, as users write one. */
function plainRole(stack: Stack, id: string, props: Partial<iam.RoleProps> = {}): iam.Role {
  return new iam.Role(stack, id, { assumedBy: new iam.AccountPrincipal(TRUSTED), ...props });
}

describe('AssumeRolePolicy with any iam.IRole', () => {
  test('names a plain iam.Role of another account\'s stack by its literal ARN, and deploys after it', () => {
    // GIVEN
    const { app, trusting, trusted } = pairedStacks();
    const role = plainRole(trusting, 'Deployer', { roleName: 'deployer' });

    // WHEN
    new AssumeRolePolicy(trusted, 'Assume', { targetRoles: [role], groups: [new iam.Group(trusted, 'Ops')] });

    // THEN
    expect(statementsOf(trusted)).toEqual([{ Effect: 'Allow', Action: 'sts:AssumeRole', Resource: literalArn(TRUSTING, 'deployer') }]);
    expect(JSON.stringify(app.synth().getStackByName(trusted.stackName).template)).not.toContain('Fn::ImportValue');
    expect(trusted.dependencies).toContain(trusting);
  });

  test('names a role with a generated physical name by that name', () => {
    // GIVEN
    const { trusting, trusted } = pairedStacks();
    const role = plainRole(trusting, 'Generated', { roleName: PhysicalName.GENERATE_IF_NEEDED });

    // WHEN
    new AssumeRolePolicy(trusted, 'Assume', { targetRoles: [role] });

    // THEN
    const [statement] = statementsOf(trusted);
    const generated = Template.fromStack(trusting).findResources('AWS::IAM::Role');
    const roleName = (Object.values(generated)[0] as any).Properties.RoleName;
    expect(typeof roleName).toBe('string');
    expect(statement.Resource).toEqual(literalArn(TRUSTING, roleName));
  });

  test('names a role imported with fromRoleArn by its ARN, without a stack dependency', () => {
    // GIVEN
    const { trusted } = pairedStacks();
    const imported = iam.Role.fromRoleArn(trusted, 'Vendor', `arn:aws:iam::${TRUSTING}:role/vendor/reader`);

    // WHEN
    new AssumeRolePolicy(trusted, 'Assume', { targetRoles: [imported] });

    // THEN
    expect(statementsOf(trusted)).toEqual([{ Effect: 'Allow', Action: 'sts:AssumeRole', Resource: `arn:aws:iam::${TRUSTING}:role/vendor/reader` }]);
    expect(trusted.dependencies).toEqual([]);
  });

  test('names a named role of another stack of the same account by a literal ARN with its path, never by an export', () => {
    // GIVEN a role and the assumers in two stacks of the same account
    const app = testApp();
    const roles = new Stack(app, 'Roles', { env: { account: TRUSTED, region: REGION } });
    const tools = new Stack(app, 'Tools', { env: { account: TRUSTED, region: REGION } });
    const role = plainRole(roles, 'Reader', { roleName: 'reader', path: '/team/' });

    // WHEN
    new AssumeRolePolicy(tools, 'Assume', { targetRoles: [role] });

    // THEN
    expect(statementsOf(tools)[0].Resource).toEqual(literalArn(TRUSTED, 'team/reader'));
    const assembly = app.synth();
    expect(JSON.stringify(assembly.getStackByName('Tools').template)).not.toContain('Fn::ImportValue');
    expect(assembly.getStackByName('Roles').template.Outputs).toBeUndefined();
  });

  test('refuses a role of another account\'s stack without a physical name, naming the fix', () => {
    // GIVEN
    const { trusting, trusted } = pairedStacks();
    const role = plainRole(trusting, 'Nameless');

    // WHEN / THEN
    expect(() => new AssumeRolePolicy(trusted, 'Assume', { targetRoles: [role] }))
      .toThrow(/^Trusted\/Assume: target role 'Trusting\/Nameless' has no physical name, .* give the role a roleName \(or roleName: PhysicalName.GENERATE_IF_NEEDED\)/);
  });

  test('refuses a nameless role of another stack of the same account, which would take an export', () => {
    // GIVEN
    const app = testApp();
    const roles = new Stack(app, 'Roles', { env: { account: TRUSTED, region: REGION } });
    const tools = new Stack(app, 'Tools', { env: { account: TRUSTED, region: REGION } });
    const role = plainRole(roles, 'Nameless');

    // WHEN / THEN
    expect(() => new AssumeRolePolicy(tools, 'Assume', { targetRoles: [role] }))
      .toThrow(/target role 'Roles\/Nameless' has no physical name, .*CloudFormation export, which does not cross accounts; give the role a roleName/);
  });

  test('accepts a role of its own stack as it is', () => {
    // GIVEN
    const { trusted } = pairedStacks();
    const role = plainRole(trusted, 'Local');

    // WHEN
    new AssumeRolePolicy(trusted, 'Assume', { targetRoles: [role] });

    // THEN
    expect(statementsOf(trusted)[0].Resource).toEqual({ 'Fn::GetAtt': [expect.stringMatching(/^Local/), 'Arn'] });
  });

  describe('actions', () => {
    test('allows sts:AssumeRole on roles that are not this library\'s, and the actions prop adds to it', () => {
      // GIVEN
      const { trusting, trusted } = pairedStacks();
      const plain = plainRole(trusting, 'Plain', { roleName: 'plain' });
      const imported = iam.Role.fromRoleArn(trusted, 'Imported', `arn:aws:iam::${TRUSTING}:role/imported`);

      // WHEN
      new AssumeRolePolicy(trusted, 'Assume', {
        targetRoles: [plain, imported],
        targetRoleArns: [`arn:aws:iam::${TRUSTING}:role/legacy`],
        actions: ['sts:TagSession'],
      });

      // THEN
      const [statement] = statementsOf(trusted);
      expect(statement.Action).toEqual(['sts:AssumeRole', 'sts:TagSession']);
      expect(statement.Resource).toHaveLength(3);
    });

    test('gives a CrossAccountRole the actions its trust requires, passed as itself or as its inner iam.Role', () => {
      // GIVEN
      const { trusting, trusted } = pairedStacks();
      const tagged = new CrossAccountRole(trusting, 'Tagged', { trustedAccounts: [TRUSTED], roleName: 'tagged', allowSessionTags: true });
      const inner = new CrossAccountRole(trusting, 'Inner', { trustedAccounts: [TRUSTED], roleName: 'inner', allowSessionTags: true });
      const plain = plainRole(trusting, 'Plain', { roleName: 'plain' });

      // WHEN
      new AssumeRolePolicy(trusted, 'Assume', { targetRoles: [tagged, inner.role, plain], actions: ['sts:SetSourceIdentity'] });

      // THEN
      expect(statementsOf(trusted)).toEqual([
        { Effect: 'Allow', Action: ['sts:AssumeRole', 'sts:TagSession'], Resource: [literalArn(TRUSTING, 'inner'), literalArn(TRUSTING, 'tagged')] },
        { Effect: 'Allow', Action: ['sts:AssumeRole', 'sts:SetSourceIdentity'], Resource: literalArn(TRUSTING, 'plain') },
      ]);
    });

    test('refuses an action that is not one of assuming a role', () => {
      // GIVEN
      const { trusted } = pairedStacks();

      // WHEN / THEN
      expect(() => new AssumeRolePolicy(trusted, 'Assume', { targetRoleArns: [`arn:aws:iam::${TRUSTING}:role/a`], actions: ['sts:AssumeRole', 's3:*'] }))
        .toThrow(/^Trusted\/Assume: actions\[1\] must be one of 'sts:AssumeRole', 'sts:TagSession', 'sts:SetSourceIdentity', got 's3:\*'/);
    });
  });

  test('lets alice assume a plain iam.Role of the other account, and nobody else, in a simulated AssumeRole', async () => {
    // GIVEN a plain role that trusts the trusted account, and alice's group with the permission
    const { trusting, trusted } = pairedStacks();
    const role = plainRole(trusting, 'Deployer', { roleName: 'deployer' });
    const other = plainRole(trusting, 'Other', { roleName: 'other' });
    const group = new iam.Group(trusted, 'Ops');
    new AssumeRolePolicy(trusted, 'Assume', { targetRoles: [role], groups: [group] });
    const trustingTemplate = Template.fromStack(trusting).toJSON();
    const ctx = { account: TRUSTING, region: REGION };
    const identityPolicies = identityPoliciesFor(Template.fromStack(trusted).toJSON(),
      { type: 'group', logicalId: trusted.getLogicalId(group.node.defaultChild as iam.CfnGroup) }, { account: TRUSTED, region: REGION });
    const request = (name: string) => simulateAssumeRole({
      principalArn: `arn:aws:iam::${TRUSTED}:user/alice`,
      roleArn: roleArnOf(trustingTemplate, name, ctx),
      trustPolicy: trustPolicyOf(trustingTemplate, name, ctx),
      identityPolicies,
    });

    // WHEN / THEN
    expect(await request(trusting.getLogicalId(role.node.defaultChild as iam.CfnRole))).toBe('Allowed');
    expect(await request(trusting.getLogicalId(other.node.defaultChild as iam.CfnRole))).toBe('ImplicitlyDenied');
  });
});

describe('AssumeRoleMonitor with any iam.IRole', () => {
  test('watches imported roles and plain roles by their ARNs', () => {
    // GIVEN
    const { trusting } = pairedStacks();
    const imported = iam.Role.fromRoleArn(trusting, 'Imported', `arn:aws:iam::${TRUSTING}:role/break-glass`);
    const local = plainRole(trusting, 'Local');
    const topic = new sns.Topic(trusting, 'Topic');

    // WHEN
    new AssumeRoleMonitor(trusting, 'Monitor', { roles: [imported, local], topic });

    // THEN
    Template.fromStack(trusting).hasResourceProperties('AWS::Events::Rule', {
      EventPattern: Match.objectLike({
        detail: Match.objectLike({
          requestParameters: { roleArn: [`arn:aws:iam::${TRUSTING}:role/break-glass`, { 'Fn::GetAtt': [Match.stringLikeRegexp('^Local'), 'Arn'] }] },
        }),
      }),
    });
  });

  test('watches a named role of another stack by its literal ARN, never by an export', () => {
    // GIVEN
    const app = testApp();
    const roles = new Stack(app, 'Roles', { env: { account: TRUSTING, region: REGION } });
    const monitoring = new Stack(app, 'Monitoring', { env: { account: TRUSTING, region: REGION } });
    const role = plainRole(roles, 'Reader', { roleName: 'reader' });

    // WHEN
    new AssumeRoleMonitor(monitoring, 'Monitor', { roles: [role] });

    // THEN
    Template.fromStack(monitoring).hasResourceProperties('AWS::Events::Rule', {
      EventPattern: Match.objectLike({ detail: Match.objectLike({ requestParameters: { roleArn: [literalArn(TRUSTING, 'reader')] } }) }),
    });
    expect(JSON.stringify(app.synth().getStackByName('Monitoring').template)).not.toContain('Fn::ImportValue');
  });

  test('refuses a nameless role of another stack, naming the fix', () => {
    // GIVEN
    const app = testApp();
    const roles = new Stack(app, 'Roles', { env: { account: TRUSTING, region: REGION } });
    const monitoring = new Stack(app, 'Monitoring', { env: { account: TRUSTING, region: REGION } });
    const role = plainRole(roles, 'Nameless');

    // WHEN / THEN
    expect(() => new AssumeRoleMonitor(monitoring, 'Monitor', { roles: [role] }))
      .toThrow(/^Monitoring\/Monitor: role 'Roles\/Nameless' has no physical name, .*give the role a roleName/);
  });
});
