import * as path from 'path';
import { Duration, Stack, Stage } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';
import * as ts from 'typescript';
import * as library from '../src';
import {
  AccessExplainer,
  AssumeRoleMonitor,
  AssumeRolePolicy,
  CrossAccountAccessAnalyzer,
  CrossAccountGrants,
  CrossAccountRole,
  CrossAccountRoleFanout,
  CrossAccountRoleOptions,
  CrossAccountRolePair,
  CrossAccountTrustChecks,
  ExternalIdTrust,
  OrganizationTrustPerimeter,
} from '../src';
import { REGION, TRUSTED, TRUSTING, pairedStacks, testApp } from './util';
import { ROLE_OPTION_KEYS, roleOptionsOf } from '../src/private/role/role-options';

/**
 * Props that surprised users (issue 9 §6) and the typed list of options the
 * pair and the fan-out hand to their role (§7).
 */

const HUB = '999999999999';
const ORG = 'o-abcdef1234';
const OTHER_ORG = 'o-zzzzzz9999';
const ORG_FANOUT = { hubAccount: HUB, roleName: 'OpsRead', organizationalUnitIds: ['ou-ab12-cd34ef56'], deploymentAccount: '888888888888' };

/** A constructor called as plain JavaScript does: with whatever props it is given. */
type AnyConstruct = new (scope: Construct, id: string, props?: any) => Construct;

describe('the fan-out names one organization', () => {
  test('refuses organizationId and trustedOrganizationId that differ, naming both', () => {
    // GIVEN
    const app = testApp();

    // WHEN / THEN
    expect(() => new CrossAccountRoleFanout(app, 'Org', { ...ORG_FANOUT, organizationId: ORG, trustedOrganizationId: OTHER_ORG }))
      .toThrow(/^Org: organizationId 'o-abcdef1234' and trustedOrganizationId 'o-zzzzzz9999' differ, .*give organizationId only/);
    expect(() => new CrossAccountRoleFanout(testApp(), 'Ops', { hubAccount: HUB, roleName: 'OpsRead', spokeAccounts: [TRUSTING], organizationId: ORG, trustedOrganizationId: OTHER_ORG }))
      .toThrow(/organizationId 'o-abcdef1234' and trustedOrganizationId 'o-zzzzzz9999' differ/);
  });

  test('accepts both when they are the same organization', () => {
    // GIVEN / WHEN
    const fanout = new CrossAccountRoleFanout(testApp(), 'Org', { ...ORG_FANOUT, organizationId: ORG, trustedOrganizationId: ORG });

    // THEN
    Template.fromStack(fanout.hubStack).hasResourceProperties('AWS::IAM::ManagedPolicy', {
      PolicyDocument: { Statement: [Match.objectLike({ Condition: Match.objectLike({ StringEquals: { 'aws:ResourceOrgID': ORG } }) })] },
    });
  });

  test('organizationId alone makes the spokes trust that organization', () => {
    // GIVEN / WHEN
    const fanout = new CrossAccountRoleFanout(testApp(), 'Ops', { hubAccount: HUB, roleName: 'OpsRead', spokeAccounts: [TRUSTING], organizationId: ORG });

    // THEN
    Template.fromStack(fanout.spokeStacks[0]).hasResourceProperties('AWS::IAM::Role', {
      AssumeRolePolicyDocument: { Statement: [Match.objectLike({ Condition: Match.objectLike({ StringEquals: { 'aws:PrincipalOrgID': ORG } }) })] },
    });
  });
});

describe('the default region is us-east-1, and said so', () => {
  test('a pair and a fan-out without region deploy to us-east-1', () => {
    // GIVEN / WHEN
    const app = testApp();
    const pair = new CrossAccountRolePair(app, 'Access', { trustingAccount: TRUSTING, trustedAccount: TRUSTED, roleName: 'Reader' });
    const fanout = new CrossAccountRoleFanout(app, 'Ops', { hubAccount: HUB, roleName: 'OpsRead', spokeAccounts: [TRUSTING] });

    // THEN
    expect([pair.trustingStack, pair.trustedStack, fanout.hubStack, ...fanout.spokeStacks].map(s => s.region)).toEqual(Array(4).fill('us-east-1'));
  });

  test('the region prop says so in its first TSDoc line, where an editor shows it', () => {
    // GIVEN
    const sources = ['cross-account-role-pair.ts', 'cross-account-role-fanout.ts'].map(f => path.join(__dirname, '..', 'src', f));
    const program = ts.createProgram(sources, { noResolve: true });

    // WHEN
    const firstLines = sources.map(file => {
      const match = /\/\*\*\n\s*\* ([^\n]*)\n(?:\s*\*[^\n]*\n)*?\s*\*\/\n\s*readonly region\?: string;/.exec(program.getSourceFile(file)!.text);
      return match?.[1];
    });

    // THEN
    for (const line of firstLines) {
      expect(line).toMatch(/us-east-1 unless given/);
    }
  });
});

