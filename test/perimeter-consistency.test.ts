import * as path from 'path';
import { App, NestedStack, Stack, Stage, Validations } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { CrossAccountGrants, CrossAccountRole, CrossAccountTrustChecks, OrganizationTrustPerimeter, OrganizationTrustPerimeterProps } from '../src';
import { OTHER, REGION, TRUSTED, TRUSTING, testApp } from './util';

const ORG = 'o-abcdef1234';
/** An organisation other than the perimeter's. */
const OTHER_ORG = 'o-zzzzzzzzzz';
const MANAGEMENT = '999999999999';
const VENDOR = '444444444444';

/** A finding of the plugin. */
interface Reported {
  readonly rule: string;
  readonly severity: string;
  readonly path?: string;
  readonly description: string;
  readonly fix: string;
}

/** Runs the plugin over an app as aws-cdk-lib does, and returns its findings. */
function audit(app: App): Reported[] {
  app.synth();
  // every stack, those of stages included, with its template where its stage wrote it
  const stacks = app.node.findAll().filter(s => Stack.isStack(s) && !NestedStack.isNestedStack(s)) as Stack[];
  const templatePath = (s: Stack) => path.join(Stage.of(s)!.outdir, s.templateFile);
  const report = new CrossAccountTrustChecks().validate({
    templatePaths: stacks.map(templatePath),
    stackTemplates: stacks.map(s => ({ stackConstructPath: s.node.path, templatePath: templatePath(s) })),
    appConstruct: app,
    accountId: undefined,
    region: undefined,
  });
  return report.violations.flatMap(v => v.violatingResources.map(r => ({
    rule: v.ruleName, severity: v.severity ?? '', path: r.constructPath, description: v.description, fix: v.fix ?? '',
  })));
}

/** An app with a workload stack in TRUSTING and, unless `perimeter` is false, a perimeter in the management account. */
function appWith(build: (workload: Stack, app: App) => void, perimeter: Partial<OrganizationTrustPerimeterProps> | false = {}): App {
  const app = testApp();
  const workload = new Stack(app, 'Workload', { env: { account: TRUSTING, region: REGION } });
  build(workload, app);
  if (perimeter !== false) {
    const management = new Stack(app, 'Management', { env: { account: MANAGEMENT, region: 'us-east-1' } });
    new OrganizationTrustPerimeter(management, 'Perimeter', { organizationId: ORG, targetIds: ['r-ab12'], ...perimeter });
  }
  return app;
}

const outsidePerimeter = (reported: Reported[]) => reported.filter(r => r.rule.startsWith('TrustOutsidePerimeter'));

