import * as path from 'path';
import { App, NestedStack, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as iam from 'aws-cdk-lib/aws-iam';
import { CrossAccountRole, CrossAccountRoleFanout, CrossAccountRolePair, CrossAccountTrustChecks } from '../src';
import { OTHER, REGION, TRUSTED, TRUSTING, pairedStacks, testApp } from './util';

const ORG = 'o-abcdef1234';
const PAYMENTS = `${ORG}/r-ab12/ou-ab12-11111111/`;
const PLATFORM_TREE = `${ORG}/r-ab12/ou-ab12-22222222/ou-ab12-33333333/*`;

/** The conditions of the role's sts:AssumeRole trust statement. */
function assumeConditions(stack: Stack): Record<string, Record<string, unknown>> {
  const roles = Template.fromStack(stack).findResources('AWS::IAM::Role');
  const [role] = Object.values(roles);
  const statement = role.Properties.AssumeRolePolicyDocument.Statement.find((s: { Action: string }) => s.Action === 'sts:AssumeRole');
  return statement.Condition;
}

/** The rule ids the trust checks report over an app. */
function trustFindings(app: App): string[] {
  const assembly = app.synth();
  const stacks = app.node.findAll().filter(s => Stack.isStack(s) && !NestedStack.isNestedStack(s)) as Stack[];
  const report = new CrossAccountTrustChecks().validate({
    templatePaths: stacks.map(s => path.join(assembly.directory, s.templateFile)),
    stackTemplates: stacks.map(s => ({ stackConstructPath: s.node.path, templatePath: path.join(assembly.directory, s.templateFile) })),
    appConstruct: app,
    accountId: undefined,
    region: undefined,
  });
  return report.violations.map(v => v.ruleName);
}

describe('trustedOrganizationalUnitPaths', () => {
  test('requires the caller to be in one of the OUs with ForAnyValue:StringLike aws:PrincipalOrgPaths', () => {
    // GIVEN
    const { trusting } = pairedStacks();

    // WHEN
    new CrossAccountRole(trusting, 'Role', { trustedAccounts: [TRUSTED], trustedOrganizationalUnitPaths: [PAYMENTS, PLATFORM_TREE] });

    // THEN
    expect(assumeConditions(trusting)).toEqual({ 'ForAnyValue:StringLike': { 'aws:PrincipalOrgPaths': [PAYMENTS, PLATFORM_TREE] } });
  });

  test('writes one path as a string, next to the organization ID, in the same condition block', () => {
    // GIVEN
    const { trusting } = pairedStacks();

    // WHEN
    new CrossAccountRole(trusting, 'Role', {
      trustedAccounts: [TRUSTED],
      trustedOrganizationId: ORG,
      trustedOrganizationalUnitPaths: [PAYMENTS],
      externalIds: ['a-long-vendor-external-id-1234'],
    });

    // THEN
    expect(assumeConditions(trusting)).toEqual({
      'StringEquals': { 'sts:ExternalId': 'a-long-vendor-external-id-1234', 'aws:PrincipalOrgID': ORG },
      'ForAnyValue:StringLike': { 'aws:PrincipalOrgPaths': PAYMENTS },
    });
  });

  test('puts the OU condition on the session-tag statement too, since it is a condition on the caller', () => {
    // GIVEN
    const { trusting } = pairedStacks();

    // WHEN
    new CrossAccountRole(trusting, 'Role', { trustedAccounts: [TRUSTED], trustedOrganizationalUnitPaths: [PAYMENTS], allowSessionTags: true });

    // THEN
    const [role] = Object.values(Template.fromStack(trusting).findResources('AWS::IAM::Role'));
    const statements = role.Properties.AssumeRolePolicyDocument.Statement as Array<{ Action: string; Condition: unknown }>;
    expect(statements.map(s => [s.Action, s.Condition])).toEqual([
      ['sts:AssumeRole', { 'ForAnyValue:StringLike': { 'aws:PrincipalOrgPaths': PAYMENTS } }],
      ['sts:TagSession', { 'ForAnyValue:StringLike': { 'aws:PrincipalOrgPaths': PAYMENTS } }],
    ]);
  });

  test('reaches the role of a pair', () => {
    // GIVEN
    const app = testApp();

    // WHEN
    const pair = new CrossAccountRolePair(app, 'Pair', {
      trustingAccount: TRUSTING, trustedAccount: TRUSTED, region: REGION, roleName: 'ReadOnly', trustedOrganizationalUnitPaths: [PLATFORM_TREE],
    });

    // THEN
    expect(assumeConditions(pair.trustingStack)).toEqual({ 'ForAnyValue:StringLike': { 'aws:PrincipalOrgPaths': PLATFORM_TREE } });
  });

  test('reaches every spoke role of a fan-out, next to its organization ID', () => {
    // GIVEN
    const app = testApp();

    // WHEN
    const fanout = new CrossAccountRoleFanout(app, 'Ops', {
      hubAccount: TRUSTED,
      spokeAccounts: [TRUSTING, OTHER],
      region: REGION,
      roleName: 'OpsRead',
      trustedOrganizationId: ORG,
      trustedOrganizationalUnitPaths: [PLATFORM_TREE],
    });

    // THEN
    for (const spoke of fanout.spokeStacks) {
      expect(assumeConditions(spoke)).toEqual({
        'StringEquals': { 'aws:PrincipalOrgID': ORG },
        'ForAnyValue:StringLike': { 'aws:PrincipalOrgPaths': PLATFORM_TREE },
      });
    }
  });

  test.each([
    ['a path without an OU (the root is the whole organization)', `${ORG}/r-ab12/`, /use trustedOrganizationId instead/],
    ['the root alone with a wildcard', `${ORG}/r-ab12/*`, /use trustedOrganizationId instead/],
    ['a path without its trailing slash', `${ORG}/r-ab12/ou-ab12-11111111`, /must be an organizational unit path/],
    ['a wildcard inside the path', `${ORG}/r-ab12/ou-ab12-*/`, /only one trailing \* is allowed/],
    ['an OU ID alone', 'ou-ab12-11111111', /must be an organizational unit path like 'o-a1b2c3d4e5\/r-ab12\/ou-ab12-11111111\/'/],
    ['an upper-case organization ID', 'o-ABCDEF1234/r-ab12/ou-ab12-11111111/', /must be an organizational unit path/],
  ])('refuses %s', (_what, value, message) => {
    // GIVEN
    const { trusting } = pairedStacks();

    // WHEN / THEN
    expect(() => new CrossAccountRole(trusting, 'Role', { trustedAccounts: [TRUSTED], trustedOrganizationalUnitPaths: [value] }))
      .toThrow(new RegExp(`^Trusting/Role: trustedOrganizationalUnitPaths\\[0\\] .*${message.source}`));
  });

  test('refuses an OU of another root, naming it', () => {
    // GIVEN
    const { trusting } = pairedStacks();

    // WHEN / THEN
    expect(() => new CrossAccountRole(trusting, 'Role', { trustedAccounts: [TRUSTED], trustedOrganizationalUnitPaths: [`${ORG}/r-ab12/ou-cd34-11111111/`] }))
      .toThrow(/trustedOrganizationalUnitPaths\[0\] .* names ou-cd34-11111111, which is not in the root 'r-ab12'/);
  });

  test('refuses paths of two organizations', () => {
    // GIVEN
    const { trusting } = pairedStacks();

    // WHEN / THEN
    expect(() => new CrossAccountRole(trusting, 'Role', {
      trustedAccounts: [TRUSTED],
      trustedOrganizationalUnitPaths: [PAYMENTS, 'o-zzzzzzzzzz/r-ab12/ou-ab12-11111111/'],
    })).toThrow(/trustedOrganizationalUnitPaths spans several organizations \(o-abcdef1234, o-zzzzzzzzzz\)/);
  });

  test('refuses paths of another organization than trustedOrganizationId', () => {
    // GIVEN
    const { trusting } = pairedStacks();

    // WHEN / THEN
    expect(() => new CrossAccountRole(trusting, 'Role', {
      trustedAccounts: [TRUSTED],
      trustedOrganizationId: 'o-zzzzzzzzzz',
      trustedOrganizationalUnitPaths: [PAYMENTS],
    })).toThrow(/are in the organization 'o-abcdef1234', but trustedOrganizationId is 'o-zzzzzzzzzz'/);
  });

  test('refuses an empty list, which would let nobody in', () => {
    // GIVEN
    const { trusting } = pairedStacks();

    // WHEN / THEN
    expect(() => new CrossAccountRole(trusting, 'Role', { trustedAccounts: [TRUSTED], trustedOrganizationalUnitPaths: [] }))
      .toThrow(/trustedOrganizationalUnitPaths is an empty list/);
  });

  test('refuses paths of another organization than a pair\'s trustedOrganizationId', () => {
    // GIVEN
    const app = testApp();

    // WHEN / THEN
    expect(() => new CrossAccountRolePair(app, 'Pair', {
      trustingAccount: TRUSTING,
      trustedAccount: TRUSTED,
      region: REGION,
      roleName: 'ReadOnly',
      trustedOrganizationId: 'o-zzzzzzzzzz',
      trustedOrganizationalUnitPaths: [PAYMENTS],
    })).toThrow(/Pair\/Trusting\/Role: trustedOrganizationalUnitPaths are in the organization 'o-abcdef1234'/);
  });

  describe('in the trust checks', () => {
    test('counts as the guard of another account\'s trust', () => {
      // GIVEN
      const app = testApp();
      const stack = new Stack(app, 'Trusting', { env: { account: TRUSTING, region: REGION } });

      // WHEN
      new CrossAccountRole(stack, 'Role', { trustedAccounts: [TRUSTED], trustedOrganizationalUnitPaths: [PAYMENTS] });

      // THEN
      expect(trustFindings(app)).not.toContain('UnconditionedCrossAccountTrust');
    });

    test('counts on a plain iam.Role written with the same condition', () => {
      // GIVEN
      const app = testApp();
      const stack = new Stack(app, 'Trusting', { env: { account: TRUSTING, region: REGION } });

      // WHEN
      new iam.Role(stack, 'Role', {
        assumedBy: new iam.AccountPrincipal(TRUSTED).withConditions({ 'ForAnyValue:StringLike': { 'aws:PrincipalOrgPaths': PLATFORM_TREE } }),
      });

      // THEN
      expect(trustFindings(app)).not.toContain('UnconditionedCrossAccountTrust');
    });

    test('does not count a path whose organization is a wildcard', () => {
      // GIVEN
      const app = testApp();
      const stack = new Stack(app, 'Trusting', { env: { account: TRUSTING, region: REGION } });

      // WHEN
      new iam.Role(stack, 'Role', {
        assumedBy: new iam.AccountPrincipal(TRUSTED).withConditions({ 'ForAnyValue:StringLike': { 'aws:PrincipalOrgPaths': 'o-*/r-ab12/ou-ab12-11111111/' } }),
      });

      // THEN
      expect(trustFindings(app)).toContain('UnconditionedCrossAccountTrust');
    });
  });
});
