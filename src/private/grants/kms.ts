import { Stack, Token } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import { IConstruct } from 'constructs';
import {
  AWS_MANAGED_KEY_ALIAS_PREFIX,
  KEY_KMS_ENCRYPTION_CONTEXT_PREFIX,
  KEY_KMS_RESOURCE_ALIASES,
  KEY_KMS_VIA_SERVICE,
  KEY_POLICY_MAX_BYTES,
  KMS_ACTIONS_WITHOUT_ENCRYPTION_CONTEXT,
} from '../constants';
import { PolicyQuota } from './quotas';
import { fail, show } from '../input/validation';
import { oneOrMany } from '../policy/principal-guard';

/** A statement of the grantee's identity policy, before it is added. */
export interface IdentityStatement {
  readonly actions: string[];
  readonly resources: string[];
  readonly conditions?: iam.Conditions;
}

/**
 * A KMS key that a service uses on the grantee's behalf (the key of an
 * encrypted bucket, queue, topic or secret): both the key policy and the
 * grantee's identity policy must allow it, each only through that service.
 */
export interface KeyUse {
  readonly key: kms.IKey;
  /** What the key is to the resource, for messages: `the key of the bucket 'A/Bucket'`. */
  readonly label: string;
  readonly actions: string[];
  /** The service that calls KMS for the grantee (`s3`): `kms:ViaService` is `s3.<region>.amazonaws.com`. */
  readonly service: string;
  /**
   * A pair of the encryption context the service passes to KMS, with values
   * that are the same in every stack (a literal ARN or ARN pattern, so that
   * the key policy never refers to the resource it encrypts: that would be a
   * circular dependency between the key and the resource).
   */
  readonly encryptionContext?: { readonly key: string; readonly values: string[] };
}

/**
 * A key use as statements can hold it: the actions that take an encryption
 * context keep its condition; those that take none (`kms:DescribeKey`) get a
 * use of their own without it, where the condition would never hold.
 */
export function splitByEncryptionContext(use: KeyUse): KeyUse[] {
  if (use.encryptionContext === undefined) { return [use]; }
  const without = use.actions.filter(action => KMS_ACTIONS_WITHOUT_ENCRYPTION_CONTEXT.includes(action));
  if (without.length === 0) { return [use]; }
  const within = use.actions.filter(action => !without.includes(action));
  return [
    ...(within.length > 0 ? [{ ...use, actions: within }] : []),
    { ...use, actions: without, encryptionContext: undefined },
  ];
}

/** The literal account and region of a key, or an error naming the stack to give an environment. */
export function keyEnvironment(owner: IConstruct, key: kms.IKey, label: string): { readonly account: string; readonly region: string } {
  const { account, region } = key.env;
  if (Token.isUnresolved(account) || Token.isUnresolved(region)) {
    fail(owner, `${label} '${key.node.path}' has no concrete account and region, so the grantee's policy cannot name it; give its stack env: { account: '111111111111', region: '...' } (or import the key with its ARN)`);
  }
  return { account, region };
}

/** The alias a key is given by (an `IAlias`, or the `alias/...` an L1's key ID property holds), when literal. */
export function aliasNameOf(key: kms.IKey | string | undefined): string | undefined {
  const name = typeof key === 'string' ? key : key !== undefined && 'aliasName' in key ? (key as kms.IAlias).aliasName : undefined;
  return name !== undefined && !Token.isUnresolved(name) && name.startsWith('alias/') ? name : undefined;
}

/** Refuses an AWS managed key (`alias/aws/s3`, ...): its key policy only lets its own account in, and no one can change it. */
export function refuseAwsManagedKey(owner: IConstruct, alias: string | undefined, label: string, fix: string): void {
  if (alias !== undefined && alias.startsWith(AWS_MANAGED_KEY_ALIAS_PREFIX)) {
    fail(owner, `${label} is encrypted with the AWS managed key ${show(alias)}, whose key policy only trusts its own account and cannot be changed, so no other account can decrypt it (https://docs.aws.amazon.com/kms/latest/developerguide/concepts.html#aws-managed-key); ${fix}`);
  }
}

