import { Annotations, App, Aspects, Aws, Duration, Stack, Stage, Tags } from 'aws-cdk-lib';
import { Annotations as AssertionAnnotations, Match, Template } from 'aws-cdk-lib/assertions';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';
import { CrossAccountRoleFanout, CrossAccountRoleFanoutProps } from '../src';
import { Decision, identityPoliciesFor, simulateAssumeRole, trustPolicyOf } from './helpers/simulate';
import { testApp } from './util';

const HUB = '999999999999';
const ORG = 'o-abcdef1234';
const spokes = (count: number) => Array.from({ length: count }, (_, i) => String(100000000000 + i * 7919));
const stackMode = (props: Partial<CrossAccountRoleFanoutProps> = {}) =>
  new CrossAccountRoleFanout(testApp(), 'Ops', { hubAccount: HUB, roleName: 'OpsRead', spokeAccounts: spokes(3), ...props });
const stackSetMode = (props: Partial<CrossAccountRoleFanoutProps> = {}) => new CrossAccountRoleFanout(testApp(), 'Org', {
  hubAccount: HUB, roleName: 'OpsRead', organizationalUnitIds: ['ou-ab12-cd34ef56'], organizationId: ORG, deploymentAccount: '888888888888', ...props,
});

describe('CrossAccountRoleFanout in stack mode', () => {
  test('creates a hub stack and one stack per spoke account, each with the named role', () => {
    const fanout = stackMode();

    expect(fanout.spokeStacks.map(s => s.account)).toEqual(spokes(3));
    expect(fanout.hubStack.account).toBe(HUB);
    for (const spoke of fanout.spokeStacks) {
      Template.fromStack(spoke).hasResourceProperties('AWS::IAM::Role', {
        RoleName: 'OpsRead',
        AssumeRolePolicyDocument: Match.objectLike({
          Statement: [Match.objectLike({ Principal: { AWS: { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, `:iam::${HUB}:root`]] } } })],
        }),
      });
    }
  });

  test('the hub permission is the role name in any account, limited to the spokes by aws:ResourceAccount', () => {
    const fanout = stackMode();

    Template.fromStack(fanout.hubStack).hasResourceProperties('AWS::IAM::ManagedPolicy', {
      PolicyDocument: {
        Statement: [{
          Action: 'sts:AssumeRole',
          Effect: 'Allow',
          Resource: { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':iam::*:role/OpsRead']] },
          Condition: { StringEquals: { 'aws:ResourceAccount': [...spokes(3)].sort() } },
        }],
        Version: '2012-10-17',
      },
      Groups: [{ Ref: Match.stringLikeRegexp('^AssumerGroup') }],
    });
  });

  test('uses the exact role ARN for a single spoke, where that is smaller', () => {
    const fanout = stackMode({ spokeAccounts: ['123456789012'] });

    Template.fromStack(fanout.hubStack).hasResourceProperties('AWS::IAM::ManagedPolicy', {
      PolicyDocument: { Statement: [Match.objectLike({ Resource: { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':iam::123456789012:role/OpsRead']] } })], Version: '2012-10-17' },
    });
  });

  test('splits 500 spokes over managed policies of at most 6,144 characters', () => {
    // (a plain App: CloudFormation validation of 501 templates would only slow this test down)
    const fanout = new CrossAccountRoleFanout(new App(), 'Ops', { hubAccount: HUB, roleName: 'OpsRead', spokeAccounts: spokes(500) });

    const policies = Object.values(Template.fromStack(fanout.hubStack).findResources('AWS::IAM::ManagedPolicy')) as any[];
    expect(policies.length).toBe(2);
    const accounts = policies.flatMap(p => p.Properties.PolicyDocument.Statement[0].Condition.StringEquals['aws:ResourceAccount']);
    expect(accounts).toEqual([...spokes(500)].sort());
    for (const p of policies) {
      // as deployed, in the partition with the longest name
      const statement = { ...p.Properties.PolicyDocument.Statement[0], Resource: 'arn:aws-us-gov:iam::*:role/OpsRead' };
      expect(JSON.stringify({ ...p.Properties.PolicyDocument, Statement: [statement] }).length).toBeLessThanOrEqual(6144);
    }
  });

  test('warns over 10 hub managed policies that the quota can be raised up to 20', () => {
    // (no synthesis: 4,500 spoke stacks are only constructed)
    const fanout = new CrossAccountRoleFanout(new App(), 'Ops', { hubAccount: HUB, roleName: 'OpsRead', spokeAccounts: spokes(4500) });

    expect(fanout.hubPolicies.length).toBeGreaterThan(10);
    expect(fanout.hubPolicies.length).toBeLessThanOrEqual(20);
    // on the hub stack, where the CLI shows it (not on the fan-out, which is outside any stack)
    const warnings = fanout.hubStack.node.metadata.filter(m => m.type === 'aws:cdk:warning').map(m => String(m.data));
    expect(warnings).toEqual([expect.stringMatching(
      /^the hub permission takes \d+ managed policies, over the default IAM quota of 10 .*raised \(up to 20\).*StackSet mode.*\[ack: cdk-cross-account-roles:assumePolicyCount\]$/)]);
  });

  test('refuses a hub permission over 20 managed policies before building the spoke stacks', () => {
    const app = new App();
    expect(() => new CrossAccountRoleFanout(app, 'Ops', { hubAccount: HUB, roleName: 'OpsRead', spokeAccounts: spokes(9000) }))
      .toThrow(/^Ops: the hub permission for 9000 spoke accounts needs \d+ managed policies .* over the IAM maximum of 20 .*use StackSet mode/);
    expect(app.node.findAll().filter(c => c.node.id.startsWith('Spoke')).length).toBeLessThanOrEqual(1);
  });

  test('passes role options and MFA through to every spoke and the hub', () => {
    const fanout = stackMode({ maxMfaAge: Duration.hours(1), maxSessionDuration: Duration.hours(2), externalIds: ['fanout-external-id-01'] });

    Template.fromStack(fanout.spokeStacks[1]).hasResourceProperties('AWS::IAM::Role', {
      MaxSessionDuration: 7200,
      AssumeRolePolicyDocument: Match.objectLike({
        Statement: [Match.objectLike({
          Condition: {
            StringEquals: { 'sts:ExternalId': 'fanout-external-id-01' },
            Bool: { 'aws:MultiFactorAuthPresent': 'true' },
            NumericLessThan: { 'aws:MultiFactorAuthAge': '3600' },
          },
        })],
      }),
    });
    Template.fromStack(fanout.hubStack).hasResourceProperties('AWS::IAM::ManagedPolicy', {
      PolicyDocument: Match.objectLike({ Statement: [Match.objectLike({ Condition: Match.objectLike({ Bool: { 'aws:MultiFactorAuthPresent': 'true' } }) })] }),
    });
  });

  test('refuses bad input with the fix', () => {
    expect(() => stackMode({ spokeAccounts: [] })).toThrow(/spokeAccounts is empty/);
    expect(() => stackMode({ spokeAccounts: ['111111111111', '111111111111'] })).toThrow(/spokeAccounts lists 111111111111 more than once/);
    expect(() => stackMode({ spokeAccounts: [HUB] })).toThrow(/spokeAccounts includes the hub account/);
    expect(() => stackMode({ spokeAccounts: ['42'] })).toThrow(/spokeAccounts\[0\] must be a 12-digit AWS account ID, got '42'/);
    expect(() => stackMode({ organizationalUnitIds: ['ou-ab12-cd34ef56'] })).toThrow(/give either spokeAccounts .* or organizationalUnitIds/);
  });

  test('names the stacks after the fan-out\'s path within its stage, so that fan-outs of the same id do not collide', () => {
    // GIVEN
    const app = testApp();
    const props = { hubAccount: HUB, roleName: 'OpsRead', spokeAccounts: ['111111111111'] };

    // WHEN
    const direct = new CrossAccountRoleFanout(app, 'Ops', props);
    const teamA = new CrossAccountRoleFanout(new Construct(app, 'TeamA'), 'Audit', props);
    const teamB = new CrossAccountRoleFanout(new Construct(app, 'TeamB'), 'Audit', props);
    const staged = new CrossAccountRoleFanout(new Stage(app, 'Prod'), 'Ops', props);
    const stagedNested = new CrossAccountRoleFanout(new Construct(new Stage(app, 'Dev'), 'Team'), 'Ops', props);

    // THEN
    const names = (f: CrossAccountRoleFanout) => [f.hubStack, ...f.spokeStacks].map(s => s.stackName);
    expect(names(direct)).toEqual(['Ops-Hub', 'Ops-Spoke-111111111111']);
    expect(names(teamA)).toEqual(['TeamA-Audit-Hub', 'TeamA-Audit-Spoke-111111111111']);
    expect(names(teamB)).toEqual(['TeamB-Audit-Hub', 'TeamB-Audit-Spoke-111111111111']);
    expect(names(staged)).toEqual(['Prod-Ops-Hub', 'Prod-Ops-Spoke-111111111111']);
    expect(names(stagedNested)).toEqual(['Dev-Team-Ops-Hub', 'Dev-Team-Ops-Spoke-111111111111']);
  });

  test('refuses two fan-outs whose stacks would have the same names', () => {
    const app = testApp();
    const props = { hubAccount: HUB, roleName: 'OpsRead', spokeAccounts: ['111111111111'] };
    new CrossAccountRoleFanout(new Construct(app, 'TeamA'), 'Audit', props);

    expect(() => new CrossAccountRoleFanout(app, 'TeamA-Audit', props))
      .toThrow(/^TeamA-Audit: its stacks would be named 'TeamA-Audit-\.\.\.' like those of the fan-out 'TeamA\/Audit'; give one of them another id/);
  });

  test('refuses ids that make stack names CloudFormation would refuse', () => {
    const props = { hubAccount: HUB, roleName: 'OpsRead', spokeAccounts: ['111111111111'] };

    expect(() => new CrossAccountRoleFanout(testApp(), 'my_audit', props))
      .toThrow(/^my_audit: the stack name 'my_audit-Hub' is not a valid CloudFormation stack name \(a letter, then letters, digits and hyphens, at most 128 characters\); it is made of the stage name and the ids of the fan-out and its scopes \('my_audit'\): use ids of letters, digits and hyphens, short enough \(e\.g\. 'my-audit'\)/);
    expect(() => new CrossAccountRoleFanout(new Construct(testApp(), '1st'), 'Audit', props)).toThrow(/the stack name '1st-Audit-Hub' is not a valid CloudFormation stack name/);
    expect(() => new CrossAccountRoleFanout(testApp(), 'A'.repeat(120), props)).toThrow(/the stack name 'A+\.\.\.' is not a valid CloudFormation stack name \(.*at most 128 characters\)/);
  });

  describe('policies of one account', () => {
    // (the references live in an app of their own: an empty stack in the fan-out's app would fail template validation)
    const refs = new Stack(new App(), 'Refs');
    let count = 0;
    const ofAccount = (account: string, name: string) => iam.ManagedPolicy.fromManagedPolicyArn(refs, `Policy${++count}`, `arn:aws:iam::${account}:policy/${name}`);

    test('refuses a customer managed policy of one account attached in spokes of other accounts', () => {
      expect(() => stackMode({ managedPolicies: [iam.ManagedPolicy.fromAwsManagedPolicyName('ReadOnlyAccess'), ofAccount(spokes(3)[0], 'Audit')] }))
        .toThrow(new RegExp(`^Ops: managedPolicies\\[1\\] is a customer managed policy of account ${spokes(3)[0]} \\('arn:aws:iam::${spokes(3)[0]}:policy/Audit'\\), `
          + `but the role is also created in spoke account\\(s\\) ${spokes(3)[1]}, ${spokes(3)[2]}, where IAM refuses .*fromManagedPolicyName`));
      expect(() => stackMode({ permissionsBoundary: ofAccount('123456789012', 'Boundary') }))
        .toThrow(/^Ops: permissionsBoundary is a customer managed policy of account 123456789012 .*spoke account\(s\) 100000000000, 100000007919, 100000015838,/);
    });

    test('accepts a policy of the only spoke\'s account, AWS managed policies and ARNs resolved in each spoke', () => {
      const perSpoke = iam.ManagedPolicy.fromManagedPolicyArn(refs, 'PerSpoke', `arn:${Aws.PARTITION}:iam::${Aws.ACCOUNT_ID}:policy/Audit`);
      const byName = iam.ManagedPolicy.fromManagedPolicyName(refs, 'ByName', 'Boundary');

      expect(() => stackMode({ spokeAccounts: ['123456789012'], managedPolicies: [ofAccount('123456789012', 'Audit')] })).not.toThrow();
      const fanout = stackMode({ managedPolicies: [iam.ManagedPolicy.fromAwsManagedPolicyName('ReadOnlyAccess'), perSpoke], permissionsBoundary: byName });
      Template.fromStack(fanout.spokeStacks[2]).hasResourceProperties('AWS::IAM::Role', {
        ManagedPolicyArns: Match.arrayWith([{ 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':iam::', { Ref: 'AWS::AccountId' }, ':policy/Audit']] }]),
        PermissionsBoundary: { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':iam::', { Ref: 'AWS::AccountId' }, ':policy/Boundary']] },
      });
    });

    test('StackSet mode: refuses any policy of one account', () => {
      expect(() => stackSetMode({ managedPolicies: [ofAccount('123456789012', 'Audit')] }))
        .toThrow(/^Org: managedPolicies\[0\] is a customer managed policy of account 123456789012 .*but the StackSet creates the role in every account of the organizational units/);
      expect(() => stackSetMode({ managedPolicies: [iam.ManagedPolicy.fromAwsManagedPolicyName('ReadOnlyAccess')] })).not.toThrow();
    });
  });

  test('snapshot of a small fan-out', () => {
    const fanout = stackMode();
    expect({
      hub: Template.fromStack(fanout.hubStack).toJSON(),
      spoke: Template.fromStack(fanout.spokeStacks[0]).toJSON(),
    }).toMatchSnapshot();
  });
});

