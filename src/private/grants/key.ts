import { Token } from 'aws-cdk-lib';
import * as kms from 'aws-cdk-lib/aws-kms';
import { KMS_DECRYPT_ACTIONS, KMS_ENCRYPT_DECRYPT_ACTIONS } from '../constants';
import { aliasConditions, aliasNameOf, aliasOfKey, keyEnvironment, keyPolicyQuota, keyResource, refuseAwsManagedKey } from './kms';
import { ShareOptions } from './options';
import { ResourceShare } from './share';
import { fail } from '../input/validation';

/**
 * The key's half of `CrossAccountGrants.keyDecrypt|keyEncryptDecrypt`: the
 * key policy names the grantee's account, narrowed to the grantee; the
 * grantee's identity policy names the key by its ARN where the app knows it
 * (a key imported by ARN), else by its alias (`kms:ResourceAliases`) on the
 * keys of the key's account and region, never on `*`.
 */
export function keyShare(method: string, key: kms.IKey, encrypt: boolean, options: ShareOptions): ResourceShare {
  const label = `the key '${key.node.path}'`;
  const target = key instanceof kms.Alias ? key.aliasTargetKey : key;
  refuseAwsManagedKey(key, aliasNameOf(key), label, 'use a customer managed key (new kms.Key(...))');
  const actions = encrypt ? KMS_ENCRYPT_DECRYPT_ACTIONS : KMS_DECRYPT_ACTIONS;
  return {
    method,
    resource: key,
    label,
    created: target.node.defaultChild instanceof kms.CfnKey,
    sameAccount: grantee => encrypt ? key.grantEncryptDecrypt(grantee) : key.grantDecrypt(grantee),
    identityStatements: stack => {
      const { account, region } = keyEnvironment(key, key, 'the key');
      if (!Token.isUnresolved(key.keyArn) && /:key\//.test(key.keyArn)) {
        return [{ actions, resources: [key.keyArn] }];
      }
      const alias = aliasOfKey(key, key, options.keyAlias);
      if (alias === undefined) {
        fail(key, `the grantee's policy cannot name ${label}: its ARN is only known once its stack is deployed, and it has no alias; give it one (key.addAlias('alias/shared-data')) or pass the option keyAlias`);
      }
      return [{ actions, resources: [keyResource(stack, key, account, region)], conditions: aliasConditions(alias) }];
    },
    // A key policy statement's Resource is the key itself, "*".
    resourceStatements: () => [{ actions, resources: ['*'] }],
    policyResource: key,
    keyUses: () => [],
    quota: keyPolicyQuota(target),
  };
}
