import { Annotations, Duration, Stack } from 'aws-cdk-lib';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as sns from 'aws-cdk-lib/aws-sns';
import { Construct } from 'constructs';
import { WARNING_PREFIX } from './private/constants';
import { checkProps, everyKey, RequiredKeys } from './private/input/props';
import { fail } from './private/input/validation';
import { roleArnIn } from './private/role/role-arn';

/**
 * CloudTrail records `AssumeRole` as a read-only management event, which a rule
 * in the plain `ENABLED` state never receives.
 *
 * @see https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-service-event-cloudtrail-management.html
 */
const RULE_STATE_WITH_READ_ONLY_MANAGEMENT_EVENTS = 'ENABLED_WITH_ALL_CLOUDTRAIL_MANAGEMENT_EVENTS';

/**
 * Where an `AssumeRoleMonitor` sends what it sees.
 */
export interface AssumeRoleMonitorOptions {
  /**
   * The topic that receives the events.
   *
   * A topic created in this app gets a topic policy that lets EventBridge
   * publish. An imported topic's policy must already allow `sns:Publish` to
   * `events.amazonaws.com`, and if it is encrypted with a customer managed KMS
   * key, that key's policy must let `events.amazonaws.com` use it
   * (`kms:GenerateDataKey*`, `kms:Decrypt`).
   *
   * @default - a topic encrypted with a new customer managed KMS key that EventBridge may use
   */
  readonly topic?: sns.ITopic;

  /**
   * Also report successful assumptions, not only failed attempts.
   *
   * @default true
   */
  readonly reportSuccess?: boolean;
}

/**
 * Properties of an `AssumeRoleMonitor`.
 */
export interface AssumeRoleMonitorProps extends AssumeRoleMonitorOptions {
  /**
   * The roles to watch, in this stack's account: any `iam.IRole` whose ARN is
   * known at synth time (a `CrossAccountRole`, an `iam.Role`, or
   * `iam.Role.fromRoleArn(...)`).
   *
   * A role of another stack is named by its literal ARN, never by a
   * CloudFormation export: it needs a physical name (`roleName`).
   */
  readonly roles: iam.IRole[];
}

/**
 * Reports `sts:AssumeRole` calls on cross-account roles, from CloudTrail through
 * EventBridge to an SNS topic: one rule for successful assumptions, one for
 * failed attempts (events with an `errorCode`).
 *
 * CloudTrail records `AssumeRole` as a read-only management event, so both
 * rules are in the state `ENABLED_WITH_ALL_CLOUDTRAIL_MANAGEMENT_EVENTS`: a rule
 * that is merely `ENABLED` never receives such events.
 *
 * CloudTrail must record management events in the trusting account, in the
 * region of this stack: STS records an `AssumeRole` event in the region of the
 * endpoint the caller used (the global endpoint `sts.amazonaws.com` is
 * us-east-1). Create one monitor per region callers use, or make callers use
 * the regional endpoint of this stack's region.
 *
 * @see https://docs.aws.amazon.com/IAM/latest/UserGuide/cloudtrail-integration.html
 */
export class AssumeRoleMonitor extends Construct {
  /** The topic that receives the events. */
  public readonly topic: sns.ITopic;

  /**
   * The rule for successful assumptions.
   *
   * @default - undefined when `reportSuccess` is false
   */
  public readonly successRule?: events.Rule;

  /** The rule for failed attempts. */
  public readonly failureRule: events.Rule;

  constructor(scope: Construct, id: string, props: AssumeRoleMonitorProps) {
    super(scope, id);
    checkProps(this, 'AssumeRoleMonitor', props, everyKey<RequiredKeys<AssumeRoleMonitorProps>>()(['roles']));
    if (props.roles.length === 0) {
      fail(this, 'roles is empty; give the roles to watch');
    }

    if (props.topic) {
      this.topic = props.topic;
      if (!(props.topic instanceof sns.Topic)) {
        Annotations.of(this).addWarningV2(`${WARNING_PREFIX}:importedMonitorTopic`,
          `the topic ${props.topic.node.path} is imported, so no topic policy is added for it; make sure its policy allows sns:Publish to events.amazonaws.com (and its KMS key, if any, lets that service use it), or EventBridge cannot deliver the AssumeRole events`);
      }
    } else {
      // The AWS managed key alias/aws/sns cannot be used by EventBridge: a customer managed key can.
      const key = new kms.Key(this, 'TopicKey', {
        description: 'Encrypts the AssumeRole monitor topic',
        enableKeyRotation: true,
      });
      key.grant(new iam.ServicePrincipal('events.amazonaws.com'), 'kms:GenerateDataKey*', 'kms:Decrypt');
      this.topic = new sns.Topic(this, 'Topic', { masterKey: key, enforceSSL: true });
    }

    const stack = Stack.of(this);
    const roleArns = props.roles.map((role, i) => {
      if (role === undefined || role === null || typeof role.roleArn !== 'string') {
        fail(this, `roles[${i}] is not a role; give an iam.IRole (a CrossAccountRole, an iam.Role, or iam.Role.fromRoleArn(...))`);
      }
      return roleArnIn(stack, role, this, 'role').arn;
    });
    const pattern = (errorCode: { exists: boolean }): events.EventPattern => ({
      source: ['aws.sts'],
      detailType: ['AWS API Call via CloudTrail'],
      detail: {
        eventSource: ['sts.amazonaws.com'],
        eventName: ['AssumeRole'],
        requestParameters: { roleArn: roleArns },
        errorCode: [errorCode],
      },
    });
    const target = new targets.SnsTopic(this.topic, { retryAttempts: 8, maxEventAge: Duration.hours(24) });

    const rule = (ruleId: string, description: string, eventPattern: events.EventPattern) => {
      const created = new events.Rule(this, ruleId, { description, eventPattern, targets: [target] });
      // events.Rule has no prop for this state (aws-cdk-lib 2.262): set it on the CfnRule.
      (created.node.defaultChild as events.CfnRule).state = RULE_STATE_WITH_READ_ONLY_MANAGEMENT_EVENTS;
      return created;
    };
    if (props.reportSuccess ?? true) {
      this.successRule = rule('Assumed', 'Reports every successful sts:AssumeRole on the cross-account role(s)', pattern({ exists: false }));
    }
    this.failureRule = rule('Failed', 'Reports every failed sts:AssumeRole on the cross-account role(s)', pattern({ exists: true }));
  }
}
