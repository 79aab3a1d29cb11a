import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { Duration, Stack, Stage } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { Construct } from 'constructs';
import { CrossAccountRole, CrossAccountRolePair } from '../src';
import { REGION, TRUSTED, TRUSTING, pairedStacks, testApp } from './util';

/**
 * The profiles are checked with the real AWS CLI v2 (Debian's awscli, which
 * .ci/run installs): what `aws configure get` reads back must be what the
 * template holds. No network call is made.
 */
const AWS_CLI = process.env.AWS_CLI ?? '/usr/bin/aws';

function awsCliVersion(): string | undefined {
  const result = spawnSync(AWS_CLI, ['--version'], { encoding: 'utf-8' });
  return result.status === 0 ? `${result.stdout}${result.stderr}`.trim() : undefined;
}

/**
 * The tests that read profiles back need the AWS CLI v2. Without it they are
 * skipped, with a warning naming what is missing, so that `npx projen test`
 * passes on a fresh machine; under CI=true (.ci/run, which installs the CLI)
 * they are required and fail without it.
 */
const CLI_VERSION = awsCliVersion();
const CLI_V2 = CLI_VERSION !== undefined && /^aws-cli\/2\./.test(CLI_VERSION);
const CLI_REQUIRED = process.env.CI === 'true';
if (!CLI_V2 && !CLI_REQUIRED) {
  console.warn(`test/cli-profile.test.ts: skipping the tests that read profiles back with the AWS CLI: no AWS CLI v2 at ${AWS_CLI} `
    + `(${CLI_VERSION === undefined ? 'not found' : `found ${CLI_VERSION}`}). Install it, or set AWS_CLI to its path; under CI=true these tests are required.`);
}
/** A test that needs the real AWS CLI v2: skipped without it, unless CI=true. */
const cliTest = CLI_V2 || CLI_REQUIRED ? test : test.skip;

/** Reads a value of a profile back through the AWS CLI. */
function configureGet(configText: string, profile: string, key: string): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'aws-config-'));
  const configFile = path.join(dir, 'config');
  fs.writeFileSync(configFile, `[profile trusted-account]\nregion = ${REGION}\n\n${configText}`);
  const result = spawnSync(AWS_CLI, ['configure', 'get', key, '--profile', profile], {
    encoding: 'utf-8',
    env: { PATH: process.env.PATH, HOME: dir, AWS_CONFIG_FILE: configFile, AWS_SHARED_CREDENTIALS_FILE: path.join(dir, 'credentials') },
  });
  fs.rmSync(dir, { recursive: true, force: true });
  if (result.status !== 0) {
    throw new Error(`aws configure get ${key} failed (${result.status}): ${result.stderr}`);
  }
  return result.stdout.trim();
}

/** The resolved trust-policy condition values and role ARN of a role, from its template. */
function roleFacts(stack: Stack) {
  const [role] = Object.values(Template.fromStack(stack).findResources('AWS::IAM::Role')) as any[];
  return { name: role.Properties.RoleName as string, condition: role.Properties.AssumeRolePolicyDocument.Statement[0].Condition };
}

cliTest('the real AWS CLI v2 is available', () => {
  expect(CLI_VERSION).toMatch(/^aws-cli\/2\./);
});

