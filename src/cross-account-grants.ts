import * as ecr from 'aws-cdk-lib/aws-ecr';
import * as events from 'aws-cdk-lib/aws-events';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct, IConstruct } from 'constructs';
import { repositoryShare } from './private/grants/ecr';
import { eventBusShare } from './private/grants/events';
import { keyShare } from './private/grants/key';
import { functionShare } from './private/grants/lambda';
import { queueShare, topicShare } from './private/grants/messaging';
import { readShareOptions } from './private/grants/options';
import { bucketShare } from './private/grants/s3';
import { secretShare } from './private/grants/secrets';
import { ResourceShare, share } from './private/grants/share';
import { fail } from './private/input/validation';

/**
 * Options of a cross-account grant.
 *
 * The organization options narrow the resource's side (its policy) to
 * principals of an AWS Organizations organization or of some of its
 * organizational units, as `CrossAccountRole`'s `trustedOrganizationId` and
 * `trustedOrganizationalUnitPaths` narrow a trust, and are validated the same
 * way. The other options apply to some grants only, and the others refuse them.
 */
export interface CrossAccountGrantOptions {
  /**
   * Only principals of this AWS Organizations organization are let in
   * (`StringEquals aws:PrincipalOrgID` in the resource's policy).
   *
   * With an `iam.OrganizationPrincipal` grantee this is its organization.
   *
   * @default - the organization is not checked
   * @see https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-keys.html#condition-keys-principalorgid
   */
  readonly organizationId?: string;

  /**
   * Only principals of accounts in these organizational units are let in
   * (`ForAnyValue:StringLike aws:PrincipalOrgPaths` in the resource's policy),
   * e.g. `o-a1b2c3d4e5/r-ab12/ou-ab12-11111111/*`.
   *
   * A Lambda function's permission cannot carry it: `functionInvoke` refuses it.
   *
   * @default - the organizational unit is not checked
   * @see https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-keys.html#condition-keys-principalorgpaths
   */
  readonly organizationalUnitPaths?: string[];

  /**
   * The objects of a bucket the grant covers (`bucket*` grants only), like the
   * `objectsKeyPattern` of aws-cdk-lib's bucket grants, e.g. `exports/*`.
   *
   * @default '*'
   */
  readonly objectKeyPattern?: string;

  /**
   * The imported bucket enforces object ownership (Object Ownership
   * `BucketOwnerEnforced`), so writes need no ACL (`bucketWrite` and
   * `bucketReadWrite` on an imported bucket only).
   *
   * The app cannot see an imported bucket's setting, so by default the
   * grantee may only write objects with the `bucket-owner-full-control` ACL
   * (`s3:x-amz-acl`), which gives the bucket's account the objects whatever
   * its setting. A bucket the app creates must itself enforce object
   * ownership, checked when the app is synthesized, and refuses this option.
   *
   * @default false
   * @see https://docs.aws.amazon.com/AmazonS3/latest/userguide/about-object-ownership.html
   */
  readonly bucketOwnershipEnforced?: boolean;

  /**
   * The alias that names the key in the grantee's identity policy
   * (`kms:ResourceAliases`), for `keyDecrypt` and `keyEncryptDecrypt` on a key
   * whose ARN is only known at deploy time (a key created in another stack).
   *
   * @default - the alias the app creates for the key (`key.addAlias(...)`); a
   *            key imported by ARN is named by its ARN
   * @see https://docs.aws.amazon.com/kms/latest/developerguide/alias-authorization.html
   */
  readonly keyAlias?: string;
}

/**
 * Grants on resources to principals of other accounts, writing both sides:
 * the resource's policy in its account and the grantee's identity policy in
 * the grantee's account.
 *
 * The methods mirror aws-cdk-lib's grants of the same name
 * (`bucket.grantRead(grantee)` is `CrossAccountGrants.bucketRead(bucket, grantee)`)
 * and return the `iam.Grant` they write, for `applyBefore()` and the rest.
 *
 * **The resource's side** (its policy, and its customer managed key's policy)
 * names the grantee's account root, never a role or user ARN, narrowed to the
 * grantee by `ArnEquals aws:PrincipalArn` (and to an organization with the
 * options), exactly as `CrossAccountRole` names trusted principals. The two
 * stacks deploy in either order, and the grant survives the grantee being
 * replaced.
 *
 * **The grantee's side** (its identity policy, when it is a role or user of a
 * stack of the app) names the resource's exact ARNs, from its physical name:
 * a resource without one is an error naming the prop to set. (An account or
 * organization grantee has no side to write, so the resource needs no name;
 * but the key policy of an encrypted bucket, queue, topic or secret names it,
 * and a reference would be circular: it needs a literal name or
 * `PhysicalName.GENERATE_IF_NEEDED`, generated at synth.) A KMS key is
 * never granted on `*`: through a service, on the keys of the key's account
 * and region (`key/*`) narrowed by `kms:ViaService` and the encryption context
 * the service passes; directly, by the key's ARN or its alias.
 *
 * **Grantees**: a role or user of another account's stack (or a construct
 * with one, like a `CrossAccountRole` or a Lambda function); a role or user
 * imported by its literal ARN (`iam.Role.fromRoleArn`, `iam.User.fromUserArn`,
 * `iam.ArnPrincipal`); an `iam.AccountPrincipal`; an
 * `iam.OrganizationPrincipal`. A role or user imported into a stack of its
 * own account gets its identity policy there, as aws-cdk-lib writes it for
 * such an import (an `AWS::IAM::Policy` attached to it by name), with no
 * warning; one imported into a stack of another account, or with
 * `mutable: false`, or an `iam.ArnPrincipal`, gets only the resource's side,
 * and a warning says what its account must allow. A group is refused (IAM
 * does not accept one as a principal), as is an identity imported with an ARN
 * only known at deploy time; a grantee of the resource's own account gets
 * aws-cdk-lib's grant.
 *
 * An imported resource (another account's) gets the grantee's side only, and
 * a warning that its owner must write its side. Each resource policy is
 * checked against its service's size quota at synth time.
 *
 * @see https://docs.aws.amazon.com/IAM/latest/UserGuide/access_policies-cross-account-resource-access.html
 */
