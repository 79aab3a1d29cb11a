import { App, Stack, Stage } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import * as iam from 'aws-cdk-lib/aws-iam';
import { CrossAccountRole, CrossAccountRolePair, ExternalIdTrust, OrganizationTrustPerimeter, OrganizationTrustPerimeterProps } from '../src';
import { OTHER, REGION, TRUSTED, TRUSTING, testApp } from './util';

const ORG = 'o-abcdef1234';
const ROOT = 'r-ab12';
const MANAGEMENT = '999999999999';
const VENDOR = '444444444444';
const VENDOR_2 = '555555555555';

/** An app with a management-account stack holding a perimeter, and a workload stack for roles (created when first used). */
function app(props: Partial<OrganizationTrustPerimeterProps> = {}) {
  const theApp = testApp();
  const management = new Stack(theApp, 'Management', { env: { account: MANAGEMENT, region: 'us-east-1' } });
  const perimeter = new OrganizationTrustPerimeter(management, 'Perimeter', { organizationId: ORG, targetIds: [ROOT], ...props });
  let workload: Stack | undefined;
  return {
    app: theApp,
    management,
    perimeter,
    get workload() {
      return workload ??= new Stack(theApp, 'Workload', { env: { account: TRUSTING, region: REGION } });
    },
  };
}

/** An Organizations policy as the template holds it. */
interface OrgPolicy {
  readonly Properties: { Name: string; Content: { Statement: Array<Record<string, any>> }; TargetIds: string[] };
}

/** The resolved policies of a type in a stack, by logical ID. */
function policies(stack: Stack, type: string): Record<string, OrgPolicy> {
  return Template.fromStack(stack).findResources('AWS::Organizations::Policy', { Properties: { Type: type } }) as any;
}

const rcps = (stack: Stack) => Object.values(policies(stack, 'RESOURCE_CONTROL_POLICY')).map(p => p.Properties);
const statementsOf = (stack: Stack) => rcps(stack).flatMap(p => p.Content.Statement);

