import { CfnOutput, Duration, PhysicalName, Stack } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';
import { AssumeRolePolicy, CrossAccountRole, ExternalIdTrust } from '../src';
import { OTHER, REGION, TRUSTED, TRUSTING, pairedStacks, testApp } from './util';

const root = (account: string) => ({ 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, `:iam::${account}:root`]] });

/** The role's trust policy statements, as synthesized. */
function trustStatements(stack: Stack): any[] {
  const roles = Template.fromStack(stack).findResources('AWS::IAM::Role');
  const [role] = Object.values(roles) as any[];
  return role.Properties.AssumeRolePolicyDocument.Statement;
}

describe('CrossAccountRole', () => {
  test('trusts the root of a trusted account with sts:AssumeRole in one statement', () => {
    // GIVEN
    const { trusting } = pairedStacks();

    // WHEN
    new CrossAccountRole(trusting, 'Role', { trustedAccounts: [TRUSTED] });

    // THEN
    expect(trustStatements(trusting)).toEqual([{
      Action: 'sts:AssumeRole',
      Effect: 'Allow',
      Principal: { AWS: root(TRUSTED) },
    }]);
  });

  test('lists several trusted accounts in the one statement', () => {
    const { trusting } = pairedStacks();

    new CrossAccountRole(trusting, 'Role', { trustedAccounts: [TRUSTED, OTHER, TRUSTED] });

    const statements = trustStatements(trusting);
    expect(statements).toHaveLength(1);
    expect(statements[0].Principal).toEqual({ AWS: [root(TRUSTED), root(OTHER)] });
  });

  test('requires one external ID as a string and several as a list', () => {
    const { trusting } = pairedStacks();

    new CrossAccountRole(trusting, 'One', { trustedAccounts: [TRUSTED], externalIds: ['one-external-id-0001'] });
    new CrossAccountRole(trusting, 'Many', { trustedAccounts: [TRUSTED], externalIds: ['first-id-00000001', 'second-id-0000002'] });

    const template = Template.fromStack(trusting);
    template.hasResourceProperties('AWS::IAM::Role', {
      AssumeRolePolicyDocument: Match.objectLike({
        Statement: [Match.objectLike({ Condition: { StringEquals: { 'sts:ExternalId': 'one-external-id-0001' } } })],
      }),
    });
    template.hasResourceProperties('AWS::IAM::Role', {
      AssumeRolePolicyDocument: Match.objectLike({
        Statement: [Match.objectLike({ Condition: { StringEquals: { 'sts:ExternalId': ['first-id-00000001', 'second-id-0000002'] } } })],
      }),
    });
  });

  test('requires MFA with Bool aws:MultiFactorAuthPresent "true"', () => {
    const { trusting } = pairedStacks();

    new CrossAccountRole(trusting, 'Role', { trustedAccounts: [TRUSTED], requireMfa: true });

    expect(trustStatements(trusting)[0].Condition).toEqual({ Bool: { 'aws:MultiFactorAuthPresent': 'true' } });
  });

  test('maxMfaAge adds NumericLessThan aws:MultiFactorAuthAge in seconds and implies MFA', () => {
    const { trusting } = pairedStacks();

    new CrossAccountRole(trusting, 'Role', { trustedAccounts: [TRUSTED], maxMfaAge: Duration.minutes(30) });

    expect(trustStatements(trusting)[0].Condition).toEqual({
      Bool: { 'aws:MultiFactorAuthPresent': 'true' },
      NumericLessThan: { 'aws:MultiFactorAuthAge': '1800' },
    });
  });

  test('trustedOrganizationId adds StringEquals aws:PrincipalOrgID', () => {
    const { trusting } = pairedStacks();

    new CrossAccountRole(trusting, 'Role', { trustedAccounts: [TRUSTED], trustedOrganizationId: 'o-abcdef1234' });

    expect(trustStatements(trusting)[0].Condition).toEqual({ StringEquals: { 'aws:PrincipalOrgID': 'o-abcdef1234' } });
  });

  test('merges external ID, MFA, MFA age, organization and principal ARN into one condition block', () => {
    const { trusting } = pairedStacks();
    const arn = `arn:aws:iam::${TRUSTED}:role/deployer`;

    new CrossAccountRole(trusting, 'Role', {
      trustedPrincipalArns: [arn],
      externalIds: ['merged-external-id-01'],
      requireMfa: true,
      maxMfaAge: Duration.hours(1),
      trustedOrganizationId: 'o-abcdef1234',
    });

    expect(trustStatements(trusting)).toEqual([{
      Action: 'sts:AssumeRole',
      Effect: 'Allow',
      Principal: { AWS: root(TRUSTED) },
      Condition: {
        StringEquals: { 'sts:ExternalId': 'merged-external-id-01', 'aws:PrincipalOrgID': 'o-abcdef1234' },
        ArnEquals: { 'aws:PrincipalArn': arn },
        Bool: { 'aws:MultiFactorAuthPresent': 'true' },
        NumericLessThan: { 'aws:MultiFactorAuthAge': '3600' },
      },
    }]);
  });

  test('trusts specific principals through the account root and aws:PrincipalArn, never their ARN in Principal', () => {
    const { trusting } = pairedStacks();
    const arns = [`arn:aws:iam::${TRUSTED}:role/ci-*`, `arn:aws:iam::${OTHER}:user/alice`];

    new CrossAccountRole(trusting, 'Role', { trustedPrincipalArns: arns });

    const [statement] = trustStatements(trusting);
    expect(statement.Principal).toEqual({ AWS: [root(TRUSTED), root(OTHER)] });
    expect(statement.Condition).toEqual({ ArnLike: { 'aws:PrincipalArn': arns } });
    expect(JSON.stringify(statement.Principal)).not.toContain('role/');
  });

  test('keeps whole trusted accounts whole when principal ARNs of another account are added', () => {
    const { trusting } = pairedStacks();
    const arn = `arn:aws:iam::${OTHER}:role/reader`;

    new CrossAccountRole(trusting, 'Role', { trustedAccounts: [TRUSTED], trustedPrincipalArns: [arn] });

    const [statement] = trustStatements(trusting);
    expect(statement.Principal).toEqual({ AWS: [root(TRUSTED), root(OTHER)] });
    expect(statement.Condition).toEqual({
      ArnLike: {
        'aws:PrincipalArn': [
          { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, `:iam::${TRUSTED}:*`]] },
          arn,
        ],
      },
    });
  });

  test('warns when principal ARNs are in an account that is trusted whole', () => {
    const { trusting } = pairedStacks();

    new CrossAccountRole(trusting, 'Role', { trustedAccounts: [TRUSTED], trustedPrincipalArns: [`arn:aws:iam::${TRUSTED}:role/x`] });

    Annotations.fromStack(trusting).hasWarning('/Trusting/Role', Match.stringLikeRegexp(`account\\(s\\) ${TRUSTED} are trusted whole`));
  });

  test('merges an ExternalIdTrust into the one statement', () => {
    const { trusting } = pairedStacks();
    const trust = new ExternalIdTrust(trusting, 'Vendor', { trustedAccount: OTHER, externalIds: ['vendor-external-id-1'] });

    const role = new CrossAccountRole(trusting, 'Role', { externalIdTrust: trust, requireMfa: true });

    expect(role.externalIds).toEqual(['vendor-external-id-1']);
    expect(trustStatements(trusting)).toEqual([{
      Action: 'sts:AssumeRole',
      Effect: 'Allow',
      Principal: { AWS: root(OTHER) },
      Condition: {
        StringEquals: { 'sts:ExternalId': 'vendor-external-id-1' },
        Bool: { 'aws:MultiFactorAuthPresent': 'true' },
      },
    }]);
  });

  test('sets name, description, session length, boundary, managed and inline policies', () => {
    const { trusting } = pairedStacks();
    const boundary = new iam.ManagedPolicy(trusting, 'Boundary', {
      statements: [new iam.PolicyStatement({ actions: ['s3:*'], resources: ['*'] })],
    });

    new CrossAccountRole(trusting, 'Role', {
      trustedAccounts: [TRUSTED],
      roleName: 'Reader',
      description: 'reads things',
      maxSessionDuration: Duration.hours(4),
      permissionsBoundary: boundary,
      managedPolicies: [iam.ManagedPolicy.fromAwsManagedPolicyName('ReadOnlyAccess')],
      inlinePolicies: {
        Logs: new iam.PolicyDocument({ statements: [new iam.PolicyStatement({ actions: ['logs:GetLogEvents'], resources: ['*'] })] }),
      },
    });

    Template.fromStack(trusting).hasResourceProperties('AWS::IAM::Role', {
      RoleName: 'Reader',
      Description: 'reads things',
      MaxSessionDuration: 14400,
      PermissionsBoundary: { Ref: Match.stringLikeRegexp('^Boundary') },
      ManagedPolicyArns: [{ 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':iam::aws:policy/ReadOnlyAccess']] }],
      Policies: [Match.objectLike({ PolicyName: 'Logs' })],
    });
  });

  test('gives another account\'s stack a literal ARN with a generated name, not an export', () => {
    // GIVEN
    const { trusting, trusted } = pairedStacks();
    const role = new CrossAccountRole(trusting, 'Role', { trustedAccounts: [TRUSTED] });

    // WHEN
    new AssumeRolePolicy(trusted, 'Assume', { targetRoles: [role] });

    // THEN
    const trustingTemplate = Template.fromStack(trusting).toJSON();
    const roleName = (Object.values(trustingTemplate.Resources) as any[])[0].Properties.RoleName;
    expect(roleName).toMatch(/^[\w+=,.@-]{1,64}$/);
    Template.fromStack(trusted).hasResourceProperties('AWS::IAM::ManagedPolicy', {
      PolicyDocument: {
        Statement: [Match.objectLike({
          Resource: { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, `:iam::${TRUSTING}:role/${roleName}`]] },
        })],
      },
    });
    expect(JSON.stringify(Template.fromStack(trusted).toJSON())).not.toContain('Fn::ImportValue');
    expect(trustingTemplate.Outputs).toBeUndefined();
  });

  test('writes the same generated name whether or not another account refers to the role', () => {
    // GIVEN the same role, alone and with an assume permission in another account
    const alone = pairedStacks();
    new CrossAccountRole(alone.trusting, 'Role', { trustedAccounts: [TRUSTED] });
    const referenced = pairedStacks();
    const role = new CrossAccountRole(referenced.trusting, 'Role', { trustedAccounts: [TRUSTED] });
    new AssumeRolePolicy(referenced.trusted, 'Assume', { targetRoles: [role] });

    // WHEN
    const nameIn = (stack: Stack) => Object.values<any>(Template.fromStack(stack).findResources('AWS::IAM::Role'))[0].Properties.RoleName;

    // THEN adding the permission later does not rename, and so replace, the role
    expect(nameIn(alone.trusting)).toMatch(/^trusting[a-z0-9]{0,24}[0-9a-f]{12}$/);
    expect(nameIn(referenced.trusting)).toBe(nameIn(alone.trusting));
  });

  test('generates the very name GENERATE_IF_NEEDED gives once referenced, so a role referenced before keeps its name', () => {
    // GIVEN a plain iam.Role at the path of a CrossAccountRole's role, named by GENERATE_IF_NEEDED and referenced from another account
    const nameIn = (stack: Stack) => Object.values<any>(Template.fromStack(stack).findResources('AWS::IAM::Role'))[0].Properties.RoleName;
    const plain = pairedStacks();
    const plainRole = new iam.Role(new Construct(plain.trusting, 'VendorRole'), 'Resource', {
      roleName: PhysicalName.GENERATE_IF_NEEDED,
      assumedBy: new iam.AccountPrincipal(TRUSTED),
    });
    new iam.ManagedPolicy(plain.trusted, 'Assume', { statements: [new iam.PolicyStatement({ actions: ['sts:AssumeRole'], resources: [plainRole.roleArn] })] });

    // WHEN the library's role stands at the same path, referenced by nobody
    const lib = pairedStacks();
    new CrossAccountRole(lib.trusting, 'VendorRole', { trustedAccounts: [TRUSTED] });

    // THEN
    expect(nameIn(plain.trusting)).toMatch(/^trusting/);
    expect(nameIn(lib.trusting)).toBe(nameIn(plain.trusting));
  });

  test('generates different names for the same construct in other regions and accounts', () => {
    const nameIn = (account: string, region: string) => {
      const stack = new Stack(testApp(), 'Trusting', { env: { account, region } });
      new CrossAccountRole(stack, 'Role', { trustedAccounts: [TRUSTED] });
      return Object.values<any>(Template.fromStack(stack).findResources('AWS::IAM::Role'))[0].Properties.RoleName;
    };

    const names = [nameIn(TRUSTING, REGION), nameIn(TRUSTING, 'us-east-1'), nameIn(OTHER, REGION)];

    expect(new Set(names).size).toBe(3);
    names.forEach(name => expect(name).toMatch(/^[\w+=,.@-]{1,64}$/));
  });

  test('leaves the name to CloudFormation in a stack without a concrete environment', () => {
    const stack = new Stack(testApp(), 'Agnostic');
    new CrossAccountRole(stack, 'Role', { trustedAccounts: [TRUSTED] });

    Template.fromStack(stack).hasResourceProperties('AWS::IAM::Role', { RoleName: Match.absent() });
  });

  test('encodes the role name in the Switch Role URL', () => {
    const stack = new Stack(testApp({ context: { '@aws-cdk/core:enablePartitionLiterals': true } }), 'Trusting', { env: { account: TRUSTING, region: REGION } });

    const role = new CrossAccountRole(stack, 'Role', { trustedAccounts: [TRUSTED], roleName: 'ops+admin' });

    expect(role.switchRoleUrl).toBe(`https://signin.aws.amazon.com/switchrole?account=${TRUSTING}&roleName=ops%2Badmin&displayName=ops%2Badmin%40${TRUSTING}`);
  });

  test('has no Switch Role URL in a partition without a public console, and leaves that output out', () => {
    // GIVEN a role in an ISO region
    const stack = new Stack(testApp(), 'Iso', { env: { account: TRUSTING, region: 'us-isob-east-1' } });
    const role = new CrossAccountRole(stack, 'Role', { trustedAccounts: [TRUSTED], roleName: 'Reader' });

    // WHEN
    role.addOutputs();
    role.addOutputs();

    // THEN
    expect(() => role.switchRoleUrl).toThrow(/Iso\/Role: the partition 'aws-iso-b' of this role has no public console sign-in, so there is no Switch Role URL/);
    expect(Object.keys(Template.fromStack(stack).toJSON().Outputs)).toEqual([expect.stringMatching(/^RoleArn/)]);
  });

  test('exposes the role, its ARN and name, and the actions a caller needs', () => {
    const { trusting } = pairedStacks();

    const role = new CrossAccountRole(trusting, 'Role', { trustedAccounts: [TRUSTED], roleName: 'Reader' });

    expect(role.role).toBeInstanceOf(iam.Role);
    const logicalId = trusting.getLogicalId(role.role.node.defaultChild as iam.CfnRole);
    expect(trusting.resolve(role.roleArn)).toEqual({ 'Fn::GetAtt': [logicalId, 'Arn'] });
    expect(trusting.resolve(role.roleName)).toEqual({ Ref: logicalId });
    expect(role.assumeRoleActions).toEqual(['sts:AssumeRole']);
    expect(role.trustedAccounts).toEqual([TRUSTED]);
  });

  test('builds a Switch Role URL for the commercial partition when the partition is known', () => {
    const app = testApp({ context: { '@aws-cdk/core:enablePartitionLiterals': true } });
    const stack = new Stack(app, 'Trusting', { env: { account: TRUSTING, region: REGION } });

    const role = new CrossAccountRole(stack, 'Role', { trustedAccounts: [TRUSTED], roleName: 'Reader' });

    expect(role.switchRoleUrl).toBe(`https://signin.aws.amazon.com/switchrole?account=${TRUSTING}&roleName=Reader&displayName=Reader%40${TRUSTING}`);
  });

  test('uses the partition\'s own sign-in host in GovCloud and China', () => {
    const app = testApp({ context: { '@aws-cdk/core:enablePartitionLiterals': true } });
    const gov = new Stack(app, 'Gov', { env: { account: TRUSTING, region: 'us-gov-west-1' } });
    const cn = new Stack(app, 'Cn', { env: { account: TRUSTING, region: 'cn-north-1' } });

    const govRole = new CrossAccountRole(gov, 'Role', { trustedAccounts: [TRUSTED], roleName: 'Reader' });
    const cnRole = new CrossAccountRole(cn, 'Role', { trustedAccounts: [TRUSTED], roleName: 'Reader' });

    expect(govRole.switchRoleUrl).toMatch(/^https:\/\/signin\.amazonaws-us-gov\.com\/switchrole\?/);
    expect(cnRole.switchRoleUrl).toMatch(/^https:\/\/signin\.amazonaws\.cn\/switchrole\?/);
  });

  test('looks the sign-in host up by partition when the partition is a deploy-time value', () => {
    // GIVEN a stack whose region, and so partition, is only known at deploy time
    const trusting = new Stack(testApp(), 'Trusting', { env: { account: TRUSTING } });
    const role = new CrossAccountRole(trusting, 'Role', { trustedAccounts: [TRUSTED], roleName: 'Reader' });

    const url = trusting.resolve(role.switchRoleUrl);
    new CfnOutput(trusting, 'Url', { value: role.switchRoleUrl });

    expect(JSON.stringify(url)).toContain('Fn::FindInMap');
    expect(Template.fromStack(trusting).toJSON().Mappings.CrossAccountRolesSigninHosts).toEqual({
      'aws': { host: 'signin.aws.amazon.com' },
      'aws-cn': { host: 'signin.amazonaws.cn' },
      'aws-us-gov': { host: 'signin.amazonaws-us-gov.com' },
    });
  });
});
