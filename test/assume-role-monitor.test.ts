import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import * as sns from 'aws-cdk-lib/aws-sns';
import { AssumeRoleMonitor, CrossAccountRole } from '../src';
import { TRUSTED, TRUSTING, pairedStacks } from './util';

const roleArnRef = { 'Fn::GetAtt': [Match.stringLikeRegexp('^Role'), 'Arn'] };

describe('AssumeRoleMonitor', () => {
  test('sends successful AssumeRole calls on the role to an encrypted topic', () => {
    // GIVEN
    const { trusting } = pairedStacks();
    const role = new CrossAccountRole(trusting, 'Role', { trustedAccounts: [TRUSTED] });

    // WHEN
    const monitor = role.monitorAssumptions();

    // THEN
    const template = Template.fromStack(trusting);
    template.hasResourceProperties('AWS::Events::Rule', {
      EventPattern: {
        'source': ['aws.sts'],
        'detail-type': ['AWS API Call via CloudTrail'],
        'detail': {
          eventSource: ['sts.amazonaws.com'],
          eventName: ['AssumeRole'],
          requestParameters: { roleArn: [roleArnRef] },
          errorCode: [{ exists: false }],
        },
      },
      // AssumeRole is a read-only management event: a merely ENABLED rule would never see it.
      State: 'ENABLED_WITH_ALL_CLOUDTRAIL_MANAGEMENT_EVENTS',
      Targets: [Match.objectLike({ Arn: { Ref: Match.stringLikeRegexp('^RoleMonitorTopic') } })],
    });
    template.hasResourceProperties('AWS::SNS::Topic', { KmsMasterKeyId: { 'Fn::GetAtt': [Match.stringLikeRegexp('^RoleMonitorTopicKey'), 'Arn'] } });
    template.hasResourceProperties('AWS::KMS::Key', {
      EnableKeyRotation: true,
      KeyPolicy: Match.objectLike({
        Statement: Match.arrayWith([Match.objectLike({
          Action: ['kms:GenerateDataKey*', 'kms:Decrypt'],
          Principal: { Service: 'events.amazonaws.com' },
        })]),
      }),
    });
    template.hasResourceProperties('AWS::SNS::TopicPolicy', {
      PolicyDocument: Match.objectLike({
        Statement: Match.arrayWith([Match.objectLike({ Action: 'sns:Publish', Principal: { Service: 'events.amazonaws.com' } })]),
      }),
    });
    expect(monitor.successRule).toBeDefined();
  });

  test('sends failed attempts (an errorCode is present) through a separate rule', () => {
    const { trusting } = pairedStacks();
    const role = new CrossAccountRole(trusting, 'Role', { trustedAccounts: [TRUSTED] });

    role.monitorAssumptions({ reportSuccess: false });

    const template = Template.fromStack(trusting);
    template.resourceCountIs('AWS::Events::Rule', 1);
    template.hasResourceProperties('AWS::Events::Rule', {
      EventPattern: Match.objectLike({ detail: Match.objectLike({ errorCode: [{ exists: true }] }) }),
      State: 'ENABLED_WITH_ALL_CLOUDTRAIL_MANAGEMENT_EVENTS',
    });
  });

  test('warns that an imported topic needs a policy that lets EventBridge publish', () => {
    // GIVEN a topic of another stack, imported by ARN
    const { trusting } = pairedStacks();
    const role = new CrossAccountRole(trusting, 'Role', { trustedAccounts: [TRUSTED] });
    const topic = sns.Topic.fromTopicArn(trusting, 'Alerts', `arn:aws:sns:eu-west-1:${TRUSTING}:alerts`);

    // WHEN
    role.monitorAssumptions({ topic });

    // THEN
    Annotations.fromStack(trusting).hasWarning('/Trusting/Role/Monitor',
      Match.stringLikeRegexp('the topic Trusting/Alerts is imported, so no topic policy is added for it; make sure its policy allows sns:Publish to events.amazonaws.com'));
    Template.fromStack(trusting).resourceCountIs('AWS::SNS::TopicPolicy', 0);
  });

  test('says clearly that a role is monitored already', () => {
    const { trusting } = pairedStacks();
    const role = new CrossAccountRole(trusting, 'Role', { trustedAccounts: [TRUSTED] });
    role.monitorAssumptions();

    expect(() => role.monitorAssumptions()).toThrow(/Trusting\/Role: monitorAssumptions\(\) was called already for this role; use the AssumeRoleMonitor it returned, or create an AssumeRoleMonitor of your own for another topic/);
  });

  test('watches several roles and delivers to a given topic', () => {
    const { trusting } = pairedStacks();
    const a = new CrossAccountRole(trusting, 'A', { trustedAccounts: [TRUSTED] });
    const b = new CrossAccountRole(trusting, 'B', { trustedAccounts: [TRUSTED] });
    const topic = new sns.Topic(trusting, 'SecurityAlerts');

    new AssumeRoleMonitor(trusting, 'Monitor', { roles: [a, b], topic });

    const template = Template.fromStack(trusting);
    template.resourceCountIs('AWS::SNS::Topic', 1);
    template.resourceCountIs('AWS::KMS::Key', 0);
    template.resourceCountIs('AWS::Events::Rule', 2);
    template.hasResourceProperties('AWS::Events::Rule', {
      EventPattern: Match.objectLike({
        detail: Match.objectLike({ requestParameters: { roleArn: [{ 'Fn::GetAtt': [Match.stringLikeRegexp('^A'), 'Arn'] }, { 'Fn::GetAtt': [Match.stringLikeRegexp('^B'), 'Arn'] }] } }),
      }),
      Targets: [Match.objectLike({ Arn: { Ref: Match.stringLikeRegexp('^SecurityAlerts') } })],
    });
  });

  test('refuses to watch no role', () => {
    const { trusting } = pairedStacks();
    expect(() => new AssumeRoleMonitor(trusting, 'Monitor', { roles: [] })).toThrow(/Trusting\/Monitor: roles is empty; give the roles to watch/);
  });
});
