import { Annotations, CfnMapping, CfnOutput, CfnParameter, Duration, Fn, Lazy, PhysicalName, RemovalPolicy, Resource, Stack, Token } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import { RegionInfo } from 'aws-cdk-lib/region-info';
import { Construct, IConstruct } from 'constructs';
import { AssumeRoleMonitor, AssumeRoleMonitorOptions } from './assume-role-monitor';
import { ExternalIdTrust } from './external-id-trust';
import { assumeStatementParts } from './private/assume-statement';
import {
  KEY_TOKEN_ISSUE_TIME,
  MANAGED_POLICIES_PER_PRINCIPAL_DEFAULT,
  MANAGED_POLICIES_PER_PRINCIPAL_MAX,
  MAX_SESSION_DURATION_SECONDS,
  MIN_SESSION_DURATION_SECONDS,
  REVOKE_SESSIONS_POLICY_NAME,
  ROLE_INLINE_POLICIES_MAX_LENGTH,
  SIGNIN_HOSTS,
  STS_ASSUME_ROLE,
  STS_SET_SOURCE_IDENTITY,
  STS_TAG_SESSION,
  TRUST_POLICY_DEFAULT_QUOTA,
  TRUST_POLICY_MAX_QUOTA,
  WARNING_PREFIX,
} from './private/constants';
import { generatedRoleName } from './private/names';
import { policyLength, resolvedPolicyLength } from './private/policy-size';
import { checkProps, everyKey, RequiredKeys } from './private/props';
import { CrossAccountTrustPrincipal, accountsOfPrincipalArns } from './private/trust';
import {
  fail,
  iamPatternMatches,
  isoTimestamp,
  deployTimeSeconds,
  positiveSeconds,
  show,
  unique,
  validateAccountId,
  validateDescription,
  validateExternalId,
  validateIamName,
  validateOrganizationId,
  validateOrganizationalUnitPaths,
  validateCidr,
  validateRoleName,
  validateSessionDuration,
  validateSessionName,
  validateSessionPattern,
} from './private/validation';

/** What the AWS CLI accepts as `mfa_serial`: STS's SerialNumber, 9 to 256 of `[\w+=/:,.@-]`. */
const MFA_SERIAL_PATTERN = /^[\w+=/:,.@-]{9,256}$/;

/** An AWS region name, e.g. `eu-west-1`, `us-gov-west-1`, `us-isob-east-1`. */
const REGION_PATTERN = /^[a-z]{2}(-[a-z]+)+-\d+$/;

/**
 * Options of a cross-account role that do not say whom it trusts: the
 * conditions every caller must meet, the session controls and the role's
 * permissions. Shared by `CrossAccountRole` and `CrossAccountRolePair`.
 *
 * Every condition applies to every trusted principal: they are merged into the
 * `sts:AssumeRole` statement of the trust and must all hold. For parties that need different
 * conditions, create one role each.
 */
export interface CrossAccountRoleOptions {
  /**
   * A description of the role.
   *
   * @default - no description
   */
  readonly description?: string;

  /**
   * Require that the caller signed in with MFA (`Bool aws:MultiFactorAuthPresent "true"`).
   *
   * Access keys used without an MFA session are then refused, which is the point.
   *
   * @default false (true when `maxMfaAge` is set)
   */
  readonly requireMfa?: boolean;

  /**
   * Refuse callers whose MFA authentication is older than this
   * (`NumericLessThan aws:MultiFactorAuthAge`). Implies `requireMfa`.
   *
   * @default - any MFA age is accepted
   */
  readonly maxMfaAge?: Duration;

  /**
   * Only principals of this AWS Organizations organization may assume the role
   * (`StringEquals aws:PrincipalOrgID`).
   *
   * @default - the organization is not checked
   */
  readonly trustedOrganizationId?: string;

  /**
   * Only principals of accounts in these organizational units may assume the
   * role (`ForAnyValue:StringLike aws:PrincipalOrgPaths`).
   *
   * Each path runs from the organization to the OU, as the Organizations
   * console shows it: `o-a1b2c3d4e5/r-ab12/ou-ab12-11111111/` takes in the
   * accounts directly in that OU only; `o-a1b2c3d4e5/r-ab12/ou-ab12-11111111/*`
   * takes in the accounts of that OU and of every OU below it. A principal
   * whose account is in none of them, or outside any organization (the key is
   * then absent), is refused. With `trustedOrganizationId`, the paths must be
   * in that organization.
   *
   * @default - the organizational unit is not checked
   * @see https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-keys.html#condition-keys-principalorgpaths
   */
  readonly trustedOrganizationalUnitPaths?: string[];

  /**
   * The longest session a caller can request, 1 to 12 hours.
   *
   * A role assumed from another role's session (role chaining) is limited to
   * one hour whatever this says.
   *
   * @default Duration.hours(1)
   */
  readonly maxSessionDuration?: Duration;

  /**
   * The permissions boundary: the most this role may ever do, whatever its policies say.
   *
   * @default - no permissions boundary
   */
  readonly permissionsBoundary?: iam.IManagedPolicy;

  /**
   * Managed policies attached to the role (10 per role by default, 20 with a quota increase).
   *
   * @default - none
   */
  readonly managedPolicies?: iam.IManagedPolicy[];

  /**
   * Inline policies of the role, by name (10,240 characters in total, whitespace not counted).
   *
   * @default - none
   */
  readonly inlinePolicies?: { [name: string]: iam.PolicyDocument };

