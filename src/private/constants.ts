/**
 * Fixed values of IAM and STS that the constructs rely on, in one place.
 *
 * Every quota here is the documented IAM/STS value; where a quota can be raised
 * through Service Quotas, both the default and the maximum are given.
 */

/** The action a trust policy allows and an identity policy grants. */
export const STS_ASSUME_ROLE = 'sts:AssumeRole';
/** Allows a caller to pass session tags on AssumeRole. */
export const STS_TAG_SESSION = 'sts:TagSession';
/** Allows a caller to set a source identity on AssumeRole. */
export const STS_SET_SOURCE_IDENTITY = 'sts:SetSourceIdentity';

/** Condition keys used in trust policies. */
export const KEY_EXTERNAL_ID = 'sts:ExternalId';
export const KEY_MFA_PRESENT = 'aws:MultiFactorAuthPresent';
export const KEY_MFA_AGE = 'aws:MultiFactorAuthAge';
export const KEY_PRINCIPAL_ORG_ID = 'aws:PrincipalOrgID';
export const KEY_PRINCIPAL_ORG_PATHS = 'aws:PrincipalOrgPaths';
export const KEY_PRINCIPAL_ARN = 'aws:PrincipalArn';
export const KEY_ROLE_SESSION_NAME = 'sts:RoleSessionName';
export const KEY_SOURCE_IDENTITY = 'sts:SourceIdentity';
export const KEY_SOURCE_IP = 'aws:SourceIp';
export const KEY_TRANSITIVE_TAG_KEYS = 'sts:TransitiveTagKeys';
export const KEY_TOKEN_ISSUE_TIME = 'aws:TokenIssueTime';

/** Role session names and source identities: 2 to 64 characters of `[\w+=,.@-]`. */
export const SESSION_NAME_MIN_LENGTH = 2;
export const SESSION_NAME_MAX_LENGTH = 64;
export const SESSION_NAME_PATTERN = /^[\w+=,.@-]+$/;

/** Inline policies of one role: 10,240 characters in total, whitespace not counted. */
export const ROLE_INLINE_POLICIES_MAX_LENGTH = 10240;

/**
 * The inline policy that revokes a role's older sessions. The IAM console writes
 * the same statement under the name `AWSRevokeOlderSessions`; a name of our own
 * keeps the two apart, so that a stack update never overwrites a newer
 * revocation made in the console, and removing ours never deletes the console's.
 */
export const REVOKE_SESSIONS_POLICY_NAME = 'CdkRevokeOlderSessions';

/** An AWS account ID: exactly twelve digits. */
export const ACCOUNT_ID_PATTERN = /^\d{12}$/;

/** sts:ExternalId: 2 to 1,224 characters of `[\w+=,.@:/-]`. */
export const EXTERNAL_ID_MIN_LENGTH = 2;
export const EXTERNAL_ID_MAX_LENGTH = 1224;
export const EXTERNAL_ID_PATTERN = /^[\w+=,.@:/-]+$/;
/** The same rule as a CloudFormation `AllowedPattern` (Java regular expression, whole-value match). */
export const EXTERNAL_ID_CFN_ALLOWED_PATTERN = '[\\w+=,.@:/-]+';

/** Role names: 1 to 64 characters of `[\w+=,.@-]`. */
export const ROLE_NAME_MAX_LENGTH = 64;
export const ROLE_NAME_PATTERN = /^[\w+=,.@-]+$/;

/** Names of policies, groups and users: 1 to 128 characters of `[\w+=,.@-]`. */
export const IAM_NAME_MAX_LENGTH = 128;
export const IAM_NAME_PATTERN = /^[\w+=,.@-]+$/;

/** Descriptions of roles and managed policies: at most 1,000 characters, printable Latin-1 and tab, newline, return. */
export const DESCRIPTION_MAX_LENGTH = 1000;
export const DESCRIPTION_PATTERN = /^[\t\n\r\x20-\x7E\xA1-\xFF]*$/;

/** A CloudFormation stack name: a letter, then letters, digits and hyphens, at most 128 characters. */
export const STACK_NAME_PATTERN = /^[A-Za-z][A-Za-z0-9-]{0,127}$/;