describe('a role StackSet deploys to exactly one region', () => {
  test.each([
    [[] as string[], /regions must name exactly one region for a role StackSet, got an empty list; .*write regions: \['us-east-1'\]/],
    [['us-east-1', 'eu-west-1'], /regions must name exactly one region for a role StackSet, got 2 \(us-east-1, eu-west-1\); IAM is global/],
  ])('refuses regions %j with a clear message', (regions, message) => {
    expect(() => new CrossAccountRoleFanout(testApp(), 'Org', { ...ORG_FANOUT, organizationId: ORG, regions })).toThrow(message);
  });

  test('accepts one region, and uses it for the instances', () => {
    // GIVEN / WHEN
    const fanout = new CrossAccountRoleFanout(testApp(), 'Org', { ...ORG_FANOUT, organizationId: ORG, regions: ['eu-central-1'] });

    // THEN
    Template.fromStack(fanout.stackSetStack!).hasResourceProperties('AWS::CloudFormation::StackSet', {
      StackInstancesGroup: [Match.objectLike({ Regions: ['eu-central-1'] })],
    });
  });

  test('refuses regions in stack mode, where it would be ignored', () => {
    expect(() => new CrossAccountRoleFanout(testApp(), 'Ops', { hubAccount: HUB, roleName: 'OpsRead', spokeAccounts: [TRUSTING], regions: ['eu-west-1'] }))
      .toThrow(/^Ops: regions is only used in StackSet mode \(organizationalUnitIds\), got 'eu-west-1' with spokeAccounts; set region for the stacks instead/);
  });
});

describe('AssumeRolePolicy without assumers', () => {
  test('warns that the permission is attached to nobody', () => {
    // GIVEN
    const { trusting, trusted } = pairedStacks();
    const role = new CrossAccountRole(trusting, 'Role', { trustedAccounts: [TRUSTED], roleName: 'Reader' });

    // WHEN
    new AssumeRolePolicy(trusted, 'Assume', { targetRoles: [role] });

    // THEN
    Annotations.fromStack(trusted).hasWarning('/Trusted/Assume',
      Match.stringLikeRegexp('no users, groups or roles are given, so the assume permission is attached to nobody.*\\[ack: cdk-cross-account-roles:noAssumers\\]'));
  });

  test('does not warn when a group is given', () => {
    // GIVEN
    const { trusting, trusted } = pairedStacks();
    const role = new CrossAccountRole(trusting, 'Role', { trustedAccounts: [TRUSTED], roleName: 'Reader' });

    // WHEN
    new AssumeRolePolicy(trusted, 'Assume', { targetRoles: [role], groups: [new iam.Group(trusted, 'Operators')] });

    // THEN
    Annotations.fromStack(trusted).hasNoWarning('*', Match.stringLikeRegexp('attached to nobody'));
  });
});

describe('a pair or fan-out belongs in an App or a Stage', () => {
  test.each([
    ['CrossAccountRolePair', (scope: Construct) => new CrossAccountRolePair(scope, 'Access', { trustingAccount: TRUSTING, trustedAccount: TRUSTED, roleName: 'Reader' })],
    ['CrossAccountRoleFanout', (scope: Construct) => new CrossAccountRoleFanout(scope, 'Access', { hubAccount: HUB, roleName: 'OpsRead', spokeAccounts: [TRUSTING] })],
  ])('a %s inside a Stack fails, naming the stack and the fix', (name, create) => {
    // GIVEN a stack, and a construct inside it (as in a stack's own code)
    const app = testApp();
    const stack = new Stack(app, 'Workload', { env: { account: TRUSTING, region: REGION } });
    const inner = new Construct(stack, 'Team');

    // WHEN / THEN
    expect(() => create(stack)).toThrow(new RegExp(`^Workload/Access: a ${name} creates its own stacks \\(one per account\\), so it belongs in an App or a Stage, not in the Stack 'Workload'`));
    expect(() => create(inner)).toThrow(/^Workload\/Team\/Access: .* not in the Stack 'Workload'/);
  });

  test('inside a Stage, or a plain construct of the app, is fine', () => {
    // GIVEN
    const app = testApp();
    const stage = new Stage(app, 'Prod');
    const group = new Construct(app, 'Team');

    // WHEN
    const inStage = new CrossAccountRolePair(stage, 'Access', { trustingAccount: TRUSTING, trustedAccount: TRUSTED, roleName: 'Reader' });
    const inGroup = new CrossAccountRolePair(group, 'Access', { trustingAccount: TRUSTING, trustedAccount: TRUSTED, roleName: 'Writer' });

    // THEN
    expect(inStage.trustingStack.stackName).toBe('Prod-Access-Trusting');
    expect(inGroup.trustingStack.node.path).toBe('Team/Access/Trusting');
  });
});

