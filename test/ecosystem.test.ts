import * as fs from 'fs';
import * as path from 'path';
import { CfnGuardValidator } from '@cdklabs/cdk-validator-cfnguard';
import { Annotations, App, Aspects, Duration, IAspect, RemovalPolicies, RemovalPolicy, Stack, Stage, StageProps, Tags, Validations } from 'aws-cdk-lib';
import { Annotations as AssertionAnnotations, Match, Template } from 'aws-cdk-lib/assertions';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as pipelines from 'aws-cdk-lib/pipelines';
import { AwsSolutionsChecks } from 'cdk-nag';
import { Construct, IConstruct } from 'constructs';
import { CrossAccountRoleFanout, CrossAccountRolePair } from '../src';
import { TRUSTED, TRUSTING, testApp } from './util';

/**
 * The library in apps written the way users write them: aws-cdk-lib's own
 * mechanisms (permissions boundaries, tags, removal policies, aspects, stages
 * and CDK Pipelines waves) and the policy validation plugins organisations
 * run (cdk-nag's AwsSolutions, the AWS Control Tower proactive controls as
 * cfn-guard rules) reach and accept what it creates.
 */

const HUB = '999999999999';
const ORG = 'o-abcdef1234';
const PIPELINE_ACCOUNT = '444444444444';
const PROD_ACCOUNT = '555555555555';

const pairIn = (scope: Construct, id = 'Access', props: Partial<ConstructorParameters<typeof CrossAccountRolePair>[2]> = {}) =>
  new CrossAccountRolePair(scope, id, { trustingAccount: TRUSTING, trustedAccount: TRUSTED, roleName: 'Reader', ...props });

/** The role resource of a stack (the only AWS::IAM::Role). */
function roleOf(stack: Stack): { Properties: Record<string, any>; DeletionPolicy?: string } {
  const roles = Object.values<any>(Template.fromStack(stack).findResources('AWS::IAM::Role'));
  expect(roles).toHaveLength(1);
  return roles[0];
}

/** The role of a StackSet's template body, as CloudFormation will deploy it in every account. */
function stackSetRoleOf(fanout: CrossAccountRoleFanout): { Properties: Record<string, any>; DeletionPolicy?: string } {
  const stackSet = Object.values<any>(Template.fromStack(fanout.stackSetStack!).findResources('AWS::CloudFormation::StackSet'))[0];
  const body = JSON.parse(stackSet.Properties.TemplateBody);
  const roles = Object.values<any>(body.Resources).filter(r => r.Type === 'AWS::IAM::Role');
  expect(roles).toHaveLength(1);
  return roles[0];
}

const orgFanout = (app: App) => new CrossAccountRoleFanout(app, 'Org', {
  hubAccount: HUB, roleName: 'OpsRead', organizationalUnitIds: ['ou-ab12-cd34ef56'], organizationId: ORG, deploymentAccount: '888888888888',
});

describe('iam.PermissionsBoundary.of(scope).apply', () => {
  test('reaches the role of a pair, the spoke roles of a fan-out and the role of a StackSet', () => {
    // GIVEN an organisation's boundary, applied to the whole app as its platform team does
    const app = testApp();
    const pair = pairIn(app);
    const fanout = new CrossAccountRoleFanout(app, 'Ops', { hubAccount: HUB, roleName: 'OpsRead', spokeAccounts: [TRUSTING, PROD_ACCOUNT] });
    const org = orgFanout(app);

    // WHEN (after the constructs, as aspects allow)
    iam.PermissionsBoundary.of(app).apply(iam.ManagedPolicy.fromManagedPolicyName(new Stack(), 'Boundary', 'OrgBoundary'));

    // THEN
    const boundary = { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':iam::', Match.anyValue(), ':policy/OrgBoundary']] };
    Template.fromStack(pair.trustingStack).hasResourceProperties('AWS::IAM::Role', { PermissionsBoundary: boundary });
    for (const spoke of fanout.spokeStacks) {
      Template.fromStack(spoke).hasResourceProperties('AWS::IAM::Role', { PermissionsBoundary: boundary });
    }
    expect(JSON.stringify(stackSetRoleOf(org).Properties.PermissionsBoundary)).toContain(':policy/OrgBoundary');
  });

  test('the boundary of a scope applies only below it', () => {
    // GIVEN two pairs, a boundary on one
    const app = testApp();
    const bounded = pairIn(app, 'Bounded');
    const free = pairIn(app, 'Free', { roleName: 'Writer' });

    // WHEN
    iam.PermissionsBoundary.of(bounded).apply(iam.ManagedPolicy.fromAwsManagedPolicyName('ReadOnlyAccess'));

    // THEN
    expect(roleOf(bounded.trustingStack).Properties.PermissionsBoundary).toBeDefined();
    expect(roleOf(free.trustingStack).Properties.PermissionsBoundary).toBeUndefined();
  });
});

