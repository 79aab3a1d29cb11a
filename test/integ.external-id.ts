/**
 * Integration test: a role with an external ID, and the assume policy of its
 * caller. One account plays both sides: the role trusts its own account (its
 * root, which delegates to the caller's identity policy, as another account's
 * would), and the caller is a Lambda function whose role holds an
 * `AssumeRolePolicy`.
 *
 * Proves on real AWS: `sts:AssumeRole` with the external ID succeeds; without
 * it, or with another one, it is `AccessDenied`.
 *
 *   npx integ-runner --directory test --app "node -r ts-node/register/transpile-only {filePath}" --update-on-failed integ.external-id.ts
 */
import { IntegTest } from '@aws-cdk/integ-tests-alpha';
import { App, Duration, Stack } from 'aws-cdk-lib';
import { AssumeRolePolicy, CrossAccountRole } from '../src';
import { assumeRoleProbe, leaveNothingBehind, probeAssertion, ProbeOutcome, ProbeRequest } from './helpers/integ-probe';

const app = new App();
leaveNothingBehind(app);
const stack = new Stack(app, 'CrossAccountRolesExternalId');
const EXTERNAL_ID = 'integ-external-id-2f9c4b7a1d6e';

const role = new CrossAccountRole(stack, 'Role', { trustedAccounts: [stack.account], externalIds: [EXTERNAL_ID] });
const caller = assumeRoleProbe(stack, 'Caller');
new AssumeRolePolicy(stack, 'CallerMayAssume', { targetRoles: [role], roles: [caller.role!] });

const integ = new IntegTest(app, 'ExternalId', { testCases: [stack] });
const call = (request: ProbeRequest, outcome: ProbeOutcome) => probeAssertion(integ, caller, request, outcome);

// First the allowed call, retried until IAM has propagated the new role and policy: a denial seen
// before that would prove nothing. Then the refusals.
call({ roleArn: role.roleArn, roleSessionName: 'with-external-id', externalId: EXTERNAL_ID }, { assumeRole: 'allowed' })
  .waitForAssertions({ totalTimeout: Duration.minutes(5), interval: Duration.seconds(15) })
  .next(call({ roleArn: role.roleArn, roleSessionName: 'without-external-id' }, { assumeRole: 'AccessDenied' }))
  .next(call({ roleArn: role.roleArn, roleSessionName: 'wrong-external-id', externalId: 'integ-another-external-id' }, { assumeRole: 'AccessDenied' }));
