import { Annotations, CfnParameter, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import { IConstruct } from 'constructs';
import { SessionControls, SessionInput, sessionControls } from './session-controls';
import { WARNING_PREFIX } from '../constants';
import {
  fail,
  isoTimestamp,
  unique,
  validateAccountId,
  validateDescription,
  validateExternalId,
  validateIamName,
  validateOrganizationId,
  validateOrganizationalUnitPaths,
  validateRoleName,
} from '../input/validation';
import { accountsOfPrincipalArns, TrustSpec } from '../policy/trust';

/** The parts of an `ExternalIdTrust` that a role's trust is built from. */
export interface ExternalIdTrustInput extends IConstruct {
  readonly trustedAccount: string;
  readonly trustedPrincipalArns: string[];
  readonly externalIds: string[];
  readonly externalIdParameter?: CfnParameter;
}

/**
 * The props of a cross-account role as the role builder reads them: the
 * public `CrossAccountRoleProps` fit it as they are. The builder takes this
 * interface of its own so that it never imports the construct that uses it.
 */
export interface RoleInput extends SessionInput {
  readonly roleName?: string;
  readonly description?: string;
  readonly trustedAccounts?: string[];
  readonly trustedPrincipalArns?: string[];
  readonly externalIds?: string[];
  readonly externalIdTrust?: ExternalIdTrustInput;
  readonly trustedOrganizationId?: string;
  readonly trustedOrganizationalUnitPaths?: string[];
  readonly permissionsBoundary?: iam.IManagedPolicy;
  readonly managedPolicies?: iam.IManagedPolicy[];
  readonly inlinePolicies?: { [name: string]: iam.PolicyDocument };
  readonly revokeSessionsIssuedBefore?: string;
}

/**
 * A cross-account role's props, validated: everything the role, its trust and
 * its session controls are built from. Made once, at the top of the
 * constructor, by `parseRoleProps`; every builder reads it and none reads the
 * props again.
 */
export interface RoleSpec {
  /** The role's name as given (validated); undefined for a generated name. */
  readonly roleName?: string;
  readonly description?: string;
  readonly permissionsBoundary?: iam.IManagedPolicy;
  readonly managedPolicies?: iam.IManagedPolicy[];
  readonly inlinePolicies?: { [name: string]: iam.PolicyDocument };
  /** The session controls: what the trust requires of a caller, and how long a session lasts. */
  readonly session: SessionControls;
  /** The trust statement's principals and conditions, ready for `CrossAccountTrustPrincipal`. */
  readonly trust: TrustSpec;
  /** Every account named in the trust policy's `Principal`. */
  readonly trustedAccounts: string[];
  /** The external IDs the trust requires (any one of them); empty if none. */
  readonly externalIds: string[];
  /** The NoEcho parameter of the role's external ID trust, if it uses one. */
  readonly externalIdParameter?: CfnParameter;
  /** The revocation cutoff, an ISO 8601 timestamp (or a token). */
  readonly revokeSessionsIssuedBefore?: string;
}

/**
 * Turns a cross-account role's props into a `RoleSpec`, reporting every bad
 * input here, with the construct's path: names and description, whom it
 * trusts, the session controls, the revocation cutoff.
 *
 * @param scope the `CrossAccountRole`: errors and warnings name it
 */
export function parseRoleProps(scope: IConstruct, props: RoleInput): RoleSpec {
  if (props.roleName !== undefined) {
    validateRoleName(scope, 'roleName', props.roleName);
  }
  if (props.description !== undefined) {
    validateDescription(scope, 'description', props.description);
  }
  Object.keys(props.inlinePolicies ?? {}).forEach(name => validateIamName(scope, `the name of inlinePolicies['${name}']`, name));
  validateTrustInput(scope, props);
  const session = sessionControls(scope, props);
  const whom = trustedParties(scope, props);
  return {
    roleName: props.roleName,
    description: props.description,
    permissionsBoundary: props.permissionsBoundary,
    managedPolicies: props.managedPolicies,
    inlinePolicies: props.inlinePolicies,
    session,
    trust: {
      accounts: whom.trustedAccounts,
      principalArns: whom.principalArns,
      externalIds: whom.externalIds,
      requireMfa: session.requireMfa,
      maxMfaAgeSeconds: session.maxMfaAgeSeconds,
      organizationId: props.trustedOrganizationId,
      organizationalUnitPaths: props.trustedOrganizationalUnitPaths,
      requireSourceIdentity: session.requireSourceIdentity,
      sourceIdentityPattern: session.sourceIdentityPattern,
      roleSessionNamePattern: session.roleSessionNamePattern,
      sourceIps: session.sourceIps,
      transitiveTagKeys: session.transitiveTagKeys,
    },
    trustedAccounts: whom.trustedAccounts,
    externalIds: whom.externalIds,
    externalIdParameter: props.externalIdTrust?.externalIdParameter,
    revokeSessionsIssuedBefore: props.revokeSessionsIssuedBefore === undefined
      ? undefined : isoTimestamp(scope, 'revokeSessionsIssuedBefore', props.revokeSessionsIssuedBefore),
  };
}

/**
 * Validates the literal values of the props that say whom the role trusts:
 * accounts, external IDs, organization and organizational units.
 */
function validateTrustInput(scope: IConstruct, props: RoleInput): void {
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

/** Whom the role trusts: the accounts in `Principal`, the `aws:PrincipalArn` values narrowing them, the external IDs. */
interface TrustedParties {
  readonly trustedAccounts: string[];
  readonly principalArns: string[];
  readonly externalIds: string[];
}

/**
 * Merges whom the role trusts from its props and its external ID trust: the
 * account roots in `Principal`, narrowed by principal ARN where asked (whole
 * accounts stay whole under that condition), and the external IDs.
 */
function trustedParties(scope: IConstruct, props: RoleInput): TrustedParties {
  if (props.trustedPrincipalArns !== undefined && props.trustedPrincipalArns.length === 0) {
    fail(scope, 'trustedPrincipalArns is an empty list; give the principal ARNs, or leave it out and use trustedAccounts');
  }
  const stack = Stack.of(scope);
  const externalIdTrust = props.externalIdTrust;
  if (externalIdTrust !== undefined && Stack.of(externalIdTrust) !== stack) {
    fail(scope, `externalIdTrust '${externalIdTrust.node.path}' is in another stack; create the ExternalIdTrust in the role's stack '${stack.node.path}' (its external ID parameter must be in the role's template)`);
  }

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
    principalArns = [
      ...wholeAccounts.map(account => stack.formatArn({ service: 'iam', region: '', account, resource: '*' })),
      ...specificArns,
    ];
  }
  const externalIds = unique([...(props.externalIds ?? []), ...(externalIdTrust?.externalIds ?? [])]);
  return { trustedAccounts, principalArns, externalIds };
}