describe('Tags.of', () => {
  test('tags the roles of a pair, a fan-out and a StackSet, and their stacks', () => {
    // GIVEN
    const app = testApp();
    const pair = pairIn(app);
    const fanout = new CrossAccountRoleFanout(app, 'Ops', { hubAccount: HUB, roleName: 'OpsRead', spokeAccounts: [TRUSTING] });
    const org = orgFanout(app);

    // WHEN
    Tags.of(app).add('cost-center', 'security');

    // THEN
    const tag = { Key: 'cost-center', Value: 'security' };
    expect(roleOf(pair.trustingStack).Properties.Tags).toEqual(expect.arrayContaining([tag]));
    expect(roleOf(fanout.spokeStacks[0]).Properties.Tags).toEqual(expect.arrayContaining([tag]));
    expect(stackSetRoleOf(org).Properties.Tags).toEqual(expect.arrayContaining([tag]));
    const assembly = app.synth();
    for (const stack of [pair.trustingStack, pair.trustedStack, fanout.hubStack]) {
      expect(assembly.getStackArtifact(stack.artifactId).tags).toEqual(expect.objectContaining({ 'cost-center': 'security' }));
    }
  });
});

describe('RemovalPolicy', () => {
  test('RemovalPolicies.of(pair).retain() keeps every resource of both stacks', () => {
    // GIVEN
    const app = testApp();
    const pair = pairIn(app);

    // WHEN
    RemovalPolicies.of(pair).retain();

    // THEN
    for (const stack of [pair.trustingStack, pair.trustedStack]) {
      const resources = Object.values<any>(Template.fromStack(stack).toJSON().Resources).filter(r => r.Type.startsWith('AWS::IAM::'));
      expect(resources.length).toBeGreaterThan(0);
      expect(resources.map(r => r.DeletionPolicy)).toEqual(resources.map(() => 'Retain'));
    }
  });

  test('applyRemovalPolicy on the role sets its deletion policy, and its logical ID stays', () => {
    // GIVEN
    const app = testApp();
    const pair = pairIn(app);
    const before = Object.keys(Template.fromStack(pairIn(testApp()).trustingStack).findResources('AWS::IAM::Role'));

    // WHEN
    pair.role.role.applyRemovalPolicy(RemovalPolicy.RETAIN);

    // THEN
    const roles = Template.fromStack(pair.trustingStack).findResources('AWS::IAM::Role');
    expect(Object.keys(roles)).toEqual(before);
    expect(Object.values<any>(roles)[0].DeletionPolicy).toBe('Retain');
    expect(Object.values<any>(roles)[0].UpdateReplacePolicy).toBe('Retain');
  });

  test('reaches the role of a StackSet, whose stack instances then keep it', () => {
    // GIVEN
    const app = testApp();
    const org = orgFanout(app);

    // WHEN
    RemovalPolicies.of(app).retain();

    // THEN
    expect(stackSetRoleOf(org).DeletionPolicy).toBe('Retain');
  });
});

