/**
 * Fixed values of IAM and STS that the constructs rely on, in one place.
 *
 * Every quota here is the documented IAM/STS value; where a quota can be raised
 * through Service Quotas, both the default and the maximum are given.
 */

/** The action a trust policy allows and an identity policy grants. */
export const STS_ASSUME_ROLE = 'sts:AssumeRole';
/** Allows a caller to pass session tags on AssumeRole. */
export const STS_TAG_SESSION = 'sts:TagSession';
/** Allows a caller to set a source identity on AssumeRole. */
export const STS_SET_SOURCE_IDENTITY = 'sts:SetSourceIdentity';

/** Condition keys used in trust policies. */
export const KEY_EXTERNAL_ID = 'sts:ExternalId';
export const KEY_MFA_PRESENT = 'aws:MultiFactorAuthPresent';
export const KEY_MFA_AGE = 'aws:MultiFactorAuthAge';
export const KEY_PRINCIPAL_ORG_ID = 'aws:PrincipalOrgID';
export const KEY_PRINCIPAL_ORG_PATHS = 'aws:PrincipalOrgPaths';
export const KEY_PRINCIPAL_ARN = 'aws:PrincipalArn';
export const KEY_ROLE_SESSION_NAME = 'sts:RoleSessionName';
export const KEY_SOURCE_IDENTITY = 'sts:SourceIdentity';
export const KEY_SOURCE_IP = 'aws:SourceIp';
export const KEY_TRANSITIVE_TAG_KEYS = 'sts:TransitiveTagKeys';
export const KEY_TOKEN_ISSUE_TIME = 'aws:TokenIssueTime';

/** Role session names and source identities: 2 to 64 characters of `[\w+=,.@-]`. */
export const SESSION_NAME_MIN_LENGTH = 2;
export const SESSION_NAME_MAX_LENGTH = 64;
export const SESSION_NAME_PATTERN = /^[\w+=,.@-]+$/;

/** Inline policies of one role: 10,240 characters in total, whitespace not counted. */
export const ROLE_INLINE_POLICIES_MAX_LENGTH = 10240;

/**
 * The inline policy that revokes a role's older sessions. The IAM console writes
 * the same statement under the name `AWSRevokeOlderSessions`; a name of our own
 * keeps the two apart, so that a stack update never overwrites a newer
 * revocation made in the console, and removing ours never deletes the console's.
 */
export const REVOKE_SESSIONS_POLICY_NAME = 'CdkRevokeOlderSessions';

/** An AWS account ID: exactly twelve digits. */
export const ACCOUNT_ID_PATTERN = /^\d{12}$/;

/** An AWS region name, e.g. `eu-west-1`, `us-gov-west-1`, `us-isob-east-1`. */
export const REGION_PATTERN = /^[a-z]{2}(-[a-z]+)+-\d+$/;

/** sts:ExternalId: 2 to 1,224 characters of `[\w+=,.@:/-]`. */
export const EXTERNAL_ID_MIN_LENGTH = 2;
export const EXTERNAL_ID_MAX_LENGTH = 1224;
export const EXTERNAL_ID_PATTERN = /^[\w+=,.@:/-]+$/;
/** The same rule as a CloudFormation `AllowedPattern` (Java regular expression, whole-value match). */
export const EXTERNAL_ID_CFN_ALLOWED_PATTERN = '[\\w+=,.@:/-]+';

/** Role names: 1 to 64 characters of `[\w+=,.@-]`. */
export const ROLE_NAME_MAX_LENGTH = 64;
export const ROLE_NAME_PATTERN = /^[\w+=,.@-]+$/;

/** Names of policies, groups and users: 1 to 128 characters of `[\w+=,.@-]`. */
export const IAM_NAME_MAX_LENGTH = 128;
export const IAM_NAME_PATTERN = /^[\w+=,.@-]+$/;

