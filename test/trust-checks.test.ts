import * as path from 'path';
import { App, CfnCondition, CfnParameter, Duration, Fn, NestedStack, PolicyValidationPluginReport, Stack, Validations } from 'aws-cdk-lib';
import * as cloudformation from 'aws-cdk-lib/aws-cloudformation';
import * as iam from 'aws-cdk-lib/aws-iam';
import { CrossAccountRole, CrossAccountRoleFanout, CrossAccountRolePair, CrossAccountTrustChecks, ExternalIdTrust } from '../src';
import { TRUSTED, TRUSTING, testApp } from './util';

/** A finding, as the plugin reports it. */
interface Reported {
  readonly rule: string;
  readonly severity?: string;
  readonly path?: string;
}

/** Synthesizes what `build` makes in a trusting-account stack, and runs the plugin over it. */
function audit(build: (stack: Stack) => void): Reported[] {
  const app = testApp();
  const stack = new Stack(app, 'Trusting', { env: { account: TRUSTING, region: 'eu-west-1' } });
  build(stack);
  return auditApp(app);
}

/** Runs the plugin as aws-cdk-lib does: with the templates of the top-level stacks only. */
function pluginReport(app: App): PolicyValidationPluginReport {
  const assembly = app.synth();
  const stacks = app.node.findAll().filter(s => Stack.isStack(s) && !NestedStack.isNestedStack(s)) as Stack[];
  return new CrossAccountTrustChecks().validate({
    templatePaths: stacks.map(s => path.join(assembly.directory, s.templateFile)),
    stackTemplates: stacks.map(s => ({ stackConstructPath: s.node.path, templatePath: path.join(assembly.directory, s.templateFile) })),
    appConstruct: app,
    accountId: undefined,
    region: undefined,
  });
}

/** The findings of the plugin over an app. */
function auditApp(app: App): Reported[] {
  const report = pluginReport(app);
  return report.violations.flatMap(v => v.violatingResources.map(r => ({ rule: v.ruleName, severity: v.severity, path: r.constructPath })));
}

const rules = (reported: Reported[]) => reported.map(r => r.rule);
const role = (stack: Stack, id: string, assumedBy: iam.IPrincipal, props: Partial<iam.RoleProps> = {}) =>
  new iam.Role(stack, id, { assumedBy, ...props });
const rawTrust = (stack: Stack, id: string, statement: object, props: object = {}) =>
  new iam.CfnRole(stack, id, { assumeRolePolicyDocument: { Version: '2012-10-17', Statement: [statement] }, ...props });

