import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as iam from 'aws-cdk-lib/aws-iam';
import { AssumeRolePolicy, CrossAccountRoleFanout } from '../src';
import { TRUSTING, pairedStacks, testApp } from './util';
import { resolvedPolicyLength } from '../src/private/policy/policy-size';

const HUB = '999999999999';
const QUOTA = 6144;
const spokes = (count: number) => Array.from({ length: count }, (_, i) => String(100000000000 + i * 7919));

/** The managed policy documents of a stack, in the order of their logical IDs' construct ids (Resource, Resource2 ...). */
function documentsOf(stack: Stack, policies: iam.ManagedPolicy[]): any[] {
  const resources = Template.fromStack(stack).findResources('AWS::IAM::ManagedPolicy');
  return policies.map(p => resources[stack.getLogicalId(p.node.defaultChild as iam.CfnManagedPolicy)].Properties.PolicyDocument);
}

/**
 * Asserts the split of the one packer: every document within the quota, and
 * each as full as it can be: with the next document's first item added to its
 * last statement (by `grow`), it would be over the quota.
 */
function expectPackedToTheQuota(documents: any[], grow: (document: any, next: any) => any): void {
  expect(documents.length).toBeGreaterThan(1);
  documents.forEach((document, i) => {
    expect(resolvedPolicyLength(document)).toBeLessThanOrEqual(QUOTA);
    if (i + 1 < documents.length) {
      expect(resolvedPolicyLength(grow(document, documents[i + 1]))).toBeGreaterThan(QUOTA);
    }
  });
}

/** The document with `value` appended to the list at `key` of its last statement. */
function withAppended(document: any, read: (statement: any) => any[], write: (statement: any, list: any[]) => any, value: unknown): any {
  const statements = document.Statement;
  const last = statements[statements.length - 1];
  return { ...document, Statement: [...statements.slice(0, -1), write(last, [...read(last), value])] };
}

const asList = (value: unknown): any[] => Array.isArray(value) ? value : [value];

describe('the managed policy packer', () => {
  test('AssumeRolePolicy fills each policy up to the quota before it opens the next', () => {
    // GIVEN
    const { trusted } = pairedStacks();
    const arns = Array.from({ length: 300 }, (_, i) => `arn:aws:iam::${TRUSTING}:role/packed-role-${String(i).padStart(3, '0')}`);

    // WHEN
    const assume = new AssumeRolePolicy(trusted, 'Assume', { targetRoleArns: arns });

    // THEN
    const resource = (st: any) => asList(st.Resource);
    expectPackedToTheQuota(documentsOf(trusted, assume.policies),
      (doc, next) => withAppended(doc, resource, (st, list) => ({ ...st, Resource: list }), resource(next.Statement[0])[0]));
  });

  test('the fan-out fills each hub policy up to the quota before it opens the next', () => {
    // GIVEN (a plain App: CloudFormation validation of 501 templates would only slow this test down)
    const app = new App();

    // WHEN
    const fanout = new CrossAccountRoleFanout(app, 'Ops', { hubAccount: HUB, roleName: 'OpsRead', spokeAccounts: spokes(500) });

    // THEN
    const accounts = (st: any) => asList(st.Condition.StringEquals['aws:ResourceAccount']);
    expectPackedToTheQuota(documentsOf(fanout.hubStack, fanout.hubPolicies), (doc, next) => withAppended(doc, accounts,
      (st, list) => ({ ...st, Condition: { ...st.Condition, StringEquals: { 'aws:ResourceAccount': list } } }), accounts(next.Statement[0])[0]));
  });

  test('the fan-out\'s hub permission is what an AssumeRolePolicy on its spoke roles holds, when it names them', () => {
    // GIVEN a fan-out whose hub names the one spoke role, and an AssumeRolePolicy on that role in the hub's account
    const app = testApp();
    const fanout = new CrossAccountRoleFanout(app, 'Ops', {
      hubAccount: HUB, roleName: 'OpsRead', spokeAccounts: ['123456789012'], requireMfa: true, allowSessionTags: true, requireSourceIdentity: true,
    });
    const tools = new Stack(app, 'Tools', { env: { account: HUB, region: fanout.hubStack.region } });

    // WHEN
    const assume = new AssumeRolePolicy(tools, 'Assume', { targetRoles: fanout.spokeRoles, requireMfa: true });

    // THEN
    const [hub] = documentsOf(fanout.hubStack, fanout.hubPolicies);
    expect(hub.Statement[0].Resource).toEqual({ 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':iam::123456789012:role/OpsRead']] });
    expect(hub.Statement[0].Action).toEqual(['sts:AssumeRole', 'sts:SetSourceIdentity', 'sts:TagSession']);
    expect(hub).toEqual(documentsOf(tools, assume.policies)[0]);
  });
});