describe('cliProfile', () => {
  cliTest('the AWS CLI reads back the role ARN and external ID the template holds', () => {
    // GIVEN
    const { trusting } = pairedStacks();
    const role = new CrossAccountRole(trusting, 'Role', { trustedAccounts: [TRUSTED], roleName: 'VendorReader', externalIds: ['cli-external-id-0042'] });

    // WHEN
    const text = role.cliProfile({ profileName: 'vendor', sourceProfile: 'trusted-account' });

    // THEN
    const facts = roleFacts(trusting);
    expect(configureGet(text, 'vendor', 'role_arn')).toBe(`arn:aws:iam::${TRUSTING}:role/${facts.name}`);
    expect(configureGet(text, 'vendor', 'external_id')).toBe(facts.condition.StringEquals['sts:ExternalId']);
    expect(configureGet(text, 'vendor', 'source_profile')).toBe('trusted-account');
    expect(configureGet(text, 'vendor', 'region')).toBe(REGION);
  });

  cliTest('writes MFA serial, duration and session name when the role asks for them', () => {
    const { trusting } = pairedStacks();
    const role = new CrossAccountRole(trusting, 'Role', {
      trustedAccounts: [TRUSTED], roleName: 'Admin', requireMfa: true, maxSessionDuration: Duration.hours(4), roleSessionNamePattern: '${aws:username}',
    });

    const text = role.cliProfile({
      profileName: 'admin', sourceProfile: 'trusted-account', mfaSerial: `arn:aws:iam::${TRUSTED}:mfa/alice`, durationSeconds: 7200, roleSessionName: 'alice',
    });

    expect(configureGet(text, 'admin', 'mfa_serial')).toBe(`arn:aws:iam::${TRUSTED}:mfa/alice`);
    expect(configureGet(text, 'admin', 'duration_seconds')).toBe('7200');
    expect(configureGet(text, 'admin', 'role_session_name')).toBe('alice');
    expect(Template.fromStack(trusting).toJSON().Resources.Role11E5256C.Properties.MaxSessionDuration).toBe(14400);
  });

  cliTest('takes a deploy-time external ID from the caller', () => {
    const pair = new CrossAccountRolePair(testApp(), 'Vendor', { trustingAccount: TRUSTING, trustedAccount: TRUSTED, region: REGION, roleName: 'Vendor', externalIdParameter: true });

    expect(() => pair.cliProfile({ profileName: 'vendor', sourceProfile: 'trusted-account' }))
      .toThrow(/the role's external ID is given at deploy time; pass it to cliProfile as externalId/);
    const text = pair.cliProfile({ profileName: 'vendor', sourceProfile: 'trusted-account', externalId: 'given-at-deploy-time-42' });
    expect(configureGet(text, 'vendor', 'external_id')).toBe('given-at-deploy-time-42');
    expect(configureGet(text, 'vendor', 'role_arn')).toBe(`arn:aws:iam::${TRUSTING}:role/Vendor`);
  });

  cliTest('uses the partition of the role\'s region', () => {
    const stack = new Stack(testApp(), 'Gov', { env: { account: TRUSTING, region: 'us-gov-west-1' } });
    const role = new CrossAccountRole(stack, 'Role', { trustedAccounts: [TRUSTED], roleName: 'Reader' });

    const text = role.cliProfile({ profileName: 'gov', sourceProfile: 'trusted-account' });

    expect(configureGet(text, 'gov', 'role_arn')).toBe(`arn:aws-us-gov:iam::${TRUSTING}:role/Reader`);
  });

  cliTest('names a role without roleName by its generated name, which the template holds', () => {
    // GIVEN a role whose name is generated at synth time
    const { trusting } = pairedStacks();
    const role = new CrossAccountRole(trusting, 'Generated', { trustedAccounts: [TRUSTED] });

    // WHEN
    const text = role.cliProfile({ profileName: 'generated', sourceProfile: 'trusted-account' });

    // THEN the CLI reads back the ARN of the name in the template
    const roleName = Object.values<any>(Template.fromStack(trusting).toJSON().Resources).find(r => r.Type === 'AWS::IAM::Role').Properties.RoleName;
    expect(roleName).toMatch(/^trusting.*generated/);
    expect(configureGet(text, 'generated', 'role_arn')).toBe(`arn:aws:iam::${TRUSTING}:role/${roleName}`);
  });

  test('refuses a role that requires a source identity, which no CLI profile can set', () => {
    const { trusting } = pairedStacks();
    const role = new CrossAccountRole(trusting, 'Role', { trustedAccounts: [TRUSTED], roleName: 'Traced', requireSourceIdentity: true });

    expect(() => role.cliProfile({ profileName: 'p', sourceProfile: 's' }))
      .toThrow(/the role requires a source identity, which an AWS CLI profile cannot set \(the CLI has no config key for it\); call 'aws sts assume-role --source-identity <you>'/);
  });

  cliTest('takes a session name as a literal name that the role\'s pattern accepts', () => {
    const { trusting } = pairedStacks();
    const role = new CrossAccountRole(trusting, 'Role', { trustedAccounts: [TRUSTED], roleName: 'Ci', roleSessionNamePattern: 'ci-*' });
    const profile = (roleSessionName: string) => () => role.cliProfile({ profileName: 'p', sourceProfile: 's', roleSessionName });

    expect(profile('ci-*')).toThrow(/roleSessionName must be 2 to 64 characters of letters, digits and \+ = , \. @ - _ \(a name, not a pattern\), got 'ci-\*'/);
    expect(profile('${aws:username}')).toThrow(/roleSessionName must be 2 to 64 characters/);
    expect(profile('laptop')).toThrow(/roleSessionName 'laptop' does not match the role's roleSessionNamePattern 'ci-\*', so STS would refuse it/);
    expect(configureGet(profile('ci-build-7')(), 'p', 'role_session_name')).toBe('ci-build-7');
  });

  test('refuses an mfaSerial or region that would write more than one setting into the file', () => {
    const { trusting } = pairedStacks();
    const role = new CrossAccountRole(trusting, 'Role', { trustedAccounts: [TRUSTED], roleName: 'Reader' });

    expect(() => role.cliProfile({ profileName: 'p', sourceProfile: 's', mfaSerial: 'arn:aws:iam::222222222222:mfa/alice\ncredential_process = /tmp/evil' }))
      .toThrow(/mfaSerial must be an MFA device ARN \(arn:<partition>:iam::<account>:mfa\/<device>\) or a hardware token's serial number/);
    expect(() => role.cliProfile({ profileName: 'p', sourceProfile: 's', region: 'eu west' })).toThrow(/region must be an AWS region like 'eu-west-1', got 'eu west'/);
    expect(() => role.cliProfile({ profileName: 'p', sourceProfile: 's', mfaSerial: 'GAHT12345678', region: 'us-gov-west-1' })).not.toThrow();
  });

  test('refuses what the CLI profile could not do', () => {
    const { trusting } = pairedStacks();
    const agnostic = new Stack(testApp(), 'Agnostic');
    const unnamed = new CrossAccountRole(agnostic, 'Unnamed', { trustedAccounts: [TRUSTED] });
    const mfa = new CrossAccountRole(trusting, 'Mfa', { trustedAccounts: [TRUSTED], roleName: 'Mfa', requireMfa: true });
    const named = new CrossAccountRole(trusting, 'Named', { trustedAccounts: [TRUSTED], roleName: 'Named', roleSessionNamePattern: 'ci-*' });

    expect(() => unnamed.cliProfile({ profileName: 'p', sourceProfile: 's' })).toThrow(/cliProfile needs the role's name at synth time; give the role a roleName, or stack 'Agnostic' env: \{ account, region \}/);
    expect(() => mfa.cliProfile({ profileName: 'p', sourceProfile: 's' })).toThrow(/the role requires MFA; give cliProfile the caller's mfaSerial/);
    expect(() => named.cliProfile({ profileName: 'p', sourceProfile: 's' })).toThrow(/the role requires session names matching 'ci-\*'; give cliProfile a roleSessionName/);
    expect(() => named.cliProfile({ profileName: 'p', sourceProfile: 's', roleSessionName: 'ci-1', durationSeconds: 7200 }))
      .toThrow(/durationSeconds must be a whole number between 900 \(15 minutes\) and the role's maxSessionDuration \(3600\), got 7200/);
    expect(() => named.cliProfile({ profileName: 'bad name', sourceProfile: 's' })).toThrow(/profileName and sourceProfile must be letters/);
  });
});

describe('CrossAccountRolePair outputs and profile file', () => {
  test('the trusting stack outputs the role ARN, the Switch Role URL and the external ID parameter name', () => {
    const pair = new CrossAccountRolePair(testApp(), 'Vendor', { trustingAccount: TRUSTING, trustedAccount: TRUSTED, region: REGION, roleName: 'Vendor', externalIdParameter: true });

    const outputs = Template.fromStack(pair.trustingStack).toJSON().Outputs;
    expect(outputs.RoleArnFB55E7B0.Value).toEqual({ 'Fn::GetAtt': ['Role11E5256C', 'Arn'] });
    expect(JSON.stringify(outputs.RoleSwitchRoleUrl4CBF48A9.Value)).toContain(`/switchrole?account=${TRUSTING}&roleName=Vendor`);
    expect(outputs.RoleExternalIdParameterName0E57CCCF.Value).toBe('ExternalId');
  });

  test('no outputs when asked not to', () => {
    const pair = new CrossAccountRolePair(testApp(), 'Plain', { trustingAccount: TRUSTING, trustedAccount: TRUSTED, roleName: 'Plain', outputs: false });

    expect(Template.fromStack(pair.trustingStack).toJSON().Outputs).toBeUndefined();
  });

  cliTest('writes the profile next to the templates, and the AWS CLI reads it', () => {
    // GIVEN
    const app = testApp();
    new CrossAccountRolePair(app, 'Audit', {
      trustingAccount: TRUSTING,
      trustedAccount: TRUSTED,
      region: REGION,
      roleName: 'Auditor',
      cliProfile: { profileName: 'audit', sourceProfile: 'trusted-account' },
    });

    // WHEN
    const assembly = app.synth();

    // THEN
    const file = path.join(assembly.directory, 'Audit.aws-config');
    const text = fs.readFileSync(file, 'utf-8');
    expect(fs.readdirSync(assembly.directory).filter(f => f.endsWith('.template.json'))).toHaveLength(2);
    expect(configureGet(text, 'audit', 'role_arn')).toBe(`arn:aws:iam::${TRUSTING}:role/Auditor`);
  });

  cliTest('names each pair\'s file after its path, so pairs of the same id do not overwrite each other', () => {
    // GIVEN two pairs called Access under different parents, and one inside a stage
    const app = testApp();
    const profile = { profileName: 'access', sourceProfile: 'trusted-account' };
    new CrossAccountRolePair(new Construct(app, 'TeamA'), 'Access', { trustingAccount: TRUSTING, trustedAccount: TRUSTED, region: REGION, roleName: 'TeamA', cliProfile: profile });
    new CrossAccountRolePair(new Construct(app, 'TeamB'), 'Access', { trustingAccount: TRUSTING, trustedAccount: TRUSTED, region: REGION, roleName: 'TeamB', cliProfile: profile });
    new CrossAccountRolePair(new Stage(app, 'Prod'), 'Access', { trustingAccount: TRUSTING, trustedAccount: TRUSTED, region: REGION, roleName: 'Prod', cliProfile: profile });

    // WHEN
    const assembly = app.synth();

    // THEN
    const read = (...file: string[]) => fs.readFileSync(path.join(assembly.directory, ...file), 'utf-8');
    expect(configureGet(read('TeamA-Access.aws-config'), 'access', 'role_arn')).toBe(`arn:aws:iam::${TRUSTING}:role/TeamA`);
    expect(configureGet(read('TeamB-Access.aws-config'), 'access', 'role_arn')).toBe(`arn:aws:iam::${TRUSTING}:role/TeamB`);
    expect(configureGet(read('assembly-Prod', 'Access.aws-config'), 'access', 'role_arn')).toBe(`arn:aws:iam::${TRUSTING}:role/Prod`);
  });
});
