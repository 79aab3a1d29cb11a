import * as fs from 'fs';
import * as path from 'path';
import { Duration, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import { AssumeRolePolicy, CrossAccountRole, CrossAccountRolePair } from '../src';
import { OTHER, TRUSTED, TRUSTING, testApp } from './util';

/** Synthesizes a representative app and returns every template file's text, by file name. */
function synthTemplates(): Record<string, string> {
  const app = testApp();
  new CrossAccountRolePair(app, 'Audit', {
    trustingAccount: TRUSTING,
    trustedAccount: TRUSTED,
    roleName: 'Auditor',
    maxMfaAge: Duration.hours(1),
    trustedOrganizationId: 'o-abcdef1234',
    managedPolicies: [iam.ManagedPolicy.fromAwsManagedPolicyName('ReadOnlyAccess')],
  });
  new CrossAccountRolePair(app, 'Vendor', { trustingAccount: TRUSTING, trustedAccount: OTHER, roleName: 'Vendor', externalIdParameter: true });
  // A generated role name must come out the same on every synth too.
  const trusting = new Stack(app, 'Unnamed-Trusting', { env: { account: TRUSTING, region: 'eu-west-1' } });
  const trusted = new Stack(app, 'Unnamed-Trusted', { env: { account: TRUSTED, region: 'eu-west-1' } });
  const role = new CrossAccountRole(trusting, 'Role', { trustedAccounts: [TRUSTED] });
  new AssumeRolePolicy(trusted, 'Assume', { targetRoles: [role] });
  const dir = app.synth().directory;
  const files = fs.readdirSync(dir).filter(f => f.endsWith('.template.json')).sort();
  return Object.fromEntries(files.map(f => [f, fs.readFileSync(path.join(dir, f), 'utf-8')]));
}

test('two synths give byte-identical templates', () => {
  // WHEN
  const first = synthTemplates();
  const second = synthTemplates();

  // THEN
  expect(Object.keys(first)).toHaveLength(6);
  expect(second).toEqual(first);
  expect(first['Unnamed-Trusted.template.json']).toMatch(/:iam::111111111111:role\/unnamed-trusting[a-z0-9]+"/);
});