describe('the TrustOutsidePerimeter rule', () => {
  test('fails a role trusting an account that is neither a member nor a third party, with the fix', () => {
    // GIVEN
    const app = appWith(stack => new CrossAccountRole(stack, 'Partner', { trustedAccounts: [OTHER] }));

    // WHEN
    const found = outsidePerimeter(audit(app));

    // THEN
    expect(found).toEqual([{
      rule: 'TrustOutsidePerimeter',
      severity: 'error',
      path: 'Workload/Partner/Resource/Resource',
      description: expect.stringContaining(`trusts account(s) ${OTHER}, neither known members of the organization nor declared third parties of the perimeter Management/Perimeter`),
      fix: 'the perimeter will deny this trust at run time; declare the account as a third party (with an external ID) or as a member, '
        + 'and narrow to the perimeter\'s own organization or OUs only',
    }]);
  });

  test('finds nothing without a perimeter in the app', () => {
    // GIVEN
    const app = appWith(stack => new CrossAccountRole(stack, 'Partner', { trustedAccounts: [OTHER] }), false);

    // WHEN / THEN
    expect(outsidePerimeter(audit(app))).toEqual([]);
  });

  test('accepts an account declared a member', () => {
    // GIVEN
    const app = appWith(stack => new CrossAccountRole(stack, 'Partner', { trustedAccounts: [OTHER] }), { memberAccounts: [OTHER] });

    // WHEN / THEN
    expect(outsidePerimeter(audit(app))).toEqual([]);
  });

  test('accepts an account that has a stack in the app, even in a stage', () => {
    // GIVEN
    const app = appWith((stack, theApp) => {
      new CrossAccountRole(stack, 'Tooling', { trustedAccounts: [TRUSTED] });
      const tooling = new Stack(new Stage(theApp, 'Prod'), 'Tooling', { env: { account: TRUSTED, region: REGION } });
      new iam.Group(tooling, 'Operators');
    });

    // WHEN / THEN
    expect(outsidePerimeter(audit(app))).toEqual([]);
  });

  test('accepts a third party the app trusts with an external ID, and one given as thirdPartyAccounts', () => {
    // GIVEN
    const app = appWith(stack => {
      new CrossAccountRole(stack, 'Vendor', { trustedAccounts: [VENDOR], externalIds: ['vendor-external-id-000001'] });
      new iam.Role(stack, 'Auditor', { assumedBy: new iam.AccountPrincipal(OTHER).withConditions({ StringEquals: { 'sts:ExternalId': 'auditor-external-id-0001' } }) });
    }, { thirdPartyAccounts: [OTHER] });

    // WHEN / THEN
    expect(outsidePerimeter(audit(app))).toEqual([]);
  });

  test.each([
    ['an organization', { trustedOrganizationId: ORG }],
    ['an OU', { trustedOrganizationalUnitPaths: [`${ORG}/r-ab12/ou-ab12-11111111/`] }],
  ])('accepts a trust narrowed to %s, which the perimeter lets in or denies whole', (_what, narrowing) => {
    // GIVEN
    const app = appWith(stack => new CrossAccountRole(stack, 'Partner', { trustedAccounts: [OTHER], ...narrowing }));

    // WHEN / THEN
    expect(outsidePerimeter(audit(app))).toEqual([]);
  });

  test.each([
    ['another organization', { trustedOrganizationId: OTHER_ORG }],
    ['OUs of another organization', { trustedOrganizationalUnitPaths: [`${OTHER_ORG}/r-zz12/ou-zz12-11111111/`] }],
  ])('fails a trust narrowed to %s than the perimeter\'s, naming both organizations', (_what, narrowing) => {
    // GIVEN
    const app = appWith(stack => new CrossAccountRole(stack, 'Partner', { trustedAccounts: [OTHER], ...narrowing }));

    // WHEN
    const found = outsidePerimeter(audit(app));

    // THEN
    expect(found).toEqual([expect.objectContaining({
      severity: 'error',
      path: 'Workload/Partner/Resource/Resource',
      description: expect.stringContaining(`trusts account(s) ${OTHER}, neither known members of the organization nor declared third parties of the perimeter `
        + `Management/Perimeter, and organization(s) ${OTHER_ORG}, not the organization ${ORG} of the perimeter Management/Perimeter`),
    })]);
  });

  test('fails a member account\'s trust narrowed to another organization, and accepts one narrowed to both the perimeter\'s organization and an OU', () => {
    // GIVEN
    const app = appWith(stack => {
      new iam.Role(stack, 'Elsewhere', { assumedBy: new iam.AccountPrincipal(TRUSTED).withConditions({ StringEquals: { 'aws:PrincipalOrgID': OTHER_ORG } }) });
      new CrossAccountRole(stack, 'Inside', { trustedAccounts: [OTHER], trustedOrganizationId: ORG, trustedOrganizationalUnitPaths: [`${ORG}/r-ab12/ou-ab12-11111111/`] });
    }, { memberAccounts: [TRUSTED] });

    // WHEN
    const found = outsidePerimeter(audit(app));

    // THEN
    expect(found.map(f => [f.path, /: trusts (.*)$/.exec(f.description)?.[1]])).toEqual([
      ['Workload/Elsewhere/Resource', `organization(s) ${OTHER_ORG}, not the organization ${ORG} of the perimeter Management/Perimeter`],
    ]);
  });

  test('fails a plain iam.Role in a stage trusting an outside account, as written by hand', () => {
    // GIVEN
    const app = appWith((stack, theApp) => {
      new CrossAccountRole(stack, 'Tooling', { trustedAccounts: [TRUSTED], trustedOrganizationId: ORG });
      const prod = new Stack(new Stage(theApp, 'Prod'), 'Workload', { env: { account: TRUSTING, region: REGION } });
      new iam.Role(prod, 'Backdoor', { assumedBy: new iam.ArnPrincipal(`arn:aws:iam::${OTHER}:role/Anything`) });
    });

    // WHEN
    const found = outsidePerimeter(audit(app));

    // THEN
    expect(found.map(f => f.path)).toEqual(['Prod/Workload/Backdoor/Resource']);
  });

  test('fails synthesis under the plugin, and can be acknowledged on the role', () => {
    // GIVEN
    const failing = appWith(stack => new CrossAccountRole(stack, 'Partner', { trustedAccounts: [OTHER] }));
    Validations.of(failing).addPlugins(new CrossAccountTrustChecks());
    const acknowledged = appWith(stack => {
      const role = new CrossAccountRole(stack, 'Partner', { trustedAccounts: [OTHER] });
      Validations.of(role).acknowledge({ id: 'CrossAccountTrustChecks::TrustOutsidePerimeter', reason: 'the role is tagged out of the perimeter by the platform team' });
    });
    Validations.of(acknowledged).addPlugins(new CrossAccountTrustChecks());

    // WHEN / THEN
    expect(() => failing.synth()).toThrow(/TrustOutsidePerimeter/);
    expect(() => acknowledged.synth()).not.toThrow();
  });

  test('is listed among the rules', () => {
    expect(CrossAccountTrustChecks.rules.find(r => r.id === 'TrustOutsidePerimeter')?.severity).toBe('error');
  });
});