/** Descriptions of roles and managed policies: at most 1,000 characters, printable Latin-1 and tab, newline, return. */
export const DESCRIPTION_MAX_LENGTH = 1000;
export const DESCRIPTION_PATTERN = /^[\t\n\r\x20-\x7E\xA1-\xFF]*$/;

/** A CloudFormation stack name: a letter, then letters, digits and hyphens, at most 128 characters. */
export const STACK_NAME_PATTERN = /^[A-Za-z][A-Za-z0-9-]{0,127}$/;

/** An IAM role ARN: partition, 12-digit account, optional path, name. */
export const ROLE_ARN_PATTERN = /^arn:aws(-[a-z]+)*:iam::\d{12}:role\/([\w+=,.@-]+\/)*[\w+=,.@-]{1,64}$/;

/** An AWS Organizations organization ID, e.g. `o-a1b2c3d4e5`. */
export const ORGANIZATION_ID_PATTERN = /^o-[a-z0-9]{10,32}$/;

/**
 * An AWS Organizations entity path down to an OU, as `aws:PrincipalOrgPaths`
 * holds it: `o-<org>/r-<root>/ou-<root>-<ou>/.../`, with an optional trailing
 * `*` that takes in the OUs below the last one. Groups: organization ID, root
 * ID without `r-`, the OU part, the trailing `*`.
 */
export const ORGANIZATIONAL_UNIT_PATH_PATTERN = /^(o-[a-z0-9]{10,32})\/r-([a-z0-9]{4,32})\/((?:ou-[a-z0-9]{4,32}-[a-z0-9]{8,32}\/)+)(\*?)$/;

/** MaxSessionDuration of a role: 1 to 12 hours. */
export const MIN_SESSION_DURATION_SECONDS = 3600;
export const MAX_SESSION_DURATION_SECONDS = 43200;

/**
 * AssumeRole's DurationSeconds: 900 seconds at least, one hour when not given,
 * and at most one hour when the caller is itself a role session (role chaining).
 *
 * @see https://docs.aws.amazon.com/STS/latest/APIReference/API_AssumeRole.html
 * @see https://docs.aws.amazon.com/IAM/latest/UserGuide/id_roles_terms-and-concepts.html#iam-term-role-chaining
 */
export const ASSUME_ROLE_MIN_DURATION_SECONDS = 900;
export const ASSUME_ROLE_DEFAULT_DURATION_SECONDS = 3600;
export const ROLE_CHAINING_MAX_DURATION_SECONDS = 3600;

/** Role trust policy length: 2,048 characters by default, raisable to 4,096; whitespace is not counted. */
export const TRUST_POLICY_DEFAULT_QUOTA = 2048;
export const TRUST_POLICY_MAX_QUOTA = 4096;

/** Managed policy document length: 6,144 characters, whitespace not counted. */
export const MANAGED_POLICY_MAX_LENGTH = 6144;

/** Managed policies attached to one IAM principal: 10 by default, 20 at most. */
export const MANAGED_POLICIES_PER_PRINCIPAL_DEFAULT = 10;
export const MANAGED_POLICIES_PER_PRINCIPAL_MAX = 20;

/** Prefix of every warning id this library emits, for `Annotations.acknowledgeWarning`. */
export const WARNING_PREFIX = 'cdk-cross-account-roles';

/**
 * Length assumed for a value only known at deploy time (a parameter or an
 * attribute) when a policy is measured at synth time. ARNs count more: see
 * `UNRESOLVED_ARN_ESTIMATE`.
 */
export const UNRESOLVED_VALUE_ESTIMATE = 64;

/**
 * Length assumed for an ARN only known at deploy time (`Fn::GetAtt` of an `Arn`
 * or `...Arn` attribute) when a policy is measured at synth time.
 *
 * Conservative: the prefix `arn:aws-us-gov:<service>:<region>:<account>:` is
 * up to 50 characters before the resource, and the names CloudFormation
 * generates run to 64 (a role's ARN is then 102 characters in GovCloud, a Lambda
 * function's 122), so 64 undercounted them. It stays below aws-cdk-lib's
 * own estimate of a token ARN (150, `@aws-cdk/aws-iam.arnSizeEstimate`), so a
 * default policy that aws-cdk-lib has split to fit is not refused here.
 */
