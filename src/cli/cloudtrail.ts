/**
 * Requests to explain, from CloudTrail events: a single event, a log file
 * (`{"Records": [...]}`), the `Events` of `aws cloudtrail lookup-events`
 * (each a `CloudTrailEvent` string), or an EventBridge "AWS API Call via
 * CloudTrail" event (its `detail`).
 *
 * The request is built from the event's fields as CloudTrail documents them:
 * the caller from `userIdentity` (its `arn`; only its `accountId` in the
 * resource account's copy of a cross-account call), the action from
 * `eventSource` and `eventName`, the resource from `resources` or
 * `requestParameters`, the AssumeRole parameters (`roleArn`, `externalId`,
 * `durationSeconds`, `roleSessionName`, `sourceIdentity`, `tags`,
 * `transitiveTagKeys`), `sourceIPAddress`, `eventTime`, and the MFA of the
 * caller's session (`sessionContext.attributes.mfaAuthenticated` and
 * `creationDate`).
 *
 * @see https://docs.aws.amazon.com/awscloudtrail/latest/userguide/cloudtrail-event-reference-record-contents.html
 * @see https://docs.aws.amazon.com/awscloudtrail/latest/userguide/cloudtrail-event-reference-user-identity.html
 * @see https://docs.aws.amazon.com/IAM/latest/UserGuide/cloudtrail-integration.html#cloudtrail-integration_examples-sts-api
 */
import { AccessRequest } from '../access-explainer';

/** A request built from one event, and what the event says of itself. */
export interface EventRequest {
  /** The event, in a few words: `AssumeRole at 2014-07-18T15:07:39Z (dEXAMPLE-...)`. */
  readonly event: string;
  /** What CloudTrail recorded of its outcome: `AccessDenied: ...`, or `succeeded`. */
  readonly outcome: string;
  readonly request: AccessRequest;
}

/** An event that cannot be explained, and why. */
export interface SkippedEvent {
  readonly event: string;
  readonly reason: string;
}

const isObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);
const text = (value: unknown): string | undefined => (typeof value === 'string' && value !== '' ? value : undefined);

/** The service prefix of IAM actions, by CloudTrail `eventSource`, where they differ from its first label. */
const SERVICE_OF_SOURCE: Record<string, string> = {
  'monitoring.amazonaws.com': 'cloudwatch',
  'email.amazonaws.com': 'ses',
};

/** IAM action names of data events whose CloudTrail `eventName` is not the action's name. */
const ACTION_OF_EVENT: Record<string, string> = {
  'lambda:Invoke': 'lambda:InvokeFunction',
};

/** The events of a file's JSON: Records, lookup-events' Events, an EventBridge envelope, or one event. */
export function eventsOf(json: unknown): unknown[] {
  if (isObject(json) && Array.isArray(json.Records)) { return json.Records; }
  if (isObject(json) && Array.isArray(json.Events)) {
    return json.Events.map(e => (isObject(e) && typeof e.CloudTrailEvent === 'string' ? safeParse(e.CloudTrailEvent) : e));
  }
  if (isObject(json) && isObject(json.detail) && json['detail-type'] !== undefined) { return [json.detail]; }
  if (Array.isArray(json)) { return json; }
  return [json];
}

function safeParse(value: string): unknown {
  try {
    return JSON.parse(value);
  } catch {
    return undefined;
  }
}

/**
 * The caller of an event: its `userIdentity.arn`, or only its account (the
 * resource account's copy of a cross-account call). A role session is named
 * after the role of its `sessionContext.sessionIssuer` (whose ARN has the
 * role's path) and the session name of its `principalId` (`role-id:session`).
 */
function callerOf(identity: Record<string, unknown>): string | undefined {
  const arn = text(identity.arn);
  const session = isObject(identity.sessionContext) ? identity.sessionContext : {};
  const issuer = isObject(session.sessionIssuer) ? text(session.sessionIssuer.arn) : undefined;
  const role = issuer !== undefined ? /^arn:([^:]+):iam::(\d{12}):role\/(?:.*\/)?([^/]+)$/.exec(issuer) : null;
  if (identity.type === 'AssumedRole' && role !== null) {
    const principalId = text(identity.principalId);
    const name = principalId !== undefined && principalId.includes(':') ? principalId.slice(principalId.indexOf(':') + 1) : arn?.split('/').pop();
    if (name !== undefined) { return `arn:${role[1]}:sts::${role[2]}:assumed-role/${role[3]}/${name}`; }
  }
  if (arn !== undefined) { return arn; }
  if (identity.type === 'AWSService' && text(identity.invokedBy) !== undefined) { return text(identity.invokedBy); }
  return text(identity.accountId);
}

/** The resource of an event: an object before its bucket, the first ARN of `resources`, else the request's own parameters. */
function resourceOf(event: Record<string, unknown>, parameters: Record<string, unknown>): string | undefined {
  const resources = (Array.isArray(event.resources) ? event.resources : []).filter(isObject);
  const arns = resources.map(r => ({ arn: text(r.ARN) ?? text(r.arn), type: text(r.type) })).filter(r => r.arn !== undefined);
  const object = arns.find(r => r.type === 'AWS::S3::Object');
  if (object !== undefined) { return object.arn; }
  const role = text(parameters.roleArn);
  if (role !== undefined) { return role; }
  if (arns.length > 0) { return arns[0].arn; }
  const bucket = text(parameters.bucketName);
  const key = text(parameters.key) ?? text(parameters.Key);
  if (bucket !== undefined) { return `arn:aws:s3:::${bucket}${key !== undefined ? `/${key}` : ''}`; }
  return undefined;
}

