import * as fs from 'fs';
import * as path from 'path';
import { Duration, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { AssumeRolePolicy, CrossAccountRole } from '../src';
import { useTempFolder } from './helpers/temp-folder';
import { REGION, testApp } from './util';
import { runCli } from '../src/cli/cli';
import { ExplainReport } from '../src/cli/explain-command';

/** Runs the CLI in this process, capturing what it writes. */
function cli(...argv: string[]): { code: number; stdout: string; stderr: string } {
  let stdout = '';
  let stderr = '';
  const code = runCli(argv, { stdout: t => { stdout += t; }, stderr: t => { stderr += t; } });
  return { code, stdout, stderr };
}

const folder = useTempFolder('explain-cli-');
const FIXTURES = path.join(__dirname, 'fixtures', 'cloudtrail');
const fixture = (name: string) => path.join(FIXTURES, name);

/**
 * The app of the IAM User Guide's CloudTrail samples: the role EC2-dev of
 * account 111122223333, which requires a source identity equal to the
 * caller's user name, and the user JohnDoe of account 777788889999, granted
 * the role; JohnRole2 of 111111111111, which accepts session tags from
 * JohnRole1's sessions; and an analyst role of 222222222222 that a bucket of
 * 111111111111 does not name.
 */
function documentedApp(): string {
  const outdir = path.join(folder.dir, 'documented.out');
  const app = testApp({ outdir });
  const trusting = new Stack(app, 'Dev', { env: { account: '111122223333', region: REGION } });
  const role = new CrossAccountRole(trusting, 'Ec2Dev', {
    roleName: 'EC2-dev', trustedAccounts: ['777788889999'], sourceIdentityPattern: '${aws:username}', maxSessionDuration: Duration.hours(2),
  });
  const callers = new Stack(app, 'Users', { env: { account: '777788889999', region: REGION } });
  new AssumeRolePolicy(callers, 'MayDev', { targetRoles: [role], users: [new iam.User(callers, 'John', { userName: 'JohnDoe' })] });

  const chain = new Stack(app, 'Chain', { env: { account: '111111111111', region: REGION } });
  const role1 = new iam.Role(chain, 'Role1', { roleName: 'JohnRole1', assumedBy: new iam.AccountRootPrincipal() });
  const role2 = new CrossAccountRole(chain, 'Role2', {
    roleName: 'JohnRole2', trustedAccounts: ['111111111111'], trustedPrincipalArns: [role1.roleArn], allowSessionTags: true, requireSourceIdentity: true,
  });
  new AssumeRolePolicy(chain, 'MayRole2', { targetRoles: [role2], roles: [role1] });

  const data = new Stack(app, 'Data', { env: { account: '111111111111', region: 'eu-west-1' } });
  const bucket = new s3.Bucket(data, 'Reports', { bucketName: 'acme-reports' });
  const analytics = new Stack(app, 'Analytics', { env: { account: '222222222222', region: 'eu-west-1' } });
  bucket.grantRead(new iam.Role(analytics, 'Reader', { roleName: 'reader', assumedBy: new iam.AccountRootPrincipal() }));
  const analyst = new iam.Role(analytics, 'Analyst', { roleName: 'analyst', assumedBy: new iam.AccountRootPrincipal() });
  analyst.addToPolicy(new iam.PolicyStatement({ actions: ['s3:GetObject'], resources: ['arn:aws:s3:::acme-reports/*'] }));
  app.synth();
  return outdir;
}

describe('cdk-cross-account-roles explain', () => {
  let outdir: string;
  beforeAll(() => { outdir = documentedApp(); });

  test('explains a request given by options: a verdict line, a line per layer, the fix; exit 1 when denied', () => {
    // GIVEN / WHEN JohnDoe asks without a source identity
    const result = cli('explain', outdir, '--principal', 'arn:aws:iam::777788889999:user/JohnDoe', '--action', 'sts:AssumeRole',
      '--resource', 'arn:aws:iam::111122223333:role/EC2-dev');

    // THEN
    expect(result.code).toBe(1);
    const lines = result.stdout.trim().split('\n');
    expect(lines[0]).toMatch(/^denied: arn:aws:iam::777788889999:user\/JohnDoe sts:AssumeRole on arn:aws:iam::111122223333:role\/EC2-dev: /);
    expect(lines[0]).toContain('`sts:SourceIdentity` was absent');
    expect(lines.filter(l => /^ {2}\S/.test(l)).map(l => l.trim().split(/\s+/)[0])).toEqual(['identity-policy', 'trust-policy', 'session-duration']);
    expect(lines[lines.length - 1]).toMatch(/^fix: set a source identity as the role expects/);
  });

  test('exits 0 when allowed, and takes the MFA age, the duration and the session name as options', () => {
    // GIVEN / WHEN
    const result = cli('explain', outdir, '--principal', 'arn:aws:iam::777788889999:user/JohnDoe', '--action', 'sts:AssumeRole',
      '--resource', 'arn:aws:iam::111122223333:role/EC2-dev', '--source-identity', 'JohnDoe', '--duration', '7200', '--mfa-age', '60',
      '--session-name', 'JohnDoe-EC2-dev', '--format', 'json');

    // THEN
    expect(result.code).toBe(0);
    const report = JSON.parse(result.stdout) as ExplainReport;
    expect(report.explained[0].explanation.decision).toBe('allowed');
    expect(report.explained[0].explanation.requestContext).toMatchObject({
      'aws:MultiFactorAuthPresent': ['true'], 'aws:MultiFactorAuthAge': ['60'], 'sts:RoleSessionName': ['JohnDoe-EC2-dev'], 'sts:SourceIdentity': ['JohnDoe'],
    });
  });

  test('exits 3 when the templates do not decide, and says what is missing', () => {
    // GIVEN / WHEN a user of the trusted account that the app does not define
    const result = cli('explain', outdir, '--principal', 'arn:aws:iam::777788889999:user/JaneDoe', '--action', 'sts:AssumeRole',
      '--resource', 'arn:aws:iam::111122223333:role/EC2-dev', '--source-identity', 'JaneDoe');

    // THEN
    expect(result.code).toBe(3);
    expect(result.stdout).toMatch(/^undetermined: /);
    expect(result.stdout).toContain('missing: the caller\'s identity-based policy in 777788889999 must allow sts:AssumeRole');
  });

  test('explains the caller\'s copy of the documented cross-account AssumeRole, leaving out the resource account\'s copy of the same call', () => {
    // GIVEN the IAM User Guide's sample: both accounts' copies, one sharedEventID
    // WHEN
    const result = cli('explain', outdir, '--cloudtrail', fixture('assume-role-cross-account.json'), '--format', 'json');

    // THEN
    expect(result.code).toBe(0);
    const report = JSON.parse(result.stdout) as ExplainReport;
    expect(report.explained).toHaveLength(1);
    expect(report.explained[0].event).toBe('AssumeRole at 2014-07-18T15:07:39Z (dEXAMPLE-ac7f-466c-a608-4ac8dEXAMPLE)');
    expect(report.explained[0].recorded).toBe('succeeded');
    const explanation = report.explained[0].explanation;
    expect(explanation.decision).toBe('allowed');
    expect(explanation.requestContext).toMatchObject({
      'aws:SourceIp': ['192.0.2.101'], 'sts:RoleSessionName': ['JohnDoe-EC2-dev'], 'sts:SourceIdentity': ['JohnDoe'], 'aws:userid': ['AIDAQRSTUVWXYZEXAMPLE'],
    });
    expect(explanation.layers.map(l => `${l.action} ${l.layer}`)).toContain('sts:SetSourceIdentity trust-policy');
  });

  test('explains the resource account\'s copy alone, which names only the caller\'s account', () => {
    // GIVEN / WHEN
    const result = cli('explain', outdir, '--cloudtrail', fixture('assume-role-trusting-copy.json'));

    // THEN the trust lets the account in on a source identity matching the user's name, which the copy does not tell
    expect(result.code).toBe(3);
    expect(result.stdout).toMatch(/^event AssumeRole at 2014-07-18T15:07:39Z .*: CloudTrail recorded succeeded\nundetermined: 777788889999 sts:AssumeRole/);
    expect(result.stdout).toContain('the request names only the account 777788889999');
    // the trust's source identity must equal the caller's user name, which an account alone does not tell
    expect(result.stdout).toContain('missing: the role\'s trust policy depends on what the request does not tell: aws:username');
  });

  test('explains an AccessDenied AssumeRole: the source identity the trust refused', () => {
    // GIVEN / WHEN
    const result = cli('explain', outdir, '--cloudtrail', fixture('assume-role-access-denied.json'));

    // THEN
    expect(result.code).toBe(1);
    expect(result.stdout).toContain('CloudTrail recorded AccessDenied: User: arn:aws:iam::777788889999:user/JohnDoe is not authorized to perform: sts:AssumeRole');
    expect(result.stdout).toContain('`sts:SourceIdentity` was \'Administrator\'; the trust requires it to match \'${aws:username}\'');
  });

  test('explains the documented role chaining event: session tags and a source identity need sts:TagSession and sts:SetSourceIdentity too', () => {
    // GIVEN the sample, whose session ARN names the role 'JohnDoe' while its session issuer is JohnRole1: the issuer's ARN is the role's
    // WHEN
    const result = cli('explain', outdir, '--cloudtrail', fixture('assume-role-chaining-tags.json'), '--format', 'json');

    // THEN
    const explanation = (JSON.parse(result.stdout) as ExplainReport).explained[0].explanation;
    expect(result.code).toBe(0);
    expect(explanation.decision).toBe('allowed');
    expect(explanation.principal).toBe('arn:aws:iam::111111111111:role/JohnRole1');
    expect(Array.from(new Set(explanation.layers.map(l => l.action)))).toEqual(['sts:AssumeRole', 'sts:TagSession', 'sts:SetSourceIdentity']);
    expect(explanation.requestContext['aws:TagKeys']).toEqual(['Email', 'CostCenter']);
    expect(explanation.requestContext['sts:TransitiveTagKeys']).toEqual(['Email', 'CostCenter']);
  });

  test('explains an S3 data event across accounts: the bucket policy names another role', () => {
    // GIVEN / WHEN
    const result = cli('explain', outdir, '--cloudtrail', fixture('s3-get-object-access-denied.json'), '--format', 'markdown');

    // THEN
    expect(result.code).toBe(1);
    expect(result.stdout).toContain('## denied: `arn:aws:iam::222222222222:role/analyst` `s3:GetObject` on `arn:aws:s3:::acme-reports/2026/q1.csv`');
    expect(result.stdout).toMatch(/\| resource-policy \| `s3:GetObject` \| implicit-deny \| no statement of the resource's policy names arn:aws:sts::222222222222:assumed-role\/analyst\/nightly-report/);
  });

  test('refuses a bad request with one line and exit 2', () => {
    // GIVEN / WHEN
    const missing = cli('explain', outdir, '--principal', 'arn:aws:iam::777788889999:user/JohnDoe');
    const both = cli('explain', outdir, '--cloudtrail', fixture('assume-role-cross-account.json'), '--principal', 'x');
    const badArn = cli('explain', outdir, '--principal', 'JohnDoe', '--action', 'sts:AssumeRole', '--resource', 'arn:aws:iam::111122223333:role/EC2-dev');
    const noFile = cli('explain', outdir, '--cloudtrail', path.join(folder.dir, 'none.json'));
    const format = cli('explain', outdir, '--cloudtrail', fixture('assume-role-cross-account.json'), '--format', 'sarif');

    // THEN
    for (const r of [missing, both, badArn, noFile, format]) {
      expect(r.code).toBe(2);
      expect(r.stderr.trim().split('\n')).toHaveLength(1);
    }
    expect(missing.stderr).toContain('give --action, --resource (or --cloudtrail FILE)');
    expect(both.stderr).toContain('--cloudtrail builds the request from the event; leave out --principal');
    expect(badArn.stderr).toContain('the principal must be an IAM user or role ARN');
    expect(noFile.stderr).toMatch(/none\.json: cannot read the file \(ENOENT\)/);
    expect(format.stderr).toContain('--format must be one of text, json, markdown');
  });

  test('takes every condition of the request as an option: external ID, context keys, source address, session tags and policy', () => {
    // GIVEN a plain template (no account in it) of a role that asks for an external ID, a source address and a team tag,
    // and a session policy file that allows only S3
    const template = path.join(folder.dir, 'guarded.json');
    fs.writeFileSync(template, JSON.stringify({
      Resources: {
        Guarded: {
          Type: 'AWS::IAM::Role',
          Properties: {
            RoleName: 'Guarded',
            AssumeRolePolicyDocument: {
              Version: '2012-10-17',
              Statement: [{
                Effect: 'Allow',
                Principal: { AWS: 'arn:aws:iam::222222222222:root' },
                Action: ['sts:AssumeRole', 'sts:TagSession'],
                Condition: {
                  'StringEquals': { 'sts:ExternalId': 'ext-0123456789', 'aws:RequestTag/team': 'ops' },
                  'IpAddress': { 'aws:SourceIp': '203.0.113.0/24' },
                  'ForAllValues:StringEquals': { 'aws:PrincipalOrgPaths': ['o-a1b2c3d4e5/r-ab12/ou-ab12-11111111/', 'o-a1b2c3d4e5/r-ab12/'] },
                },
              }],
            },
          },
        },
      },
    }));
    const onlyS3 = path.join(folder.dir, 'only-s3.json');
    fs.writeFileSync(onlyS3, JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 's3:*', Resource: '*' }] }));
    const maybe = path.join(folder.dir, 'maybe.json');
    fs.writeFileSync(maybe, JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Maybe', Action: 's3:*', Resource: '*' }] }));
    const report = path.join(folder.dir, 'explained.json');
    const request = ['explain', template, '--account', '111111111111', '--region', 'eu-west-1',
      '--action', 'sts:AssumeRole', '--resource', 'arn:aws:iam::111111111111:role/Guarded', '--tag', 'team=ops',
      '--context', 'aws:PrincipalOrgPaths=o-a1b2c3d4e5/r-ab12/', '--context', 'aws:PrincipalOrgPaths=o-a1b2c3d4e5/r-ab12/ou-ab12-11111111/'];
    const session = 'arn:aws:sts::222222222222:assumed-role/ci/build';

    // WHEN
    const allowed = cli(...request, '--principal', session, '--external-id', 'ext-0123456789', '--source-ip', '203.0.113.7',
      '--format', 'json', '--output', report);
    const otherAddress = cli(...request, '--principal', session, '--external-id', 'ext-0123456789', '--source-ip', '198.51.100.7');
    const limited = cli(...request, '--principal', session, '--external-id', 'ext-0123456789', '--source-ip', '203.0.113.7', '--session-policy', onlyS3);
    const invalid = cli(...request, '--principal', session, '--session-policy', maybe);
    const forUser = cli(...request, '--principal', 'arn:aws:iam::222222222222:user/alice', '--session-policy', onlyS3);

    // THEN the report went to the file, with each option in the request's context; the caller's side is not in the template
    expect(allowed.code).toBe(3);
    expect(allowed.stdout).toBe('');
    const written = JSON.parse(fs.readFileSync(report, 'utf-8')) as ExplainReport;
    const context = written.explained[0].explanation.requestContext;
    expect(context).toMatchObject({
      'sts:ExternalId': ['ext-0123456789'],
      'aws:SourceIp': ['203.0.113.7'],
      'aws:RequestTag/team': ['ops'],
      'aws:TagKeys': ['team'],
      'aws:PrincipalOrgPaths': ['o-a1b2c3d4e5/r-ab12/', 'o-a1b2c3d4e5/r-ab12/ou-ab12-11111111/'],
    });
    expect(written.explained[0].explanation.layers.filter(l => l.layer === 'trust-policy').map(l => l.decision)).toEqual(['allow', 'allow']);
    expect(otherAddress.code).toBe(1);
    expect(otherAddress.stdout).toContain('`aws:SourceIp` was \'198.51.100.7\'');
    expect(limited.code).toBe(1);
    expect(limited.stdout).toMatch(/^ {2}session-policy +implicit-deny/m);
    for (const refused of [invalid, forUser]) {
      expect(refused.code).toBe(2);
      expect(refused.stderr.trim().split('\n')).toHaveLength(1);
    }
    expect(invalid.stderr).toContain('the session policy is not a valid IAM policy: statement 0 has Effect "Maybe"');
    expect(forUser.stderr).toContain('a session policy limits a role session or a federated user\'s session, and arn:aws:iam::222222222222:user/alice is an IAM user');
  });

  test('prints, for the event pasted in docs/troubleshooting.md, the output pasted there', () => {
    // GIVEN the guide: its event (the fixture, to the character) and the output it shows for the app of its example
    const guide = fs.readFileSync(path.join(__dirname, '..', 'docs', 'troubleshooting.md'), 'utf-8');
    const event = /```json\n([\s\S]*?)```/.exec(guide)![1];
    const pasted = /prints \(a test proves[^\n]*\n\n```text\n([\s\S]*?)```/.exec(guide)![1];
    expect(event).toBe(fs.readFileSync(fixture('assume-role-access-denied.json'), 'utf-8'));

    // WHEN
    const result = cli('explain', outdir, '--cloudtrail', fixture('assume-role-access-denied.json'));

    // THEN (the guide runs the command in the app's folder: its assembly is cdk.out)
    expect(result.stdout.split(outdir).join('cdk.out')).toBe(pasted);
  });

  test('lists explain among the commands', () => {
    // GIVEN / WHEN
    const result = cli('--help');

    // THEN
    expect(result.stdout).toMatch(/^ {2}explain +explain why a request/m);
  });
});
