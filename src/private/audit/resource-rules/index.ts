import { RESOURCE_POLICY_ANY_PRINCIPAL } from './any-principal';
import { APP_PRINCIPAL_IN_RESOURCE_POLICY } from './app-principal';
import { KMS_ON_ANY_KEY } from './kms-any-key';
import { SHARE_OUTSIDE_PERIMETER } from './share-outside-perimeter';
import { ResourceRule } from './types';
import { RESOURCE_POLICY_UNGUARDED_ACCOUNT } from './unguarded-account';

export * from './types';
export { APP_PRINCIPAL_IN_RESOURCE_POLICY } from './app-principal';

/** Every rule of resource and identity policies, in the order of the rule table. */
export const RESOURCE_RULES: ResourceRule[] = [
  RESOURCE_POLICY_ANY_PRINCIPAL,
  RESOURCE_POLICY_UNGUARDED_ACCOUNT,
  APP_PRINCIPAL_IN_RESOURCE_POLICY,
  KMS_ON_ANY_KEY,
  SHARE_OUTSIDE_PERIMETER,
];
