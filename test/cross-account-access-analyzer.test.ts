import { App, CfnParameter, Stack, Stage } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import * as iam from 'aws-cdk-lib/aws-iam';
import { CrossAccountAccessAnalyzer, CrossAccountAccessAnalyzerType, CrossAccountRole } from '../src';
import { OTHER, REGION, TRUSTED, TRUSTING, testApp } from './util';

const ORG = 'o-abcdef1234';
const OU_PATH = `${ORG}/r-ab12/ou-ab12-11111111/*`;
const arn = (name: string, account: string = TRUSTING) => `arn:aws:iam::${account}:role/${name}`;

/** A criterion of an archive rule, as the template holds it. */
interface Filter { Property: string; Eq?: string[]; Neq?: string[]; Contains?: string[]; Exists?: boolean }
interface Rule { RuleName: string; Filter: Filter[] }

/** An external access finding's fields, flattened to filter keys (`principal.AWS`, `condition.aws:PrincipalOrgID`, …). */
type Finding = Record<string, string>;

/**
 * Whether a finding matches an archive rule, as Access Analyzer documents it:
 * every criterion must match; `eq` holds when the value is one of the list,
 * `neq` when it is none of them, `contains` when it contains one of them,
 * `exists` when the key's presence is as given.
 */
function matches(rule: Rule, finding: Finding): boolean {
  return rule.Filter.every(f => {
    const value = finding[f.Property];
    if (f.Exists !== undefined && (value !== undefined) !== f.Exists) { return false; }
    if (f.Eq === undefined && f.Neq === undefined && f.Contains === undefined) { return true; }
    if (value === undefined) { return false; }
    return (f.Eq === undefined || f.Eq.includes(value))
      && (f.Neq === undefined || !f.Neq.includes(value))
      && (f.Contains === undefined || f.Contains.some(c => value.includes(c)));
  });
}

/** A finding on a role, from an account (or `*` with conditions). */
const finding = (roleArn: string, principal: string, conditions: Record<string, string> = {}, isPublic = false): Finding => ({
  'resource': roleArn,
  'resourceType': 'AWS::IAM::Role',
  'isPublic': String(isPublic),
  'principal.AWS': principal,
  ...Object.fromEntries(Object.entries(conditions).map(([k, v]) => [`condition.${k}`, v])),
});

const rulesOf = (stack: Stack): Rule[] => {
  const analyzers = Template.fromStack(stack).findResources('AWS::AccessAnalyzer::Analyzer');
  return Object.values(analyzers).flatMap(a => (a.Properties.ArchiveRules ?? []) as Rule[]);
};
const archived = (rules: Rule[], f: Finding) => rules.some(rule => matches(rule, f));