/** `kms:ViaService` and the encryption context of a key use, in one block. */
export function viaServiceConditions(use: KeyUse, region: string): Record<string, Record<string, unknown>> {
  // The value names the service's endpoint in the key's region (a service uses keys of its own region).
  // https://docs.aws.amazon.com/kms/latest/developerguide/conditions-kms.html#conditions-kms-via-service
  const conditions: Record<string, Record<string, unknown>> = { StringEquals: { [KEY_KMS_VIA_SERVICE]: `${use.service}.${region}.amazonaws.com` } };
  if (use.encryptionContext !== undefined) {
    const { key, values } = use.encryptionContext;
    const operator = values.some(value => /[*?]/.test(value)) ? 'StringLike' : 'StringEquals';
    conditions[operator] = { ...(conditions[operator] ?? {}), [`${KEY_KMS_ENCRYPTION_CONTEXT_PREFIX}${key}`]: oneOrMany(values) };
  }
  return conditions;
}

/**
 * The grantee's side of a key use: the key's literal ARN when the app knows
 * it, else every key of the key's account and region (`key/*`, never `*`),
 * narrowed to calls the service makes (`kms:ViaService`) for this resource
 * (the encryption context). A key of the grantee's own account is outside it.
 */
export function keyUseIdentityStatement(owner: IConstruct, stack: Stack, use: KeyUse): IdentityStatement {
  const { account, region } = keyEnvironment(owner, use.key, use.label);
  return {
    actions: use.actions,
    resources: [keyResource(stack, use.key, account, region)],
    conditions: viaServiceConditions(use, region),
  };
}

/** The key's literal ARN (a key imported by ARN), or `arn:<partition>:kms:<region>:<account>:key/*`. */
export function keyResource(stack: Stack, key: kms.IKey, account: string, region: string): string {
  if (!Token.isUnresolved(key.keyArn) && /:key\//.test(key.keyArn)) { return key.keyArn; }
  return stack.formatArn({ service: 'kms', account, region, resource: 'key', resourceName: '*' });
}

/**
 * The alias that names a key in the grantee's identity policy
 * (`ForAnyValue:StringEquals kms:ResourceAliases`): the one given, or the
 * alias the app creates for the key (`key.addAlias(...)`, `new kms.Alias(...)`).
 */
export function aliasOfKey(owner: IConstruct, key: kms.IKey, given: string | undefined): string | undefined {
  if (given !== undefined) { return given; }
  if ('aliasName' in key) { return (key as kms.IAlias).aliasName; }
  // An alias of the app names its key by its literal name (its aliasName attribute is a token).
  const aliases = key.node.root.node.findAll()
    .filter((c): c is kms.Alias => c instanceof kms.Alias && c.aliasTargetKey === key)
    .map(alias => (alias.node.defaultChild as kms.CfnAlias).aliasName)
    .filter(name => !Token.isUnresolved(name));
  if (aliases.length > 1) {
    fail(owner, `the key '${key.node.path}' has several aliases (${aliases.join(', ')}); say which one the grantee's policy names with the option keyAlias`);
  }
  return aliases[0];
}

/** The conditions that name a key by its alias. */
export function aliasConditions(alias: string): iam.Conditions {
  // kms:ResourceAliases is multivalued (a key may have several aliases): ForAnyValue holds when one is this alias.
  // https://docs.aws.amazon.com/kms/latest/developerguide/conditions-kms.html#conditions-kms-resource-aliases
  return { 'ForAnyValue:StringEquals': { [KEY_KMS_RESOURCE_ALIASES]: alias } };
}

/** The size quota of a key policy: 32 KB, which no one can raise. */
export function keyPolicyQuota(key: kms.IKey): PolicyQuota {
  return {
    policy: `the key policy of '${key.node.path}'`,
    limitText: '32 KB (32,768 bytes) for a key policy (https://docs.aws.amazon.com/kms/latest/developerguide/resource-limits.html#key-policy-limit)',
    limit: KEY_POLICY_MAX_BYTES,
    measure: () => (key.node.defaultChild as kms.CfnKey | undefined)?.keyPolicy,
    fix: 'share this key with fewer principals, grant an organization (organizationId) instead of many accounts, or use one key per consumer',
  };
}

