/**
 * Integration test: the second road. A KMS-encrypted bucket holds an object
 * (put there by an `AwsApiCall` of the assertion stack); `CrossAccountGrants.bucketRead`
 * lets a reader (a Lambda function's role) read it. One account plays both
 * sides, so the grant is the same-account one, which gives what aws-cdk-lib's
 * `bucket.grantRead` gives; the statements a grant across accounts writes (the
 * account root narrowed by `aws:PrincipalArn`, KMS through S3 only) are proven
 * by test/simulation-resource-policies.test.ts.
 *
 * Proves on real AWS: the reader gets the object, which takes both S3 and the
 * key; another role of the account, which no policy names, is `AccessDenied`.
 *
 *   npx projen integ:deploy integ.resource-share.ts
 */
import { IntegTest } from '@aws-cdk/integ-tests-alpha';
import { App, Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { CrossAccountGrants } from '../src';
import { assumeRoleProbe, leaveNothingBehind, probeAssertion } from './helpers/integ-probe';

const app = new App();
leaveNothingBehind(app);
const stack = new Stack(app, 'CrossAccountRolesResourceShare');
const OBJECT_KEY = 'reports/2026-12.csv';

const key = new kms.Key(stack, 'Key', { enableKeyRotation: true, removalPolicy: RemovalPolicy.DESTROY, pendingWindow: Duration.days(7) });
const bucket = new s3.Bucket(stack, 'Reports', {
  encryptionKey: key,
  enforceSSL: true,
  blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
  removalPolicy: RemovalPolicy.DESTROY,
  autoDeleteObjects: true,
});
const reader = assumeRoleProbe(stack, 'Reader');
const other = assumeRoleProbe(stack, 'Other');
CrossAccountGrants.bucketRead(bucket, reader);

const integ = new IntegTest(app, 'ResourceShare', { testCases: [stack] });
const put = integ.assertions.awsApiCall('S3', 'putObject', { Bucket: bucket.bucketName, Key: OBJECT_KEY, Body: 'month,total\n2026-12,42\n' });
// the assertion provider writes the object: S3 asks the key for a data key on its behalf
put.provider.addToRolePolicy({ Effect: 'Allow', Action: ['s3:PutObject'], Resource: [bucket.arnForObjects(OBJECT_KEY)] });
put.provider.addToRolePolicy({ Effect: 'Allow', Action: ['kms:GenerateDataKey'], Resource: [key.keyArn] });

const getObject = { bucket: bucket.bucketName, key: OBJECT_KEY };

put
  .next(probeAssertion(integ, reader, { getObject }, { getObject: 'allowed' })
    .waitForAssertions({ totalTimeout: Duration.minutes(5), interval: Duration.seconds(15) }))
  .next(probeAssertion(integ, other, { getObject }, { getObject: 'AccessDenied' }));
