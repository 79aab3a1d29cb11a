import { Stack, Token } from 'aws-cdk-lib';
import * as s3 from 'aws-cdk-lib/aws-s3';
import {
  BUCKET_POLICY_MAX_BYTES,
  KEY_S3_ACL,
  S3_BUCKET_OWNER_ENFORCED,
  S3_BUCKET_OWNER_FULL_CONTROL,
  S3_ENCRYPTION_CONTEXT_KEY,
  S3_KMS_READ_ACTIONS,
  S3_KMS_WRITE_ACTIONS,
  S3_OTHER_WRITE_ACTIONS,
  S3_PUT_OBJECT_ACTIONS,
  S3_READ_ACTIONS,
  S3_WRITER_OWNED_SETTINGS,
} from '../constants';
import { KeyUse, aliasNameOf, refuseAwsManagedKey } from './kms';
import { createdName, literalIn } from './names';
import { ShareOptions } from './options';
import { ResourceShare, ResourceStatement } from './share';
import { fail } from '../input/validation';

/** What a bucket grant allows. */
export interface BucketAccess {
  readonly read: boolean;
  readonly write: boolean;
}

/**
 * The bucket's half of `CrossAccountGrants.bucketRead|bucketWrite|bucketReadWrite`.
 *
 * - Object ownership: another account's writes must end up owned by the
 *   bucket's account. A bucket of the app must have Object Ownership
 *   `BucketOwnerEnforced` (ACLs disabled, the default of new buckets); an
 *   imported bucket, whose setting the app cannot see, gets the
 *   `bucket-owner-full-control` ACL required on `s3:PutObject`, unless the
 *   options say it enforces ownership.
 * - KMS: a bucket encrypted with a customer managed key lets the grantee use
 *   the key only through S3 (`kms:ViaService`) for this bucket's objects
 *   (`kms:EncryptionContext:aws:s3:arn`: the object's ARN, or the bucket's
 *   with an S3 Bucket Key).
 */
export function bucketShare(method: string, bucket: s3.IBucket, access: BucketAccess, options: ShareOptions): ResourceShare {
  const cfnBucket = bucket.node.defaultChild instanceof s3.CfnBucket ? bucket.node.defaultChild : undefined;
  const created = cfnBucket !== undefined;
  const label = `the bucket '${bucket.node.path}'`;
  const pattern = options.objectKeyPattern ?? '*';

  if (cfnBucket !== undefined) {
    refuseAwsManagedBucketKey(bucket, cfnBucket, label);
    if (options.bucketOwnershipEnforced !== undefined) {
      fail(bucket, `CrossAccountGrants.${method} does not take the option bucketOwnershipEnforced for ${label}, which the app creates: the option speaks for an imported bucket, whose Object Ownership the app cannot see, `
        + 'while this bucket\'s own setting is checked (it must be BucketOwnerEnforced, S3\'s default when objectOwnership is not set); remove the option');
    }
    if (access.write) { requireOwnershipEnforced(bucket, cfnBucket, label, method); }
  }
  // An imported bucket's setting is unknown: require the ACL that gives its owner the objects.
  const requireAcl = access.write && !created && options.bucketOwnershipEnforced !== true;

  const statements = (bucketArn: string): ResourceStatement[] => {
    const objects = `${bucketArn}/${pattern}`;
    return [
      ...(access.read ? [{ actions: S3_READ_ACTIONS, resources: [bucketArn, objects] }] : []),
      ...(access.write ? [
        {
          actions: S3_PUT_OBJECT_ACTIONS,
          resources: [objects],
          // https://docs.aws.amazon.com/AmazonS3/latest/userguide/ensure-object-ownership.html#ensure-object-ownership-bucket-policy
          conditions: requireAcl ? { StringEquals: { [KEY_S3_ACL]: S3_BUCKET_OWNER_FULL_CONTROL } } : undefined,
        },
        { actions: S3_OTHER_WRITE_ACTIONS, resources: [objects] },
      ] : []),
    ];
  };

  const key = bucket.encryptionKey;
  if (key !== undefined) {
    refuseAwsManagedKey(bucket, aliasNameOf(key), label, 'encrypt it with a customer managed key (encryption: BucketEncryption.KMS, encryptionKey: new kms.Key(...))');
  }
  const keyActions = Array.from(new Set([...(access.read ? S3_KMS_READ_ACTIONS : []), ...(access.write ? S3_KMS_WRITE_ACTIONS : [])]));

  return {
    method,
    resource: bucket,
    label,
    created,
    // S3 ARNs carry no account: a bucket imported by name is assumed to be the importing stack's.
    accountUnknown: !created && bucket.env.account === Stack.of(bucket).account,
    sameAccount: grantee => access.read && access.write ? bucket.grantReadWrite(grantee, pattern)
      : access.write ? bucket.grantWrite(grantee, pattern) : bucket.grantRead(grantee, pattern),
    identityStatements: stack => statements(literalIn(stack, bucket.bucketArn, bucket, label, 'bucketName')),
    resourceStatements: () => statements(bucket.bucketArn),
    policyResource: bucket,
    keyUses: () => key === undefined ? [] : [{
      key,
      label: `the key of ${label}`,
      actions: keyActions,
      service: 's3',
      encryptionContext: { key: S3_ENCRYPTION_CONTEXT_KEY, values: encryptionContextValues(bucket, cfnBucket, label, pattern) },
    } satisfies KeyUse],
    quota: {
      policy: `the bucket policy of '${bucket.node.path}'`,
      limitText: '20 KB (20,480 bytes) for a bucket policy (https://docs.aws.amazon.com/AmazonS3/latest/userguide/bucket-policies.html)',
      limit: BUCKET_POLICY_MAX_BYTES,
      measure: () => bucket.policy?.document,
      fix: 'grant fewer principals on this bucket, grant an organization (organizationId) instead of many accounts, or use S3 Access Points',
    },
  };
}