  /**
   * Callers must set a source identity (`sts:SetSourceIdentity` is allowed and
   * `sts:SourceIdentity` required), which then stays on every action of the
   * session and of any role chained from it, in CloudTrail.
   *
   * @default false (true when `sourceIdentityPattern` is set)
   * @see https://docs.aws.amazon.com/IAM/latest/UserGuide/id_credentials_temp_control-access_monitor.html
   */
  readonly requireSourceIdentity?: boolean;

  /**
   * The source identity must match this pattern (`StringLike sts:SourceIdentity`),
   * e.g. `${aws:username}` so that users can only name themselves. Implies
   * `requireSourceIdentity`.
   *
   * @default - any source identity
   */
  readonly sourceIdentityPattern?: string;

  /**
   * Allow callers to pass session tags (`sts:TagSession`).
   *
   * @default false (true when `transitiveTagKeys` is set)
   */
  readonly allowSessionTags?: boolean;

  /**
   * The only session tag keys a caller may make transitive
   * (`ForAllValues:StringEquals sts:TransitiveTagKeys`). Implies `allowSessionTags`.
   *
   * @default - any tag key may be transitive (when session tags are allowed)
   */
  readonly transitiveTagKeys?: string[];

  /**
   * The role session name must match this pattern (`StringLike sts:RoleSessionName`),
   * e.g. `${aws:username}` or `ci-*`.
   *
   * @default - any session name
   */
  readonly roleSessionNamePattern?: string;

  /**
   * Callers must come from these CIDR blocks (`IpAddress aws:SourceIp`).
   *
   * Calls made through an AWS service on the caller's behalf carry the
   * service's address, so use this for humans and CI runners with fixed egress.
   *
   * @default - any source address
   */
  readonly allowedSourceIps?: string[];

  /**
   * Deny every action to sessions issued before this time (ISO 8601 with a time
   * zone, e.g. `2026-11-23T10:00:00Z`), as the IAM console's "Revoke active
   * sessions" does. See `revokeSessions()`.
   *
   * @default - no session is revoked
   */
  readonly revokeSessionsIssuedBefore?: string;
}

/**
 * Properties of a `CrossAccountRole`.
 *
 * Give at least one of `trustedAccounts`, `trustedPrincipalArns` or
 * `externalIdTrust`.
 */
export interface CrossAccountRoleProps extends CrossAccountRoleOptions {
  /**
   * The role's name.
   *
   * 1 to 64 characters of letters, digits and `+=,.@-_`. A fixed name makes the
   * role's ARN predictable for the trusted account (and for humans using Switch
   * Role), but a role with a fixed name cannot be replaced without a new name.
   *
   * @default - a name generated at synth time from the stack name, the
   *            construct's path, the account and the region (as
   *            `PhysicalName.GENERATE_IF_NEEDED` builds them), always written
   *            into the template, so the trusted stack receives a literal ARN
   *            and adding one later does not rename (replace) the role. In a
   *            stack without a concrete account and region, CloudFormation
   *            names the role.
   */
  readonly roleName?: string;

  /**
   * Accounts whose principals may assume the role (their root is trusted,
   * which delegates the decision to each account's own IAM policies).
   *
   * @default - no whole account is trusted
   */
  readonly trustedAccounts?: string[];

  /**
   * Only these IAM users or roles may assume the role.
   *
   * Matched by an `aws:PrincipalArn` condition while `Principal` names the
   * account roots, so the trust deploys before those principals exist and keeps
   * working when they are recreated (an ARN in `Principal` would be checked at
   * deploy time and silently rewritten to a unique ID when its principal is
   * deleted). Wildcards are allowed in the name part.
   *
   * If `trustedAccounts` are also given, those accounts stay trusted whole
   * (`arn:<partition>:iam::<account>:*` is added to the condition).
   *
   * @default - no principal-level restriction
   */
  readonly trustedPrincipalArns?: string[];

  /**
   * A trust with external IDs (typically a vendor), created in the same stack.
   *
   * Its account, external IDs and principal ARNs are merged into the role's one
   * trust statement.
   *
   * @default - no external ID trust
   */
  readonly externalIdTrust?: ExternalIdTrust;

  /**
   * External IDs that callers must pass to `sts:AssumeRole` (any one of them).
   *
   * Merged with those of `externalIdTrust`, if any.
   *
   * @default - no external ID is required (unless `externalIdTrust` requires one)
   */
  readonly externalIds?: string[];
}

/**
 * Options of `CrossAccountRole.cliProfile()`: an AWS CLI profile that assumes the role.
 */
export interface CliProfileOptions {
  /** The profile's name (`aws --profile <name>`). */
  readonly profileName: string;

  /** The profile holding the trusted account's credentials, used to call `sts:AssumeRole`. */
  readonly sourceProfile: string;

  /**
   * The caller's MFA device ARN (`mfa_serial`); required when the role requires MFA.
   *
   * @default - no MFA prompt
   */
  readonly mfaSerial?: string;

  /**
   * Session length in seconds (`duration_seconds`): 900 up to the role's `maxSessionDuration`.
   *
   * @default - the CLI's default (3600)
   */
  readonly durationSeconds?: number;

  /**
   * Region of the profile.
   *
   * @default - the role's stack region, when it is known
   */
  readonly region?: string;