describe('aspects', () => {
  /** A compliance aspect as platform teams write them: no role session may last longer than an hour. */
  class OneHourSessions implements IAspect {
    public visit(node: IConstruct): void {
      if (node instanceof iam.CfnRole && typeof node.maxSessionDuration === 'number' && node.maxSessionDuration > 3600) {
        Annotations.of(node).addError(`sessions of ${node.maxSessionDuration} seconds are over our one hour`);
      }
    }
  }

  /** An aspect that changes what it visits: every role under /cross-account/. */
  class CrossAccountPath implements IAspect {
    public visit(node: IConstruct): void {
      if (node instanceof iam.CfnRole && node.path === undefined) {
        node.path = '/cross-account/';
      }
    }
  }

  test('a checking aspect on the app sees the role of a pair and reports on it', () => {
    // GIVEN
    const app = testApp();
    const long = pairIn(app, 'Long', { maxSessionDuration: Duration.hours(4) });
    const short = pairIn(app, 'Short', { roleName: 'Writer' });

    // WHEN
    Aspects.of(app).add(new OneHourSessions());

    // THEN
    AssertionAnnotations.fromStack(long.trustingStack).hasError('/Long/Trusting/Role/Resource/Resource', 'sessions of 14400 seconds are over our one hour');
    AssertionAnnotations.fromStack(short.trustingStack).hasNoError('*', Match.anyValue());
  });

  test('a mutating aspect changes the role of a pair and of a StackSet, and no logical ID', () => {
    // GIVEN
    const app = testApp();
    const pair = pairIn(app);
    const org = orgFanout(app);
    const idsBefore = Object.keys(Template.fromStack(pairIn(testApp()).trustingStack).toJSON().Resources);

    // WHEN
    Aspects.of(app).add(new CrossAccountPath());

    // THEN
    expect(roleOf(pair.trustingStack).Properties.Path).toBe('/cross-account/');
    expect(Object.keys(Template.fromStack(pair.trustingStack).toJSON().Resources)).toEqual(idsBefore);
    expect(stackSetRoleOf(org).Properties.Path).toBe('/cross-account/');
  });
});

describe('stages and CDK Pipelines waves', () => {
  /** The access of one environment, as a CDK Pipelines app deploys it. */
  class AccessStage extends Stage {
    public readonly pair: CrossAccountRolePair;
    constructor(scope: Construct, id: string, trustingAccount: string, props: StageProps = {}) {
      super(scope, id, props);
      this.pair = new CrossAccountRolePair(this, 'Access', { trustingAccount, trustedAccount: TRUSTED, roleName: `${id}Reader` });
    }
  }

  test('a pair inside a stage names its stacks after the stage and lands in the stage\'s assembly', () => {
    // GIVEN
    const app = testApp();

    // WHEN
    const dev = new AccessStage(app, 'Dev', TRUSTING);
    const assembly = app.synth();

    // THEN
    expect([dev.pair.trustingStack.stackName, dev.pair.trustedStack.stackName]).toEqual(['Dev-Access-Trusting', 'Dev-Access-Trusted']);
    const stageAssembly = assembly.getNestedAssembly(dev.artifactId);
    expect(stageAssembly.stacks.map(s => [s.stackName, s.environment.account]).sort()).toEqual([['Dev-Access-Trusted', TRUSTED], ['Dev-Access-Trusting', TRUSTING]]);
    // the trusted stack deploys after the role exists
    expect(stageAssembly.getStackByName('Dev-Access-Trusted').dependencies.map(d => d.id)).toContain(dev.pair.trustingStack.artifactId);
  });

  test('a CodePipeline wave deploys each stage\'s trusting stack before its trusted stack, to their own accounts', () => {
    // GIVEN a pipeline in its own account, and a wave of two environments
    const app = testApp();
    const pipelineStack = new Stack(app, 'Pipeline', { env: { account: PIPELINE_ACCOUNT, region: 'eu-west-1' } });
    const pipeline = new pipelines.CodePipeline(pipelineStack, 'Pipeline', {
      crossAccountKeys: true,
      synth: new pipelines.ShellStep('Synth', {
        input: pipelines.CodePipelineSource.connection('example/access', 'main', {
          connectionArn: `arn:aws:codeconnections:eu-west-1:${PIPELINE_ACCOUNT}:connection/00000000-0000-0000-0000-000000000000`,
        }),
        commands: ['npm ci', 'npx cdk synth'],
      }),
    });
    const wave = pipeline.addWave('Access');

    // WHEN
    const stages = [new AccessStage(app, 'Dev', TRUSTING), new AccessStage(app, 'Prod', PROD_ACCOUNT)];
    stages.forEach(stage => wave.addStage(stage));
    pipeline.buildPipeline();

    // THEN
    const [pipelineResource] = Object.values<any>(Template.fromStack(pipelineStack).findResources('AWS::CodePipeline::Pipeline'));
    const waveStage = pipelineResource.Properties.Stages.find((s: any) => s.Name === 'Access');
    expect(waveStage).toBeDefined();
    const waveActions: Array<{ Name: string; RunOrder: number; RoleArn?: unknown }> = waveStage.Actions;
    /** The run order of a stage's action: the pipeline names it `<stage>.<stack path>.<step>`. */
    const runOrder = (stage: string, stackAndStep: string) => {
      const matching = waveActions.filter(a => a.Name.startsWith(stage) && a.Name.endsWith(stackAndStep));
      expect(matching.map(a => a.Name)).toHaveLength(1);
      return matching[0].RunOrder;
    };
    for (const stage of ['Dev', 'Prod']) {
      expect(runOrder(stage, 'Access-Trusting.Deploy')).toBeLessThan(runOrder(stage, 'Access-Trusted.Prepare'));
    }
    // each stack is deployed with the deploy role of its own account
    const deployRoles = JSON.stringify(waveActions.filter(a => a.Name.endsWith('.Deploy')).map(a => [a.Name, a.RoleArn]));
    for (const account of [TRUSTING, TRUSTED, PROD_ACCOUNT]) {
      expect(deployRoles).toContain(`:${account}:role/cdk-`);
    }
  });
});