describe('CrossAccountTrustChecks rules', () => {
  describe('WildcardPrincipal', () => {
    test('fails a role any AWS principal may assume', () => {
      const reported = audit(s => role(s, 'Open', new iam.AnyPrincipal()));
      expect(reported).toContainEqual({ rule: 'WildcardPrincipal', severity: 'error', path: 'Trusting/Open/Resource' });
    });

    test('fails {"AWS": "*"} in a raw CfnRole too', () => {
      expect(rules(audit(s => rawTrust(s, 'Raw', { Effect: 'Allow', Principal: { AWS: '*' }, Action: 'sts:AssumeRole' })))).toContain('WildcardPrincipal');
    });

    test('passes Principal "*" narrowed to an organization', () => {
      const reported = audit(s => role(s, 'Org', new iam.AnyPrincipal().withConditions({ StringEquals: { 'aws:PrincipalOrgID': 'o-abcdef1234' } })));
      expect(rules(reported)).not.toContain('WildcardPrincipal');
    });

    test.each([
      ['StringLike', 'aws:PrincipalOrgID', 'o-*'],
      ['StringLike', 'aws:PrincipalOrgID', '*'],
      ['ArnLike', 'aws:PrincipalArn', 'arn:aws:iam::*:role/*'],
      ['ArnEquals', 'aws:PrincipalArn', '*'],
      ['StringLike', 'aws:PrincipalAccount', '*'],
      ['StringLike', 'aws:PrincipalAccount', '2222222222?2'],
      ['StringLike', 'aws:SourceAccount', '*'],
      ['StringLike', 'aws:PrincipalOrgPaths', 'o-*/r-ab12/*'],
      ['StringLike', 'sts:ExternalId', '*'],
    ])('does not take %s %s %p as narrowing', (operator, key, value) => {
      // GIVEN / WHEN
      const reported = audit(s => role(s, 'Wild', new iam.AnyPrincipal().withConditions({ [operator]: { [key]: value } })));

      // THEN
      expect(rules(reported)).toContain('WildcardPrincipal');
    });

    test.each([
      ['StringLike', 'aws:PrincipalOrgPaths', 'o-abcdef1234/r-ab12/*'],
      ['ArnLike', 'aws:PrincipalArn', `arn:aws:iam::${TRUSTED}:role/ci-*`],
      ['StringEquals', 'aws:PrincipalAccount', TRUSTED],
    ])('takes %s %s %p as narrowing', (operator, key, value) => {
      expect(rules(audit(s => role(s, 'Narrow', new iam.AnyPrincipal().withConditions({ [operator]: { [key]: value } }))))).not.toContain('WildcardPrincipal');
    });

    test('does not take a ForAllValues: condition as narrowing (it holds when the key is absent)', () => {
      const reported = audit(s => role(s, 'ForAll', new iam.AnyPrincipal().withConditions({ 'ForAllValues:StringEquals': { 'aws:PrincipalOrgID': 'o-abcdef1234' } })));
      expect(rules(reported)).toContain('WildcardPrincipal');
    });

    test('does not take an IfExists condition as narrowing', () => {
      const reported = audit(s => role(s, 'Weak', new iam.AnyPrincipal().withConditions({ StringEqualsIfExists: { 'aws:PrincipalOrgID': 'o-abcdef1234' } })));
      expect(rules(reported)).toContain('WildcardPrincipal');
    });
  });

  describe('UnconditionedCrossAccountTrust', () => {
    test('warns on another account trusted with no condition', () => {
      const reported = audit(s => new CrossAccountRole(s, 'Bare', { trustedAccounts: [TRUSTED] }));
      expect(reported).toEqual([{ rule: 'UnconditionedCrossAccountTrust', severity: 'warning', path: 'Trusting/Bare/Resource/Resource' }]);
    });

    test('warns on another account given by Fn::Sub, in both forms, a parameter\'s account included', () => {
      // GIVEN / WHEN
      const reported = audit(s => {
        rawTrust(s, 'Sub', { Effect: 'Allow', Principal: { AWS: { 'Fn::Sub': `arn:\${AWS::Partition}:iam::${TRUSTED}:root` } }, Action: 'sts:AssumeRole' });
        rawTrust(s, 'SubMap', {
          Effect: 'Allow', Principal: { AWS: { 'Fn::Sub': ['arn:${AWS::Partition}:iam::${Account}:root', { Account: TRUSTED }] } }, Action: 'sts:AssumeRole',
        });
        rawTrust(s, 'SubUnknown', {
          Effect: 'Allow', Principal: { AWS: { 'Fn::Sub': ['arn:${AWS::Partition}:iam::${Account}:root', { Account: { Ref: 'Unknown' } }] } }, Action: 'sts:AssumeRole',
        });
        new CfnParameter(s, 'Unknown');
      });

      // THEN (the parameter's account is another account, only known at deploy time)
      expect(reported).toEqual([
        { rule: 'UnconditionedCrossAccountTrust', severity: 'warning', path: 'Trusting/Sub' },
        { rule: 'UnconditionedCrossAccountTrust', severity: 'warning', path: 'Trusting/SubMap' },
        { rule: 'UnconditionedCrossAccountTrust', severity: 'warning', path: 'Trusting/SubUnknown' },
      ]);
    });

    test('judges a principal built by Fn::Sub as its Fn::Join form, in a stack whose region is unknown', () => {
      // GIVEN a stack of no environment, trusting a parameter's account (a role named after the region) and the stack's own
      const app = testApp();
      const stack = new Stack(app, 'Agnostic');
      new CfnParameter(stack, 'Tools');
      const trust = (id: string, principal: object) => rawTrust(stack, id, { Effect: 'Allow', Principal: { AWS: principal }, Action: 'sts:AssumeRole' });
      trust('Sub', { 'Fn::Sub': 'arn:${AWS::Partition}:iam::${Tools}:role/deployer-${AWS::Region}' });
      trust('Join', { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':iam::', { Ref: 'Tools' }, ':role/deployer-', { Ref: 'AWS::Region' }]] });
      trust('SubRoot', { 'Fn::Sub': 'arn:${AWS::Partition}:iam::${Tools}:root' });
      trust('OwnSub', { 'Fn::Sub': 'arn:${AWS::Partition}:iam::${AWS::AccountId}:role/deployer-${AWS::Region}' });

      // WHEN
      const report = pluginReport(app);

      // THEN the parameter's account is another account, named, in both forms; the stack's own is not
      const found = report.violations.flatMap(v => v.violatingResources.map(r => [r.constructPath, v.ruleName, /: trusts (.*) with no/.exec(v.description)?.[1]]));
      expect(found).toEqual([
        ['Agnostic/Sub', 'UnconditionedCrossAccountTrust', 'the account of parameter Tools (known only at deploy time)'],
        ['Agnostic/Join', 'UnconditionedCrossAccountTrust', 'the account of parameter Tools (known only at deploy time)'],
        ['Agnostic/SubRoot', 'UnconditionedCrossAccountTrust', 'the account of parameter Tools (known only at deploy time)'],
      ]);
    });

    test('warns on a specific principal ARN of another account in Principal, too', () => {
      expect(rules(audit(s => role(s, 'Arn', new iam.ArnPrincipal(`arn:aws:iam::${TRUSTED}:user/alice`))))).toContain('UnconditionedCrossAccountTrust');
    });

    test.each([
      ['an external ID', { externalIds: ['a-long-random-external-id-1'] }],
      ['MFA', { requireMfa: true }],
      ['an organization', { trustedOrganizationId: 'o-abcdef1234' }],
    ])('passes another account guarded by %s', (_, props) => {
      expect(audit(s => new CrossAccountRole(s, 'Guarded', { trustedAccounts: [TRUSTED], ...props }))).toEqual([]);
    });

    test('warns on another account "guarded" by a principal ARN of any account', () => {
      const reported = audit(s => role(s, 'Any', new iam.AccountPrincipal(TRUSTED).withConditions({ ArnLike: { 'aws:PrincipalArn': 'arn:aws:iam::*:role/*' } })));
      expect(rules(reported)).toContain('UnconditionedCrossAccountTrust');
    });

    test('warns on Principal "*" narrowed to another account by aws:PrincipalAccount alone', () => {
      const reported = audit(s => role(s, 'Account', new iam.AnyPrincipal().withConditions({ StringEquals: { 'aws:PrincipalAccount': TRUSTED } })));
      expect(reported).toEqual([{ rule: 'UnconditionedCrossAccountTrust', severity: 'warning', path: 'Trusting/Account/Resource' }]);
    });

    test('does not take a principal ARN pattern of a whole account as a guard', () => {
      const reported = audit(s => role(s, 'Whole', new iam.AccountPrincipal(TRUSTED).withConditions({ ArnLike: { 'aws:PrincipalArn': `arn:aws:iam::${TRUSTED}:*` } })));
      expect(rules(reported)).toEqual(['UnconditionedCrossAccountTrust']);
    });

    test('passes trust of principal ARNs through aws:PrincipalArn', () => {
      expect(audit(s => new CrossAccountRole(s, 'Ci', { trustedPrincipalArns: [`arn:aws:iam::${TRUSTED}:role/ci`] }))).toEqual([]);
    });

    test('passes trust of the stack\'s own account', () => {
      expect(audit(s => role(s, 'Own', new iam.AccountRootPrincipal()))).toEqual([]);
    });

    test('does not judge a statement that only allows sts:TagSession or sts:SetSourceIdentity (it lets nobody assume the role)', () => {
      // GIVEN a vendor role with an external ID whose session-action statement carries no external ID
      const reported = audit(s => new CrossAccountRole(s, 'Vendor', {
        trustedAccounts: [TRUSTED], externalIds: ['a-long-random-external-id-1'], allowSessionTags: true, requireSourceIdentity: true,
      }));

      // THEN
      expect(reported).toEqual([]);
      expect(rules(audit(s => rawTrust(s, 'Raw', { Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${TRUSTED}:root` }, Action: ['sts:AssumeRole', 'sts:TagSession'] }))))
        .toContain('UnconditionedCrossAccountTrust');
    });
  });

  describe('MfaIfExists', () => {
    test('fails BoolIfExists aws:MultiFactorAuthPresent "true"', () => {
      const reported = audit(s => role(s, 'IfExists', new iam.AccountPrincipal(TRUSTED).withConditions({ BoolIfExists: { 'aws:MultiFactorAuthPresent': 'true' } })));
      expect(reported).toContainEqual({ rule: 'MfaIfExists', severity: 'error', path: 'Trusting/IfExists/Resource' });
      // BoolIfExists does not guard the cross-account trust either
      expect(rules(reported)).toContain('UnconditionedCrossAccountTrust');
    });

    test('fails NumericLessThanIfExists aws:MultiFactorAuthAge, which access keys without MFA pass', () => {
      const reported = audit(s => role(s, 'AgeIfExists', new iam.AccountPrincipal(TRUSTED).withConditions({ NumericLessThanIfExists: { 'aws:MultiFactorAuthAge': '3600' } })));
      expect(reported).toContainEqual({ rule: 'MfaIfExists', severity: 'error', path: 'Trusting/AgeIfExists/Resource' });
    });

    test('takes Null aws:MultiFactorAuthAge "false" as an MFA guard', () => {
      expect(audit(s => role(s, 'Present', new iam.AccountPrincipal(TRUSTED).withConditions({ Null: { 'aws:MultiFactorAuthAge': 'false' } })))).toEqual([]);
    });

    test('does not take Bool aws:MultiFactorAuthPresent "false" as an MFA guard', () => {
      const reported = audit(s => role(s, 'NoMfa', new iam.AccountPrincipal(TRUSTED).withConditions({ Bool: { 'aws:MultiFactorAuthPresent': 'false' } })));
      expect(rules(reported)).toEqual(['UnconditionedCrossAccountTrust']);
    });

    test('passes Bool aws:MultiFactorAuthPresent "true"', () => {
      expect(audit(s => new CrossAccountRole(s, 'Mfa', { trustedAccounts: [TRUSTED], requireMfa: true }))).toEqual([]);
    });
  });

  describe('WildcardExternalId and WeakExternalId', () => {
    test('fails an external ID matched with StringLike and a wildcard', () => {
      const reported = audit(s => role(s, 'Like', new iam.AccountPrincipal(TRUSTED).withConditions({ StringLike: { 'sts:ExternalId': 'customer-*' } })));
      expect(rules(reported)).toContain('WildcardExternalId');
    });

    test('passes a Deny with StringNotLike and a wildcard', () => {
      const reported = audit(s => {
        const trust = new CrossAccountRole(s, 'Deny', { trustedAccounts: [TRUSTED], externalIds: ['9f3c2a71-5be4-4c0e-a1d2-7b6e8f40c915'] });
        trust.role.assumeRolePolicy!.addStatements(new iam.PolicyStatement({
          effect: iam.Effect.DENY,
          principals: [new iam.AnyPrincipal()],
          actions: ['sts:AssumeRole'],
          conditions: { StringNotLike: { 'sts:ExternalId': '9f3c2a71-*' } },
        }));
      });
      expect(rules(reported)).not.toContain('WildcardExternalId');
    });

    test.each([
      ['short'],
      ['aaaaaaaaaaaaaaaaaaaa'],
      ['0123456789012345'],
      ['External-ID'.padEnd(16, '_')],
      [`id-${TRUSTING}-x`],
    ])('warns on the weak external ID %p', (externalId) => {
      const reported = audit(s => role(s, 'Weak', new iam.AccountPrincipal(TRUSTED).withConditions({ StringEquals: { 'sts:ExternalId': externalId } })));
      expect(reported).toEqual([{ rule: 'WeakExternalId', severity: 'warning', path: 'Trusting/Weak/Resource' }]);
    });

    test('passes a long random external ID', () => {
      expect(audit(s => new CrossAccountRole(s, 'Strong', { trustedAccounts: [TRUSTED], externalIds: ['9f3c2a71-5be4-4c0e-a1d2-7b6e8f40c915'] }))).toEqual([]);
    });

    test('passes an external ID given at deploy time', () => {
      expect(audit(s => new CrossAccountRole(s, 'Param', { externalIdTrust: new ExternalIdTrust(s, 'Vendor', { trustedAccount: TRUSTED }) }))).toEqual([]);
    });
  });

  describe('trust policy size', () => {
    const arns = (count: number) => Array.from({ length: count }, (_, i) => `arn:aws:iam::${TRUSTED}:role/deployment-pipeline-role-${String(i).padStart(3, '0')}`);

    test('warns over 2,048 characters', () => {
      const reported = audit(s => {
        const r = new CrossAccountRole(s, 'Big', { trustedPrincipalArns: arns(40) });
        Validations.of(r).acknowledge({ id: 'cdk-cross-account-roles:trustPolicySize', reason: 'tested here: the plugin, not the construct' });
      });
      expect(reported).toEqual([{ rule: 'TrustPolicyOverDefaultQuota', severity: 'warning', path: 'Trusting/Big/Resource/Resource' }]);
    });

    test('fails over 4,096 characters, for a plain CfnRole too', () => {
      const reported = audit(s => rawTrust(s, 'Huge', {
        Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${TRUSTED}:root` }, Action: 'sts:AssumeRole', Condition: { ArnLike: { 'aws:PrincipalArn': arns(80) } },
      }));
      expect(reported).toEqual([{ rule: 'TrustPolicyOverMaximum', severity: 'error', path: 'Trusting/Huge' }]);
    });

    test('stays silent under 2,048 characters', () => {
      expect(audit(s => new CrossAccountRole(s, 'Small', { trustedPrincipalArns: arns(10) }))).toEqual([]);
    });
  });

  describe('WildcardStsAction', () => {
    test('warns on sts:* and sts:AssumeRole*', () => {
      const reported = audit(s => {
        rawTrust(s, 'StsStar', { Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${TRUSTING}:root` }, Action: 'sts:*' });
        rawTrust(s, 'AssumeStar', { Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${TRUSTING}:root` }, Action: ['sts:AssumeRole*'] });
      });
      expect(reported).toEqual([
        { rule: 'WildcardStsAction', severity: 'warning', path: 'Trusting/StsStar' },
        { rule: 'WildcardStsAction', severity: 'warning', path: 'Trusting/AssumeStar' },
      ]);
    });

    test('warns on NotAction, which allows every other action', () => {
      const reported = audit(s => rawTrust(s, 'Not', { Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${TRUSTING}:root` }, NotAction: 'sts:TagSession' }));
      expect(reported).toEqual([{ rule: 'WildcardStsAction', severity: 'warning', path: 'Trusting/Not' }]);
    });

    test('passes exact actions', () => {
      expect(audit(s => new CrossAccountRole(s, 'Exact', { trustedAccounts: [TRUSTED], requireMfa: true, allowSessionTags: true }))).toEqual([]);
    });
  });

  describe('RoleChainingSessionDuration', () => {
    test('warns when roles are trusted and sessions may last over an hour', () => {
      const reported = audit(s => new CrossAccountRole(s, 'Chained', { trustedPrincipalArns: [`arn:aws:iam::${TRUSTED}:role/ci`], maxSessionDuration: Duration.hours(4) }));
      expect(reported).toEqual([{ rule: 'RoleChainingSessionDuration', severity: 'warning', path: 'Trusting/Chained/Resource/Resource' }]);
    });

    test('warns when a role of the same stack is trusted by Fn::GetAtt Arn', () => {
      // GIVEN / WHEN
      const reported = audit(s => {
        const caller = role(s, 'Caller', new iam.ServicePrincipal('lambda.amazonaws.com'));
        role(s, 'Chained', new iam.ArnPrincipal(caller.roleArn), { maxSessionDuration: Duration.hours(4) });
      });

      // THEN
      expect(reported).toEqual([{ rule: 'RoleChainingSessionDuration', severity: 'warning', path: 'Trusting/Chained/Resource' }]);
    });

    test('passes one hour for roles, and longer sessions for users', () => {
      expect(audit(s => {
        new CrossAccountRole(s, 'Hour', { trustedPrincipalArns: [`arn:aws:iam::${TRUSTED}:role/ci`], maxSessionDuration: Duration.hours(1) });
        new CrossAccountRole(s, 'Users', { trustedPrincipalArns: [`arn:aws:iam::${TRUSTED}:user/alice`], maxSessionDuration: Duration.hours(4) });
      })).toEqual([]);
    });
  });

  describe('OIDC subject and audience', () => {
    const github = (s: Stack) => new iam.OpenIdConnectProvider(s, 'GitHub', { url: 'https://token.actions.githubusercontent.com', clientIds: ['sts.amazonaws.com'] });

    test('fails GitHub Actions trust without a sub condition, and warns without aud', () => {
      const reported = audit(s => role(s, 'Deploy', new iam.OpenIdConnectPrincipal(github(s))));
      expect(reported).toEqual(expect.arrayContaining([
        { rule: 'OidcSubjectNotPinned', severity: 'error', path: 'Trusting/Deploy/Resource' },
        { rule: 'OidcAudienceNotPinned', severity: 'warning', path: 'Trusting/Deploy/Resource' },
      ]));
    });

    test.each([
      ['the string form', { 'Fn::Sub': 'arn:${AWS::Partition}:iam::${AWS::AccountId}:oidc-provider/token.actions.githubusercontent.com' }],
      ['a ${LogicalId} of the provider', { 'Fn::Sub': '${GitHub}' }],
      ['a ${LogicalId.Arn} of the provider', { 'Fn::Sub': ['${Arn}', { Arn: { 'Fn::Sub': '${GitHub.Arn}' } }] }],
    ])('fails GitHub Actions trust without a sub condition when the provider is given by Fn::Sub in %s', (_, federated) => {
      // GIVEN / WHEN
      const reported = audit(s => {
        new iam.CfnOIDCProvider(s, 'GitHub', { url: 'https://token.actions.githubusercontent.com', clientIdList: ['sts.amazonaws.com'] }).overrideLogicalId('GitHub');
        rawTrust(s, 'Deploy', {
          Effect: 'Allow',
          Principal: { Federated: federated },
          Action: 'sts:AssumeRoleWithWebIdentity',
          Condition: { StringEquals: { 'token.actions.githubusercontent.com:aud': 'sts.amazonaws.com' } },
        });
      });

      // THEN
      expect(reported).toEqual([{ rule: 'OidcSubjectNotPinned', severity: 'error', path: 'Trusting/Deploy' }]);
    });

    test.each([
      ['token.actions.githubusercontent.com', '*:ref:refs/heads/main'],
      ['token.actions.githubusercontent.com', 'repo:*/deploy:ref:refs/heads/main'],
      ['token.actions.githubusercontent.com', 'repo:my-org*'],
      ['gitlab.com', 'project_path:*'],
      ['app.terraform.io', 'organization:*:project:Default:workspace:prod:run_phase:apply'],
      ['oidc.circleci.com/org/11111111-2222-3333-4444-555555555555', 'org/*'],
    ])('fails a %s sub with no literal owner: %p', (host, sub) => {
      // GIVEN / WHEN
      const reported = audit(s => {
        const provider = new iam.OpenIdConnectProvider(s, 'Provider', { url: `https://${host}`, clientIds: ['sts.amazonaws.com'] });
        role(s, 'Deploy', new iam.OpenIdConnectPrincipal(provider, {
          StringEquals: { [`${host}:aud`]: 'sts.amazonaws.com' },
          StringLike: { [`${host}:sub`]: sub },
        }));
      });

      // THEN
      expect(rules(reported)).toEqual(['OidcSubjectNotPinned']);
    });

    test.each([
      ['token.actions.githubusercontent.com', 'repo:my-org/*:ref:refs/heads/main'],
      ['gitlab.com', 'project_path:my-group/my-project:ref_type:branch:ref:main'],
      ['app.terraform.io', 'organization:my-org:project:*:workspace:*:run_phase:*'],
    ])('passes a %s sub with a literal owner: %p', (host, sub) => {
      expect(audit(s => {
        const provider = new iam.OpenIdConnectProvider(s, 'Provider', { url: `https://${host}`, clientIds: ['sts.amazonaws.com'] });
        role(s, 'Deploy', new iam.OpenIdConnectPrincipal(provider, {
          StringEquals: { [`${host}:aud`]: 'sts.amazonaws.com' },
          StringLike: { [`${host}:sub`]: sub },
        }));
      })).toEqual([]);
    });

    test.each([
      [{ Action: 'sts:AssumeRole*' }],
      [{ Action: 'STS:*' }],
      [{ Action: 'sts:AssumeRoleWith?ebIdentity' }],
      [{ NotAction: 'sts:TagSession' }],
    ])('fails GitHub Actions trust without a sub condition for %p', (action) => {
      // GIVEN / WHEN
      const reported = audit(s => {
        const provider = github(s);
        rawTrust(s, 'Deploy', {
          Effect: 'Allow',
          Principal: { Federated: provider.openIdConnectProviderArn },
          ...action,
          Condition: { StringEquals: { 'token.actions.githubusercontent.com:aud': 'sts.amazonaws.com' } },
        });
      });

      // THEN
      expect(rules(reported)).toContain('OidcSubjectNotPinned');
    });

    test('fails a sub that matches every repository', () => {
      const reported = audit(s => role(s, 'Deploy', new iam.OpenIdConnectPrincipal(github(s), {
        StringEquals: { 'token.actions.githubusercontent.com:aud': 'sts.amazonaws.com' },
        StringLike: { 'token.actions.githubusercontent.com:sub': 'repo:*' },
      })));
      expect(rules(reported)).toEqual(['OidcSubjectNotPinned']);
    });

    test('passes a sub pinned to a repository and branch, with the audience', () => {
      expect(audit(s => role(s, 'Deploy', new iam.OpenIdConnectPrincipal(github(s), {
        StringEquals: {
          'token.actions.githubusercontent.com:aud': 'sts.amazonaws.com',
          'token.actions.githubusercontent.com:sub': 'repo:my-org/my-repo:ref:refs/heads/main',
        },
      })))).toEqual([]);
    });
  });

  describe('Cognito identity pools', () => {
    const POOL = 'eu-west-1:11111111-2222-3333-4444-555555555555';
    const cognito = (conditions: Record<string, unknown>) => new iam.WebIdentityPrincipal('cognito-identity.amazonaws.com', conditions);

    test('fails a Cognito trust without the identity pool, and warns without amr', () => {
      expect(audit(s => role(s, 'App', cognito({}))))
        .toEqual([
          { rule: 'CognitoAudienceNotPinned', severity: 'error', path: 'Trusting/App/Resource' },
          { rule: 'CognitoAmrNotChecked', severity: 'warning', path: 'Trusting/App/Resource' },
        ]);
    });

    test('fails a Cognito trust whose only condition is amr, as FederatedPrincipal', () => {
      const reported = audit(s => role(s, 'App', new iam.FederatedPrincipal('cognito-identity.amazonaws.com', {
        'ForAnyValue:StringLike': { 'cognito-identity.amazonaws.com:amr': 'authenticated' },
      }, 'sts:AssumeRoleWithWebIdentity')));
      expect(rules(reported)).toEqual(['CognitoAudienceNotPinned']);
    });

    test.each([
      [{ StringLike: { 'cognito-identity.amazonaws.com:aud': '*' } }],
      [{ StringEqualsIfExists: { 'cognito-identity.amazonaws.com:aud': POOL } }],
      [{ StringNotEquals: { 'cognito-identity.amazonaws.com:aud': POOL } }],
    ])('does not take %p as pinning the identity pool', (conditions) => {
      const reported = audit(s => role(s, 'App', cognito({
        ...conditions,
        'ForAnyValue:StringLike': { 'cognito-identity.amazonaws.com:amr': 'authenticated' },
      })));
      expect(rules(reported)).toEqual(['CognitoAudienceNotPinned']);
    });

    test.each([
      [{ Action: 'sts:AssumeRoleWith*' }],
      [{ NotAction: 'sts:AssumeRole' }],
    ])('fails a Cognito trust without the identity pool for %p', (action) => {
      const reported = audit(s => rawTrust(s, 'App', { Effect: 'Allow', Principal: { Federated: 'cognito-identity.amazonaws.com' }, ...action }));
      expect(rules(reported)).toContain('CognitoAudienceNotPinned');
    });

    test('passes a Cognito trust pinned to an identity pool for signed-in users', () => {
      expect(audit(s => {
        role(s, 'Authenticated', new iam.FederatedPrincipal('cognito-identity.amazonaws.com', {
          'StringEquals': { 'cognito-identity.amazonaws.com:aud': POOL },
          'ForAnyValue:StringLike': { 'cognito-identity.amazonaws.com:amr': 'authenticated' },
        }, 'sts:AssumeRoleWithWebIdentity'));
        role(s, 'Guest', cognito({
          'StringEquals': { 'cognito-identity.amazonaws.com:aud': POOL },
          'ForAnyValue:StringLike': { 'cognito-identity.amazonaws.com:amr': 'unauthenticated' },
        }));
      })).toEqual([]);
    });

    test('warns on a pinned Cognito trust whose amr matches anything', () => {
      expect(rules(audit(s => role(s, 'App', cognito({
        'StringEquals': { 'cognito-identity.amazonaws.com:aud': POOL },
        'ForAnyValue:StringLike': { 'cognito-identity.amazonaws.com:amr': '*' },
      }))))).toEqual(['CognitoAmrNotChecked']);
    });
  });

  describe('SamlAudienceNotPinned', () => {
    // CloudFormation wants a metadata document of at least 1,000 characters
    const metadata = '<EntityDescriptor xmlns="urn:oasis:names:tc:SAML:2.0:metadata" entityID="https://idp.example.com">'
      + `<IDPSSODescriptor><KeyDescriptor><X509Certificate>${'A'.repeat(1000)}</X509Certificate></KeyDescriptor></IDPSSODescriptor></EntityDescriptor>`;
    const provider = (s: Stack) => new iam.SamlProvider(s, 'Idp', { metadataDocument: iam.SamlMetadataDocument.fromXml(metadata) });

    test('warns on a SAML trust without SAML:aud', () => {
      expect(audit(s => role(s, 'Sso', new iam.SamlPrincipal(provider(s), {}))))
        .toEqual([{ rule: 'SamlAudienceNotPinned', severity: 'warning', path: 'Trusting/Sso/Resource' }]);
    });

    test.each([
      ['an imported provider ARN', { Action: 'sts:AssumeRoleWithSAML' }, {}],
      ['a wildcard action', { Action: 'sts:AssumeRoleWith*' }, {}],
      ['SAML:aud matched with StringLike "*"', { Action: 'sts:AssumeRoleWithSAML' }, { StringLike: { 'SAML:aud': '*' } }],
    ])('warns on a SAML trust without SAML:aud, given %s', (_, action, condition) => {
      const reported = audit(s => rawTrust(s, 'Sso', {
        Effect: 'Allow',
        Principal: { Federated: `arn:aws:iam::${TRUSTING}:saml-provider/corporate` },
        ...action,
        Condition: condition,
      }));
      expect(rules(reported)).toContain('SamlAudienceNotPinned');
    });

    test('passes a console SAML trust, which pins the sign-in endpoint', () => {
      expect(audit(s => role(s, 'Sso', new iam.SamlConsolePrincipal(provider(s))))).toEqual([]);
    });
  });

  describe('ServiceWithoutSourceCondition', () => {
    test('warns on EventBridge Scheduler trusted without aws:SourceAccount', () => {
      expect(audit(s => role(s, 'Scheduler', new iam.ServicePrincipal('scheduler.amazonaws.com'))))
        .toEqual([{ rule: 'ServiceWithoutSourceCondition', severity: 'warning', path: 'Trusting/Scheduler/Resource' }]);
    });

    test('warns on aws:SourceAccount matched with a wildcard', () => {
      expect(rules(audit(s => role(s, 'Scheduler', new iam.ServicePrincipal('scheduler.amazonaws.com').withConditions({ StringLike: { 'aws:SourceAccount': '*' } })))))
        .toEqual(['ServiceWithoutSourceCondition']);
    });

    test('passes it with aws:SourceAccount, and leaves services outside the list alone', () => {
      expect(audit(s => {
        role(s, 'Scheduler', new iam.ServicePrincipal('scheduler.amazonaws.com').withConditions({ StringEquals: { 'aws:SourceAccount': TRUSTING } }));
        role(s, 'Lambda', new iam.ServicePrincipal('lambda.amazonaws.com'));
      })).toEqual([]);
    });
  });
  describe('CrossPartitionTrust', () => {
    /** Audits what `build` makes in a stack of the trusting account in `region`. */
    const auditIn = (region: string, build: (stack: Stack) => void) => {
      const app = testApp();
      build(new Stack(app, 'Trusting', { env: { account: TRUSTING, region } }));
      return auditApp(app);
    };
    const trustArn = (arn: string) => (s: Stack) => rawTrust(s, 'Partner', {
      Effect: 'Allow',
      Principal: { AWS: arn },
      Action: 'sts:AssumeRole',
      Condition: { StringEquals: { 'sts:ExternalId': 'c0ffee-5eed-4b1d-9e2f-7a6b5c4d3e21' } },
    });

    test('fails a role in China that trusts an account ARN of the aws partition', () => {
      expect(auditIn('cn-north-1', trustArn(`arn:aws:iam::${TRUSTED}:root`)))
        .toEqual([{ rule: 'CrossPartitionTrust', severity: 'error', path: 'Trusting/Partner' }]);
    });

    test('fails a role in GovCloud that trusts an OIDC provider ARN of the aws partition', () => {
      expect(rules(auditIn('us-gov-west-1', s => rawTrust(s, 'Deploy', {
        Effect: 'Allow',
        Principal: { Federated: `arn:aws:iam::${TRUSTING}:oidc-provider/token.actions.githubusercontent.com` },
        Action: 'sts:AssumeRoleWithWebIdentity',
        Condition: { StringEquals: { 'token.actions.githubusercontent.com:aud': 'sts.amazonaws.com', 'token.actions.githubusercontent.com:sub': 'repo:my-org/my-repo:ref:refs/heads/main' } },
      })))).toEqual(['CrossPartitionTrust']);
    });

    test('passes principals of the stack\'s partition, literal or built with AWS::Partition', () => {
      expect(auditIn('cn-north-1', s => {
        trustArn(`arn:aws-cn:iam::${TRUSTED}:root`)(s);
        role(s, 'Account', new iam.AccountPrincipal(TRUSTED).withConditions({ StringEquals: { 'sts:ExternalId': 'c0ffee-5eed-4b1d-9e2f-7a6b5c4d3e21' } }));
        role(s, 'Deploy', new iam.OpenIdConnectPrincipal(new iam.OpenIdConnectProvider(s, 'GitHub', { url: 'https://token.actions.githubusercontent.com', clientIds: ['sts.amazonaws.com'] }), {
          StringEquals: { 'token.actions.githubusercontent.com:aud': 'sts.amazonaws.com', 'token.actions.githubusercontent.com:sub': 'repo:my-org/my-repo:ref:refs/heads/main' },
        }));
      })).toEqual([]);
    });

    test('does not judge a stack whose region is unknown or not literal', () => {
      const app = testApp();
      trustArn(`arn:aws-cn:iam::${TRUSTED}:root`)(new Stack(app, 'Unknown', { env: { account: TRUSTING, region: 'xx-nowhere-1' } }));
      trustArn(`arn:aws-cn:iam::${TRUSTED}:root`)(new Stack(app, 'Agnostic'));
      expect(rules(auditApp(app))).not.toContain('CrossPartitionTrust');
    });

    test('resolves AWS::URLSuffix from the stack\'s region', () => {
      // GIVEN
      const app = testApp();
      const stack = new Stack(app, 'Trusting', { env: { account: TRUSTING, region: 'cn-north-1' } });
      rawTrust(stack, 'Scheduler', { Effect: 'Allow', Principal: { Service: { 'Fn::Sub': 'scheduler.${AWS::URLSuffix}' } }, Action: 'sts:AssumeRole' });

      // WHEN
      const descriptions = pluginReport(app).violations.map(v => v.description);

      // THEN
      expect(descriptions).toEqual([expect.stringContaining('scheduler.amazonaws.com.cn trusted without aws:SourceAccount')]);
    });
  });
});