  /**
   * Role session name (`role_session_name`); required when the role has a `roleSessionNamePattern`.
   *
   * @default - chosen by the CLI
   */
  readonly roleSessionName?: string;

  /**
   * The external ID to pass; required when the role's external ID is given at deploy time.
   *
   * @default - the role's first literal external ID, if any
   */
  readonly externalId?: string;
}

/**
 * An IAM role in the trusting account that principals of other accounts may
 * assume with `sts:AssumeRole`.
 *
 * The trust policy is one `sts:AssumeRole` statement: the trusted account roots
 * as `Principal` and every condition (external ID, MFA, MFA age, organization,
 * principal ARN, session controls) merged into one `Condition` block; a role
 * that allows session tags or a source identity has one more statement for
 * `sts:TagSession` / `sts:SetSourceIdentity`, with the conditions on the caller. The role's physical name is fixed or
 * generated at synth time, so an `AssumeRolePolicy` in the trusted account's
 * stack gets a literal ARN, never a CloudFormation export (exports do not cross
 * accounts).
 *
 * The trust policy is measured at synth time: over 2,048 characters (the
 * default quota) is a warning, over 4,096 (the raisable maximum) an error.
 *
 * It is an `iam.IRole`: every aws-cdk-lib API that takes a role takes it
 * (`bucket.grantRead(role)`, `new iam.Policy(this, 'P', { roles: [role] })`,
 * `iam.PermissionsBoundary.of(role)`), and acts on the inner `iam.Role`
 * (`role.role`), as aws-cdk-lib's own `LazyRole` does.
 *
 * @see https://docs.aws.amazon.com/IAM/latest/UserGuide/id_roles_create_for-user.html
 */
export class CrossAccountRole extends Resource implements iam.IRole {
  /** The IAM role. */
  public readonly role: iam.Role;

  /** The principal to grant permissions to: the inner `iam.Role`. */
  public readonly grantPrincipal: iam.IPrincipal;

  /** The role's ARN (a literal in any other account's stack). */
  public readonly roleArn: string;

  /** The role's name. */
  public readonly roleName: string;

  /** Every account named in the trust policy's `Principal`. */
  public readonly trustedAccounts: string[];

  /** The external IDs the trust requires (any one of them); empty if none. */
  public readonly externalIds: string[];

  /**
   * The actions a caller's identity policy must allow on this role: always
   * `sts:AssumeRole`, plus whatever else the trust requires.
   */
  public readonly assumeRoleActions: string[];

  /** Whether the trust requires MFA (the CLI profile then needs an MFA device). */
  public readonly requiresMfa: boolean;

  /**
   * The role session name pattern the trust requires.
   *
   * @default - undefined when any session name is accepted
   */
  public readonly roleSessionNamePattern?: string;

  /** The role's name when it is known at synth time: given, or generated. */
  private readonly literalRoleName?: string;
  private readonly maxSessionSeconds: number;
  private revokeBefore?: string;
  private readonly externalIdTrustConstruct?: ExternalIdTrust;

