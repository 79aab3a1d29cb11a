import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import * as iam from 'aws-cdk-lib/aws-iam';
import { CrossAccountRole } from '../src';
import { identityPoliciesFor, simulateRequest } from './helpers/simulate';
import { REGION, TRUSTED, TRUSTING, pairedStacks } from './util';

const CUTOFF = '2026-11-23T10:00:00Z';
const SESSION = `arn:aws:sts::${TRUSTING}:assumed-role/Operator/alice`;
const OBJECT = 'arn:aws:s3:::reports/2026/q4.csv';

/** A role that may read the reports bucket, with its older sessions revoked. */
function revokedRole(revoke: (role: CrossAccountRole) => void) {
  const { trusting } = pairedStacks();
  const role = new CrossAccountRole(trusting, 'Role', {
    trustedAccounts: [TRUSTED],
    roleName: 'Operator',
    inlinePolicies: {
      Reports: new iam.PolicyDocument({ statements: [new iam.PolicyStatement({ actions: ['s3:GetObject'], resources: [OBJECT] })] }),
    },
  });
  revoke(role);
  const template = Template.fromStack(trusting).toJSON();
  return { template, policies: identityPoliciesFor(template, { type: 'role', name: 'Operator' }, { account: TRUSTING, region: REGION }) };
}

function read(policies: unknown[], tokenIssueTime: string) {
  return simulateRequest({
    principalArn: SESSION,
    action: 's3:GetObject',
    resourceArn: OBJECT,
    resourceAccount: TRUSTING,
    identityPolicies: policies,
    context: { 'aws:TokenIssueTime': tokenIssueTime },
  });
}

describe('revoking sessions', () => {
  test('writes the console\'s statement, Deny * with DateLessThan aws:TokenIssueTime, under a name of its own', () => {
    const { template } = revokedRole(role => role.revokeSessions(CUTOFF));

    Template.fromJSON(template).hasResourceProperties('AWS::IAM::Policy', {
      // Not the console's AWSRevokeOlderSessions, which a stack update would otherwise overwrite.
      PolicyName: 'CdkRevokeOlderSessions',
      PolicyDocument: {
        Statement: [{ Effect: 'Deny', Action: '*', Resource: '*', Condition: { DateLessThan: { 'aws:TokenIssueTime': CUTOFF } } }],
        Version: '2012-10-17',
      },
      Roles: [{ Ref: 'Role11E5256C' }],
    });
  });

  test('explicitly denies a session issued before the cutoff', async () => {
    const { policies } = revokedRole(role => role.revokeSessions(CUTOFF));
    expect(await read(policies, '2026-11-23T09:59:59Z')).toBe('ExplicitlyDenied');
  });

  test('allows a session issued after the cutoff', async () => {
    const { policies } = revokedRole(role => role.revokeSessions(CUTOFF));
    expect(await read(policies, '2026-11-23T10:00:01Z')).toBe('Allowed');
  });

  test('allows every session before anything is revoked', async () => {
    const { policies } = revokedRole(() => undefined);
    expect(await read(policies, '2020-01-01T00:00:00Z')).toBe('Allowed');
  });

  test('calling it again moves the cutoff, with one policy only', async () => {
    const { template, policies } = revokedRole(role => {
      role.revokeSessions('2026-01-01T00:00:00Z');
      role.revokeSessions('2026-11-23T11:00:00+01:00');
    });

    Template.fromJSON(template).resourceCountIs('AWS::IAM::Policy', 1);
    expect(await read(policies, '2026-11-23T09:59:59Z')).toBe('ExplicitlyDenied');
    expect(await read(policies, '2026-11-23T10:00:01Z')).toBe('Allowed');
  });

  test('the revokeSessionsIssuedBefore prop does the same', () => {
    const { trusting } = pairedStacks();
    new CrossAccountRole(trusting, 'Role', { trustedAccounts: [TRUSTED], revokeSessionsIssuedBefore: CUTOFF });

    Template.fromStack(trusting).hasResourceProperties('AWS::IAM::Policy', {
      PolicyDocument: { Statement: [{ Effect: 'Deny', Action: '*', Resource: '*', Condition: { DateLessThan: { 'aws:TokenIssueTime': CUTOFF } } }], Version: '2012-10-17' },
    });
  });

  test('refuses a date without a time zone', () => {
    const { trusting } = pairedStacks();
    const role = new CrossAccountRole(trusting, 'Role', { trustedAccounts: [TRUSTED] });
    expect(() => role.revokeSessions('2026-11-23 10:00')).toThrow(/revokeSessionsIssuedBefore must be an ISO 8601 date and time with a time zone, like '2026-11-23T10:00:00Z', got '2026-11-23 10:00'/);
    expect(() => role.revokeSessions('2026-13-45T10:00:00Z')).toThrow(/must be an ISO 8601 date/);
  });

  test('refuses a date that does not exist, which would otherwise roll over into the next month', () => {
    const { trusting } = pairedStacks();
    const role = new CrossAccountRole(trusting, 'Role', { trustedAccounts: [TRUSTED] });
    expect(() => role.revokeSessions('2026-02-30T10:00:00Z')).toThrow(/revokeSessionsIssuedBefore '2026-02-30T10:00:00Z' is not a real date and time/);
    expect(() => role.revokeSessions('2026-04-31T10:00:00+02:00')).toThrow(/'2026-04-31T10:00:00\+02:00' is not a real date and time/);
    expect(() => role.revokeSessions('2028-02-29T10:00:00+01:00')).not.toThrow();
  });

  test('warns about a cutoff still to come, which denies every new session until then', () => {
    const { trusting } = pairedStacks();
    const role = new CrossAccountRole(trusting, 'Role', { trustedAccounts: [TRUSTED] });

    role.revokeSessions('2999-01-01T00:00:00Z');

    Annotations.fromStack(trusting).hasWarning('/Trusting/Role',
      Match.stringLikeRegexp('sessions issued before 2999-01-01T00:00:00Z are revoked, a time still to come: until then every new session of this role is denied at once'));
  });

  test('does not warn about a cutoff in the past', () => {
    const { trusting } = pairedStacks();
    new CrossAccountRole(trusting, 'Role', { trustedAccounts: [TRUSTED], revokeSessionsIssuedBefore: CUTOFF });

    Annotations.fromStack(trusting).hasNoWarning('/Trusting/Role', Match.stringLikeRegexp('a time still to come'));
  });
});

