import type { CrossAccountRoleOptions } from '../../cross-account-role';
import { everyKey } from '../input/props';

/**
 * The options that `CrossAccountRolePair` and `CrossAccountRoleFanout` hand to
 * their role, chosen by name rather than by destructuring "the rest" of their
 * props, so that a prop of theirs never leaks into the role unnoticed.
 *
 * The compiler checks the list to be complete: a new key of
 * `CrossAccountRoleOptions` fails the build until it is added here.
 */
export const ROLE_OPTION_KEYS = everyKey<keyof CrossAccountRoleOptions>()([
  'description',
  'requireMfa',
  'maxMfaAge',
  'trustedOrganizationId',
  'trustedOrganizationalUnitPaths',
  'maxSessionDuration',
  'permissionsBoundary',
  'managedPolicies',
  'inlinePolicies',
  'requireSourceIdentity',
  'sourceIdentityPattern',
  'allowSessionTags',
  'transitiveTagKeys',
  'roleSessionNamePattern',
  'allowedSourceIps',
  'revokeSessionsIssuedBefore',
]);

/** The `CrossAccountRoleOptions` of a construct's props: exactly the keys of `ROLE_OPTION_KEYS` that are set. */
export function roleOptionsOf(props: CrossAccountRoleOptions): CrossAccountRoleOptions {
  const options: Partial<Record<keyof CrossAccountRoleOptions, unknown>> = {};
  for (const key of ROLE_OPTION_KEYS) {
    if (props[key] !== undefined) {
      options[key] = props[key];
    }
  }
  return options as CrossAccountRoleOptions;
}