describe('OrganizationTrustPerimeter', () => {
  describe('the resource control policy', () => {
    test('denies sts:AssumeRole, sts:SetSourceIdentity and sts:TagSession to principals outside the organization, but for AWS services', () => {
      // GIVEN / WHEN
      const { management } = app();

      // THEN
      Template.fromStack(management).hasResourceProperties('AWS::Organizations::Policy', {
        Type: 'RESOURCE_CONTROL_POLICY',
        TargetIds: [ROOT],
        Content: {
          Version: '2012-10-17',
          Statement: [{
            Sid: 'DenyRoleAssumptionOutsideOrganization',
            Effect: 'Deny',
            Principal: '*',
            Action: ['sts:AssumeRole', 'sts:SetSourceIdentity', 'sts:TagSession'],
            Resource: '*',
            Condition: {
              StringNotEqualsIfExists: { 'aws:PrincipalOrgID': ORG },
              BoolIfExists: { 'aws:PrincipalIsAWSService': 'false' },
              Null: { 'aws:PrincipalAccount': 'false' },
            },
          }],
        },
      });
    });

    test('leaves out of its actions the federated AssumeRoleWithSAML and AssumeRoleWithWebIdentity', () => {
      // GIVEN / WHEN
      const { management } = app();

      // THEN
      const actions = statementsOf(management).flatMap(s => [s.Action].flat());
      expect(actions.filter(a => /WithSAML|WithWebIdentity|\*/.test(a))).toEqual([]);
    });

    test('lets in the accounts the app trusts with an external ID, in every stack and stage, and only with an external ID', () => {
      // GIVEN
      const { app: theApp, management, workload } = app();
      const vendorTrust = new ExternalIdTrust(workload, 'VendorTrust', { trustedAccount: VENDOR });
      new CrossAccountRole(workload, 'VendorRole', { externalIdTrust: vendorTrust });
      const stage = new Stage(theApp, 'Prod');
      const prodStack = new Stack(stage, 'Workload', { env: { account: OTHER, region: REGION } });
      new CrossAccountRole(prodStack, 'AuditorRole', { trustedAccounts: [VENDOR_2], externalIds: ['auditor-external-id-0001'] });

      // WHEN
      const statements = statementsOf(management);

      // THEN
      expect(statements[0].Condition.StringNotEqualsIfExists).toEqual({ 'aws:PrincipalOrgID': ORG, 'aws:PrincipalAccount': [VENDOR, VENDOR_2] });
      expect(statements[1]).toEqual({
        Sid: 'DenyThirdPartiesWithoutExternalId',
        Effect: 'Deny',
        Principal: '*',
        Action: 'sts:AssumeRole',
        Resource: '*',
        Condition: { StringEquals: { 'aws:PrincipalAccount': [VENDOR, VENDOR_2] }, Null: { 'sts:ExternalId': 'true' } },
      });
    });

    test('finds a plain iam.Role whose trust requires an external ID, and a pair\'s vendor role', () => {
      // GIVEN
      const { app: theApp, management, workload } = app();
      new iam.Role(workload, 'Plain', { assumedBy: new iam.AccountPrincipal(VENDOR).withConditions({ StringEquals: { 'sts:ExternalId': 'plain-external-id-00001' } }) });
      new CrossAccountRolePair(theApp, 'Pair', { trustingAccount: OTHER, trustedAccount: VENDOR_2, region: REGION, roleName: 'Vendor2', externalIdParameter: true });

      // WHEN
      const exceptions = statementsOf(management)[0].Condition.StringNotEqualsIfExists['aws:PrincipalAccount'];

      // THEN
      expect(exceptions).toEqual([VENDOR, VENDOR_2]);
    });

    test('does not make an exception of an account trusted without an external ID, nor of a member account', () => {
      // GIVEN
      const { management, workload } = app({ memberAccounts: [VENDOR_2] });
      new CrossAccountRole(workload, 'Tooling', { trustedAccounts: [TRUSTED] });
      new CrossAccountRole(workload, 'Sibling', { trustedAccounts: [VENDOR_2], externalIds: ['sibling-external-id-00001'] });

      // WHEN
      const statements = statementsOf(management);

      // THEN
      expect(statements[0].Condition.StringNotEqualsIfExists).toEqual({ 'aws:PrincipalOrgID': ORG });
      expect(statements).toHaveLength(1);
    });

    test('adds thirdPartyAccounts to those found, and finds none with discoverThirdParties: false', () => {
      // GIVEN
      const { management, workload, perimeter } = app({ thirdPartyAccounts: [VENDOR_2], discoverThirdParties: false });
      new CrossAccountRole(workload, 'VendorRole', { trustedAccounts: [VENDOR], externalIds: ['vendor-external-id-000001'] });

      // WHEN
      const exceptions = statementsOf(management)[0].Condition.StringNotEqualsIfExists['aws:PrincipalAccount'];

      // THEN
      expect([exceptions, perimeter.thirdPartyAccounts]).toEqual([VENDOR_2, [VENDOR_2]]);
    });

    test('lets roles tagged with exclusionTagKey = true opt out of both statements', () => {
      // GIVEN / WHEN
      const { management } = app({ exclusionTagKey: 'dp:exclude:identity', thirdPartyAccounts: [VENDOR] });

      // THEN
      const [outside, externalId] = statementsOf(management);
      expect(outside.Condition.StringNotEqualsIfExists['aws:ResourceTag/dp:exclude:identity']).toBe('true');
      expect(externalId.Condition.StringNotEqualsIfExists).toEqual({ 'aws:ResourceTag/dp:exclude:identity': 'true' });
    });

    test('is named after the construct unless policyName is given', () => {
      // GIVEN / WHEN
      const { management } = app({ policyName: 'org-trust-perimeter' });

      // THEN
      expect(rcps(management).map(p => p.Name)).toEqual(['org-trust-perimeter-rcp']);
    });

    test('splits the third parties\' external ID statement over a second policy when one document would pass 5,120 characters', () => {
      // GIVEN
      const many = Array.from({ length: 200 }, (_, i) => String(100000000000 + i));

      // WHEN
      const { management, perimeter } = app({ thirdPartyAccounts: many, policyName: 'perimeter' });

      // THEN
      const documents = rcps(management);
      expect(documents.map(d => d.Name)).toEqual(['perimeter-rcp', 'perimeter-rcp-2']);
      documents.forEach(d => expect(JSON.stringify(d.Content).length).toBeLessThanOrEqual(5120));
      // every third party is still excepted whole, and still held to an external ID, once
      expect(documents[0].Content.Statement[0].Condition.StringNotEqualsIfExists['aws:PrincipalAccount']).toEqual(many);
      const held = documents.flatMap(d => d.Content.Statement).filter(s => s.Sid.startsWith('DenyThirdPartiesWithoutExternalId'))
        .flatMap(s => [s.Condition.StringEquals['aws:PrincipalAccount']].flat());
      expect(held).toEqual(many);
      expect(perimeter.resourceControlPolicies).toHaveLength(2);
      documents.forEach(d => expect(d.TargetIds).toEqual([ROOT]));
    });

    test('fails with the fix when the exceptions alone pass the document quota', () => {
      // GIVEN
      const tooMany = Array.from({ length: 400 }, (_, i) => String(100000000000 + i));
      const { app: theApp } = app({ thirdPartyAccounts: tooMany });

      // WHEN / THEN
      expect(() => theApp.synth()).toThrow(/Management\/Perimeter: the resource control policy's statement DenyRoleAssumptionOutsideOrganization is \d+ characters with 400 third-party accounts, over the AWS Organizations quota of 5120 .* trust fewer third-party accounts/);
    });

    test('fails when a target would hold more policies than AWS Organizations allows, counting every perimeter of the app', () => {
      // GIVEN
      const { app: theApp, management } = app({ policyName: 'one' });
      for (const name of ['two', 'three', 'four', 'five']) {
        new OrganizationTrustPerimeter(management, name, { organizationId: ORG, targetIds: [ROOT], policyName: name });
      }

      // WHEN / THEN
      expect(() => theApp.synth()).toThrow(/the app attaches 5 resource control policies to 'r-ab12', but AWS Organizations allows 5 per root, OU or account, one of which is AWS's full-access policy/);
    });
  });

  describe('protecting trust policies', () => {
    test('denies iam:UpdateAssumeRolePolicy to all but the CDK bootstrap execution role by default', () => {
      // GIVEN / WHEN
      const { management } = app({ protectTrustPolicies: true });

      // THEN
      Template.fromStack(management).hasResourceProperties('AWS::Organizations::Policy', {
        Type: 'SERVICE_CONTROL_POLICY',
        TargetIds: [ROOT],
        Content: {
          Version: '2012-10-17',
          Statement: [{
            Sid: 'DenyTrustPolicyChangesOutsideDeployment',
            Effect: 'Deny',
            Action: 'iam:UpdateAssumeRolePolicy',
            Resource: '*',
            Condition: { ArnNotLike: { 'aws:PrincipalArn': 'arn:*:iam::*:role/cdk-hnb659fds-cfn-exec-role-*' } },
          }],
        },
      });
    });

    test('protects the exclusion tag too, and takes the deployment roles and targets given', () => {
      // GIVEN
      const pipeline = 'arn:aws:iam::*:role/pipeline-deploy-*';

      // WHEN
      const { management } = app({
        protectTrustPolicies: true,
        exclusionTagKey: 'dp:exclude:identity',
        deploymentRoleArnPatterns: [pipeline],
        trustPolicyProtectionTargetIds: ['ou-ab12-11111111'],
      });

      // THEN
      const [scp] = Object.values(policies(management, 'SERVICE_CONTROL_POLICY')).map(p => p.Properties);
      expect(scp.TargetIds).toEqual(['ou-ab12-11111111']);
      expect(scp.Content.Statement[1]).toEqual({
        Sid: 'DenyPerimeterExclusionTagOutsideDeployment',
        Effect: 'Deny',
        Action: ['iam:CreateRole', 'iam:TagRole', 'iam:UntagRole'],
        Resource: '*',
        Condition: {
          'ForAnyValue:StringEqualsIgnoreCase': { 'aws:TagKeys': 'dp:exclude:identity' },
          'ArnNotLike': { 'aws:PrincipalArn': pipeline },
        },
      });
    });

    test('adds no service control policy without protectTrustPolicies', () => {
      // GIVEN / WHEN
      const { management, perimeter } = app();

      // THEN
      Template.fromStack(management).resourcePropertiesCountIs('AWS::Organizations::Policy', { Type: 'SERVICE_CONTROL_POLICY' }, 0);
      expect(perimeter.serviceControlPolicies).toEqual([]);
    });
  });

  describe('validation', () => {
    const create = (props: Partial<OrganizationTrustPerimeterProps>) => () =>
      new OrganizationTrustPerimeter(new Stack(new App(), 'Management'), 'Perimeter', { organizationId: ORG, targetIds: [ROOT], ...props });

    test.each([
      ['an organization ID that is a root ID', { organizationId: 'r-ab12' }, /organizationId must be an AWS Organizations ID like 'o-a1b2c3d4e5', got 'r-ab12'/],
      ['no targets', { targetIds: [] }, /targetIds is empty, so the policy would apply nowhere/],
      ['the organization ID as a target', { targetIds: [ORG] }, /targetIds\[0\] must be a root ID .* got 'o-abcdef1234' \(that is the organization ID/],
      ['a target twice', { targetIds: [ROOT, ROOT] }, /targetIds lists r-ab12 more than once/],
      ['a malformed third party', { thirdPartyAccounts: ['1234'] }, /thirdPartyAccounts\[0\] must be a 12-digit AWS account ID, got '1234'/],
      ['an account both member and third party', { thirdPartyAccounts: [VENDOR], memberAccounts: [VENDOR] }, /account\(s\) 444444444444 are in both thirdPartyAccounts and memberAccounts/],
      ['an aws: tag key', { exclusionTagKey: 'aws:exclude' }, /exclusionTagKey must be a tag key .* not starting with 'aws:', got 'aws:exclude'/],
      ['deployment roles without protection', { deploymentRoleArnPatterns: ['arn:aws:iam::*:role/x'] }, /deploymentRoleArnPatterns is set but protectTrustPolicies is not/],
      ['no deployment roles', { protectTrustPolicies: true, deploymentRoleArnPatterns: [] }, /deploymentRoleArnPatterns is an empty list, which would let nobody change a trust policy again/],
      ['a deployment role that is not a role ARN', { protectTrustPolicies: true, deploymentRoleArnPatterns: ['cdk-*'] }, /deploymentRoleArnPatterns\[0\] must be an IAM role ARN pattern .* got 'cdk-\*'/],
      ['protection targets without protection', { trustPolicyProtectionTargetIds: [ROOT] }, /trustPolicyProtectionTargetIds is set but protectTrustPolicies is not/],
    ])('refuses %s', (_what, props, message) => {
      expect(create(props as Partial<OrganizationTrustPerimeterProps>)).toThrow(new RegExp(`^Management/Perimeter: ${message.source}`));
    });
  });

  test('warns when its own account is a third party (it belongs in the management account)', () => {
    // GIVEN
    const theApp = testApp();
    const vendorSide = new Stack(theApp, 'Vendor', { env: { account: VENDOR, region: REGION } });
    const workload = new Stack(theApp, 'Workload', { env: { account: TRUSTING, region: REGION } });
    new CrossAccountRole(workload, 'VendorRole', { trustedAccounts: [VENDOR], externalIds: ['vendor-external-id-000001'] });

    // WHEN
    new OrganizationTrustPerimeter(vendorSide, 'Perimeter', { organizationId: ORG, targetIds: [ROOT] });

    // THEN
    Annotations.fromStack(vendorSide).hasWarning('/Vendor/Perimeter', Match.stringLikeRegexp('the perimeter\'s own account 444444444444 is a third party'));
  });
});
