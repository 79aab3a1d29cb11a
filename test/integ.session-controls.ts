/**
 * Integration test: session controls. The role requires session names that
 * match `integ-*`; its caller (a Lambda function whose role holds an
 * `AssumeRolePolicy`) is in the same account, which the role trusts.
 *
 * Proves on real AWS: a session name that matches the pattern is accepted,
 * one that breaks it is `AccessDenied`.
 *
 *   npx integ-runner --directory test --app "node -r ts-node/register/transpile-only {filePath}" --update-on-failed integ.session-controls.ts
 */
import { IntegTest } from '@aws-cdk/integ-tests-alpha';
import { App, Duration, Stack } from 'aws-cdk-lib';
import { AssumeRolePolicy, CrossAccountRole } from '../src';
import { assumeRoleProbe, leaveNothingBehind, probeAssertion, ProbeOutcome, ProbeRequest } from './helpers/integ-probe';

const app = new App();
leaveNothingBehind(app);
const stack = new Stack(app, 'CrossAccountRolesSessionControls');

const role = new CrossAccountRole(stack, 'Role', { trustedAccounts: [stack.account], roleSessionNamePattern: 'integ-*' });
const caller = assumeRoleProbe(stack, 'Caller');
new AssumeRolePolicy(stack, 'CallerMayAssume', { targetRoles: [role], roles: [caller.role!] });

const integ = new IntegTest(app, 'SessionControls', { testCases: [stack] });
const call = (request: ProbeRequest, outcome: ProbeOutcome) => probeAssertion(integ, caller, request, outcome);

call({ roleArn: role.roleArn, roleSessionName: 'integ-alice' }, { assumeRole: 'allowed' })
  .waitForAssertions({ totalTimeout: Duration.minutes(5), interval: Duration.seconds(15) })
  .next(call({ roleArn: role.roleArn, roleSessionName: 'alice' }, { assumeRole: 'AccessDenied' }));
