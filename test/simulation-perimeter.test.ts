import { Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as iam from 'aws-cdk-lib/aws-iam';
import { CrossAccountRole, ExternalIdTrust, OrganizationTrustPerimeter } from '../src';
import { Decision, OrgPolicies, RequestContext, resolveCfn, roleArnOf, simulateAssumeRole, simulateRequest, trustPolicyOf } from './helpers/simulate';
import { OTHER, REGION, TRUSTED, TRUSTING, testApp } from './util';

/**
 * Behaviour of `OrganizationTrustPerimeter`: the RCP and SCP it synthesizes,
 * put in force over the organization's root, and the roles of a member
 * account, evaluated by the IAM simulator. Each caller has administrator
 * permissions in its own account, so that what is decided is the perimeter and
 * the roles' trust, not the caller's identity policies.
 */

const ORG = 'o-abcdef1234';
const ROOT = 'r-ab12';
const MANAGEMENT = '999999999999';
const VENDOR = '444444444444';
const VENDOR_ORG = 'o-vendor0001';
const EXTERNAL_ID = 'customer-1234-at-vendor';
const EXCLUDE = 'dp:exclude:identity';

const ADMINISTRATOR = { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: '*', Resource: '*' }] };
const FULL_AWS_ACCESS = { name: 'FullAWSAccess', policy: ADMINISTRATOR };

// GIVEN an organization whose management account deploys the perimeter, and a member account with roles
const app = testApp();
const management = new Stack(app, 'Management', { env: { account: MANAGEMENT, region: 'us-east-1' } });
const workload = new Stack(app, 'Workload', { env: { account: TRUSTING, region: REGION } });
new CrossAccountRole(workload, 'Tooling', { roleName: 'ToolingReader', trustedAccounts: [TRUSTED], trustedOrganizationId: ORG });
const vendorTrust = new ExternalIdTrust(workload, 'VendorTrust', { trustedAccount: VENDOR, externalIds: [EXTERNAL_ID] });
new CrossAccountRole(workload, 'Vendor', { roleName: 'VendorAudit', externalIdTrust: vendorTrust });
// deliberately written outside the library, to let an outside account in with no condition at all
new iam.Role(workload, 'Backdoor', { roleName: 'Backdoor', assumedBy: new iam.AccountPrincipal(OTHER) });
new iam.Role(workload, 'Legacy', { roleName: 'LegacyPartner', assumedBy: new iam.AccountPrincipal(OTHER) });
new iam.Role(workload, 'Instance', { roleName: 'InstanceRole', assumedBy: new iam.ServicePrincipal('ec2.amazonaws.com') });
new OrganizationTrustPerimeter(management, 'Perimeter', {
  organizationId: ORG, targetIds: [ROOT], memberAccounts: [TRUSTED], exclusionTagKey: EXCLUDE, protectTrustPolicies: true,
});

// WHEN the policies are deployed as synthesized
const managementTemplate = Template.fromStack(management).toJSON();
const workloadTemplate = Template.fromStack(workload).toJSON();
const controlPolicies = (type: string) => Object.entries<any>(managementTemplate.Resources)
  .filter(([, r]) => r.Type === 'AWS::Organizations::Policy' && r.Properties.Type === type)
  .map(([id, r]) => ({ name: id, policy: resolveCfn(r.Properties.Content, { account: MANAGEMENT }) }));
const RCPS: OrgPolicies[] = [{ orgIdentifier: ROOT, policies: controlPolicies('RESOURCE_CONTROL_POLICY') }, { orgIdentifier: TRUSTING, policies: [] }];
const SCPS: OrgPolicies[] = [
  { orgIdentifier: ROOT, policies: [FULL_AWS_ACCESS, ...controlPolicies('SERVICE_CONTROL_POLICY')] },
  { orgIdentifier: TRUSTING, policies: [FULL_AWS_ACCESS] },
];
const ctx = { account: TRUSTING, region: REGION };
const role = (name: string) => ({
  roleArn: roleArnOf(workloadTemplate, (_id, r) => r.Properties?.RoleName === name, ctx),
  trustPolicy: trustPolicyOf(workloadTemplate, (_id, r) => r.Properties?.RoleName === name, ctx),
});

/** Asks for a role of the member account, with or without the perimeter in force. */
function assume(roleName: string, principalArn: string, context: RequestContext, perimeter: boolean = true): Promise<Decision> {
  return simulateAssumeRole({
    ...role(roleName),
    principalArn,
    identityPolicies: principalArn.includes('amazonaws.com') ? [] : [ADMINISTRATOR],
    context,
    resourceControlPolicies: perimeter ? RCPS : [],
  });
}