describe('trust documents in every form', () => {
  const open = { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { AWS: '*' }, Action: 'sts:AssumeRole' }] };
  /** A role whose document is written as given (a string too, as in an included template): through an override, since CfnRole types it as an object. */
  const rawDocument = (stack: Stack, id: string, document: unknown) => {
    const cfnRole = new iam.CfnRole(stack, id, { assumeRolePolicyDocument: {} });
    cfnRole.addPropertyOverride('AssumeRolePolicyDocument', document);
    return cfnRole;
  };
  /** A plain app: CloudFormation's template validation would refuse some of these documents before the plugin sees them. */
  const auditPlain = (build: (stack: Stack) => void) => {
    const app = new App();
    build(new Stack(app, 'Trusting', { env: { account: TRUSTING, region: 'eu-west-1' } }));
    return auditApp(app);
  };

  test('fails {"AWS": "*"} in a trust policy written as a JSON string', () => {
    expect(audit(s => rawDocument(s, 'Str', JSON.stringify(open)))).toEqual([{ rule: 'WildcardPrincipal', severity: 'error', path: 'Trusting/Str' }]);
  });

  test('fails {"AWS": "*"} in a JSON string built by Fn::Sub, with deploy-time values standing in it', () => {
    // GIVEN a document whose principal list also holds an account only known at deploy time
    const document = { 'Fn::Sub': ['{"Statement":[{"Effect":"Allow","Principal":{"AWS":["arn:${AWS::Partition}:iam::${Partner}:root","*"]},"Action":"sts:AssumeRole"}]}', {}] };

    // WHEN
    const reported = audit(s => {
      new CfnParameter(s, 'Partner');
      rawDocument(s, 'Sub', document);
    });

    // THEN (and the parameter's account, trusted with no guard, is named in a warning)
    expect(reported).toEqual([
      { rule: 'WildcardPrincipal', severity: 'error', path: 'Trusting/Sub' },
      { rule: 'UnconditionedCrossAccountTrust', severity: 'warning', path: 'Trusting/Sub' },
    ]);
  });

  test('fails {"AWS": "*"} in a JSON string built by Fn::Join, and resolves the stack\'s account in it', () => {
    // GIVEN
    const joined = (principal: string) => ({ 'Fn::Join': ['', ['{"Statement":[{"Effect":"Allow","Principal":{"AWS":"', principal, '"},"Action":"sts:AssumeRole"}]}']] });

    // WHEN
    const reported = audit(s => {
      rawDocument(s, 'Open', joined('*'));
      rawDocument(s, 'Own', { 'Fn::Join': ['', ['{"Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::', { Ref: 'AWS::AccountId' }, ':root"},"Action":"sts:AssumeRole"}]}']] });
      rawDocument(s, 'Other', joined(`arn:aws:iam::${TRUSTED}:root`));
    });

    // THEN
    expect(reported).toEqual([
      { rule: 'WildcardPrincipal', severity: 'error', path: 'Trusting/Open' },
      { rule: 'UnconditionedCrossAccountTrust', severity: 'warning', path: 'Trusting/Other' },
    ]);
  });

  test('fails a trust policy string that is not JSON, naming the role', () => {
    // WHEN
    const report = (() => {
      const app = new App();
      rawDocument(new Stack(app, 'Trusting', { env: { account: TRUSTING, region: 'eu-west-1' } }), 'Broken', '{"Statement": [');
      return pluginReport(app);
    })();

    // THEN
    expect(report.success).toBe(false);
    expect(report.violations).toEqual([expect.objectContaining({ ruleName: 'UnreadableTrustPolicy', severity: 'error' })]);
    expect(report.violations[0].description).toMatch(/role Broken: the trust policy is a string that is not JSON/);
    expect(report.violations[0].violatingResources[0]).toEqual(expect.objectContaining({ constructPath: 'Trusting/Broken', locations: ['Properties/AssumeRolePolicyDocument'] }));
  });

  test('does not take a built string that only deploy-time values could make JSON as unreadable', () => {
    expect(audit(s => {
      new CfnParameter(s, 'Statements');
      rawDocument(s, 'Built', { 'Fn::Sub': '{"Version":"2012-10-17","Statement":${Statements}}' });
    })).toEqual([]);
  });

  test('fails NotPrincipal in an Allow trust statement, in an object and in a string', () => {
    // GIVEN
    const notPrincipal = { Version: '2012-10-17', Statement: [{ Effect: 'Allow', NotPrincipal: { Service: 'ec2.amazonaws.com' }, Action: 'sts:AssumeRole' }] };

    // WHEN
    const reported = auditPlain(s => {
      rawDocument(s, 'Object', notPrincipal);
      rawDocument(s, 'String', JSON.stringify(notPrincipal));
    });

    // THEN
    expect(reported).toEqual([
      { rule: 'NotPrincipalTrust', severity: 'error', path: 'Trusting/Object' },
      { rule: 'NotPrincipalTrust', severity: 'error', path: 'Trusting/String' },
    ]);
  });

  test('fails an AWS principal that is not an account or an IAM ARN of one, and passes the forms IAM takes', () => {
    // GIVEN
    const trust = (...principals: string[]) => ({ Statement: [{ Effect: 'Allow', Principal: { AWS: principals }, Action: 'sts:AssumeRole' }] });

    // WHEN
    const reported = auditPlain(s => {
      rawDocument(s, 'NoAccount', trust('arn:aws:iam::root'));
      rawDocument(s, 'NineDigits', trust(`arn:aws:iam::${TRUSTING}:root`, 'arn:aws:iam::999999999:role/ops'));
      rawDocument(s, 'Valid', trust(TRUSTING, `arn:aws:iam::${TRUSTING}:role/ops`, `arn:aws:sts::${TRUSTING}:assumed-role/ops/session`, 'AROAEXAMPLEEXAMPLE123'));
      new iam.Role(s, 'DeployTime', { assumedBy: new iam.AccountPrincipal(new CfnParameter(s, 'Partner').valueAsString) });
    });

    // THEN (a parameter is never malformed: it is judged as another account, unguarded here)
    expect(reported).toEqual([
      { rule: 'MalformedPrincipal', severity: 'error', path: 'Trusting/NoAccount' },
      { rule: 'MalformedPrincipal', severity: 'error', path: 'Trusting/NineDigits' },
      { rule: 'UnconditionedCrossAccountTrust', severity: 'warning', path: 'Trusting/DeployTime/Resource' },
    ]);
  });

  test('passes a Deny with NotPrincipal, and sound string documents', () => {
    expect(auditPlain(s => {
      rawDocument(s, 'Deny', { Statement: [{ Effect: 'Deny', NotPrincipal: { AWS: `arn:aws:iam::${TRUSTING}:root` }, Action: 'sts:AssumeRole' }] });
      rawDocument(s, 'Service', JSON.stringify({ Statement: [{ Effect: 'Allow', Principal: { Service: 'ec2.amazonaws.com' }, Action: 'sts:AssumeRole' }] }));
    })).toEqual([]);
  });
});

