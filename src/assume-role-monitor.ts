import { Duration } from 'aws-cdk-lib';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as sns from 'aws-cdk-lib/aws-sns';
import { Construct } from 'constructs';
import type { CrossAccountRole } from './cross-account-role';
import { fail } from './private/validation';

/**
 * Where an `AssumeRoleMonitor` sends what it sees.
 */
export interface AssumeRoleMonitorOptions {
  /**
   * The topic that receives the events.
   *
   * If it is encrypted with a customer managed KMS key, that key's policy must
   * let `events.amazonaws.com` use it (`kms:GenerateDataKey*`, `kms:Decrypt`).
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
  /** The roles to watch, in this stack's account. */
  readonly roles: CrossAccountRole[];
}

/**
 * Reports `sts:AssumeRole` calls on cross-account roles, from CloudTrail through
 * EventBridge to an SNS topic: one rule for successful assumptions, one for
 * failed attempts (events with an `errorCode`).
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
    if (props.roles.length === 0) {
      fail(this, 'roles is empty; give the roles to watch');
    }

    if (props.topic) {
      this.topic = props.topic;
    } else {
      // The AWS managed key alias/aws/sns cannot be used by EventBridge: a customer managed key can.
      const key = new kms.Key(this, 'TopicKey', {
        description: 'Encrypts the AssumeRole monitor topic',
        enableKeyRotation: true,
      });
      key.grant(new iam.ServicePrincipal('events.amazonaws.com'), 'kms:GenerateDataKey*', 'kms:Decrypt');
      this.topic = new sns.Topic(this, 'Topic', { masterKey: key, enforceSSL: true });
    }

    const roleArns = props.roles.map(role => role.roleArn);
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

    if (props.reportSuccess ?? true) {
      this.successRule = new events.Rule(this, 'Assumed', {
        description: 'Reports every successful sts:AssumeRole on the cross-account role(s)',
        eventPattern: pattern({ exists: false }),
        targets: [target],
      });
    }
    this.failureRule = new events.Rule(this, 'Failed', {
      description: 'Reports every failed sts:AssumeRole on the cross-account role(s)',
      eventPattern: pattern({ exists: true }),
      targets: [target],
    });
  }
}