  constructor(scope: Construct, id: string, props: CrossAccountRoleProps) {
    super(scope, id);
    checkProps(this, 'CrossAccountRole', props, everyKey<RequiredKeys<CrossAccountRoleProps>>()([]));
    const stack = Stack.of(this);

    if (props.roleName !== undefined) {
      validateRoleName(this, 'roleName', props.roleName);
    }
    if (props.description !== undefined) {
      validateDescription(this, 'description', props.description);
    }
    Object.keys(props.inlinePolicies ?? {}).forEach(name => validateIamName(this, `the name of inlinePolicies['${name}']`, name));
    (props.trustedAccounts ?? []).forEach((account, i) => validateAccountId(this, `trustedAccounts[${i}]`, account));
    if (props.externalIds !== undefined && props.externalIds.length === 0) {
      fail(this, 'externalIds is an empty list, which would require no external ID at all; give at least one external ID, or leave externalIds out');
    }
    (props.externalIds ?? []).forEach((externalId, i) => validateExternalId(this, `externalIds[${i}]`, externalId));
    if (props.trustedOrganizationId !== undefined) {
      validateOrganizationId(this, 'trustedOrganizationId', props.trustedOrganizationId);
    }
    if (props.trustedOrganizationalUnitPaths !== undefined) {
      validateOrganizationalUnitPaths(this, 'trustedOrganizationalUnitPaths', props.trustedOrganizationalUnitPaths, props.trustedOrganizationId);
    }
    if (props.maxSessionDuration !== undefined) {
      validateSessionDuration(this, 'maxSessionDuration', props.maxSessionDuration);
    }
    const maxMfaAgeSeconds = props.maxMfaAge !== undefined ? positiveSeconds(this, 'maxMfaAge', props.maxMfaAge) : undefined;
    if (props.trustedPrincipalArns !== undefined && props.trustedPrincipalArns.length === 0) {
      fail(this, 'trustedPrincipalArns is an empty list; give the principal ARNs, or leave it out and use trustedAccounts');
    }
    if (maxMfaAgeSeconds !== undefined && props.requireMfa === false) {
      fail(this, 'maxMfaAge is set but requireMfa is false; an MFA age can only be checked when MFA is required, so remove requireMfa: false or maxMfaAge');
    }
    if (props.sourceIdentityPattern !== undefined) {
      validateSessionPattern(this, 'sourceIdentityPattern', props.sourceIdentityPattern);
    }
    if (props.sourceIdentityPattern !== undefined && props.requireSourceIdentity === false) {
      fail(this, 'sourceIdentityPattern is set but requireSourceIdentity is false; remove one of them');
    }
    if (props.roleSessionNamePattern !== undefined) {
      validateSessionPattern(this, 'roleSessionNamePattern', props.roleSessionNamePattern);
    }
    if (props.transitiveTagKeys !== undefined && props.allowSessionTags === false) {
      fail(this, 'transitiveTagKeys is set but allowSessionTags is false; transitive tags are session tags, so remove one of them');
    }
    (props.transitiveTagKeys ?? []).forEach((key, i) => {
      if (!Token.isUnresolved(key) && !/^[\p{L}\p{Z}\p{N}_.:/=+\-@]{1,128}$/u.test(key)) {
        fail(this, `transitiveTagKeys[${i}] must be a tag key of 1 to 128 letters, digits, spaces and _ . : / = + - @, got ${show(key)}`);
      }
    });
    if (props.allowedSourceIps !== undefined && props.allowedSourceIps.length === 0) {
      fail(this, 'allowedSourceIps is an empty list, which would let nobody in; give CIDR blocks or leave it out');
    }
    (props.allowedSourceIps ?? []).forEach((cidr, i) => validateCidr(this, `allowedSourceIps[${i}]`, cidr));
    const externalIdTrust = props.externalIdTrust;
    this.externalIdTrustConstruct = externalIdTrust;
    if (externalIdTrust !== undefined && Stack.of(externalIdTrust) !== stack) {
      fail(this, `externalIdTrust '${externalIdTrust.node.path}' is in another stack; create the ExternalIdTrust in the role's stack '${stack.node.path}' (its external ID parameter must be in the role's template)`);
    }

    // Who is trusted: the account roots in Principal, narrowed by principal ARN where asked.
    const wholeAccounts = unique([
      ...(props.trustedAccounts ?? []),
      ...(externalIdTrust && externalIdTrust.trustedPrincipalArns.length === 0 ? [externalIdTrust.trustedAccount] : []),
    ]);
    const specificArns = unique([...(props.trustedPrincipalArns ?? []), ...(externalIdTrust?.trustedPrincipalArns ?? [])]);
    const arnAccounts = accountsOfPrincipalArns(this, 'trustedPrincipalArns', specificArns);
    this.trustedAccounts = unique([
      ...(props.trustedAccounts ?? []),
      ...arnAccounts,
      ...(externalIdTrust ? [externalIdTrust.trustedAccount] : []),
    ]);
    if (this.trustedAccounts.length === 0) {
      fail(this, 'the role trusts nobody; give trustedAccounts, trustedPrincipalArns or externalIdTrust');
    }
    let principalArns: string[] = [];
    if (specificArns.length > 0) {
      const redundant = arnAccounts.filter(account => wholeAccounts.includes(account));
      if (redundant.length > 0) {
        Annotations.of(this).addWarningV2(`${WARNING_PREFIX}:redundantPrincipalArns`,
          `account(s) ${redundant.join(', ')} are trusted whole, so the trustedPrincipalArns in them do not narrow anything; remove the account from trustedAccounts to trust only those principals`);
      }
      // Whole accounts stay whole under the aws:PrincipalArn condition.
      principalArns = [
        ...wholeAccounts.map(account => stack.formatArn({ service: 'iam', region: '', account, resource: '*' })),
        ...specificArns,
      ];
    }

    this.externalIds = unique([...(props.externalIds ?? []), ...(externalIdTrust?.externalIds ?? [])]);
    const requireSourceIdentity = props.requireSourceIdentity ?? props.sourceIdentityPattern !== undefined;
    const allowSessionTags = props.allowSessionTags ?? props.transitiveTagKeys !== undefined;
    // The actions of the AssumeRole call: sts:TagSession and sts:SetSourceIdentity are authorized within it.
    this.assumeRoleActions = [
      STS_ASSUME_ROLE,
      ...(allowSessionTags ? [STS_TAG_SESSION] : []),
      ...(requireSourceIdentity ? [STS_SET_SOURCE_IDENTITY] : []),
    ];
    this.requiresMfa = props.requireMfa ?? maxMfaAgeSeconds !== undefined;
    this.roleSessionNamePattern = props.roleSessionNamePattern;

    const principal = new CrossAccountTrustPrincipal({
      accounts: this.trustedAccounts,
      principalArns,
      externalIds: this.externalIds,
      requireMfa: this.requiresMfa,
      maxMfaAgeSeconds,
      organizationId: props.trustedOrganizationId,
      organizationalUnitPaths: props.trustedOrganizationalUnitPaths,
      requireSourceIdentity,
      sourceIdentityPattern: props.sourceIdentityPattern,
      roleSessionNamePattern: props.roleSessionNamePattern,
      sourceIps: props.allowedSourceIps,
      transitiveTagKeys: props.transitiveTagKeys,
    }, this.assumeRoleActions);

    this.literalRoleName = props.roleName ?? generatedRoleName(this, 'Resource');
    // iam.Role checks maxSessionDuration eagerly and cannot take a token: a deploy-time value goes on the CfnRole.
    const sessionDuration = props.maxSessionDuration;
    const deployTimeSessionDuration = sessionDuration?.isUnresolved() === true;
    // The longest session cliProfile may ask for: the role's, or at most 12 hours when only known at deploy time.
    this.maxSessionSeconds = sessionDuration === undefined ? MIN_SESSION_DURATION_SECONDS
      : deployTimeSessionDuration ? MAX_SESSION_DURATION_SECONDS : sessionDuration.toSeconds();
    this.role = new iam.Role(this, 'Resource', {
      roleName: this.literalRoleName ?? PhysicalName.GENERATE_IF_NEEDED,
      description: props.description,
      assumedBy: principal,
      maxSessionDuration: deployTimeSessionDuration ? undefined : sessionDuration,
      permissionsBoundary: props.permissionsBoundary,
      managedPolicies: props.managedPolicies,
      inlinePolicies: props.inlinePolicies,
    });
    if (deployTimeSessionDuration) {
      (this.role.node.defaultChild as iam.CfnRole).maxSessionDuration = deployTimeSeconds(this, 'maxSessionDuration', sessionDuration);
    }
    this.roleArn = this.role.roleArn;
    this.roleName = this.role.roleName;
    this.grantPrincipal = this.role;

    if (props.revokeSessionsIssuedBefore !== undefined) {
      this.revokeSessions(props.revokeSessionsIssuedBefore);
    }

    this.node.addValidation({ validate: () => this.validateQuotas() });
  }