export class CrossAccountGrants {
  /**
   * Grants reading the bucket's objects (`s3:GetObject`, `s3:GetObjectVersion`,
   * `s3:GetObjectAttributes`, `s3:ListBucket`, `s3:ListBucketVersions`,
   * `s3:GetBucketLocation`), and decrypting them through S3 with its key.
   *
   * @param bucket the bucket
   * @param grantee who reads it
   * @param options organization, objects
   */
  public static bucketRead(bucket: s3.IBucket, grantee: iam.IGrantable, options?: CrossAccountGrantOptions): iam.Grant {
    return grant('bucketRead', bucket, grantee, options, o => bucketShare('bucketRead', bucket, { read: true, write: false }, o));
  }

  /**
   * Grants writing and deleting the bucket's objects (`s3:PutObject`, its
   * legal hold, retention and tags, `s3:AbortMultipartUpload`,
   * `s3:DeleteObject`, `s3:DeleteObjectVersion`), and encrypting them through
   * S3 with its key.
   *
   * The bucket's account must own what the grantee writes: a bucket of the
   * app must enforce object ownership (`BucketOwnerEnforced`), an imported
   * one gets the `bucket-owner-full-control` ACL required (see
   * `bucketOwnershipEnforced`).
   *
   * @param bucket the bucket
   * @param grantee who writes to it
   * @param options organization, objects, ownership of an imported bucket
   */
  public static bucketWrite(bucket: s3.IBucket, grantee: iam.IGrantable, options?: CrossAccountGrantOptions): iam.Grant {
    return grant('bucketWrite', bucket, grantee, options, o => bucketShare('bucketWrite', bucket, { read: false, write: true }, o));
  }

  /**
   * Grants both `bucketRead` and `bucketWrite`.
   *
   * @param bucket the bucket
   * @param grantee who reads and writes it
   * @param options organization, objects, ownership of an imported bucket
   */
  public static bucketReadWrite(bucket: s3.IBucket, grantee: iam.IGrantable, options?: CrossAccountGrantOptions): iam.Grant {
    return grant('bucketReadWrite', bucket, grantee, options, o => bucketShare('bucketReadWrite', bucket, { read: true, write: true }, o));
  }

  /**
   * Grants decrypting with the key directly (`kms:Decrypt`).
   *
   * The grantee's identity policy names the key by its ARN when the app knows
   * it (a key imported by ARN), else by its alias (`kms:ResourceAliases`).
   *
   * @param key the key
   * @param grantee who decrypts with it
   * @param options organization, alias
   */
  public static keyDecrypt(key: kms.IKey, grantee: iam.IGrantable, options?: CrossAccountGrantOptions): iam.Grant {
    return grant('keyDecrypt', key, grantee, options, o => keyShare('keyDecrypt', key, false, o));
  }

  /**
   * Grants encrypting and decrypting with the key directly (`kms:Decrypt`,
   * `kms:Encrypt`, `kms:ReEncryptFrom`, `kms:ReEncryptTo`, `kms:GenerateDataKey`,
   * `kms:GenerateDataKeyWithoutPlaintext`).
   *
   * @param key the key
   * @param grantee who uses it
   * @param options organization, alias
   */
  public static keyEncryptDecrypt(key: kms.IKey, grantee: iam.IGrantable, options?: CrossAccountGrantOptions): iam.Grant {
    return grant('keyEncryptDecrypt', key, grantee, options, o => keyShare('keyEncryptDecrypt', key, true, o));
  }

  /**
   * Grants sending messages to the queue (`sqs:SendMessage`,
   * `sqs:GetQueueAttributes`, `sqs:GetQueueUrl`), and the key actions a
   * producer needs through SQS for this queue (`kms:ViaService` and the
   * queue's ARN as `kms:EncryptionContext:aws:sqs:arn`).
   *
   * @param queue the queue
   * @param grantee who sends
   * @param options organization
   */
  public static queueSendMessages(queue: sqs.IQueue, grantee: iam.IGrantable, options?: CrossAccountGrantOptions): iam.Grant {
    return grant('queueSendMessages', queue, grantee, options, o => queueShare('queueSendMessages', queue, 'send', o));
  }