describe('CrossAccountRoleFanout in StackSet mode', () => {
  test('creates a service-managed, auto-deploying StackSet of the spoke role for the OUs', () => {
    const fanout = stackSetMode({ delegatedAdmin: true });

    expect(fanout.stackSetStack!.account).toBe('888888888888');
    Template.fromStack(fanout.stackSetStack!).hasResourceProperties('AWS::CloudFormation::StackSet', {
      PermissionModel: 'SERVICE_MANAGED',
      AutoDeployment: { Enabled: true, RetainStacksOnAccountRemoval: false },
      Capabilities: ['CAPABILITY_NAMED_IAM'],
      CallAs: 'DELEGATED_ADMIN',
      StackInstancesGroup: [{ DeploymentTargets: { OrganizationalUnitIds: ['ou-ab12-cd34ef56'] }, Regions: ['us-east-1'] }],
    });
  });

  test('the inline template is the spoke role alone, trusting the hub within the organization', () => {
    const template = JSON.parse(stackSetTemplateBody(stackSetMode()));

    expect(Object.keys(template)).toEqual(['Resources']);
    expect(Object.values(template.Resources).map((r: any) => r.Type)).toEqual(['AWS::IAM::Role']);
    Template.fromJSON(template).hasResourceProperties('AWS::IAM::Role', {
      RoleName: 'OpsRead',
      AssumeRolePolicyDocument: Match.objectLike({
        Statement: [Match.objectLike({ Condition: { StringEquals: { 'aws:PrincipalOrgID': ORG } } })],
      }),
    });
  });

  test('the hub permission is the role name in any account of the organization', () => {
    const fanout = stackSetMode();

    Template.fromStack(fanout.hubStack).hasResourceProperties('AWS::IAM::ManagedPolicy', {
      PolicyDocument: {
        Statement: [{
          Action: 'sts:AssumeRole',
          Effect: 'Allow',
          Resource: { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':iam::*:role/OpsRead']] },
          Condition: { StringEquals: { 'aws:ResourceOrgID': ORG } },
        }],
        Version: '2012-10-17',
      },
    });
  });

  test('refuses what a role StackSet cannot do', () => {
    expect(() => stackSetMode({ regions: ['us-east-1', 'eu-west-1'] })).toThrow(/regions must name exactly one region for a role StackSet, got 2 .*IAM is global/);
    expect(() => stackSetMode({ organizationId: undefined })).toThrow(/organizationId is required with organizationalUnitIds/);
    expect(() => stackSetMode({ deploymentAccount: undefined })).toThrow(/deploymentAccount is required with organizationalUnitIds/);
    expect(() => stackSetMode({ organizationalUnitIds: ['engineering'] })).toThrow(/organizationalUnitIds\[0\] must be an OU ID like 'ou-ab12-cd34ef56'/);
  });

  test('names the StackSet after the fan-out and the role, with what a StackSet name forbids replaced by hyphens', () => {
    const stackSetNameOf = (fanout: CrossAccountRoleFanout) => fanout.stackSet!.stackSetName;

    expect(stackSetNameOf(stackSetMode())).toBe('Org-OpsRead');
    expect(stackSetNameOf(stackSetMode({ roleName: 'ops_read.v2+x=y,z@corp' }))).toBe('Org-ops-read-v2-x-y-z-corp');
    expect(stackSetNameOf(stackSetMode({ stackSetName: 'AuditRole' }))).toBe('AuditRole');
    Template.fromStack(stackSetMode({ roleName: 'ops_read' }).stackSetStack!).hasResourceProperties('AWS::CloudFormation::StackSet', { StackSetName: 'Org-ops-read' });
  });

  test('the default StackSet name follows the fan-out\'s path too', () => {
    const fanout = new CrossAccountRoleFanout(new Construct(testApp(), 'TeamA'), 'Audit', {
      hubAccount: HUB, roleName: 'OpsRead', organizationalUnitIds: ['ou-ab12-cd34ef56'], organizationId: ORG, deploymentAccount: '888888888888',
    });

    expect(fanout.stackSet!.stackSetName).toBe('TeamA-Audit-OpsRead');
    expect(fanout.stackSetStack!.stackName).toBe('TeamA-Audit-StackSet');
  });

  test('refuses a StackSet name CloudFormation would refuse', () => {
    expect(() => stackSetMode({ stackSetName: 'audit_role' }))
      .toThrow(/^Org: the StackSet name 'audit_role' must start with a letter and contain only letters, digits and hyphens; change stackSetName/);
    expect(() => stackSetMode({ stackSetName: '1audit' })).toThrow(/StackSet name '1audit' must start with a letter/);
    expect(() => stackSetMode({ stackSetName: 'a'.repeat(129) })).toThrow(/is 129 characters long, over CloudFormation's 128; change stackSetName/);
    // a derived name: 'Org-' + a 64-character role name fits; a long id does not
    expect(() => stackSetMode({ roleName: 'r'.repeat(64) })).not.toThrow();
    expect(() => new CrossAccountRoleFanout(testApp(), 'O'.repeat(70), {
      hubAccount: HUB, roleName: 'r'.repeat(64), organizationalUnitIds: ['ou-ab12-cd34ef56'], organizationId: ORG, deploymentAccount: '888888888888',
    })).toThrow(/is 135 characters long, over CloudFormation's 128; give a stackSetName of at most 128 characters/);
  });

  test('the spoke role gets the app\'s context (feature flags)', () => {
    // GIVEN an inline policy whose two statements @aws-cdk/aws-iam:minimizePolicies merges
    // (a new document for each fan-out: minimizing rewrites the document it resolves)
    const inlinePolicies = () => ({
      Read: new iam.PolicyDocument({
        statements: [
          new iam.PolicyStatement({ actions: ['s3:GetObject'], resources: ['arn:aws:s3:::a/*'] }),
          new iam.PolicyStatement({ actions: ['s3:GetObject'], resources: ['arn:aws:s3:::b/*'] }),
        ],
      }),
    });
    const statementsOf = (fanout: CrossAccountRoleFanout) =>
      JSON.parse(stackSetTemplateBody(fanout)).Resources.Role11E5256C.Properties.Policies[0].PolicyDocument.Statement;

    // WHEN / THEN
    const minimized = new CrossAccountRoleFanout(testApp({ context: { '@aws-cdk/aws-iam:minimizePolicies': true } }), 'Org', {
      hubAccount: HUB, roleName: 'OpsRead', organizationalUnitIds: ['ou-ab12-cd34ef56'], organizationId: ORG, deploymentAccount: '888888888888', inlinePolicies: inlinePolicies(),
    });
    expect(statementsOf(minimized)).toEqual([{ Action: 's3:GetObject', Effect: 'Allow', Resource: ['arn:aws:s3:::a/*', 'arn:aws:s3:::b/*'] }]);
    expect(statementsOf(stackSetMode({ inlinePolicies: inlinePolicies() }))).toHaveLength(2);
    // and the CLI's path metadata stays out of the inline template
    const withPaths = new CrossAccountRoleFanout(testApp({ context: { 'aws:cdk:enable-path-metadata': true } }), 'Org', {
      hubAccount: HUB, roleName: 'OpsRead', organizationalUnitIds: ['ou-ab12-cd34ef56'], organizationId: ORG, deploymentAccount: '888888888888',
    });
    expect(stackSetTemplateBody(withPaths)).not.toMatch(/Metadata|aws:cdk:path/);
  });

  test('the spoke role\'s warnings reach the StackSet\'s stack, where the CLI shows them, with their ids', () => {
    // GIVEN 11 managed policies: over the default quota of 10 per role
    const managedPolicies = Array.from({ length: 11 }, (_, i) => iam.ManagedPolicy.fromAwsManagedPolicyName(`Policy${i}`));

    // WHEN
    const fanout = stackSetMode({ managedPolicies });

    // THEN the cloud assembly carries the warning for the StackSet's stack
    AssertionAnnotations.fromStack(fanout.stackSetStack!).hasWarning('/Org/StackSet', Match.stringLikeRegexp(
      'the role has 11 managed policies, over the default IAM quota of 10.* \\(in the StackSet\'s spoke role\\) \\[ack: cdk-cross-account-roles:managedPolicyCount\\]$'));
    // and acknowledging it on the fan-out removes it
    Annotations.of(fanout).acknowledgeWarning('cdk-cross-account-roles:managedPolicyCount');
    expect(fanout.stackSetStack!.node.metadata.filter(m => m.type === 'aws:cdk:warning')).toEqual([]);
  });

  test('the spoke role\'s errors name the fan-out, not the hidden Spoke/Role', () => {
    // a construction error of the role
    expect(() => stackSetMode({ requireMfa: false, maxMfaAge: Duration.hours(1) }))
      .toThrow(/^Org \(StackSet spoke role\): maxMfaAge is set but requireMfa is false/);
    // a validation error of the role (at synthesis of its template)
    const managedPolicies = Array.from({ length: 21 }, (_, i) => iam.ManagedPolicy.fromAwsManagedPolicyName(`Policy${i}`));
    let message = '';
    try { stackSetMode({ managedPolicies }); } catch (e) { message = (e as Error).message; }
    expect(message).toMatch(/Org \(StackSet spoke role\).*the role has 21 managed policies, over the IAM maximum of 20/s);
    expect(message).not.toMatch(/Spoke\/Role/);
  });

  test('the app\'s aspects reach the spoke role, even those added after the fan-out', () => {
    // GIVEN
    const app = testApp();
    const fanout = new CrossAccountRoleFanout(app, 'Org', {
      hubAccount: HUB, roleName: 'OpsRead', organizationalUnitIds: ['ou-ab12-cd34ef56'], organizationId: ORG, deploymentAccount: '888888888888',
    });

    // WHEN an organization's tag and required permissions boundary, as in stack mode
    Tags.of(app).add('team', 'platform');
    const boundary = iam.ManagedPolicy.fromManagedPolicyArn(fanout.hubStack, 'Boundary', `arn:${Aws.PARTITION}:iam::${Aws.ACCOUNT_ID}:policy/org-boundary`);
    iam.PermissionsBoundary.of(app).apply(boundary);

    // THEN the StackSet's template has them, resolved in the spoke account
    const body = stackSetTemplateBody(fanout);
    Template.fromJSON(JSON.parse(body)).hasResourceProperties('AWS::IAM::Role', {
      Tags: Match.arrayWith([{ Key: 'team', Value: 'platform' }]),
      PermissionsBoundary: { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':iam::', { Ref: 'AWS::AccountId' }, ':policy/org-boundary']] },
    });
    // and a second synthesis writes the same template
    expect(stackSetTemplateBody(fanout)).toBe(body);
  });

  test('aspects below the fan-out\'s stage, or on other constructs, do not reach the spoke role', () => {
    // GIVEN
    const app = testApp();
    const stage = new Stage(app, 'Prod');
    const fanout = new CrossAccountRoleFanout(stage, 'Org', {
      hubAccount: HUB, roleName: 'OpsRead', organizationalUnitIds: ['ou-ab12-cd34ef56'], organizationId: ORG, deploymentAccount: '888888888888',
    });

    // WHEN
    Tags.of(app).add('app', 'yes'); // aspects do not cross a stage
    Tags.of(fanout.hubStack).add('hub', 'yes');
    Tags.of(stage).add('stage', 'yes');

    // THEN
    const [role] = Object.values(JSON.parse(stackSetTemplateBody(fanout)).Resources) as any[];
    expect(role.Properties.Tags).toEqual([{ Key: 'stage', Value: 'yes' }]);
  });

  test('warnings an aspect adds to the spoke role reach the fan-out', () => {
    // GIVEN
    const app = testApp();
    const fanout = new CrossAccountRoleFanout(app, 'Org', {
      hubAccount: HUB, roleName: 'OpsRead', organizationalUnitIds: ['ou-ab12-cd34ef56'], organizationId: ORG, deploymentAccount: '888888888888',
    });
    Aspects.of(app).add({
      visit: node => {
        if (node instanceof iam.CfnRole) { Annotations.of(node).addWarningV2('org:roleReview', 'every role is reviewed'); }
      },
    });

    // WHEN
    app.synth();

    // THEN
    const warnings = fanout.stackSetStack!.node.metadata.filter(m => m.type === 'aws:cdk:warning').map(m => String(m.data));
    expect(warnings).toEqual(['every role is reviewed (in the StackSet\'s spoke role) [ack: org:roleReview]']);
  });

  test('snapshot of the StackSet and the hub', () => {
    const fanout = stackSetMode();
    expect({ hub: Template.fromStack(fanout.hubStack).toJSON(), stackSet: Template.fromStack(fanout.stackSetStack!).toJSON() }).toMatchSnapshot();
  });
});