  /** The stable and unique string identifying the role (e.g. `AROA...`), known at deploy time. */
  public get roleId(): string {
    return this.role.roleId;
  }

  /** A reference to the role, for aws-cdk-lib's `IRoleRef` consumers. */
  public get roleRef(): iam.RoleReference {
    return this.role.roleRef;
  }

  /** When this role is used as a principal: `sts:AssumeRole`. */
  public get assumeRoleAction(): string {
    return this.role.assumeRoleAction;
  }

  /** This role as the `Principal` of a resource policy. */
  public get policyFragment(): iam.PrincipalPolicyFragment {
    return this.role.policyFragment;
  }

  /**
   * The account of this role, as a principal.
   *
   * @default - the role's stack account
   */
  public get principalAccount(): string | undefined {
    return this.role.principalAccount;
  }

  /**
   * Adds a statement to the role's default inline policy (created when first needed).
   *
   * @param statement the permission to add
   */
  public addToPrincipalPolicy(statement: iam.PolicyStatement): iam.AddToPrincipalPolicyResult {
    return this.role.addToPrincipalPolicy(statement);
  }

  /**
   * Adds a statement to the role's default inline policy; true when it was added.
   *
   * @param statement the permission to add
   */
  public addToPolicy(statement: iam.PolicyStatement): boolean {
    return this.role.addToPolicy(statement);
  }

  /**
   * Attaches a managed policy to the role. It counts toward the role's managed policy quota.
   *
   * @param policy the managed policy to attach
   */
  public addManagedPolicy(policy: iam.IManagedPolicy): void {
    this.role.addManagedPolicy(policy);
  }

  /**
   * Attaches an inline policy to the role. It counts toward the role's inline policy quota.
   *
   * @param policy the policy to attach
   */
  public attachInlinePolicy(policy: iam.Policy): void {
    this.role.attachInlinePolicy(policy);
  }

  /**
   * Grants `grantee` the given actions on this role.
   *
   * @param grantee the principal that gets the permission
   * @param actions the IAM actions, e.g. `iam:GetRole`
   */
  public grant(grantee: iam.IPrincipal, ...actions: string[]): iam.Grant {
    return this.role.grant(grantee, ...actions);
  }

  /**
   * Grants `grantee` the permission to pass this role to an AWS service (`iam:PassRole`).
   *
   * @param grantee the principal that gets the permission
   */
  public grantPassRole(grantee: iam.IPrincipal): iam.Grant {
    return this.role.grantPassRole(grantee);
  }

  /**
   * Grants `grantee` (a user, group or role) the permission to assume this role.
   *
   * For a grantee in another account's stack, this writes what an
   * `AssumeRolePolicy` writes into the grantee's identity policy: the role's
   * literal ARN (never a CloudFormation export), every action of
   * `assumeRoleActions`, and the MFA condition when the role requires MFA. The
   * grantee's account must be one the role trusts, or this fails: the
   * permission alone would be refused by the role's trust policy. For a
   * grantee in the role's own account it does what `iam.Role` does.
   *
   * @param grantee the principal that gets the permission
   */
  public grantAssumeRole(grantee: iam.IPrincipal): iam.Grant {
    const roleAccount = this.env.account;
    const granteeAccount = accountOf(grantee);
    const sameStack = grantee instanceof Construct && Stack.of(grantee) === Stack.of(this);
    if (sameStack || (granteeAccount !== undefined && granteeAccount === roleAccount)) {
      return this.role.grantAssumeRole(grantee);
    }
    const who = grantee instanceof Construct ? `'${grantee.node.path}'` : grantee.toString();
    if (granteeAccount === undefined) {
      fail(this, `grantAssumeRole cannot tell the account of ${who}; give it a user, group or role in a stack with env: { account: '222222222222', region: '...' }, so that the permission names this role by a literal ARN (CloudFormation exports do not cross accounts)`);
    }
    if (Token.isUnresolved(roleAccount)) {
      fail(this, `grantAssumeRole to ${who} in account ${granteeAccount} needs this role's account at synth time; give stack '${Stack.of(this).node.path}' env: { account, region }`);
    }
    if (!this.trustedAccounts.includes(granteeAccount)) {
      fail(this, `grantAssumeRole: ${who} is in account ${granteeAccount}, which this role does not trust (it trusts ${this.trustedAccounts.join(', ')}), so its trust policy would refuse the call; add ${granteeAccount} to trustedAccounts (or trustedPrincipalArns)`);
    }
    const statement = assumeStatementParts({ actions: this.assumeRoleActions, roleArns: [this.roleArn], requireMfa: this.requiresMfa });
    const grant = iam.Grant.addToPrincipal({
      grantee,
      actions: statement.actions,
      resourceArns: statement.resources,
      conditions: statement.conditions,
    });
    if (!grant.success) {
      fail(this, `grantAssumeRole could not add the permission to ${who}: it has no identity policy this app can change (an imported or immutable principal); give the permission in its account, e.g. with an AssumeRolePolicy there`);
    }
    return grant;
  }

