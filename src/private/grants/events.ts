import { createHash } from 'crypto';
import { Stack } from 'aws-cdk-lib';
import * as events from 'aws-cdk-lib/aws-events';
import * as iam from 'aws-cdk-lib/aws-iam';
import { EVENT_BUS_POLICY_MAX_LENGTH, EVENTS_PUT_ACTIONS } from '../constants';
import { literalIn } from './names';
import { ShareOptions } from './options';
import { ResourceShare, guardedStatement } from './share';

/**
 * The event bus's half of `CrossAccountGrants.eventBusPutEvents`. Each
 * statement of a bus policy is its own `AWS::Events::EventBusPolicy`, named by
 * its statement ID. A bus encrypted with a customer managed key is encrypted
 * by EventBridge itself, so the caller needs no KMS permission.
 * https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-event-bus-perms.html
 */
export function eventBusShare(method: string, bus: events.IEventBus, _options: ShareOptions): ResourceShare {
  const created = bus.node.defaultChild instanceof events.CfnEventBus;
  const label = `the event bus '${bus.node.path}'`;
  const statement = { actions: EVENTS_PUT_ACTIONS, resources: [bus.eventBusArn] };
  return {
    method,
    resource: bus,
    label,
    created,
    sameAccount: grantee => bus.grantPutEventsTo(grantee),
    identityStatements: stack => [{ actions: EVENTS_PUT_ACTIONS, resources: [literalIn(stack, bus.eventBusArn, bus, label, 'eventBusName')] }],
    resourceStatements: () => [statement],
    writeResourceSide: guard => {
      const policyStatement = guardedStatement(guard, statement);
      // A bus policy statement needs a statement ID, unique on the bus: one per grantee, the same on every synth.
      policyStatement.sid = `CrossAccountPutEvents-${createHash('sha256').update(JSON.stringify(Stack.of(bus).resolve(policyStatement.toStatementJson()))).digest('hex').slice(0, 16)}`;
      // IEventBus does not declare addToResourcePolicy, but every bus class of aws-cdk-lib has it (a created bus writes the statement).
      const resource = bus as unknown as iam.IResourceWithPolicyV2;
      return iam.Grant.addStatementToResourcePolicy({
        grantee: new iam.AnyPrincipal(), actions: statement.actions, resourceArns: statement.resources, resource, statement: policyStatement,
      });
    },
    keyUses: () => [],
    quota: {
      policy: `the policy of the event bus '${bus.node.path}'`,
      limitText: '10,240 characters for an event bus policy (https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-quota.html)',
      limit: EVENT_BUS_POLICY_MAX_LENGTH,
      measure: () => ({
        Version: '2012-10-17',
        Statement: bus.node.findAll()
          .filter((c): c is events.CfnEventBusPolicy => c instanceof events.CfnEventBusPolicy)
          .map(policy => policy.statement),
      }),
      fix: 'grant fewer principals on this bus, or grant an organization (organizationId) instead of many accounts',
      adjustable: true,
    },
  };
}