describe('the perimeter around a member account\'s roles', () => {
  test('allows an in-organization caller whose role trust allows it', async () => {
    expect(await assume('ToolingReader', `arn:aws:iam::${TRUSTED}:role/Operator`, { 'aws:PrincipalOrgID': ORG })).toBe('Allowed');
  });

  test('allows the vendor trusted with an external ID when it presents the ID', async () => {
    expect(await assume('VendorAudit', `arn:aws:iam::${VENDOR}:role/Scanner`, { 'aws:PrincipalOrgID': VENDOR_ORG, 'sts:ExternalId': EXTERNAL_ID })).toBe('Allowed');
  });

  test('denies the vendor without the external ID', async () => {
    expect(await assume('VendorAudit', `arn:aws:iam::${VENDOR}:role/Scanner`, { 'aws:PrincipalOrgID': VENDOR_ORG })).toBe('ExplicitlyDenied');
  });

  test('denies the vendor without an external ID on a role whose trust would not ask for one, explicitly', async () => {
    // the Backdoor role trusts another account with no condition; were the vendor trusted there too, the RCP still asks for the ID
    const request = {
      ...role('VendorAudit'),
      trustPolicy: { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${VENDOR}:root` }, Action: 'sts:AssumeRole' }] },
      principalArn: `arn:aws:iam::${VENDOR}:role/Scanner`,
      identityPolicies: [ADMINISTRATOR],
    };
    expect(await simulateAssumeRole({ ...request, context: { 'aws:PrincipalOrgID': VENDOR_ORG } })).toBe('Allowed');
    expect(await simulateAssumeRole({ ...request, context: { 'aws:PrincipalOrgID': VENDOR_ORG }, resourceControlPolicies: RCPS })).toBe('ExplicitlyDenied');
  });

  test('denies an outside account that a role\'s trust policy was deliberately written to let in', async () => {
    const mallory = `arn:aws:iam::${OTHER}:user/mallory`;
    expect(await assume('Backdoor', mallory, {}, false)).toBe('Allowed');
    expect(await assume('Backdoor', mallory, {})).toBe('ExplicitlyDenied');
  });

  test('denies the outside account even from another organization', async () => {
    expect(await assume('Backdoor', `arn:aws:iam::${OTHER}:user/mallory`, { 'aws:PrincipalOrgID': 'o-zzzzzzzzzz' })).toBe('ExplicitlyDenied');
  });

  test('lets an outside account into a role tagged with the exclusion tag', async () => {
    expect(await assume('LegacyPartner', `arn:aws:iam::${OTHER}:user/partner`, { [`aws:ResourceTag/${EXCLUDE}`]: 'true' })).toBe('Allowed');
  });

  test('does not let in on an exclusion tag with another value', async () => {
    expect(await assume('LegacyPartner', `arn:aws:iam::${OTHER}:user/partner`, { [`aws:ResourceTag/${EXCLUDE}`]: 'yes' })).toBe('ExplicitlyDenied');
  });

  test('does not block an AWS service assuming its service role', async () => {
    expect(await assume('InstanceRole', 'ec2.amazonaws.com', {})).toBe('Allowed');
  });
});

describe('the service control policy protecting trust policies', () => {
  const updateTrust = (principalArn: string, context: RequestContext = {}) => simulateRequest({
    principalArn,
    action: 'iam:UpdateAssumeRolePolicy',
    resourceArn: role('ToolingReader').roleArn,
    identityPolicies: [ADMINISTRATOR],
    context,
    serviceControlPolicies: SCPS,
  });
  const tagRole = (principalArn: string, tagKey: string) => simulateRequest({
    principalArn,
    action: 'iam:TagRole',
    resourceArn: role('Backdoor').roleArn,
    identityPolicies: [ADMINISTRATOR],
    context: { 'aws:TagKeys': [tagKey], [`aws:RequestTag/${tagKey}`]: 'true' },
    serviceControlPolicies: SCPS,
  });
  const deployment = `arn:aws:sts::${TRUSTING}:assumed-role/cdk-hnb659fds-cfn-exec-role-${TRUSTING}-${REGION}/AWSCloudFormation`;
  const administrator = `arn:aws:sts::${TRUSTING}:assumed-role/Administrator/alice`;

  test('denies iam:UpdateAssumeRolePolicy to an ordinary administrator of a member account', async () => {
    expect(await updateTrust(administrator)).toBe('ExplicitlyDenied');
  });

  test('allows iam:UpdateAssumeRolePolicy to the CDK deployment role', async () => {
    expect(await updateTrust(deployment)).toBe('Allowed');
  });

  test('denies an administrator tagging a role out of the perimeter, whatever the case of the key', async () => {
    expect([await tagRole(administrator, EXCLUDE), await tagRole(administrator, EXCLUDE.toUpperCase())]).toEqual(['ExplicitlyDenied', 'ExplicitlyDenied']);
  });

  test('allows an administrator other tags, and the deployment role the exclusion tag', async () => {
    expect([await tagRole(administrator, 'team'), await tagRole(deployment, EXCLUDE)]).toEqual(['Allowed', 'Allowed']);
  });
});