/** The violations of every validation plugin, from the report the synthesis writes. */
interface PluginReport {
  readonly pluginName: string;
  readonly violations: Array<{ ruleName: string; violatingConstructs: Array<{ constructPath: string }> }>;
}

function validationReport(app: App): PluginReport[] {
  let outdir = app.outdir;
  try {
    outdir = app.synth().directory;
  } catch (error) {
    if (!/ValidationFailed|Validation failed/.test(String(error))) { throw error; }
  }
  return JSON.parse(fs.readFileSync(path.join(outdir, 'validation-report.json'), 'utf-8')).pluginReports;
}

describe('policy validation plugins organisations run', () => {
  test('a pair and a fan-out with scoped permissions are clean under cdk-nag AwsSolutions and the Control Tower rules', () => {
    // GIVEN an app audited by both, a pair whose role reads one bucket and a fan-out
    const app = testApp();
    Validations.of(app).addPlugins(new AwsSolutionsChecks(app), new CfnGuardValidator());
    const pair = pairIn(app);
    pair.role.role.addToPrincipalPolicy(new iam.PolicyStatement({ actions: ['s3:GetObject'], resources: ['arn:aws:s3:::example-reports/summary.csv'] }));
    new CrossAccountRoleFanout(app, 'Ops', {
      hubAccount: HUB,
      roleName: 'OpsRead',
      spokeAccounts: [TRUSTING, PROD_ACCOUNT],
      inlinePolicies: { Describe: new iam.PolicyDocument({ statements: [new iam.PolicyStatement({ actions: ['ec2:DescribeInstances'], resources: [`arn:aws:ec2:eu-west-1:${TRUSTING}:instance/i-0123456789abcdef0`] })] }) },
    });

    // WHEN
    const report = validationReport(app);

    // THEN
    expect(report.flatMap(r => r.violations.map(v => `${r.pluginName} ${v.ruleName}`))).toEqual([]);
  });

  test('the Control Tower rules are live: a group without properties fails CT.IAM.PR.1 and CT.IAM.PR.5, the assumer group passes', () => {
    // GIVEN a pair whose assumer group is created (no name given), next to a bare aws-cdk-lib group
    const app = testApp();
    Validations.of(app).addPlugins(new CfnGuardValidator());
    const pair = pairIn(app);
    new iam.Group(pair.trustedStack, 'Bare');

    // WHEN
    const report = validationReport(app);

    // THEN only the bare group is reported, by both rules
    const violations = report.flatMap(r => r.violations.map(v => [v.ruleName, v.violatingConstructs.map(c => c.constructPath)]));
    expect(violations).toEqual(expect.arrayContaining([
      ['iam_inline_policy_no_statements_with_admin_access_check', ['Access/Trusted/Bare/Resource']],
      ['iam_inline_policy_no_statements_with_full_access_check', ['Access/Trusted/Bare/Resource']],
    ]));
    expect(JSON.stringify(violations)).not.toContain('AssumerGroup');
    expect(pair.assumerGroup!.node.path).toBe('Access/Trusted/AssumerGroup');
  });
});