describe('plain JavaScript callers get the library\'s message, not a TypeError', () => {
  const scopes = () => {
    const { app, trusting, trusted } = pairedStacks();
    return { app, trusting, trusted };
  };
  const cases: Array<[string, AnyConstruct, (s: ReturnType<typeof scopes>) => Construct, string[]]> = [
    ['CrossAccountRolePair', CrossAccountRolePair, s => s.app, ['trustingAccount', 'trustedAccount', 'roleName']],
    ['CrossAccountRoleFanout', CrossAccountRoleFanout, s => s.app, ['hubAccount', 'roleName']],
    ['CrossAccountRole', CrossAccountRole, s => s.trusting, []],
    ['ExternalIdTrust', ExternalIdTrust, s => s.trusting, ['trustedAccount']],
    ['AssumeRolePolicy', AssumeRolePolicy, s => s.trusted, []],
    ['AssumeRoleMonitor', AssumeRoleMonitor, s => s.trusting, ['roles']],
    ['OrganizationTrustPerimeter', OrganizationTrustPerimeter, s => s.trusting, ['organizationId', 'targetIds']],
  ];
  /** The constructs whose props are all optional: no props, or null, is the same as {}. */
  const allOptional: Array<[string, AnyConstruct, (s: ReturnType<typeof scopes>) => Construct]> = [
    ['CrossAccountAccessAnalyzer', CrossAccountAccessAnalyzer, s => s.trusting],
  ];

  test('every public construct of the library is in one of the two lists above', () => {
    // GIVEN every class the library exports that is a construct
    const constructs = Object.entries(library)
      .filter(([, value]) => typeof value === 'function' && value.prototype instanceof Construct)
      .map(([name]) => name)
      .sort();

    // THEN
    expect(constructs.length).toBeGreaterThanOrEqual(8);
    expect([...cases.map(([name]) => name), ...allOptional.map(([name]) => name)].sort()).toEqual(constructs);
  });

  test.each(allOptional)('new %s(scope, id) and new %s(scope, id, null) take the defaults', (_name, Ctor, scopeOf) => {
    // GIVEN
    const s = scopes();

    // WHEN
    const made = [new Ctor(scopeOf(s), 'X'), new Ctor(scopeOf(s), 'Y', null)];

    // THEN
    expect(made.map(c => c.node.id)).toEqual(['X', 'Y']);
  });

  test('new CrossAccountTrustChecks(null) takes the defaults, as new CrossAccountTrustChecks() does', () => {
    const checks = [new CrossAccountTrustChecks(), new CrossAccountTrustChecks(null as any)];
    expect(checks.map(c => c.name)).toEqual(['CrossAccountTrustChecks', 'CrossAccountTrustChecks']);
  });

  test.each(cases)('new %s(scope, id) without props names the construct and its required props', (name, Ctor, scopeOf, required) => {
    // GIVEN
    const scope = scopeOf(scopes());
    const shape = required.length > 0 ? `\\{ ${required.join(', ')} \\}` : '\\{ \\.\\.\\. \\}';

    // WHEN / THEN
    expect(() => new Ctor(scope, 'X')).toThrow(new RegExp(`X: ${name} needs props, got undefined; write new ${name}\\(scope, id, ${shape}\\)`));
    expect(() => new Ctor(scope, 'Y', null)).toThrow(new RegExp(`Y: ${name} needs props, got null`));
  });

  test.each(cases.filter(([, , , required]) => required.length > 0))('new %s(scope, id, {}) names every required prop left out', (name, Ctor, scopeOf, required) => {
    // GIVEN
    const scope = scopeOf(scopes());

    // WHEN / THEN
    expect(() => new Ctor(scope, 'X', {})).toThrow(new RegExp(`X: ${required.join(', ')} (is|are) required in the props of ${name}, got undefined`));
  });

  test('the public methods name what is missing too: cliProfile, revokeSessions, CrossAccountGrants, AccessExplainer', () => {
    // GIVEN
    const { trusting, trusted } = scopes();
    const role = new CrossAccountRole(trusting, 'Audit', { roleName: 'Audit', trustedAccounts: [TRUSTED] });
    const js = (f: () => unknown) => () => f();

    // WHEN / THEN
    expect(js(() => role.cliProfile(undefined as any))).toThrow(/Audit: cliProfile needs options, got undefined; write cliProfile\(\{ profileName, sourceProfile \}\)/);
    expect(js(() => role.cliProfile({} as any))).toThrow(/Audit: profileName and sourceProfile are required in the options of cliProfile, as a string/);
    expect(js(() => role.revokeSessions(undefined as any))).toThrow(/Audit: revokeSessionsIssuedBefore must be an ISO 8601 date and time with a time zone, like '2026-11-23T10:00:00Z', got undefined/);
    const reader = new iam.Role(trusted, 'Reader', { roleName: 'reader', assumedBy: new iam.AccountRootPrincipal() });
    expect(js(() => CrossAccountGrants.bucketRead(undefined as any, reader))).toThrow(/^CrossAccountGrants\.bucketRead needs the resource to share as its first argument \(a construct of aws-cdk-lib\), got undefined$/);
    expect(js(() => CrossAccountGrants.keyDecrypt(undefined as any, undefined as any))).toThrow(/^CrossAccountGrants\.keyDecrypt needs the resource to share/);
    expect(js(() => AccessExplainer.fromTemplates(undefined as any))).toThrow(/^AccessExplainer\.fromTemplates needs a list of template paths \(\['a\.json', 'b\.yaml'\]\), got undefined$/);
    expect(js(() => AccessExplainer.fromAssembly(undefined as any))).toThrow(/^AccessExplainer\.fromAssembly needs the cloud assembly's directory/);
  });

  test('AccessExplainer.explain names what the request lacks', () => {
    // GIVEN an explainer of a one-role template
    const app = testApp();
    new CrossAccountRole(new Stack(app, 'T', { env: { account: TRUSTING, region: 'eu-west-1' } }), 'Audit', { roleName: 'Audit', trustedAccounts: [TRUSTED] });
    const explainer = AccessExplainer.fromAssembly(app.synth().directory);

    // WHEN / THEN
    expect(() => explainer.explain(undefined as any)).toThrow(/^AccessExplainer\.explain needs a request \(\{ principal, action, resource \}\), got undefined$/);
    expect(() => explainer.explain({ principal: 'arn:aws:iam::222222222222:user/alice' } as any)).toThrow(/^AccessExplainer\.explain needs action, resource in the request, as strings/);
  });

  test('a pair missing only roleName names roleName, not a TypeError', () => {
    expect(() => new CrossAccountRolePair(testApp(), 'Access', { trustingAccount: TRUSTING, trustedAccount: TRUSTED } as any))
      .toThrow(/^Access: roleName is required in the props of CrossAccountRolePair, got undefined; give \{ trustingAccount, trustedAccount, roleName \}$/);
  });
});

describe('the options handed to the role are a typed, complete list', () => {
  test('only the listed CrossAccountRoleOptions keys are picked, never another prop', () => {
    // GIVEN props with role options and props of the pair itself
    const props = { description: 'd', requireMfa: true, roleName: 'Reader', trustingAccount: TRUSTING, outputs: false, stackProps: { terminationProtection: true } };

    // WHEN
    const picked = roleOptionsOf(props);

    // THEN
    expect(picked).toEqual({ description: 'd', requireMfa: true });
  });

  test('every role option given to a pair reaches the role', () => {
    // GIVEN one value for every option of the list
    const boundary = iam.ManagedPolicy.fromManagedPolicyName(new Stack(), 'B', 'Boundary');
    const options: Required<CrossAccountRoleOptions> = {
      description: 'every option',
      requireMfa: true,
      maxMfaAge: Duration.minutes(30),
      trustedOrganizationId: ORG,
      trustedOrganizationalUnitPaths: [`${ORG}/r-ab12/ou-ab12-11111111/*`],
      maxSessionDuration: Duration.hours(2),
      permissionsBoundary: boundary,
      managedPolicies: [iam.ManagedPolicy.fromAwsManagedPolicyName('ReadOnlyAccess')],
      inlinePolicies: { Read: new iam.PolicyDocument({ statements: [new iam.PolicyStatement({ actions: ['s3:GetObject'], resources: ['arn:aws:s3:::b/*'] })] }) },
      requireSourceIdentity: true,
      sourceIdentityPattern: '${aws:username}',
      allowSessionTags: true,
      transitiveTagKeys: ['project'],
      roleSessionNamePattern: '${aws:username}',
      allowedSourceIps: ['203.0.113.0/24'],
      revokeSessionsIssuedBefore: '2026-11-23T10:00:00Z',
    };
    expect(Object.keys(options).sort()).toEqual([...ROLE_OPTION_KEYS].sort());

    // WHEN
    const pair = new CrossAccountRolePair(testApp(), 'Access', { trustingAccount: TRUSTING, trustedAccount: TRUSTED, roleName: 'Reader', ...options });

    // THEN
    const template = Template.fromStack(pair.trustingStack);
    template.hasResourceProperties('AWS::IAM::Role', {
      RoleName: 'Reader',
      Description: 'every option',
      MaxSessionDuration: 7200,
      PermissionsBoundary: Match.anyValue(),
      ManagedPolicyArns: Match.arrayWith([Match.objectLike({ 'Fn::Join': Match.arrayWith([Match.arrayWith([':iam::aws:policy/ReadOnlyAccess'])]) })]),
      Policies: Match.arrayWith([Match.objectLike({ PolicyName: 'Read' })]),
      AssumeRolePolicyDocument: {
        Statement: Match.arrayWith([Match.objectLike({
          Action: 'sts:AssumeRole',
          Condition: Match.objectLike({
            'Bool': { 'aws:MultiFactorAuthPresent': 'true' },
            'NumericLessThan': { 'aws:MultiFactorAuthAge': '1800' },
            'StringEquals': { 'aws:PrincipalOrgID': ORG },
            'StringLike': Match.objectLike({ 'sts:SourceIdentity': '${aws:username}', 'sts:RoleSessionName': '${aws:username}' }),
            'IpAddress': { 'aws:SourceIp': '203.0.113.0/24' },
            'ForAnyValue:StringLike': { 'aws:PrincipalOrgPaths': `${ORG}/r-ab12/ou-ab12-11111111/*` },
          }),
        })]),
        Version: '2012-10-17',
      },
    });
    const trust = JSON.stringify(Object.values(template.findResources('AWS::IAM::Role'))[0].Properties.AssumeRolePolicyDocument);
    for (const fragment of ['sts:SetSourceIdentity', 'sts:TagSession', '"sts:TransitiveTagKeys":"project"']) {
      expect(trust).toContain(fragment);
    }
    template.hasResourceProperties('AWS::IAM::Policy', {
      PolicyDocument: { Statement: [Match.objectLike({ Effect: 'Deny', Condition: { DateLessThan: { 'aws:TokenIssueTime': '2026-11-23T10:00:00Z' } } })] },
    });
  });

  test('the compiler refuses a list that leaves out a key of CrossAccountRoleOptions, naming it', () => {
    // GIVEN the list without 'allowedSourceIps', as a module that imports the real types
    const dir = path.join(__dirname, '..', 'src', 'private', 'input');
    const listed = ROLE_OPTION_KEYS.filter(k => k !== 'allowedSourceIps').map(k => `'${k}'`).join(', ');
    const file = path.join(dir, '__role-option-keys-check.ts');
    const source = `import { everyKey } from './props';\nimport type { CrossAccountRoleOptions } from '../../cross-account-role';\nexport const KEYS = everyKey<keyof CrossAccountRoleOptions>()([${listed}]);\n`;
    const host = ts.createCompilerHost({ strict: true, noEmit: true, skipLibCheck: true });
    const readFile = host.readFile.bind(host);
    host.readFile = name => path.resolve(name) === file ? source : readFile(name);
    const fileExists = host.fileExists.bind(host);
    host.fileExists = name => path.resolve(name) === file || fileExists(name);

    // WHEN
    const program = ts.createProgram([file], { strict: true, noEmit: true, skipLibCheck: true, target: ts.ScriptTarget.ES2022, types: [] }, host);
    const messages = ts.getPreEmitDiagnostics(program, program.getSourceFile(file)).map(d => ts.flattenDiagnosticMessageText(d.messageText, '\n'));

    // THEN
    expect(messages.join('\n')).toMatch(/missingKeys.*"allowedSourceIps"|"allowedSourceIps"[\s\S]*missingKeys/);
  });
});
