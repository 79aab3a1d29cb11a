import { Duration, PhysicalName, RemovalPolicy, Resource } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';
import { AssumeRoleMonitor, AssumeRoleMonitorOptions } from './assume-role-monitor';
import { ExternalIdTrust } from './external-id-trust';
import { checkProps, everyKey, RequiredKeys } from './private/input/props';
import { fail } from './private/input/validation';
import { CrossAccountTrustPrincipal } from './private/policy/trust';
import { grantAssume } from './private/role/assume-grant';
import { generatedRoleName } from './private/role/names';
import { SessionRevocation } from './private/role/revocation';
import { RoleAccess, addRoleOutputs, cliProfileOf, switchRoleUrlOf } from './private/role/role-access';
import { roleQuotaErrors } from './private/role/role-quotas';
import { parseRoleProps } from './private/role/role-spec';
import { applyDeployTimeSessionDuration } from './private/role/session-controls';

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

  /** What outputs, CLI profiles and Switch Role links need to know of the role. */
  private readonly access: RoleAccess;
  private readonly revocation: SessionRevocation;

  constructor(scope: Construct, id: string, props: CrossAccountRoleProps) {
    super(scope, id);
    checkProps(this, 'CrossAccountRole', props, everyKey<RequiredKeys<CrossAccountRoleProps>>()([]));
    // Parse, then build: every bad input is reported here, and the builders below read only the spec.
    const spec = parseRoleProps(this, props);
    const session = spec.session;
    this.trustedAccounts = spec.trustedAccounts;
    this.externalIds = spec.externalIds;
    this.assumeRoleActions = session.assumeRoleActions;
    this.requiresMfa = session.requireMfa;
    this.roleSessionNamePattern = session.roleSessionNamePattern;

    const literalRoleName = spec.roleName ?? generatedRoleName(this, 'Resource');
    this.role = new iam.Role(this, 'Resource', {
      roleName: literalRoleName ?? PhysicalName.GENERATE_IF_NEEDED,
      description: spec.description,
      assumedBy: new CrossAccountTrustPrincipal(spec.trust, session.assumeRoleActions),
      maxSessionDuration: session.roleMaxSessionDuration,
      permissionsBoundary: spec.permissionsBoundary,
      managedPolicies: spec.managedPolicies,
      inlinePolicies: spec.inlinePolicies,
    });
    applyDeployTimeSessionDuration(this.role, session);
    this.roleArn = this.role.roleArn;
    this.roleName = this.role.roleName;
    this.grantPrincipal = this.role;
    this.access = {
      scope: this,
      roleArn: this.roleArn,
      roleName: this.roleName,
      literalRoleName,
      externalIds: this.externalIds,
      assumeRoleActions: this.assumeRoleActions,
      requiresMfa: this.requiresMfa,
      roleSessionNamePattern: this.roleSessionNamePattern,
      maxSessionSeconds: session.maxSessionSeconds,
      externalIdParameter: spec.externalIdParameter,
    };

    this.revocation = new SessionRevocation(this, this.role);
    if (spec.revokeSessionsIssuedBefore !== undefined) {
      this.revokeSessions(spec.revokeSessionsIssuedBefore);
    }

    this.node.addValidation({ validate: () => roleQuotaErrors(this, this.role) });
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
   * grantee in the role's own account it does what `iam.Role` does. A grantee
   * whose identity policy this app cannot change (a role imported from another
   * account, or with `mutable: false`) gets nothing, and a warning says to give
   * it the permission in its own account, e.g. with an `AssumeRolePolicy`.
   *
   * @param grantee the principal that gets the permission
   */
  public grantAssumeRole(grantee: iam.IPrincipal): iam.Grant {
    return grantAssume({
      scope: this,
      role: this.role,
      roleArn: this.roleArn,
      account: this.env.account,
      trustedAccounts: this.trustedAccounts,
      assumeRoleActions: this.assumeRoleActions,
      requiresMfa: this.requiresMfa,
    }, grantee);
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
    this.revocation.revoke(before);
  }

  /**
   * Adds stack outputs a person needs to use the role: its ARN, the console
   * Switch Role URL (in partitions that have a public console sign-in), and
   * (when the external ID is given at deploy time) the name of the external ID
   * parameter. Calling it again adds nothing.
   */
  public addOutputs(): void {
    addRoleOutputs(this.access);
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
    return cliProfileOf(this.access, options);
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
    return switchRoleUrlOf(this.access);
  }
}