function stackSetTemplateBody(fanout: CrossAccountRoleFanout): string {
  const [stackSet] = Object.values(Template.fromStack(fanout.stackSetStack!).findResources('AWS::CloudFormation::StackSet')) as any[];
  return stackSet.Properties.TemplateBody;
}

describe('fan-out access, simulated', () => {
  const ALICE = `arn:aws:iam::${HUB}:user/alice`;

  /** The hub's identity policies (for its assumer group) and a spoke role's trust, resolved for an account. */
  function request(fanout: CrossAccountRoleFanout, spokeTemplate: unknown, account: string, roleName: string,
    context: Record<string, string> = {}): Promise<Decision> {
    const hub = Template.fromStack(fanout.hubStack).toJSON();
    const groupId = fanout.hubStack.getLogicalId(fanout.assumerGroup!.node.defaultChild as any);
    return simulateAssumeRole({
      principalArn: ALICE,
      roleArn: `arn:aws:iam::${account}:role/${roleName}`,
      trustPolicy: trustPolicyOf(spokeTemplate, { account }),
      identityPolicies: identityPoliciesFor(hub, { type: 'group', logicalId: groupId }, { account: HUB }),
      context,
    });
  }

  describe('stack mode, 200 spokes', () => {
    const accounts = spokes(200);
    const fanout = stackMode({ spokeAccounts: accounts });
    const spokeTemplate = Template.fromStack(fanout.spokeStacks[0]).toJSON();

    test.each([0, 1, 99, 199])('allows the hub into spoke #%p', async (i) => {
      expect(await request(fanout, spokeTemplate, accounts[i], 'OpsRead')).toBe('Allowed');
    });

    test('denies a role of another name in a spoke', async () => {
      expect(await request(fanout, spokeTemplate, accounts[5], 'Admin')).toBe('ImplicitlyDenied');
    });

    test('denies the same role name in an account outside the list', async () => {
      expect(await request(fanout, spokeTemplate, '123123123123', 'OpsRead')).toBe('ImplicitlyDenied');
    });
  });

  describe('session controls reach the hub permission', () => {
    /** The same request, for an action other than sts:AssumeRole. */
    function requestAction(fanout: CrossAccountRoleFanout, spokeTemplate: unknown, account: string, action: string,
      context: Record<string, string | string[]>): Promise<Decision> {
      const hub = Template.fromStack(fanout.hubStack).toJSON();
      const groupId = fanout.hubStack.getLogicalId(fanout.assumerGroup!.node.defaultChild as any);
      return simulateAssumeRole({
        principalArn: ALICE,
        roleArn: `arn:aws:iam::${account}:role/OpsRead`,
        trustPolicy: trustPolicyOf(spokeTemplate, { account }),
        identityPolicies: identityPoliciesFor(hub, { type: 'group', logicalId: groupId }, { account: HUB }),
        context,
        action,
      });
    }
    const hubActions = (fanout: CrossAccountRoleFanout) => (Object.values(Template.fromStack(fanout.hubStack).findResources('AWS::IAM::ManagedPolicy')) as any[])
      .flatMap(p => p.Properties.PolicyDocument.Statement.map((s: any) => s.Action));
    const inOrg = { 'aws:ResourceOrgID': ORG, 'aws:PrincipalOrgID': ORG };

    test('stack mode: allows sts:TagSession into a spoke whose role allows session tags', async () => {
      const fanout = stackMode({ transitiveTagKeys: ['project'] });
      const spokeTemplate = Template.fromStack(fanout.spokeStacks[1]).toJSON();

      expect(hubActions(fanout)).toEqual([['sts:AssumeRole', 'sts:TagSession']]);
      expect(await requestAction(fanout, spokeTemplate, spokes(3)[1], 'sts:TagSession', { 'sts:TransitiveTagKeys': ['project'] })).toBe('Allowed');
    });

    test('stack mode: allows sts:SetSourceIdentity into a spoke whose role requires a source identity', async () => {
      const fanout = stackMode({ requireSourceIdentity: true });
      const spokeTemplate = Template.fromStack(fanout.spokeStacks[0]).toJSON();

      expect(hubActions(fanout)).toEqual([['sts:AssumeRole', 'sts:SetSourceIdentity']]);
      expect(await requestAction(fanout, spokeTemplate, spokes(3)[0], 'sts:SetSourceIdentity', { 'sts:SourceIdentity': 'alice' })).toBe('Allowed');
    });

    test('stack mode: the hub permission grants neither without the options', async () => {
      const fanout = stackMode();
      const spokeTemplate = Template.fromStack(fanout.spokeStacks[0]).toJSON();

      expect(hubActions(fanout)).toEqual(['sts:AssumeRole']);
      expect(await requestAction(fanout, spokeTemplate, spokes(3)[0], 'sts:TagSession', {})).toBe('ImplicitlyDenied');
      expect(await requestAction(fanout, spokeTemplate, spokes(3)[0], 'sts:SetSourceIdentity', { 'sts:SourceIdentity': 'alice' })).toBe('ImplicitlyDenied');
    });

    test('StackSet mode: allows sts:TagSession into a spoke whose role allows session tags', async () => {
      const fanout = stackSetMode({ allowSessionTags: true });
      const spokeTemplate = JSON.parse(stackSetTemplateBody(fanout));

      expect(hubActions(fanout)).toEqual([['sts:AssumeRole', 'sts:TagSession']]);
      expect(await requestAction(fanout, spokeTemplate, '111111111111', 'sts:TagSession', inOrg)).toBe('Allowed');
    });

    test('StackSet mode: allows sts:SetSourceIdentity into a spoke whose role checks the source identity', async () => {
      const fanout = stackSetMode({ sourceIdentityPattern: '${aws:username}' });
      const spokeTemplate = JSON.parse(stackSetTemplateBody(fanout));

      expect(hubActions(fanout)).toEqual([['sts:AssumeRole', 'sts:SetSourceIdentity']]);
      expect(await requestAction(fanout, spokeTemplate, '111111111111', 'sts:SetSourceIdentity', { ...inOrg, 'sts:SourceIdentity': 'alice' })).toBe('Allowed');
    });

    test('StackSet mode: the hub permission grants neither without the options', async () => {
      const fanout = stackSetMode();
      const spokeTemplate = JSON.parse(stackSetTemplateBody(fanout));

      expect(hubActions(fanout)).toEqual(['sts:AssumeRole']);
      expect(await requestAction(fanout, spokeTemplate, '111111111111', 'sts:TagSession', inOrg)).toBe('ImplicitlyDenied');
      expect(await requestAction(fanout, spokeTemplate, '111111111111', 'sts:SetSourceIdentity', { ...inOrg, 'sts:SourceIdentity': 'alice' })).toBe('ImplicitlyDenied');
    });
  });

  describe('StackSet mode', () => {
    const fanout = stackSetMode();
    const spokeTemplate = JSON.parse(stackSetTemplateBody(fanout));
    const inOrg = { 'aws:ResourceOrgID': ORG, 'aws:PrincipalOrgID': ORG };

    test.each(['111111111111', '222222222222', '345678901234'])('allows the hub into account %p of the organization', async (account) => {
      expect(await request(fanout, spokeTemplate, account, 'OpsRead', inOrg)).toBe('Allowed');
    });

    test('denies a role of another name', async () => {
      expect(await request(fanout, spokeTemplate, '111111111111', 'Admin', inOrg)).toBe('ImplicitlyDenied');
    });

    test('denies the role name in an account outside the organization', async () => {
      expect(await request(fanout, spokeTemplate, '123123123123', 'OpsRead', { 'aws:ResourceOrgID': 'o-zzzzzzzzzz', 'aws:PrincipalOrgID': ORG })).toBe('ImplicitlyDenied');
    });

    test('the spoke trust refuses a caller outside the organization', async () => {
      expect(await request(fanout, spokeTemplate, '111111111111', 'OpsRead', { 'aws:ResourceOrgID': ORG, 'aws:PrincipalOrgID': 'o-zzzzzzzzzz' })).toBe('ImplicitlyDenied');
    });
  });
});
