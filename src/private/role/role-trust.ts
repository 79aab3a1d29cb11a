import { Annotations, Stack } from 'aws-cdk-lib';
import { IConstruct } from 'constructs';
import type { CrossAccountRoleProps } from '../../cross-account-role';
import { WARNING_PREFIX } from '../constants';
import { SessionControls } from './session-controls';
import { fail, unique, validateAccountId, validateExternalId, validateOrganizationId, validateOrganizationalUnitPaths } from '../input/validation';
import { CrossAccountTrustPrincipal, accountsOfPrincipalArns } from '../policy/trust';

/** Whom a cross-account role trusts, ready to become its trust policy. */
export interface RoleTrust {
  /** Every account named in the trust policy's `Principal`. */
  readonly trustedAccounts: string[];
  /** The external IDs the trust requires (any one of them); empty if none. */
  readonly externalIds: string[];
  /** The principal for `iam.Role`'s `assumedBy`: one statement with every condition merged. */
  readonly principal: CrossAccountTrustPrincipal;
}

/**
 * Validates the literal values of the props that say whom the role trusts:
 * accounts, external IDs, organization and organizational units. (`roleTrust`
 * checks the principal ARNs and the external ID trust as it builds the trust.)
 */
export function validateTrustProps(scope: IConstruct, props: CrossAccountRoleProps): void {
  (props.trustedAccounts ?? []).forEach((account, i) => validateAccountId(scope, `trustedAccounts[${i}]`, account));
  if (props.externalIds !== undefined && props.externalIds.length === 0) {
    fail(scope, 'externalIds is an empty list, which would require no external ID at all; give at least one external ID, or leave externalIds out');
  }
  (props.externalIds ?? []).forEach((externalId, i) => validateExternalId(scope, `externalIds[${i}]`, externalId));
  if (props.trustedOrganizationId !== undefined) {
    validateOrganizationId(scope, 'trustedOrganizationId', props.trustedOrganizationId);
  }
  if (props.trustedOrganizationalUnitPaths !== undefined) {
    validateOrganizationalUnitPaths(scope, 'trustedOrganizationalUnitPaths', props.trustedOrganizationalUnitPaths, props.trustedOrganizationId);
  }
}

/**
 * Builds the role's trust: the account roots in `Principal`, narrowed by
 * principal ARN where asked, and every condition (external ID, organization,
 * organizational units, session controls) merged into one statement.
 */
export function roleTrust(scope: IConstruct, props: CrossAccountRoleProps, session: SessionControls): RoleTrust {
  if (props.trustedPrincipalArns !== undefined && props.trustedPrincipalArns.length === 0) {
    fail(scope, 'trustedPrincipalArns is an empty list; give the principal ARNs, or leave it out and use trustedAccounts');
  }
  const stack = Stack.of(scope);
  const externalIdTrust = props.externalIdTrust;
  if (externalIdTrust !== undefined && Stack.of(externalIdTrust) !== stack) {
    fail(scope, `externalIdTrust '${externalIdTrust.node.path}' is in another stack; create the ExternalIdTrust in the role's stack '${stack.node.path}' (its external ID parameter must be in the role's template)`);
  }

  // Who is trusted: the account roots in Principal, narrowed by principal ARN where asked.
  const wholeAccounts = unique([
    ...(props.trustedAccounts ?? []),
    ...(externalIdTrust && externalIdTrust.trustedPrincipalArns.length === 0 ? [externalIdTrust.trustedAccount] : []),
  ]);
  const specificArns = unique([...(props.trustedPrincipalArns ?? []), ...(externalIdTrust?.trustedPrincipalArns ?? [])]);
  const arnAccounts = accountsOfPrincipalArns(scope, 'trustedPrincipalArns', specificArns);
  const trustedAccounts = unique([
    ...(props.trustedAccounts ?? []),
    ...arnAccounts,
    ...(externalIdTrust ? [externalIdTrust.trustedAccount] : []),
  ]);
  if (trustedAccounts.length === 0) {
    fail(scope, 'the role trusts nobody; give trustedAccounts, trustedPrincipalArns or externalIdTrust');
  }
  let principalArns: string[] = [];
  if (specificArns.length > 0) {
    const redundant = arnAccounts.filter(account => wholeAccounts.includes(account));
    if (redundant.length > 0) {
      Annotations.of(scope).addWarningV2(`${WARNING_PREFIX}:redundantPrincipalArns`,
        `account(s) ${redundant.join(', ')} are trusted whole, so the trustedPrincipalArns in them do not narrow anything; remove the account from trustedAccounts to trust only those principals`);
    }
    // Whole accounts stay whole under the aws:PrincipalArn condition.
    principalArns = [
      ...wholeAccounts.map(account => stack.formatArn({ service: 'iam', region: '', account, resource: '*' })),
      ...specificArns,
    ];
  }

  const externalIds = unique([...(props.externalIds ?? []), ...(externalIdTrust?.externalIds ?? [])]);
  const principal = new CrossAccountTrustPrincipal({
    accounts: trustedAccounts,
    principalArns,
    externalIds,
    requireMfa: session.requireMfa,
    maxMfaAgeSeconds: session.maxMfaAgeSeconds,
    organizationId: props.trustedOrganizationId,
    organizationalUnitPaths: props.trustedOrganizationalUnitPaths,
    requireSourceIdentity: session.requireSourceIdentity,
    sourceIdentityPattern: session.sourceIdentityPattern,
    roleSessionNamePattern: session.roleSessionNamePattern,
    sourceIps: session.sourceIps,
    transitiveTagKeys: session.transitiveTagKeys,
  }, session.assumeRoleActions);
  return { trustedAccounts, externalIds, principal };
}