  /**
   * Applies the removal policy to the role (`RemovalPolicy.RETAIN` keeps it when the stack is deleted).
   *
   * @param policy what CloudFormation does with the role when it leaves the stack
   */
  public applyRemovalPolicy(policy: RemovalPolicy): void {
    this.role.applyRemovalPolicy(policy);
  }

  /**
   * Denies every action to sessions of this role issued before `before`.
   *
   * Adds an inline policy with the statement the IAM console's "Revoke active
   * sessions" writes (`Deny *` on `*` with `DateLessThan aws:TokenIssueTime`),
   * named `CdkRevokeOlderSessions`: the console's own policy,
   * `AWSRevokeOlderSessions`, is left alone, so a stack update never undoes a
   * newer revocation made in the console. Callers can assume the role again at
   * once and get a new, valid session. Calling this again moves the cutoff;
   * there is only ever one such policy. A cutoff still to come is warned about:
   * until then, every new session is denied too.
   *
   * @param before an ISO 8601 date and time with a time zone, e.g. `2026-11-23T10:00:00Z`
   * @see https://docs.aws.amazon.com/IAM/latest/UserGuide/id_roles_use_revoke-sessions.html
   */
  public revokeSessions(before: string): void {
    const first = this.revokeBefore === undefined;
    this.revokeBefore = isoTimestamp(this, 'revokeSessionsIssuedBefore', before);
    if (!Token.isUnresolved(this.revokeBefore) && Date.parse(this.revokeBefore) > Date.now()) {
      Annotations.of(this).addWarningV2(`${WARNING_PREFIX}:revokeInFuture`,
        `sessions issued before ${this.revokeBefore} are revoked, a time still to come: until then every new session of this role is denied at once; use the current time to revoke the sessions that may have leaked`);
    }
    if (!first) { return; }
    new iam.Policy(this, 'RevokeOlderSessions', {
      policyName: REVOKE_SESSIONS_POLICY_NAME,
      roles: [this.role],
      statements: [new iam.PolicyStatement({
        effect: iam.Effect.DENY,
        actions: ['*'],
        resources: ['*'],
        conditions: { DateLessThan: { [KEY_TOKEN_ISSUE_TIME]: Lazy.string({ produce: () => this.revokeBefore }) } },
      })],
    });
  }

  /**
   * Adds stack outputs a person needs to use the role: its ARN, the console
   * Switch Role URL (in partitions that have a public console sign-in), and
   * (when the external ID is given at deploy time) the name of the external ID
   * parameter. Calling it again adds nothing.
   */
  public addOutputs(): void {
    if (this.node.tryFindChild('Arn') !== undefined) { return; }
    new CfnOutput(this, 'Arn', { value: this.roleArn, description: 'ARN of the cross-account role' });
    if (this.signinHost(Stack.of(this)) !== undefined) {
      new CfnOutput(this, 'SwitchRoleUrl', { value: this.switchRoleUrl, description: 'Console link that switches to the role' });
    }
    const parameter = this.externalIdParameter;
    if (parameter) {
      new CfnOutput(this, 'ExternalIdParameterName', {
        value: parameter.logicalId,
        description: 'Name of the parameter that supplies the external ID (cdk deploy --parameters <name>=<id>)',
      });
    }
  }

  /**
   * Creates an `AssumeRoleMonitor` that reports every assumption of this role,
   * and every failed attempt, to an SNS topic.
   *
   * @param options where to send the events
   */
  public monitorAssumptions(options: AssumeRoleMonitorOptions = {}): AssumeRoleMonitor {
    if (this.node.tryFindChild('Monitor') !== undefined) {
      fail(this, 'monitorAssumptions() was called already for this role; use the AssumeRoleMonitor it returned, or create an AssumeRoleMonitor of your own for another topic');
    }
    return new AssumeRoleMonitor(this, 'Monitor', { ...options, roles: [this] });
  }

