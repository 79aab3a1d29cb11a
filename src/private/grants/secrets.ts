import { ArnFormat, Stack, Token } from 'aws-cdk-lib';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { SECRET_KMS_READ_ACTIONS, SECRET_POLICY_MAX_LENGTH, SECRET_READ_ACTIONS, SECRETS_MANAGER_ENCRYPTION_CONTEXT_KEY } from '../constants';
import { KeyUse, aliasNameOf, refuseAwsManagedKey } from './kms';
import { createdName, literalIn } from './names';
import { ShareOptions } from './options';
import { ResourceShare } from './share';
import { fail } from '../input/validation';

/**
 * The secret's half of `CrossAccountGrants.secretRead`. Secrets Manager can
 * only share a secret encrypted with a customer managed key: the AWS managed
 * key `aws/secretsmanager` cannot be used from another account.
 * https://docs.aws.amazon.com/secretsmanager/latest/userguide/auth-and-access_examples_cross.html
 */
export function secretShare(method: string, secret: secretsmanager.ISecret, _options: ShareOptions): ResourceShare {
  const cfnSecret = secret.node.defaultChild instanceof secretsmanager.CfnSecret ? secret.node.defaultChild : undefined;
  const label = `the secret '${secret.node.path}'`;
  const key = secret.encryptionKey;
  const why = 'Secrets Manager only shares a secret across accounts when it is encrypted with a customer managed key, whose key policy lets the other account decrypt it (https://docs.aws.amazon.com/secretsmanager/latest/userguide/auth-and-access_examples_cross.html)';
  if (key === undefined) {
    fail(secret, cfnSecret !== undefined
      ? `${label} is encrypted with the AWS managed key aws/secretsmanager, which no other account can use: ${why}; create it with encryptionKey: new kms.Key(...)`
      : `${label} is imported without its key, so the grantee cannot be allowed to decrypt it: ${why}; import it with Secret.fromSecretAttributes(scope, id, { secretCompleteArn, encryptionKey: kms.Key.fromKeyArn(...) })`);
  }
  refuseAwsManagedKey(secret, aliasNameOf(key), label, 'encrypt it with a customer managed key (encryptionKey: new kms.Key(...))');
  // A secret's ARN ends in six random characters; a policy names it by the pattern that matches them, as aws-cdk-lib does.
  const fullArn = secret.secretFullArn !== undefined && !Token.isUnresolved(secret.secretFullArn) ? secret.secretFullArn : undefined;
  const pattern = (arn: string) => fullArn ?? `${arn}-??????`;
  return {
    method,
    resource: secret,
    label,
    created: cfnSecret !== undefined,
    sameAccount: grantee => secret.grantRead(grantee),
    identityStatements: stack => [{ actions: SECRET_READ_ACTIONS, resources: [pattern(literalIn(stack, secret.secretArn, secret, label, 'secretName'))] }],
    resourceStatements: () => [{ actions: SECRET_READ_ACTIONS, resources: [secret.secretArn] }],
    policyResource: secret,
    keyUses: () => [{
      key,
      label: `the key of ${label}`,
      actions: SECRET_KMS_READ_ACTIONS,
      service: 'secretsmanager',
      encryptionContext: { key: SECRETS_MANAGER_ENCRYPTION_CONTEXT_KEY, values: [encryptionContextValue(secret, cfnSecret, label)] },
    } satisfies KeyUse],
    quota: {
      policy: `the resource policy of '${secret.node.path}'`,
      limitText: '20,480 characters for a secret\'s resource policy (https://docs.aws.amazon.com/secretsmanager/latest/apireference/API_PutResourcePolicy.html)',
      limit: SECRET_POLICY_MAX_LENGTH,
      measure: () => secret.node.findAll()
        .find((c): c is secretsmanager.CfnResourcePolicy => c instanceof secretsmanager.CfnResourcePolicy)?.resourcePolicy,
      fix: 'grant fewer principals on this secret, or grant an organization (organizationId) instead of many accounts',
    },
  };
}

/** `SecretARN` as Secrets Manager passes it to KMS (the secret's full ARN), as a literal pattern: the key policy must not refer to the secret. */
function encryptionContextValue(secret: secretsmanager.ISecret, cfnSecret: secretsmanager.CfnSecret | undefined, label: string): string {
  if (secret.secretFullArn !== undefined && !Token.isUnresolved(secret.secretFullArn)) { return secret.secretFullArn; }
  if (cfnSecret === undefined && !Token.isUnresolved(secret.secretArn)) { return `${secret.secretArn}-??????`; }
  const name = cfnSecret !== undefined
    ? createdName(secret, cfnSecret.name, label, 'secretName', 'the policy of its key names the secret in the encryption context Secrets Manager passes to KMS (a reference to the secret itself would make the key and the secret depend on each other)')
    : Token.isUnresolved(secret.secretName) ? fail(secret, `${label} is imported without a literal ARN, so the grantee's key permission cannot name it; import it with its complete ARN`) : secret.secretName;
  return Stack.of(secret).formatArn({ service: 'secretsmanager', resource: 'secret', resourceName: `${name}-??????`, arnFormat: ArnFormat.COLON_RESOURCE_NAME });
}