export const UNRESOLVED_ARN_ESTIMATE = 128;

/** The longest partition name (`aws-us-gov`), used when the partition is a deploy-time value. */
export const LONGEST_PARTITION = 'aws-us-gov';

/** Console sign-in host per partition, for Switch Role links. */
export const SIGNIN_HOSTS: Record<string, string> = {
  'aws': 'signin.aws.amazon.com',
  'aws-cn': 'signin.amazonaws.cn',
  'aws-us-gov': 'signin.amazonaws-us-gov.com',
};

// ---------------------------------------------------------------------------
// The resource road (CrossAccountGrants): a resource's own policy names the
// other account, and that account's identity policy allows the action.
// ---------------------------------------------------------------------------

/** `kms:ViaService`: the AWS service that called KMS for the principal, `<service>.<region>.amazonaws.com`. */
// https://docs.aws.amazon.com/kms/latest/developerguide/conditions-kms.html#conditions-kms-via-service
export const KEY_KMS_VIA_SERVICE = 'kms:ViaService';
/** `kms:EncryptionContext:<key>`: a pair of the encryption context the service passes to KMS. */
// https://docs.aws.amazon.com/kms/latest/developerguide/conditions-kms.html#conditions-kms-encryption-context
export const KEY_KMS_ENCRYPTION_CONTEXT_PREFIX = 'kms:EncryptionContext:';
/** `kms:ResourceAliases`: the aliases of the key (multivalued: `ForAnyValue:`). */
// https://docs.aws.amazon.com/kms/latest/developerguide/alias-authorization.html
export const KEY_KMS_RESOURCE_ALIASES = 'kms:ResourceAliases';
/** The prefix of the aliases of AWS managed keys (`alias/aws/s3`, ...), whose key policies no one can change. */
// https://docs.aws.amazon.com/kms/latest/developerguide/concepts.html#aws-managed-key
export const AWS_MANAGED_KEY_ALIAS_PREFIX = 'alias/aws/';

/**
 * The encryption context S3 passes to KMS: the object's ARN under `aws:s3:arn`,
 * or the bucket's ARN when the bucket uses an S3 Bucket Key.
 */
// https://docs.aws.amazon.com/AmazonS3/latest/userguide/UsingKMSEncryption.html#encryption-context
export const S3_ENCRYPTION_CONTEXT_KEY = 'aws:s3:arn';
/** The encryption context Secrets Manager passes to KMS: the secret's ARN under `SecretARN` (and `SecretVersionId`). */
// https://docs.aws.amazon.com/secretsmanager/latest/userguide/security-encryption.html#security-encryption-encryption-context
export const SECRETS_MANAGER_ENCRYPTION_CONTEXT_KEY = 'SecretARN';
/*
 * The encryption context SQS and SNS pass to KMS: the queue's ARN under
 * `aws:sqs:arn`, the topic's ARN under `aws:sns:topicArn`. The SQS and SNS
 * developer guides, as far as we could read them, do not print these keys
 * (their key-management pages list the KMS actions, not the context). They
 * are the keys that public key policies for these services condition on (AWS's
 * own GameLift FlexMatch guide prints kms:EncryptionContext:aws:sns:topicArn
 * for a topic's key), and the keys the AWS emulators that reproduce SQS's and
 * SNS's KMS calls pass (fakecloud, for one).
 * https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/sqs-key-management.html
 * https://docs.aws.amazon.com/sns/latest/dg/sns-key-management.html
 * https://docs.aws.amazon.com/gamelift/latest/flexmatchguide/queue-notification-sns-sse.html
 */