describe('inline policy quota', () => {
  test('fails synthesis when the inline policies exceed 10,240 characters', () => {
    const { app, trusting } = pairedStacks();
    const statements = Array.from({ length: 100 }, (_, i) => new iam.PolicyStatement({
      actions: ['s3:GetObject'],
      resources: [`arn:aws:s3:::a-bucket-with-a-fairly-long-name-${i}/and/a/prefix/*`, `arn:aws:s3:::another-bucket-${i}/*`],
    }));
    new CrossAccountRole(trusting, 'Role', { trustedAccounts: [TRUSTED], inlinePolicies: { Big: new iam.PolicyDocument({ statements }) } });

    expect(() => app.synth()).toThrow(/the role's inline policies are about \d+ characters in total, over the IAM quota of 10240/);
  });

  test('counts policies attached to the role as AWS::IAM::Policy resources too', () => {
    // GIVEN two halves that each fit, but not together
    const { app, trusting } = pairedStacks();
    const half = () => new iam.PolicyDocument({
      statements: Array.from({ length: 60 }, (_, i) => new iam.PolicyStatement({ actions: ['s3:GetObject'], resources: [`arn:aws:s3:::bucket-number-${i}/a/long/prefix/*`] })),
    });
    const role = new CrossAccountRole(trusting, 'Role', { trustedAccounts: [TRUSTED], inlinePolicies: { Own: half() } });

    // WHEN
    new iam.Policy(trusting, 'Attached', { roles: [role.role], document: half() });

    // THEN
    expect(() => app.synth()).toThrow(/the role's inline policies are about \d+ characters in total, over the IAM quota of 10240/);
  });

  test('stays silent under the quota, the revocation policy included', () => {
    const { app, trusting } = pairedStacks();
    const role = new CrossAccountRole(trusting, 'Role', { trustedAccounts: [TRUSTED] });
    role.revokeSessions(CUTOFF);
    expect(() => app.synth()).not.toThrow();
  });
});