  /**
   * The `~/.aws/config` section of an AWS CLI profile that assumes this role.
   *
   * Needs the role's ARN as a literal: a fixed `roleName`, and a stack with a
   * concrete account and region.
   *
   * @see https://docs.aws.amazon.com/cli/latest/userguide/cli-configure-role.html
   */
  public cliProfile(options: CliProfileOptions): string {
    const stack = Stack.of(this);
    if (!/^[\w+=,.@-]+$/.test(options.profileName) || !/^[\w+=,.@-]+$/.test(options.sourceProfile)) {
      fail(this, `profileName and sourceProfile must be letters, digits and + = , . @ - _, got ${show(options.profileName)} and ${show(options.sourceProfile)}`);
    }
    if (this.assumeRoleActions.includes(STS_SET_SOURCE_IDENTITY)) {
      fail(this, 'the role requires a source identity, which an AWS CLI profile cannot set (the CLI has no config key for it); call \'aws sts assume-role --source-identity <you>\' or an SDK instead');
    }
    if (options.mfaSerial !== undefined && !Token.isUnresolved(options.mfaSerial) && !MFA_SERIAL_PATTERN.test(options.mfaSerial)) {
      fail(this, `mfaSerial must be an MFA device ARN (arn:<partition>:iam::<account>:mfa/<device>) or a hardware token's serial number, got ${show(options.mfaSerial)}`);
    }
    if (options.region !== undefined && !REGION_PATTERN.test(options.region)) {
      fail(this, `region must be an AWS region like 'eu-west-1', got ${show(options.region)}`);
    }
    if (this.literalRoleName === undefined) {
      fail(this, `cliProfile needs the role's name at synth time; give the role a roleName, or stack '${stack.node.path}' env: { account, region }`);
    }
    if (Token.isUnresolved(stack.account) || Token.isUnresolved(stack.region)) {
      fail(this, `cliProfile needs the role's account and region at synth time; give stack '${stack.node.path}' env: { account, region }`);
    }
    const partition = RegionInfo.get(stack.region).partition ?? 'aws';
    const lines = [
      `[profile ${options.profileName}]`,
      `role_arn = arn:${partition}:iam::${stack.account}:role/${this.literalRoleName}`,
      `source_profile = ${options.sourceProfile}`,
    ];
    const literalIds = this.externalIds.filter(id => !Token.isUnresolved(id));
    const externalId = options.externalId ?? literalIds[0];
    if (options.externalId !== undefined) {
      validateExternalId(this, 'externalId', options.externalId);
    }
    if (this.externalIds.length > 0 && externalId === undefined) {
      fail(this, 'the role\'s external ID is given at deploy time; pass it to cliProfile as externalId');
    }
    if (externalId !== undefined) { lines.push(`external_id = ${externalId}`); }
    if (this.requiresMfa && options.mfaSerial === undefined) {
      fail(this, 'the role requires MFA; give cliProfile the caller\'s mfaSerial (arn:<partition>:iam::<account>:mfa/<device>)');
    }
    if (options.mfaSerial !== undefined) { lines.push(`mfa_serial = ${options.mfaSerial}`); }
    if (options.durationSeconds !== undefined) {
      const seconds = options.durationSeconds;
      if (!Number.isInteger(seconds) || seconds < 900 || seconds > this.maxSessionSeconds) {
        fail(this, `durationSeconds must be a whole number between 900 (15 minutes) and the role's maxSessionDuration (${this.maxSessionSeconds}), got ${seconds}`);
      }
      lines.push(`duration_seconds = ${seconds}`);
    }
    if (this.roleSessionNamePattern !== undefined && options.roleSessionName === undefined) {
      fail(this, `the role requires session names matching ${show(this.roleSessionNamePattern)}; give cliProfile a roleSessionName`);
    }
    if (options.roleSessionName !== undefined) {
      validateSessionName(this, 'roleSessionName', options.roleSessionName);
      const pattern = this.roleSessionNamePattern;
      if (pattern !== undefined && !Token.isUnresolved(pattern) && !pattern.includes('${') && !iamPatternMatches(pattern, options.roleSessionName)) {
        fail(this, `roleSessionName ${show(options.roleSessionName)} does not match the role's roleSessionNamePattern ${show(pattern)}, so STS would refuse it`);
      }
      lines.push(`role_session_name = ${options.roleSessionName}`);
    }
    lines.push(`region = ${options.region ?? stack.region}`);
    return lines.join('\n') + '\n';
  }

  /** The NoEcho parameter of this role's external ID trust, if it uses one. */
  private get externalIdParameter(): CfnParameter | undefined {
    return this.externalIdTrustConstruct?.externalIdParameter;
  }

  /**
   * The AWS console link that switches a signed-in user of a trusted account to this role.
   *
   * The host follows the role's partition (`signin.aws.amazon.com`,
   * `signin.amazonaws.cn`, `signin.amazonaws-us-gov.com`). Where the partition
   * is only known at deploy time, the link is looked up from a mapping.
   * An external ID cannot be passed through this link: roles that require one
   * are for programmatic access.
   *
   * @see https://docs.aws.amazon.com/IAM/latest/UserGuide/id_roles_use_switch-role-console.html
   */
  public get switchRoleUrl(): string {
    const stack = Stack.of(this);
    const host = this.signinHost(stack);
    if (host === undefined) {
      fail(this, `the partition '${this.knownPartition(stack)}' of this role has no public console sign-in, so there is no Switch Role URL; use cliProfile() or the role's ARN`);
    }
    const account = stack.account;
    const name = this.literalRoleName !== undefined ? encodeURIComponent(this.literalRoleName) : this.roleName;
    const query = [`account=${account}`, `roleName=${name}`];
    if (this.literalRoleName !== undefined && !Token.isUnresolved(account)) {
      query.push(`displayName=${encodeURIComponent(`${this.literalRoleName}@${account}`)}`);
    }
    return `https://${host}/switchrole?${query.join('&')}`;
  }