export const SQS_ENCRYPTION_CONTEXT_KEY = 'aws:sqs:arn';
export const SNS_ENCRYPTION_CONTEXT_KEY = 'aws:sns:topicArn';
/**
 * KMS actions that take no encryption context (DescribeKey reads the key's
 * metadata, and no request carries one): a `kms:EncryptionContext:*`
 * condition on them would never hold, so they get a statement without it.
 */
// https://docs.aws.amazon.com/kms/latest/developerguide/conditions-kms.html#conditions-kms-encryption-context
export const KMS_ACTIONS_WITHOUT_ENCRYPTION_CONTEXT = ['kms:DescribeKey'];

/** `s3:x-amz-acl`: the canned ACL of a PutObject request. */
// https://docs.aws.amazon.com/AmazonS3/latest/userguide/ensure-object-ownership.html
export const KEY_S3_ACL = 's3:x-amz-acl';
/** The canned ACL that gives the bucket owner full control of an object another account writes. */
export const S3_BUCKET_OWNER_FULL_CONTROL = 'bucket-owner-full-control';
/** Object Ownership settings under which the writer, not the bucket owner, may own an object. */
// https://docs.aws.amazon.com/AmazonS3/latest/userguide/about-object-ownership.html
export const S3_WRITER_OWNED_SETTINGS = ['ObjectWriter', 'BucketOwnerPreferred'];
/** The Object Ownership setting that disables ACLs: the bucket owner owns every object (the default of new buckets). */
export const S3_BUCKET_OWNER_ENFORCED = 'BucketOwnerEnforced';

/**
 * What each grant allows: what aws-cdk-lib's grant of the same name allows,
 * each action named (no `s3:GetBucket*`, which also reads the bucket's policy
 * and ACL, nor `kms:GenerateDataKey*`), as least privilege for another
 * account asks and cdk-nag's AwsSolutions-IAM5 checks.
 * https://docs.aws.amazon.com/service-authorization/latest/reference/list_amazons3.html
 */
export const S3_READ_ACTIONS = ['s3:GetObject', 's3:GetObjectVersion', 's3:GetObjectAttributes', 's3:ListBucket', 's3:ListBucketVersions', 's3:GetBucketLocation'];
/** Writing an object: the only write action that takes a canned ACL (`s3:x-amz-acl`). */
export const S3_PUT_OBJECT_ACTIONS = ['s3:PutObject'];
/** The rest of aws-cdk-lib's write actions, on objects: they take no ACL, so they get no ACL condition. */
export const S3_OTHER_WRITE_ACTIONS = [
  's3:PutObjectLegalHold', 's3:PutObjectRetention', 's3:PutObjectTagging', 's3:PutObjectVersionTagging',
  's3:AbortMultipartUpload', 's3:DeleteObject', 's3:DeleteObjectVersion',
];
/** KMS through S3: reading an object decrypts its data key; writing generates one (and a multipart upload decrypts it). */
// https://docs.aws.amazon.com/AmazonS3/latest/userguide/UsingKMSEncryption.html
export const S3_KMS_READ_ACTIONS = ['kms:Decrypt'];
export const S3_KMS_WRITE_ACTIONS = ['kms:GenerateDataKey', 'kms:Decrypt'];

export const SQS_SEND_ACTIONS = ['sqs:SendMessage', 'sqs:GetQueueAttributes', 'sqs:GetQueueUrl'];
export const SQS_CONSUME_ACTIONS = ['sqs:ReceiveMessage', 'sqs:ChangeMessageVisibility', 'sqs:GetQueueUrl', 'sqs:DeleteMessage', 'sqs:GetQueueAttributes'];
/** KMS through SQS: a producer needs GenerateDataKey and Decrypt, a consumer Decrypt. */
// https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/sqs-key-management.html
export const SQS_KMS_SEND_ACTIONS = ['kms:GenerateDataKey', 'kms:Decrypt'];
export const SQS_KMS_CONSUME_ACTIONS = ['kms:Decrypt'];