/** An IAM role ARN: partition, 12-digit account, optional path, name. */
export const ROLE_ARN_PATTERN = /^arn:aws(-[a-z]+)*:iam::\d{12}:role\/([\w+=,.@-]+\/)*[\w+=,.@-]{1,64}$/;

/** An AWS Organizations organization ID, e.g. `o-a1b2c3d4e5`. */
export const ORGANIZATION_ID_PATTERN = /^o-[a-z0-9]{10,32}$/;

/**
 * An AWS Organizations entity path down to an OU, as `aws:PrincipalOrgPaths`
 * holds it: `o-<org>/r-<root>/ou-<root>-<ou>/.../`, with an optional trailing
 * `*` that takes in the OUs below the last one. Groups: organization ID, root
 * ID without `r-`, the OU part, the trailing `*`.
 */
export const ORGANIZATIONAL_UNIT_PATH_PATTERN = /^(o-[a-z0-9]{10,32})\/r-([a-z0-9]{4,32})\/((?:ou-[a-z0-9]{4,32}-[a-z0-9]{8,32}\/)+)(\*?)$/;

/** MaxSessionDuration of a role: 1 to 12 hours. */
export const MIN_SESSION_DURATION_SECONDS = 3600;
export const MAX_SESSION_DURATION_SECONDS = 43200;

/**
 * AssumeRole's DurationSeconds: 900 seconds at least, one hour when not given,
 * and at most one hour when the caller is itself a role session (role chaining).
 *
 * @see https://docs.aws.amazon.com/STS/latest/APIReference/API_AssumeRole.html
 * @see https://docs.aws.amazon.com/IAM/latest/UserGuide/id_roles_terms-and-concepts.html#iam-term-role-chaining
 */
export const ASSUME_ROLE_MIN_DURATION_SECONDS = 900;
export const ASSUME_ROLE_DEFAULT_DURATION_SECONDS = 3600;
export const ROLE_CHAINING_MAX_DURATION_SECONDS = 3600;

/** Role trust policy length: 2,048 characters by default, raisable to 4,096; whitespace is not counted. */
export const TRUST_POLICY_DEFAULT_QUOTA = 2048;
export const TRUST_POLICY_MAX_QUOTA = 4096;

/** Managed policy document length: 6,144 characters, whitespace not counted. */
export const MANAGED_POLICY_MAX_LENGTH = 6144;

/** Managed policies attached to one IAM principal: 10 by default, 20 at most. */
export const MANAGED_POLICIES_PER_PRINCIPAL_DEFAULT = 10;
export const MANAGED_POLICIES_PER_PRINCIPAL_MAX = 20;

/** Prefix of every warning id this library emits, for `Annotations.acknowledgeWarning`. */
export const WARNING_PREFIX = 'cdk-cross-account-roles';

/**
 * Length assumed for a value only known at deploy time (a parameter or an
 * attribute) when a policy is measured at synth time. ARNs count more: see
 * `UNRESOLVED_ARN_ESTIMATE`.
 */
export const UNRESOLVED_VALUE_ESTIMATE = 64;

/**
 * Length assumed for an ARN only known at deploy time (`Fn::GetAtt` of an `Arn`
 * or `...Arn` attribute) when a policy is measured at synth time.
 *
 * Conservative: the prefix `arn:aws-us-gov:<service>:<region>:<account>:` is
 * up to 50 characters before the resource, and the names CloudFormation
 * generates run to 64 (a role's ARN is then 102 characters in GovCloud, a Lambda
 * function's 122), so 64 undercounted them. It stays below aws-cdk-lib's
 * own estimate of a token ARN (150, `@aws-cdk/aws-iam.arnSizeEstimate`), so a
 * default policy that aws-cdk-lib has split to fit is not refused here.
 */
export const UNRESOLVED_ARN_ESTIMATE = 128;

/** The longest partition name (`aws-us-gov`), used when the partition is a deploy-time value. */
export const LONGEST_PARTITION = 'aws-us-gov';

/** Console sign-in host per partition, for Switch Role links. */
export const SIGNIN_HOSTS: Record<string, string> = {
  'aws': 'signin.aws.amazon.com',
  'aws-cn': 'signin.amazonaws.cn',
  'aws-us-gov': 'signin.amazonaws-us-gov.com',
};