  /**
   * Grants receiving and deleting the queue's messages (aws-cdk-lib's consume
   * actions), and decrypting them through SQS for this queue.
   *
   * @param queue the queue
   * @param grantee who consumes
   * @param options organization
   */
  public static queueConsumeMessages(queue: sqs.IQueue, grantee: iam.IGrantable, options?: CrossAccountGrantOptions): iam.Grant {
    return grant('queueConsumeMessages', queue, grantee, options, o => queueShare('queueConsumeMessages', queue, 'consume', o));
  }

  /**
   * Grants publishing to the topic (`sns:Publish`), and the key actions a
   * publisher needs through SNS for this topic (`kms:ViaService` and the
   * topic's ARN as `kms:EncryptionContext:aws:sns:topicArn`).
   *
   * @param topic the topic
   * @param grantee who publishes
   * @param options organization
   */
  public static topicPublish(topic: sns.ITopic, grantee: iam.IGrantable, options?: CrossAccountGrantOptions): iam.Grant {
    return grant('topicPublish', topic, grantee, options, o => topicShare('topicPublish', topic, o));
  }

  /**
   * Grants reading the secret (`secretsmanager:GetSecretValue`,
   * `secretsmanager:DescribeSecret`), and decrypting it through Secrets Manager.
   *
   * A secret can only be shared across accounts when it is encrypted with a
   * customer managed key: a secret without one is an error.
   *
   * @param secret the secret
   * @param grantee who reads it
   * @param options organization
   * @see https://docs.aws.amazon.com/secretsmanager/latest/userguide/auth-and-access_examples_cross.html
   */
  public static secretRead(secret: secretsmanager.ISecret, grantee: iam.IGrantable, options?: CrossAccountGrantOptions): iam.Grant {
    return grant('secretRead', secret, grantee, options, o => secretShare('secretRead', secret, o));
  }

  /**
   * Grants pulling images from the repository (`ecr:BatchGetImage`,
   * `ecr:GetDownloadUrlForLayer`, `ecr:BatchCheckLayerAvailability`), and
   * `ecr:GetAuthorizationToken` (an action on no resource) to log in.
   *
   * @param repository the repository
   * @param grantee who pulls
   * @param options organization
   */
  public static repositoryPull(repository: ecr.IRepository, grantee: iam.IGrantable, options?: CrossAccountGrantOptions): iam.Grant {
    return grant('repositoryPull', repository, grantee, options, o => repositoryShare('repositoryPull', repository, o));
  }

  /**
   * Grants invoking the function (`lambda:InvokeFunction`).
   *
   * A function's policy is made of `AWS::Lambda::Permission` resources, which
   * can name an account and an organization but carry no other condition:
   * the function's side lets in the grantee's whole account, and only the
   * grantee's identity policy narrows it to the grantee (a warning says so).
   *
   * A `lambda.Alias` is granted on its own (qualified) ARN, on both sides. A
   * version the app publishes is numbered at deploy time, so a role or user
   * cannot be granted on it (grant on the function, or on an alias of the
   * version); an account or an organization can. A `lambda.SingletonFunction`
   * is granted on the function it creates.
   *
   * @param fn the function, alias or version
   * @param grantee who invokes it
   * @param options organization (not organizational units)
   * @see https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/aws-resource-lambda-permission.html
   */
  public static functionInvoke(fn: lambda.IFunction, grantee: iam.IGrantable, options?: CrossAccountGrantOptions): iam.Grant {
    return grant('functionInvoke', fn, grantee, options, o => functionShare('functionInvoke', fn, o));
  }

  /**
   * Grants putting events on the event bus (`events:PutEvents`).
   *
   * @param eventBus the event bus
   * @param grantee who puts events
   * @param options organization
   */
  public static eventBusPutEvents(eventBus: events.IEventBus, grantee: iam.IGrantable, options?: CrossAccountGrantOptions): iam.Grant {
    return grant('eventBusPutEvents', eventBus, grantee, options, o => eventBusShare('eventBusPutEvents', eventBus, o));
  }

  private constructor() {}
}

/** Validates the options, builds the service's half and writes both sides. */
function grant(method: string, resource: IConstruct, grantee: iam.IGrantable, options: CrossAccountGrantOptions | undefined,
  build: (options: CrossAccountGrantOptions) => ResourceShare): iam.Grant {
  if (resource === undefined || resource === null || !Construct.isConstruct(resource)) {
    // a plain JavaScript caller: the library's message, not a TypeError from deep inside
    throw new Error(`CrossAccountGrants.${method} needs the resource to share as its first argument (a construct of aws-cdk-lib), got ${resource === null ? 'null' : typeof resource}`);
  }
  if (grantee === undefined || grantee === null) {
    fail(resource, `CrossAccountGrants.${method} needs a grantee, got ${grantee}`);
  }
  const read = readShareOptions(resource, method, options);
  return share(build(read), grantee, read);
}