/**
 * `aws:s3:arn` as S3 passes it to KMS: the object's ARN, or the bucket's when
 * the bucket uses an S3 Bucket Key. Both, as literals: the key policy must not
 * refer to the bucket (the bucket refers to the key).
 */
function encryptionContextValues(bucket: s3.IBucket, cfnBucket: s3.CfnBucket | undefined, label: string, pattern: string): string[] {
  const name = cfnBucket !== undefined
    ? createdName(bucket, cfnBucket.bucketName, label, 'bucketName', 'the policy of its key names the bucket in the encryption context S3 passes to KMS (a reference to the bucket itself would make the key and the bucket depend on each other)')
    : Token.isUnresolved(bucket.bucketName) ? fail(bucket, `${label} is imported without a literal bucket name, so the grantee's key permission cannot name it in the encryption context S3 passes to KMS; import it with Bucket.fromBucketName(scope, id, 'literal-name')`) : bucket.bucketName;
  const arn = Stack.of(bucket).formatArn({ service: 's3', region: '', account: '', resource: name });
  return [arn, `${arn}/${pattern}`];
}

/** Refuses a bucket of the app encrypted with the AWS managed key `aws/s3` (SSE-KMS without a key of its own). */
function refuseAwsManagedBucketKey(bucket: s3.IBucket, cfnBucket: s3.CfnBucket, label: string): void {
  type Rule = { serverSideEncryptionByDefault?: { sseAlgorithm?: string; kmsMasterKeyId?: unknown } };
  const encryption = Stack.of(bucket).resolve(cfnBucket.bucketEncryption) as { serverSideEncryptionConfiguration?: Rule[] } | undefined;
  const awsManaged = (encryption?.serverSideEncryptionConfiguration ?? [])
    .map(rule => rule.serverSideEncryptionByDefault)
    .some(rule => rule !== undefined && /^aws:kms/.test(rule.sseAlgorithm ?? '') && rule.kmsMasterKeyId === undefined);
  if (awsManaged) {
    fail(bucket, `${label} is encrypted with the AWS managed key 'alias/aws/s3' (BucketEncryption.KMS_MANAGED), whose key policy only trusts its own account and cannot be changed, so no other account can decrypt its objects (https://docs.aws.amazon.com/kms/latest/developerguide/concepts.html#aws-managed-key); `
      + 'encrypt it with a customer managed key (encryption: BucketEncryption.KMS, encryptionKey: new kms.Key(...)), or with S3 managed keys (BucketEncryption.S3_MANAGED)');
  }
}

/** The buckets whose Object Ownership is checked at synth, so that each is checked once however many grants write to it. */
const ownershipChecked = new WeakSet<s3.IBucket>();

/**
 * Refuses cross-account writes to a bucket of the app whose Object Ownership
 * lets the writer own objects (`ObjectWriter`, `BucketOwnerPreferred`): the
 * bucket's account could not read or manage what the other account writes.
 * No `OwnershipControls` is S3's default for new buckets, `BucketOwnerEnforced`.
 * Checked when the app is synthesized, so that a setting made after the grant
 * (on the L1, `cfnBucket.ownershipControls = ...`) is seen too.
 */
function requireOwnershipEnforced(bucket: s3.IBucket, cfnBucket: s3.CfnBucket, label: string, method: string): void {
  if (ownershipChecked.has(bucket)) { return; }
  ownershipChecked.add(bucket);
  bucket.node.addValidation({
    validate: () => {
      // https://docs.aws.amazon.com/AmazonS3/latest/userguide/about-object-ownership.html
      const controls = Stack.of(bucket).resolve(cfnBucket.ownershipControls) as { rules?: Array<{ objectOwnership?: string }> } | undefined;
      const settings = (controls?.rules ?? []).map(rule => rule.objectOwnership).filter((s): s is string => typeof s === 'string');
      const writerOwned = settings.find(setting => S3_WRITER_OWNED_SETTINGS.includes(setting));
      if (writerOwned !== undefined) {
        return [`CrossAccountGrants.${method}: ${label} has Object Ownership '${writerOwned}', so objects another account writes could stay owned by that account, out of reach of the bucket's own policies; `
          + 'set objectOwnership: ObjectOwnership.BUCKET_OWNER_ENFORCED (ACLs disabled, S3\'s default for new buckets) (https://docs.aws.amazon.com/AmazonS3/latest/userguide/about-object-ownership.html)'];
      }
      if (settings.length > 0 && !settings.includes(S3_BUCKET_OWNER_ENFORCED)) {
        return [`CrossAccountGrants.${method}: ${label} has Object Ownership ${settings.join(', ')}; set objectOwnership: ObjectOwnership.BUCKET_OWNER_ENFORCED`];
      }
      return [];
    },
  });
}
