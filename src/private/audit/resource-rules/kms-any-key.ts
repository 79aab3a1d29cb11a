import { eachAllow, ResourceRule } from './types';
import { actionMatches, allowsAction, conditionEntries, PolicyStatement, requiresKey } from '../rules/types';

/**
 * The cryptographic operations of AWS KMS: what a key is used for, as
 * opposed to managing it.
 *
 * @see https://docs.aws.amazon.com/kms/latest/developerguide/kms-cryptography.html#cryptographic-operations
 */
export const KMS_DATA_ACTIONS = [
  'kms:Decrypt', 'kms:Encrypt', 'kms:ReEncryptFrom', 'kms:ReEncryptTo', 'kms:GenerateDataKey', 'kms:GenerateDataKeyWithoutPlaintext',
  'kms:GenerateDataKeyPair', 'kms:GenerateDataKeyPairWithoutPlaintext', 'kms:Sign', 'kms:Verify', 'kms:GenerateMac', 'kms:VerifyMac',
  'kms:DeriveSharedSecret',
];

/** A resource that is any key: `*`, or a KMS ARN whose key is a wildcard (`arn:aws:kms:eu-west-1:111111111111:key/*`). */
const anyKey = (resource: string) => resource === '*' || /^arn:[^:]*:kms:[^:]*:[^:]*:(key\/)?\*$/.test(resource);

/**
 * The conditions that tie a KMS grant to keys in particular: used through a
 * service (`kms:ViaService`), by alias (`kms:ResourceAliases`,
 * `kms:RequestAlias`), or for an encryption context (`kms:EncryptionContext:<key>`,
 * `kms:EncryptionContextKeys`).
 *
 * @see https://docs.aws.amazon.com/kms/latest/developerguide/conditions-kms.html
 */
function tiedToKeys(s: PolicyStatement): boolean {
  return ['kms:ViaService', 'kms:ResourceAliases', 'kms:RequestAlias', 'kms:EncryptionContextKeys'].some(key => requiresKey(s, key))
    || conditionEntries(s).some(c => c.narrows && c.key.startsWith('kms:encryptioncontext:'));
}

/**
 * An identity policy that allows KMS's cryptographic operations on any key,
 * with no condition that ties it to keys in particular: the principal may
 * use every key whose key policy lets its account in, among them every key
 * of its own account with the default key policy. aws-cdk-lib's grants on a
 * resource encrypted with a key of another account write it.
 */
export const KMS_ON_ANY_KEY: ResourceRule = {
  id: 'KmsOnAnyKey',
  severity: 'warning',
  description: 'An identity policy allows KMS cryptographic operations on any key ("*" or key/*) without a kms:ViaService, alias or encryption context condition',
  fix: 'Name the key\'s ARN, or narrow key/* with StringEquals kms:ViaService <service>.<region>.amazonaws.com and the service\'s encryption context '
    + '(CrossAccountGrants writes both), or with kms:ResourceAliases',
  kind: 'identity',
  check: policy => eachAllow(policy, s => {
    const onAnyKey = s.notResources.length > 0 || s.resources.some(anyKey);
    if (!onAnyKey || !KMS_DATA_ACTIONS.some(action => allowsAction(s, action)) || tiedToKeys(s)) { return undefined; }
    // the statement's own actions (patterns as written) that cover a cryptographic operation
    const actions = s.notActions.length > 0 ? [`every action but ${s.notActions.join(', ')}`]
      : s.actions.filter(pattern => KMS_DATA_ACTIONS.some(action => actionMatches(pattern, action)));
    const resources = s.notResources.length > 0 ? `every resource but ${s.notResources.join(', ')}` : s.resources.filter(anyKey).join(', ');
    return `allows ${actions.join(', ')} on ${resources}: every key whose key policy lets this account in, the account's own keys among them`;
  }),
};