export const SNS_PUBLISH_ACTIONS = ['sns:Publish'];
/** KMS through SNS: a publisher needs GenerateDataKey and Decrypt. */
// https://docs.aws.amazon.com/sns/latest/dg/sns-key-management.html#send-to-encrypted-topic
export const SNS_KMS_PUBLISH_ACTIONS = ['kms:GenerateDataKey', 'kms:Decrypt'];

export const SECRET_READ_ACTIONS = ['secretsmanager:GetSecretValue', 'secretsmanager:DescribeSecret'];
/** KMS through Secrets Manager: GetSecretValue decrypts the secret's data key. */
// https://docs.aws.amazon.com/secretsmanager/latest/userguide/security-encryption.html#security-encryption-authz
export const SECRET_KMS_READ_ACTIONS = ['kms:Decrypt'];

/** Pulling an image. ECR decrypts a KMS-encrypted repository with the grant it holds on the key: the puller needs no KMS permission. */
// https://docs.aws.amazon.com/AmazonECR/latest/userguide/encryption-at-rest.html
export const ECR_PULL_ACTIONS = ['ecr:BatchCheckLayerAvailability', 'ecr:GetDownloadUrlForLayer', 'ecr:BatchGetImage'];
/** `docker login` to a registry: an action on no resource, so its Resource can only be `*`. */
// https://docs.aws.amazon.com/AmazonECR/latest/userguide/registry_auth.html
export const ECR_AUTHORIZATION_ACTION = 'ecr:GetAuthorizationToken';

export const LAMBDA_INVOKE_ACTION = 'lambda:InvokeFunction';

/** Putting events on a bus. A bus encrypted with a customer managed key is encrypted by EventBridge's service principal, not the caller. */
// https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-encryption-key-policy.html
export const EVENTS_PUT_ACTIONS = ['events:PutEvents'];

/** Direct use of a key, as aws-cdk-lib's key.grantDecrypt and key.grantEncryptDecrypt allow it, each action named. */
export const KMS_DECRYPT_ACTIONS = ['kms:Decrypt'];
export const KMS_ENCRYPT_DECRYPT_ACTIONS = ['kms:Decrypt', 'kms:Encrypt', 'kms:ReEncryptFrom', 'kms:ReEncryptTo', 'kms:GenerateDataKey', 'kms:GenerateDataKeyWithoutPlaintext'];

/** Resource policy quotas, as each service documents them (only EventBridge's can be raised). */
// https://docs.aws.amazon.com/AmazonS3/latest/userguide/bucket-policies.html ("Bucket policies are limited to 20 KB in size")
export const BUCKET_POLICY_MAX_BYTES = 20 * 1024;
// https://docs.aws.amazon.com/kms/latest/developerguide/resource-limits.html#key-policy-limit (32 KB, 32,768 bytes)
export const KEY_POLICY_MAX_BYTES = 32 * 1024;
// https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/quotas-policies.html (8,192 bytes)
export const QUEUE_POLICY_MAX_BYTES = 8192;
// https://docs.aws.amazon.com/sns/latest/dg/sns-access-policy-language-api-permissions-reference.html#sns-policy-quotas (30 KB)
export const TOPIC_POLICY_MAX_BYTES = 30 * 1024;
// https://docs.aws.amazon.com/secretsmanager/latest/apireference/API_PutResourcePolicy.html (ResourcePolicy: at most 20,480 characters)
export const SECRET_POLICY_MAX_LENGTH = 20480;
// https://docs.aws.amazon.com/AmazonECR/latest/APIReference/API_SetRepositoryPolicy.html (policyText: at most 10,240 characters)
export const REPOSITORY_POLICY_MAX_LENGTH = 10240;
// https://docs.aws.amazon.com/lambda/latest/dg/gettingstarted-limits.html ("Function resource-based policy: 20 KB")
export const FUNCTION_POLICY_MAX_BYTES = 20 * 1024;
// https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-quota.html ("Event bus policy size: 10,240 characters", adjustable)
export const EVENT_BUS_POLICY_MAX_LENGTH = 10240;