/** Seconds between two ISO 8601 times, if both are. */
function secondsBetween(from: unknown, to: unknown): number | undefined {
  const [a, b] = [typeof from === 'string' ? Date.parse(from) : NaN, typeof to === 'string' ? Date.parse(to) : NaN];
  return Number.isNaN(a) || Number.isNaN(b) || b < a ? undefined : Math.round((b - a) / 1000);
}

const IP = /^(\d{1,3}(\.\d{1,3}){3}|[0-9a-fA-F:]*:[0-9a-fA-F:]*)$/;

/**
 * The request of an event, or why it cannot be explained. Events that are
 * explained: every `AssumeRole`, every `AccessDenied`, and every call on a
 * resource the event names.
 */
export function requestOf(raw: unknown): EventRequest | SkippedEvent {
  const event = isObject(raw) ? raw : {};
  const name = text(event.eventName) ?? 'an event without eventName';
  const describe = `${name}${text(event.eventTime) !== undefined ? ` at ${event.eventTime}` : ''}${text(event.eventID) !== undefined ? ` (${event.eventID})` : ''}`;
  const identity = isObject(event.userIdentity) ? event.userIdentity : {};
  const parameters = isObject(event.requestParameters) ? event.requestParameters : {};
  const source = text(event.eventSource);
  const principal = callerOf(identity);
  const resource = resourceOf(event, parameters);
  if (source === undefined || principal === undefined) {
    return { event: describe, reason: 'it has no eventSource or no userIdentity with an ARN or account' };
  }
  if (resource === undefined) {
    return { event: describe, reason: `it names no resource (no resources, roleArn or bucketName) to judge ${name} on` };
  }
  const service = SERVICE_OF_SOURCE[source] ?? source.split('.')[0];
  const action = ACTION_OF_EVENT[`${service}:${name}`] ?? `${service}:${name}`;
  const context: Record<string, string> = {};
  const attributes = isObject(identity.sessionContext) && isObject(identity.sessionContext.attributes) ? identity.sessionContext.attributes : {};
  if (attributes.mfaAuthenticated === 'true' || attributes.mfaAuthenticated === 'false') {
    context['aws:MultiFactorAuthPresent'] = String(attributes.mfaAuthenticated);
    // the session was made when MFA was used: its age at the call is the time since
    const age = attributes.mfaAuthenticated === 'true' ? secondsBetween(attributes.creationDate, event.eventTime) : undefined;
    if (age !== undefined) { context['aws:MultiFactorAuthAge'] = String(age); }
  }
  const ip = text(event.sourceIPAddress);
  if (ip !== undefined && IP.test(ip)) { context['aws:SourceIp'] = ip; }
  if (text(event.eventTime) !== undefined) { context['aws:CurrentTime'] = event.eventTime as string; }
  if (text(parameters.externalId) !== undefined) { context['sts:ExternalId'] = parameters.externalId as string; }
  if (text(identity.principalId) !== undefined && text(identity.arn) !== undefined) { context['aws:userid'] = identity.principalId as string; }
  const tags = (Array.isArray(parameters.tags) ? parameters.tags : []).filter(isObject)
    .filter(t => text(t.key) !== undefined && typeof t.value === 'string');
  const duration = typeof parameters.durationSeconds === 'number' ? parameters.durationSeconds
    : typeof parameters.durationSeconds === 'string' && /^\d+$/.test(parameters.durationSeconds) ? Number(parameters.durationSeconds) : undefined;
  const transitive = (Array.isArray(parameters.transitiveTagKeys) ? parameters.transitiveTagKeys : []).filter((k): k is string => typeof k === 'string');
  const request: AccessRequest = {
    principal,
    action,
    resource,
    context,
    ...(duration !== undefined ? { durationSeconds: duration } : {}),
    ...(text(parameters.roleSessionName) !== undefined ? { roleSessionName: parameters.roleSessionName as string } : {}),
    ...(text(parameters.sourceIdentity) !== undefined ? { sourceIdentity: parameters.sourceIdentity as string } : {}),
    ...(tags.length > 0 ? { sessionTags: Object.fromEntries(tags.map(t => [t.key as string, t.value as string])) } : {}),
    ...(transitive.length > 0 ? { transitiveTagKeys: transitive } : {}),
  };
  const error = text(event.errorCode);
  const outcome = error !== undefined ? `${error}${text(event.errorMessage) !== undefined ? `: ${event.errorMessage}` : ''}` : 'succeeded';
  return { event: describe, outcome, request };
}

/** Whether a read event is a request (not a skipped one). */
export function isRequest(value: EventRequest | SkippedEvent): value is EventRequest {
  return 'request' in value;
}

/** Keeps one copy of a cross-account call: the caller's (it names the principal), when both accounts' copies are given. */
export function withoutDuplicates(events: unknown[]): unknown[] {
  const byShared = new Map<string, unknown[]>();
  for (const e of events) {
    const shared = isObject(e) ? text(e.sharedEventID) : undefined;
    if (shared !== undefined) { byShared.set(shared, [...byShared.get(shared) ?? [], e]); }
  }
  return events.filter(e => {
    const shared = isObject(e) ? text(e.sharedEventID) : undefined;
    const copies = shared !== undefined ? byShared.get(shared)! : [e];
    if (copies.length < 2) { return true; }
    const named = copies.find(c => isObject(c) && isObject(c.userIdentity) && text(c.userIdentity.arn) !== undefined) ?? copies[0];
    return e === named;
  });
}
