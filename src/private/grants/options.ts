import { Token } from 'aws-cdk-lib';
import { IConstruct } from 'constructs';
import { AWS_MANAGED_KEY_ALIAS_PREFIX } from '../constants';
import { fail, show, validateOrganizationId, validateOrganizationalUnitPaths } from '../input/validation';

/**
 * The options of a cross-account grant, as `CrossAccountGrantOptions` gives
 * them (the public interface has the same shape; the private parts never
 * import the public class that uses them).
 */
export interface ShareOptions {
  readonly organizationId?: string;
  readonly organizationalUnitPaths?: string[];
  readonly objectKeyPattern?: string;
  readonly bucketOwnershipEnforced?: boolean;
  readonly keyAlias?: string;
}

/** The options that only some grants take, and which grants take them. */
const OPTION_SCOPE: Record<string, { readonly methods: RegExp; readonly what: string }> = {
  objectKeyPattern: { methods: /^bucket/, what: 'the bucket grants' },
  bucketOwnershipEnforced: { methods: /^bucket(Write|ReadWrite)$/, what: 'bucketWrite and bucketReadWrite' },
  keyAlias: { methods: /^key/, what: 'keyDecrypt and keyEncryptDecrypt' },
};

/**
 * Validates the options of one grant: the organization and its units as
 * `CrossAccountRole` validates `trustedOrganizationId` and
 * `trustedOrganizationalUnitPaths`, and no option that the grant would ignore.
 *
 * @param scope the resource, named in errors
 * @param method the grant, e.g. `bucketRead`
 */
export function readShareOptions(scope: IConstruct, method: string, options: ShareOptions | undefined): ShareOptions {
  const given = options ?? {};
  for (const [name, scoped] of Object.entries(OPTION_SCOPE)) {
    if ((given as Record<string, unknown>)[name] !== undefined && !scoped.methods.test(method)) {
      fail(scope, `CrossAccountGrants.${method} does not take the option ${name} (only ${scoped.what} do); remove it`);
    }
  }
  if (given.organizationId !== undefined) {
    validateOrganizationId(scope, 'organizationId', given.organizationId);
  }
  if (given.organizationalUnitPaths !== undefined) {
    validateOrganizationalUnitPaths(scope, 'organizationalUnitPaths', given.organizationalUnitPaths, given.organizationId, 'organizationId');
  }
  const pattern = given.objectKeyPattern;
  if (pattern !== undefined && !Token.isUnresolved(pattern) && (pattern === '' || pattern.startsWith('/'))) {
    fail(scope, `objectKeyPattern must be an object key or a pattern of keys like 'reports/*' (no leading '/'), got ${show(pattern)}`);
  }
  const alias = given.keyAlias;
  if (alias !== undefined && !Token.isUnresolved(alias)) {
    if (!/^alias\/[a-zA-Z0-9/_-]{1,250}$/.test(alias)) {
      fail(scope, `keyAlias must be a KMS alias name like 'alias/shared-data', got ${show(alias)}`);
    }
    if (alias.startsWith(AWS_MANAGED_KEY_ALIAS_PREFIX)) {
      fail(scope, `keyAlias ${show(alias)} is the alias of an AWS managed key, whose key policy no one can change, so no other account can use it; encrypt with a customer managed key`);
    }
  }
  return given;
}