/** An app with the trusts users write: the library's role, plain roles with grants, raw CfnRoles, in a stage too. */
function appWithTrusts(app: App = testApp()) {
  const workload = new Stack(app, 'Workload', { env: { account: TRUSTING, region: REGION } });
  new CrossAccountRole(workload, 'Auditor', { roleName: 'Auditor', trustedAccounts: [TRUSTED], requireMfa: true });
  new iam.Role(workload, 'Vendor', {
    roleName: 'Vendor',
    assumedBy: new iam.AccountPrincipal(OTHER).withConditions({ StringEquals: { 'sts:ExternalId': 'vendor-0123456789' } }),
  });
  new iam.Role(workload, 'OrgWide', {
    roleName: 'OrgWide',
    assumedBy: new iam.AnyPrincipal().withConditions({ StringEquals: { 'aws:PrincipalOrgID': ORG } }),
  });
  new iam.CfnRole(workload, 'Ou', {
    roleName: 'OuRead',
    assumeRolePolicyDocument: {
      Version: '2012-10-17',
      Statement: [{ Effect: 'Allow', Principal: { AWS: '*' }, Action: 'sts:AssumeRole', Condition: { 'ForAnyValue:StringLike': { 'aws:PrincipalOrgPaths': OU_PATH } } }],
    },
  });
  new iam.Role(workload, 'Lambda', { roleName: 'Fn', assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com') });
  new iam.Role(workload, 'Local', { roleName: 'Local', assumedBy: new iam.AccountRootPrincipal() });
  const stage = new Stage(app, 'Prod');
  const staged = new Stack(stage, 'Ci', { env: { account: TRUSTING, region: REGION } });
  new iam.Role(staged, 'Deploy', { roleName: 'Deploy', assumedBy: new iam.ArnPrincipal(`arn:aws:iam::${TRUSTED}:role/ci-runner`) });
  // a role of another account
  const other = new Stack(app, 'Elsewhere', { env: { account: OTHER, region: REGION } });
  new CrossAccountRole(other, 'Back', { roleName: 'Back', trustedAccounts: [TRUSTED] });
  return app;
}

describe('CrossAccountAccessAnalyzer', () => {
  test("archives every declared cross-account trust of the account's roles, and nothing else", () => {
    // GIVEN
    const app = appWithTrusts();
    const security = new Stack(app, 'Security', { env: { account: TRUSTING, region: REGION } });

    // WHEN
    new CrossAccountAccessAnalyzer(security, 'Analyzer', { analyzerName: 'declared-trusts' });

    // THEN
    Template.fromStack(security).hasResourceProperties('AWS::AccessAnalyzer::Analyzer', { Type: 'ACCOUNT', AnalyzerName: 'declared-trusts' });
    const rules = rulesOf(security);
    const declared = [
      finding(arn('Auditor'), TRUSTED),
      finding(arn('Vendor'), OTHER, { 'sts:ExternalId': 'vendor-0123456789' }),
      finding(arn('OrgWide'), '*', { 'aws:PrincipalOrgID': ORG }),
      finding(arn('OuRead'), '*', { 'aws:PrincipalOrgPaths': OU_PATH }),
      finding(arn('Deploy'), `arn:aws:iam::${TRUSTED}:role/ci-runner`),
    ];
    for (const f of declared) {
      expect({ finding: f, archived: archived(rules, f) }).toEqual({ finding: f, archived: true });
    }
    const undeclared = [
      finding(arn('Auditor'), OTHER), // another account
      finding(arn('Vendor'), TRUSTED), // an account trusted by another role only
      finding(arn('Deploy'), TRUSTED), // the whole account, where one role of it is trusted
      finding(arn('Deploy'), `arn:aws:iam::${TRUSTED}:role/other`),
      finding(arn('OrgWide'), '*', { 'aws:PrincipalOrgID': 'o-zzzzzzzzzz' }),
      finding(arn('OrgWide'), '*', {}, true), // public
      finding(arn('Fn'), TRUSTED), // a service role made cross-account by hand
      finding(arn('Local'), TRUSTED),
      finding(arn('MadeByHand'), TRUSTED), // a role outside the app
      finding(arn('Back', OTHER), TRUSTED), // another account's role: not this analyzer's
    ];
    for (const f of undeclared) {
      expect({ finding: f, archived: archived(rules, f) }).toEqual({ finding: f, archived: false });
    }
  });

  test('an ORGANIZATION analyzer archives the declared trusts of every account', () => {
    // GIVEN
    const app = appWithTrusts();
    const management = new Stack(app, 'Management', { env: { account: '999999999999', region: REGION } });

    // WHEN
    new CrossAccountAccessAnalyzer(management, 'Analyzer', { analyzerType: CrossAccountAccessAnalyzerType.ORGANIZATION });

    // THEN
    Template.fromStack(management).hasResourceProperties('AWS::AccessAnalyzer::Analyzer', { Type: 'ORGANIZATION' });
    const rules = rulesOf(management);
    expect(archived(rules, finding(arn('Back', OTHER), TRUSTED))).toBe(true);
    expect(archived(rules, finding(arn('Auditor'), TRUSTED))).toBe(true);
    expect(archived(rules, finding(arn('Back', OTHER), OTHER))).toBe(false);
  });

  test('groups one account trusted by many roles into rules of at most 20 role ARNs each', () => {
    // GIVEN
    const app = testApp();
    const stack = new Stack(app, 'Workload', { env: { account: TRUSTING, region: REGION } });
    for (let i = 0; i < 45; i++) {
      new CrossAccountRole(stack, `Role${i}`, { roleName: `Role${i}`, trustedAccounts: [TRUSTED] });
    }
    // one role trusting 25 accounts
    const accounts = Array.from({ length: 25 }, (_, i) => String(400000000000 + i));
    new CrossAccountRole(stack, 'Wide', { roleName: 'Wide', trustedAccounts: accounts });

    // WHEN
    new CrossAccountAccessAnalyzer(stack, 'Analyzer');

    // THEN
    const rules = rulesOf(stack);
    for (const rule of rules) {
      for (const criterion of rule.Filter) { expect((criterion.Eq ?? []).length).toBeLessThanOrEqual(20); }
    }
    expect(rules.filter(r => r.Filter.some(f => f.Property === 'principal.AWS' && f.Eq?.includes(TRUSTED)))).toHaveLength(3);
    expect(rules).toHaveLength(5);
    expect(new Set(rules.map(r => r.RuleName)).size).toBe(rules.length);
    for (let i = 0; i < 45; i++) { expect(archived(rules, finding(arn(`Role${i}`), TRUSTED))).toBe(true); }
    for (const account of accounts) { expect(archived(rules, finding(arn('Wide'), account))).toBe(true); }
    expect(archived(rules, finding(arn('Wide'), TRUSTED))).toBe(false);
    expect(archived(rules, finding(arn('Role0'), accounts[0]))).toBe(false);
  });

  test('fails past the archive rule quota, and says how to raise it', () => {
    // GIVEN
    const app = testApp();
    const stack = new Stack(app, 'Workload', { env: { account: TRUSTING, region: REGION } });
    for (let i = 0; i < 101; i++) {
      new CrossAccountRole(stack, `Role${i}`, { roleName: `Role${i}`, trustedAccounts: [String(500000000000 + i)] });
    }

    // WHEN
    new CrossAccountAccessAnalyzer(stack, 'Analyzer');

    // THEN
    expect(() => app.synth()).toThrow(/need 101 archive rules, over maxArchiveRules \(100\); raise the 'Archive rules per analyzer' quota/);
  });

  test('takes a raised quota', () => {
    // GIVEN
    const app = testApp();
    const stack = new Stack(app, 'Workload', { env: { account: TRUSTING, region: REGION } });
    for (let i = 0; i < 101; i++) {
      new CrossAccountRole(stack, `Role${i}`, { roleName: `Role${i}`, trustedAccounts: [String(500000000000 + i)] });
    }

    // WHEN
    new CrossAccountAccessAnalyzer(stack, 'Analyzer', { maxArchiveRules: 200 });

    // THEN
    expect(rulesOf(stack)).toHaveLength(101);
  });

  test('refuses a quota above the maximum', () => {
    const stack = new Stack(testApp(), 'Security', { env: { account: TRUSTING, region: REGION } });
    expect(() => new CrossAccountAccessAnalyzer(stack, 'Analyzer', { maxArchiveRules: 1001 }))
      .toThrow(/maxArchiveRules must be an integer from 1 to 1000 .*got 1001/);
  });

  test('warns of a trust whose principal is only known at deploy time, and archives the role\'s literal trusts', () => {
    // GIVEN a role trusting a literal account and an account given as a parameter
    const app = testApp();
    const stack = new Stack(app, 'Workload', { env: { account: TRUSTING, region: REGION } });
    const partner = new CfnParameter(stack, 'Partner', { type: 'String', allowedPattern: '\\d{12}' });
    new iam.Role(stack, 'Shared', {
      roleName: 'Shared',
      assumedBy: new iam.CompositePrincipal(new iam.AccountPrincipal(TRUSTED), new iam.AccountPrincipal(partner.valueAsString)),
    });

    // WHEN
    new CrossAccountAccessAnalyzer(stack, 'Analyzer');

    // THEN
    Annotations.fromStack(stack).hasWarning('/Workload/Analyzer',
      Match.stringLikeRegexp('no archive rule can name the principals that Workload/Shared/Resource trust\\(s\\) by a value only known at deploy time'));
    const rules = rulesOf(stack);
    expect(archived(rules, finding(arn('Shared'), TRUSTED))).toBe(true);
    expect(archived(rules, finding(arn('Shared'), OTHER))).toBe(false);
  });

  test('warns of a role whose generated name no rule can name', () => {
    // GIVEN
    const app = testApp();
    const stack = new Stack(app, 'Workload', { env: { account: TRUSTING, region: REGION } });
    new iam.Role(stack, 'Unnamed', { assumedBy: new iam.AccountPrincipal(TRUSTED) });

    // WHEN
    new CrossAccountAccessAnalyzer(stack, 'Analyzer');

    // THEN
    Annotations.fromStack(stack).hasWarning('/Workload/Analyzer', Match.stringLikeRegexp('no archive rule can name Workload/Unnamed/Resource'));
    expect(rulesOf(stack)).toEqual([]);
  });
});