describe('CrossAccountTrustChecks in an app', () => {
  test('fails synthesis on an error and names the rule', () => {
    const app = testApp();
    Validations.of(app).addPlugins(new CrossAccountTrustChecks());
    const stack = new Stack(app, 'Trusting', { env: { account: TRUSTING, region: 'eu-west-1' } });
    role(stack, 'Open', new iam.AnyPrincipal());

    expect(() => app.synth()).toThrow(/ERROR The role trusts any AWS principal .*Acknowledge with 'CrossAccountTrustChecks::WildcardPrincipal'/s);
  });

  test('reports warnings without failing synthesis, and an acknowledgement silences one', () => {
    const app = testApp();
    Validations.of(app).addPlugins(new CrossAccountTrustChecks());
    const stack = new Stack(app, 'Trusting', { env: { account: TRUSTING, region: 'eu-west-1' } });
    const bare = new CrossAccountRole(stack, 'Bare', { trustedAccounts: [TRUSTED] });
    Validations.of(bare).acknowledge({ id: 'CrossAccountTrustChecks::UnconditionedCrossAccountTrust', reason: 'the partner account is ours' });
    role(stack, 'Open', new iam.AnyPrincipal());
    Validations.of(stack.node.findChild('Open')).acknowledge({ id: 'CrossAccountTrustChecks::WildcardPrincipal', reason: 'tested: errors can be acknowledged too' });

    expect(() => app.synth()).not.toThrow();
  });

  test('an acknowledgement on one role does not silence the same rule on another', () => {
    // GIVEN
    const app = testApp();
    Validations.of(app).addPlugins(new CrossAccountTrustChecks());
    const stack = new Stack(app, 'Trusting', { env: { account: TRUSTING, region: 'eu-west-1' } });
    const acknowledged = role(stack, 'Acknowledged', new iam.AnyPrincipal());
    Validations.of(acknowledged).acknowledge({ id: 'CrossAccountTrustChecks::WildcardPrincipal', reason: 'tested: acknowledged here only' });
    role(stack, 'Unacknowledged', new iam.AnyPrincipal());

    // WHEN
    let message = '';
    try { app.synth(); } catch (e) { message = String(e); }

    // THEN
    expect(message).toMatch(/Trusting\/Unacknowledged\/Resource/);
    expect(message).toMatch(/Acknowledge with 'CrossAccountTrustChecks::WildcardPrincipal@Trusting\/Unacknowledged\/Resource'/);
    expect(message).not.toMatch(/Trusting\/Acknowledged\/Resource/);
  });

  test('a construct-specific acknowledgement id silences that construct only', () => {
    // GIVEN
    const app = testApp();
    Validations.of(app).addPlugins(new CrossAccountTrustChecks());
    const stack = new Stack(app, 'Trusting', { env: { account: TRUSTING, region: 'eu-west-1' } });
    const first = role(stack, 'First', new iam.AnyPrincipal());
    Validations.of(first).acknowledge({ id: 'CrossAccountTrustChecks::WildcardPrincipal', reason: 'tested' });
    const second = role(stack, 'Second', new iam.AnyPrincipal());
    Validations.of(second).acknowledge({ id: 'CrossAccountTrustChecks::WildcardPrincipal@Trusting/Second/Resource', reason: 'tested' });

    // THEN
    expect(() => app.synth()).not.toThrow();
  });

  test('a construct-specific acknowledgement id works by itself, from anywhere in the app', () => {
    // GIVEN a role acknowledged by its construct-specific id on the app, and nothing else acknowledged
    const app = testApp();
    Validations.of(app).addPlugins(new CrossAccountTrustChecks());
    const stack = new Stack(app, 'Tooling', { env: { account: TRUSTING, region: 'eu-west-1' } });
    role(stack, 'Partner', new iam.AccountPrincipal(TRUSTED));
    role(stack, 'Open', new iam.AnyPrincipal());
    Validations.of(app).acknowledge({ id: 'CrossAccountTrustChecks::UnconditionedCrossAccountTrust@Tooling/Partner/Resource', reason: 'our backup account' });

    // WHEN
    let message = '';
    try { app.synth(); } catch (e) { message = String(e); }

    // THEN the acknowledged finding is gone, the other one is not
    expect(message).toMatch(/WildcardPrincipal/);
    expect(message).not.toMatch(/UnconditionedCrossAccountTrust/);
  });

  test('the library\'s secure pairs pass', () => {
    const app = testApp();
    new CrossAccountRolePair(app, 'Vendor', { trustingAccount: TRUSTING, trustedAccount: TRUSTED, roleName: 'Vendor', externalIdParameter: true });
    new CrossAccountRolePair(app, 'Humans', { trustingAccount: TRUSTING, trustedAccount: TRUSTED, roleName: 'Admin', maxMfaAge: Duration.hours(1) });
    new CrossAccountRolePair(app, 'Org', { trustingAccount: TRUSTING, trustedAccount: TRUSTED, roleName: 'Reader', trustedOrganizationId: 'o-abcdef1234' });

    expect(auditApp(app)).toEqual([]);
  });

  test('lists its rules with severity, description and fix', () => {
    const listed = CrossAccountTrustChecks.rules;
    expect(listed.map(r => r.id)).toEqual(new CrossAccountTrustChecks().ruleIds);
    expect(listed.length).toBeGreaterThanOrEqual(12);
    for (const rule of listed) {
      expect(['error', 'warning']).toContain(rule.severity);
      expect(rule.fix.length).toBeGreaterThan(10);
    }
  });

  test('audits the roles of nested stacks, and of stacks nested in them', () => {
    // GIVEN
    const app = testApp();
    const stack = new Stack(app, 'Trusting', { env: { account: TRUSTING, region: 'eu-west-1' } });
    role(stack, 'Own', new iam.AccountRootPrincipal());
    const nested = new NestedStack(stack, 'Nested');
    role(nested, 'Open', new iam.AnyPrincipal());
    role(new NestedStack(nested, 'Deeper'), 'Bare', new iam.AccountPrincipal(TRUSTED));

    // WHEN
    const reported = auditApp(app);

    // THEN
    expect(reported).toEqual([
      { rule: 'WildcardPrincipal', severity: 'error', path: 'Trusting/Nested/Open/Resource' },
      { rule: 'UnconditionedCrossAccountTrust', severity: 'warning', path: 'Trusting/Nested/Deeper/Bare/Resource' },
    ]);
  });

  test('fails synthesis on an error in a nested stack', () => {
    // GIVEN
    const app = testApp();
    Validations.of(app).addPlugins(new CrossAccountTrustChecks());
    const stack = new Stack(app, 'Trusting', { env: { account: TRUSTING, region: 'eu-west-1' } });
    role(new NestedStack(stack, 'Nested'), 'Open', new iam.AnyPrincipal());

    // THEN
    expect(() => app.synth()).toThrow(/CrossAccountTrustChecks::WildcardPrincipal/);
  });

  describe('Fn::If and Fn::Select', () => {
    const condition = (s: Stack) => new CfnCondition(s, 'Cond', { expression: Fn.conditionEquals(new CfnParameter(s, 'Mode').valueAsString, 'open') });

    test('judges a principal on each branch of an Fn::If', () => {
      // GIVEN / WHEN
      const reported = audit(s => {
        condition(s);
        rawTrust(s, 'Either', { Effect: 'Allow', Principal: { AWS: { 'Fn::If': ['Cond', '*', `arn:aws:iam::${TRUSTING}:root`] } }, Action: 'sts:AssumeRole' });
      });

      // THEN
      expect(reported).toEqual([{ rule: 'WildcardPrincipal', severity: 'error', path: 'Trusting/Either' }]);
    });

    test('judges a Condition block written as Fn::If on each branch', () => {
      // GIVEN / WHEN
      const reported = audit(s => {
        condition(s);
        rawTrust(s, 'BothNarrow', {
          Effect: 'Allow',
          Principal: '*',
          Action: 'sts:AssumeRole',
          Condition: { 'Fn::If': ['Cond', { StringEquals: { 'aws:PrincipalOrgID': 'o-abcdef1234' } }, { StringEquals: { 'aws:PrincipalOrgID': 'o-fedcba4321' } }] },
        });
        rawTrust(s, 'OneOpen', {
          Effect: 'Allow',
          Principal: '*',
          Action: 'sts:AssumeRole',
          Condition: { 'Fn::If': ['Cond', { StringEquals: { 'aws:PrincipalOrgID': 'o-abcdef1234' } }, { Ref: 'AWS::NoValue' }] },
        });
      });

      // THEN
      expect(reported).toEqual([{ rule: 'WildcardPrincipal', severity: 'error', path: 'Trusting/OneOpen' }]);
    });

    test('does not judge a statement whose Condition block is only known at deploy time', () => {
      const reported = audit(s => rawTrust(s, 'Imported', {
        Effect: 'Allow', Principal: '*', Action: 'sts:AssumeRole', Condition: { StringEquals: Fn.importValue('SharedConditionKeys') },
      }));
      expect(reported).toEqual([]);
    });

    test('resolves Fn::Select over a literal list with a literal index', () => {
      const reported = audit(s => rawTrust(s, 'Selected', {
        Effect: 'Allow', Principal: { AWS: { 'Fn::Select': [1, [`arn:aws:iam::${TRUSTING}:root`, `arn:aws:iam::${TRUSTED}:root`]] } }, Action: 'sts:AssumeRole',
      }));
      expect(reported).toEqual([{ rule: 'UnconditionedCrossAccountTrust', severity: 'warning', path: 'Trusting/Selected' }]);
    });
  });

  test('reads parameters as deploy-time values, not as weak external IDs', () => {
    const reported = audit(s => {
      const id = new CfnParameter(s, 'Id', { noEcho: true }).valueAsString;
      role(s, 'Param', new iam.AccountPrincipal(TRUSTED).withConditions({ StringEquals: { 'sts:ExternalId': id } }));
    });
    expect(reported).toEqual([]);
  });
});

