/**
 * Integration test: revoking sessions. Two roles allow `iam:GetRole` on
 * themselves; `Revoked` has revoked every session issued before a cutoff far
 * in the future (so that the test's own session, issued now, is one of them;
 * a cutoff of "now" would change the snapshot on every synthesis), `Control`
 * has none. The caller is a Lambda function whose role holds an
 * `AssumeRolePolicy` on both.
 *
 * Proves on real AWS: a session issued before the cutoff can still be had
 * (revocation does not refuse `sts:AssumeRole`), but is denied its actions by
 * `CdkRevokeOlderSessions`; the same action in a session of the control role
 * is allowed.
 *
 *   npx integ-runner --directory test --app "node -r ts-node/register/transpile-only {filePath}" --update-on-failed integ.revocation.ts
 */
import { IntegTest } from '@aws-cdk/integ-tests-alpha';
import { App, Duration, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import { AssumeRolePolicy, CrossAccountRole } from '../src';
import { assumeRoleProbe, leaveNothingBehind, probeAssertion, ProbeOutcome, ProbeRequest } from './helpers/integ-probe';

const app = new App();
leaveNothingBehind(app);
const stack = new Stack(app, 'CrossAccountRolesRevocation');

const roles = ['Revoked', 'Control'].map(id => {
  const role = new CrossAccountRole(stack, id, { roleName: `cross-account-roles-integ-${id.toLowerCase()}`, trustedAccounts: [stack.account] });
  role.addToPrincipalPolicy(new iam.PolicyStatement({ actions: ['iam:GetRole'], resources: [role.roleArn] }));
  return role;
});
const [revoked, control] = roles;
revoked.revokeSessions('2099-01-01T00:00:00Z');
const caller = assumeRoleProbe(stack, 'Caller');
new AssumeRolePolicy(stack, 'CallerMayAssume', { targetRoles: roles, roles: [caller.role!] });

const integ = new IntegTest(app, 'Revocation', { testCases: [stack] });
const call = (request: ProbeRequest, outcome: ProbeOutcome) => probeAssertion(integ, caller, request, outcome);

call({ roleArn: control.roleArn, roleSessionName: 'control', getRole: control.roleName }, { assumeRole: 'allowed', getRole: 'allowed' })
  .waitForAssertions({ totalTimeout: Duration.minutes(5), interval: Duration.seconds(15) })
  .next(call({ roleArn: revoked.roleArn, roleSessionName: 'revoked', getRole: revoked.roleName }, { assumeRole: 'allowed', getRole: 'AccessDenied' })
    // until the revocation policy has propagated too (an allowed GetRole before that would fail the test, not pass it)
    .waitForAssertions({ totalTimeout: Duration.minutes(5), interval: Duration.seconds(15) }));
