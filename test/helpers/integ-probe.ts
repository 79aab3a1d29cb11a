/**
 * The caller of the integration tests (test/integ.*.ts): a Lambda function
 * whose role plays the trusted account's principal. Invoked by an
 * `invokeFunction` assertion, it calls `sts:AssumeRole` as the request says,
 * then, with the session it got (or its own role), optionally `iam:GetRole`
 * and `s3:GetObject`, and returns what happened: `allowed`, or the error's
 * name (`AccessDenied`). A denied call is
 * an outcome to assert, not a failed deployment, which is why the calls are
 * made here rather than by `awsApiCall` (whose custom resource fails on any
 * error).
 */
import { ExpectedResult, IApiCall, IntegTest, Match } from '@aws-cdk/integ-tests-alpha';
import { Aspects, CfnDeletionPolicy, CfnResource, Duration, IAspect, Stack } from 'aws-cdk-lib';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct, IConstruct } from 'constructs';

/** What the probe is asked to do. */
export interface ProbeRequest {
  /** The role to assume; without it, the probe acts with its own role. */
  readonly roleArn?: string;
  readonly roleSessionName?: string;
  readonly externalId?: string;
  /** Then call `iam:GetRole` on this role name. */
  readonly getRole?: string;
  /** Then call `s3:GetObject` on this object. */
  readonly getObject?: { readonly bucket: string; readonly key: string };
}

/** What the probe saw: each call's outcome, `allowed` or the error's name. */
export interface ProbeOutcome {
  readonly assumeRole?: string;
  readonly getRole?: string;
  readonly getObject?: string;
}

// The Node.js runtimes of Lambda carry the AWS SDK for JavaScript v3.
// https://docs.aws.amazon.com/lambda/latest/dg/lambda-nodejs.html
const HANDLER = `
const { STSClient, AssumeRoleCommand } = require('@aws-sdk/client-sts');
const { IAMClient, GetRoleCommand } = require('@aws-sdk/client-iam');
const { S3Client, GetObjectCommand } = require('@aws-sdk/client-s3');
const outcome = async (call) => {
  try { await call(); return 'allowed'; } catch (error) { console.log(error); return error.name; }
};
exports.handler = async (request) => {
  const result = {};
  let credentials;
  if (request.roleArn !== undefined) {
    result.assumeRole = await outcome(async () => {
      const assumed = await new STSClient({}).send(new AssumeRoleCommand({
        RoleArn: request.roleArn, RoleSessionName: request.roleSessionName, ExternalId: request.externalId,
      }));
      credentials = {
        accessKeyId: assumed.Credentials.AccessKeyId, secretAccessKey: assumed.Credentials.SecretAccessKey, sessionToken: assumed.Credentials.SessionToken,
      };
    });
    if (result.assumeRole !== 'allowed') { return result; }
  }
  if (request.getRole !== undefined) {
    result.getRole = await outcome(() => new IAMClient({ credentials }).send(new GetRoleCommand({ RoleName: request.getRole })));
  }
  if (request.getObject !== undefined) {
    result.getObject = await outcome(() => new S3Client({ credentials }).send(new GetObjectCommand({ Bucket: request.getObject.bucket, Key: request.getObject.key })));
  }
  return result;
};
`;

/** The probe function; give its role (`probe.role`) the permission to assume, e.g. with an `AssumeRolePolicy`. */
export function assumeRoleProbe(scope: Construct, id: string): lambda.Function {
  return new lambda.Function(scope, id, {
    runtime: lambda.Runtime.NODEJS_22_X,
    handler: 'index.handler',
    code: lambda.Code.fromInline(HANDLER),
    timeout: Duration.seconds(30),
    description: 'Calls sts:AssumeRole as the integration test asks, and reports the outcome',
  });
}

/**
 * Gives every Lambda function of the app (the probe, and integ-tests-alpha's
 * assertion providers) a log group of its stack, deleted with it: Lambda
 * would otherwise create `/aws/lambda/<name>` itself, outside CloudFormation,
 * and it would outlive `cdk destroy`. A deployment of the integration tests
 * then leaves nothing behind.
 *
 * @see https://docs.aws.amazon.com/lambda/latest/dg/monitoring-cloudwatchlogs-loggroups.html
 */
export function leaveNothingBehind(scope: IConstruct): void {
  const aspect: IAspect = {
    visit(node: IConstruct) {
      // integ-tests-alpha writes its providers' functions as plain CfnResources of this type
      if (!CfnResource.isCfnResource(node) || node.cfnResourceType !== 'AWS::Lambda::Function') { return; }
      const logGroup = new logs.CfnLogGroup(Stack.of(node), `${node.node.path.replace(/\W/g, '')}Logs`, { retentionInDays: 1 });
      logGroup.cfnOptions.deletionPolicy = CfnDeletionPolicy.DELETE;
      logGroup.cfnOptions.updateReplacePolicy = CfnDeletionPolicy.DELETE;
      // the function writes to it from its first invocation: the group exists before the function does
      node.addPropertyOverride('LoggingConfig.LogGroup', logGroup.ref);
    },
  };
  Aspects.of(scope).add(aspect);
}

/**
 * An assertion: invoking the probe with `request` returns exactly `outcome`
 * (each call's `allowed`, or the name of its error).
 */
export function probeAssertion(integ: IntegTest, probe: lambda.IFunction, request: ProbeRequest, outcome: ProbeOutcome): IApiCall {
  return integ.assertions
    .invokeFunction({ functionName: probe.functionName, payload: Stack.of(probe).toJsonString(request) })
    .expect(ExpectedResult.objectLike({ Payload: Match.serializedJson(outcome) }));
}