describe('the ShareOutsidePerimeter rule: a resource shared outside the perimeter is the same inconsistency as a trust', () => {
  const shareWith = (account: string, conditions?: Record<string, Record<string, string>>) => (stack: Stack) => {
    const bucket = new s3.Bucket(stack, 'Data', { bucketName: 'data-a' });
    bucket.addToResourcePolicy(new iam.PolicyStatement({ principals: [new iam.AccountPrincipal(account)], actions: ['s3:GetObject'], resources: [bucket.arnForObjects('*')], conditions }));
  };
  const sharesOutside = (reported: Reported[]) => reported.filter(r => r.rule.startsWith('ShareOutsidePerimeter'));

  test('fails a bucket shared with an account that is neither a member nor a third party, as the trust of such an account fails', () => {
    // GIVEN
    const app = appWith(shareWith(OTHER));

    // WHEN
    const found = sharesOutside(audit(app));

    // THEN
    expect(found).toEqual([expect.objectContaining({
      severity: 'error',
      path: 'Workload/Data/Policy/Resource',
      description: expect.stringContaining(`bucket data-a grants account(s) ${OTHER}, neither known members of the organization nor declared third parties of the perimeter Management/Perimeter`),
    })]);
  });

  test('accepts a member, a share narrowed to the organisation, and an app without a perimeter', () => {
    expect(sharesOutside(audit(appWith(shareWith(OTHER), { memberAccounts: [OTHER] })))).toEqual([]);
    expect(sharesOutside(audit(appWith(shareWith(OTHER, { StringEquals: { 'aws:PrincipalOrgID': ORG } }))))).toEqual([]);
    expect(sharesOutside(audit(appWith(shareWith(OTHER), false)))).toEqual([]);
  });

  test.each([
    ['an organization other than the perimeter\'s', () => new iam.OrganizationPrincipal(OTHER_ORG), {}, `organization(s) ${OTHER_ORG}`],
    ['an account narrowed to another organization', () => new iam.AccountPrincipal('777777777777'), { organizationId: OTHER_ORG },
      `account(s) 777777777777, neither known members of the organization nor declared third parties of the perimeter Management/Perimeter, and organization(s) ${OTHER_ORG}`],
  ])('fails CrossAccountGrants.bucketRead to %s, naming the organizations', (_what, grantee, options, named) => {
    // GIVEN
    const app = appWith(stack => CrossAccountGrants.bucketRead(new s3.Bucket(stack, 'Data', { bucketName: 'data-a' }), grantee(), options));

    // WHEN
    const found = sharesOutside(audit(app));

    // THEN
    expect(found).toEqual([expect.objectContaining({
      severity: 'error',
      path: 'Workload/Data/Policy/Resource',
      description: expect.stringContaining(`bucket data-a grants ${named}, not the organization ${ORG} of the perimeter Management/Perimeter`),
    })]);
  });

  test('accepts CrossAccountGrants.bucketRead to the perimeter\'s organization, or an account narrowed to it or to its OUs', () => {
    // GIVEN
    const app = appWith(stack => {
      const bucket = (id: string) => new s3.Bucket(stack, id, { bucketName: `${id.toLowerCase()}-a` });
      CrossAccountGrants.bucketRead(bucket('Organization'), new iam.OrganizationPrincipal(ORG));
      CrossAccountGrants.bucketRead(bucket('Account'), new iam.AccountPrincipal('777777777777'), { organizationId: ORG });
      CrossAccountGrants.bucketRead(bucket('Units'), new iam.AccountPrincipal('777777777777'), { organizationalUnitPaths: [`${ORG}/r-ab12/ou-ab12-11111111/`] });
    });

    // WHEN / THEN
    expect(sharesOutside(audit(app))).toEqual([]);
  });
});