  /** The stack's partition when it is known at synth time: a literal, or the partition of a literal region. */
  private knownPartition(stack: Stack): string | undefined {
    if (!Token.isUnresolved(stack.partition)) { return stack.partition; }
    return Token.isUnresolved(stack.region) ? undefined : RegionInfo.get(stack.region).partition;
  }

  /**
   * The console sign-in host of the role's partition; a lookup in a mapping when
   * the partition is only known at deploy time; undefined for a known partition
   * without a public console (the ISO partitions).
   */
  private signinHost(stack: Stack): string | undefined {
    const partition = this.knownPartition(stack);
    if (partition !== undefined) {
      return SIGNIN_HOSTS[partition];
    }
    const id = 'CrossAccountRolesSigninHosts';
    const mapping = (stack.node.tryFindChild(id) as CfnMapping | undefined) ?? new CfnMapping(stack, id, {
      mapping: Object.fromEntries(Object.entries(SIGNIN_HOSTS).map(([p, host]) => [p, { host }])),
    });
    return Fn.findInMap(mapping.logicalId, stack.partition, 'host');
  }

  private validateQuotas(): string[] {
    const errors: string[] = [];
    const stack = Stack.of(this);
    const length = policyLength(stack, this.role.assumeRolePolicy!);
    if (length > TRUST_POLICY_MAX_QUOTA) {
      errors.push(`the trust policy is about ${length} characters, over the IAM maximum of ${TRUST_POLICY_MAX_QUOTA} (whitespace not counted); trust fewer principals per role, or use trustedAccounts or an organization condition instead of many principal ARNs`);
    } else if (length > TRUST_POLICY_DEFAULT_QUOTA) {
      Annotations.of(this).addWarningV2(`${WARNING_PREFIX}:trustPolicySize`,
        `the trust policy is about ${length} characters, over the default IAM quota of ${TRUST_POLICY_DEFAULT_QUOTA} (whitespace not counted); the deployment fails unless the 'Role trust policy length' quota of the trusting account is raised (up to ${TRUST_POLICY_MAX_QUOTA}) in Service Quotas`);
    }
    const cfnRole = this.role.node.defaultChild as iam.CfnRole;
    const own = (stack.resolve(cfnRole.policies) ?? []) as Array<{ policyName?: string; policyDocument?: unknown }>;
    for (const policy of own) {
      if (policy.policyDocument === undefined) {
        errors.push(`the inline policy '${policy.policyName}' has no statements, and IAM refuses an empty policy; add statements to it or remove it from inlinePolicies`);
      }
    }
    const attachedInline = this.attached(stack, iam.CfnPolicy, p => p.roles).map(p => p.policyDocument);
    const inline = [...own.map(p => p.policyDocument), ...attachedInline]
      .filter(doc => doc !== undefined)
      // Measured as resolved, intrinsics and all: iam.PolicyDocument.fromJson refuses a resolved token resource.
      .reduce<number>((sum, doc) => sum + resolvedPolicyLength(stack.resolve(doc)), 0);
    if (inline > ROLE_INLINE_POLICIES_MAX_LENGTH) {
      errors.push(`the role's inline policies are about ${inline} characters in total, over the IAM quota of ${ROLE_INLINE_POLICIES_MAX_LENGTH} (whitespace not counted); move statements into customer managed policies (managedPolicies)`);
    }
    // Managed policies attach from either side: the role's ManagedPolicyArns, or a policy's Roles.
    const arns = stack.resolve(cfnRole.managedPolicyArns);
    const count = (Array.isArray(arns) ? arns.length : 0) + this.attached(stack, iam.CfnManagedPolicy, p => p.roles).length;
    if (count > MANAGED_POLICIES_PER_PRINCIPAL_MAX) {
      errors.push(`the role has ${count} managed policies, over the IAM maximum of ${MANAGED_POLICIES_PER_PRINCIPAL_MAX}; merge some into one customer managed policy or use inlinePolicies`);
    } else if (count > MANAGED_POLICIES_PER_PRINCIPAL_DEFAULT) {
      Annotations.of(this).addWarningV2(`${WARNING_PREFIX}:managedPolicyCount`,
        `the role has ${count} managed policies, over the default IAM quota of ${MANAGED_POLICIES_PER_PRINCIPAL_DEFAULT}; the deployment fails unless the 'Managed policies per role' quota is raised (up to ${MANAGED_POLICIES_PER_PRINCIPAL_MAX})`);
    }
    return errors;
  }

  /** The policy resources of the role's stack that attach themselves to this role through their `Roles`. */
  private attached<T extends IConstruct>(stack: Stack, type: new (...args: never[]) => T, rolesOf: (policy: T) => unknown): T[] {
    const roleRef = JSON.stringify(stack.resolve(this.role.roleName));
    return stack.node.findAll()
      .filter((c): c is T => c instanceof type)
      .filter(p => JSON.stringify(stack.resolve(rolesOf(p)) ?? []).includes(roleRef));
  }
}

/** The account of a principal when it is known at synth time: its own, or its stack's. */
function accountOf(principal: iam.IPrincipal): string | undefined {
  const account = principal.grantPrincipal.principalAccount
    ?? (principal instanceof Construct ? Stack.of(principal).account : undefined);
  return account === undefined || Token.isUnresolved(account) ? undefined : account;
}