describe('CrossAccountTrustChecks on StackSet templates', () => {
  const fanout = (externalIds: string[]) => {
    const app = testApp();
    new CrossAccountRoleFanout(app, 'Org', {
      hubAccount: TRUSTED,
      roleName: 'OpsRead',
      organizationalUnitIds: ['ou-ab12-cd34ef56'],
      organizationId: 'o-abcdef1234',
      deploymentAccount: '888888888888',
      externalIds,
    });
    return app;
  };
  const stackSet = (templateBody: string) => {
    const app = testApp();
    const stack = new Stack(app, 'Deployment', { env: { account: '888888888888', region: 'eu-west-1' } });
    new cloudformation.CfnStackSet(stack, 'Roles', {
      stackSetName: 'roles',
      permissionModel: 'SERVICE_MANAGED',
      autoDeployment: { enabled: true, retainStacksOnAccountRemoval: false },
      capabilities: ['CAPABILITY_NAMED_IAM'],
      stackInstancesGroup: [{ deploymentTargets: { organizationalUnitIds: ['ou-ab12-cd34ef56'] }, regions: ['eu-west-1'] }],
      templateBody,
    });
    return app;
  };
  const trust = (statement: object) => JSON.stringify({
    Resources: { Open: { Type: 'AWS::IAM::Role', Properties: { AssumeRolePolicyDocument: { Version: '2012-10-17', Statement: [statement] } } } },
  });

  test('audits the spoke role of a StackSet fan-out, against the StackSet', () => {
    // WHEN
    const report = pluginReport(fanout(['test']));

    // THEN
    expect(report.violations).toEqual([expect.objectContaining({
      ruleName: 'WeakExternalId',
      severity: 'warning',
      violatingResources: [expect.objectContaining({
        constructPath: 'Org/StackSet/StackSet',
        locations: ['Properties/TemplateBody/Resources/Role11E5256C/Properties/AssumeRolePolicyDocument/Statement/0'],
      })],
    })]);
    expect(report.violations[0].description).toMatch(/role Role11E5256C of the StackSet's template.*external ID 'test'/);
  });

  test('passes the spoke role of a StackSet fan-out with a strong external ID', () => {
    expect(auditApp(fanout(['a-long-random-external-id-1']))).toEqual([]);
  });

  test('fails a hand-written StackSet template whose role any principal may assume', () => {
    // WHEN
    const reported = auditApp(stackSet(trust({ Effect: 'Allow', Principal: '*', Action: 'sts:AssumeRole' })));

    // THEN
    expect(reported).toContainEqual({ rule: 'WildcardPrincipal', severity: 'error', path: 'Deployment/Roles' });
  });

  test('takes the account of a StackSet template as unknown: each instance has its own', () => {
    // GIVEN roles trusting the deployment account, by its literal ID and through AWS::AccountId
    const literal = trust({ Effect: 'Allow', Principal: { AWS: 'arn:aws:iam::888888888888:root' }, Action: 'sts:AssumeRole' });
    const own = trust({ Effect: 'Allow', Principal: { AWS: { 'Fn::Sub': 'arn:${AWS::Partition}:iam::${AWS::AccountId}:root' } }, Action: 'sts:AssumeRole' });

    // WHEN / THEN the literal one is another account to the instances (not the StackSet stack's own);
    // AWS::AccountId is each instance's own account
    expect(auditApp(stackSet(literal))).toEqual([{ rule: 'UnconditionedCrossAccountTrust', severity: 'warning', path: 'Deployment/Roles' }]);
    expect(auditApp(stackSet(own))).toEqual([]);
  });

  test('reads a YAML template body, short-form tags included, and skips an unparsable one', () => {
    // GIVEN
    const yaml = [
      'Resources:',
      '  Open:',
      '    Type: AWS::IAM::Role',
      '    Properties:',
      '      AssumeRolePolicyDocument:',
      '        Statement:',
      '          - Effect: Allow',
      '            Principal: { AWS: !Sub "arn:${AWS::Partition}:iam::${AWS::AccountId}:root" }',
      '            Action: sts:AssumeRole',
      '          - { Effect: Allow, Principal: "*", Action: sts:AssumeRole }',
    ].join('\n');

    // WHEN / THEN
    expect(auditApp(stackSet(yaml))).toEqual([{ rule: 'WildcardPrincipal', severity: 'error', path: 'Deployment/Roles' }]);
    expect(auditApp(stackSet('{"Resources": '))).toEqual([]);
  });
});
