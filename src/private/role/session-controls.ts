import { Duration, Token } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import { IConstruct } from 'constructs';
import {
  MAX_SESSION_DURATION_SECONDS,
  MIN_SESSION_DURATION_SECONDS,
  STS_ASSUME_ROLE,
  STS_SET_SOURCE_IDENTITY,
  STS_TAG_SESSION,
} from '../constants';
import {
  deployTimeSeconds,
  fail,
  positiveSeconds,
  show,
  validateCidr,
  validateSessionDuration,
  validateSessionPattern,
} from '../input/validation';

/**
 * The session options of a cross-account role as this module reads them (the
 * public `CrossAccountRoleOptions` fit it as they are).
 */
export interface SessionInput {
  readonly requireMfa?: boolean;
  readonly maxMfaAge?: Duration;
  readonly maxSessionDuration?: Duration;
  readonly requireSourceIdentity?: boolean;
  readonly sourceIdentityPattern?: string;
  readonly allowSessionTags?: boolean;
  readonly transitiveTagKeys?: string[];
  readonly roleSessionNamePattern?: string;
  readonly allowedSourceIps?: string[];
}

/**
 * The session controls of a cross-account role, validated: what the trust
 * requires of a caller (MFA, source identity, session name, source IP, session
 * tags) and how long a session may last.
 */
export interface SessionControls {
  /** The trust requires MFA (given, or implied by an MFA age). */
  readonly requireMfa: boolean;
  /** `aws:MultiFactorAuthAge` must be less than this many seconds. */
  readonly maxMfaAgeSeconds?: number;
  /** A source identity must be set (given, or implied by a pattern). */
  readonly requireSourceIdentity: boolean;
  /** `StringLike sts:SourceIdentity`. */
  readonly sourceIdentityPattern?: string;
  /** `StringLike sts:RoleSessionName`. */
  readonly roleSessionNamePattern?: string;
  /** `IpAddress aws:SourceIp`. */
  readonly sourceIps?: string[];
  /** The only tag keys that may be transitive. */
  readonly transitiveTagKeys?: string[];
  /**
   * The actions of the AssumeRole call: `sts:AssumeRole`, and `sts:TagSession` /
   * `sts:SetSourceIdentity` (authorized within that call) when the trust allows them.
   */
  readonly assumeRoleActions: string[];
  /** `maxSessionDuration` for `iam.Role`: undefined when not given or only known at deploy time. */
  readonly roleMaxSessionDuration?: Duration;
  /** `maxSessionDuration` in seconds when only known at deploy time (`iam.Role` cannot take a token). */
  readonly deployTimeMaxSessionSeconds?: number;
  /** The longest session `cliProfile` may ask for: the role's, or at most 12 hours when only known at deploy time. */
  readonly maxSessionSeconds: number;
}

/** Validates the session options of a role and derives what the trust and the role need from them. */
export function sessionControls(scope: IConstruct, props: SessionInput): SessionControls {
  if (props.maxSessionDuration !== undefined) {
    validateSessionDuration(scope, 'maxSessionDuration', props.maxSessionDuration);
  }
  const maxMfaAgeSeconds = props.maxMfaAge !== undefined ? positiveSeconds(scope, 'maxMfaAge', props.maxMfaAge) : undefined;
  if (maxMfaAgeSeconds !== undefined && props.requireMfa === false) {
    fail(scope, 'maxMfaAge is set but requireMfa is false; an MFA age can only be checked when MFA is required, so remove requireMfa: false or maxMfaAge');
  }
  if (props.sourceIdentityPattern !== undefined) {
    validateSessionPattern(scope, 'sourceIdentityPattern', props.sourceIdentityPattern);
  }
  if (props.sourceIdentityPattern !== undefined && props.requireSourceIdentity === false) {
    fail(scope, 'sourceIdentityPattern is set but requireSourceIdentity is false; remove one of them');
  }
  if (props.roleSessionNamePattern !== undefined) {
    validateSessionPattern(scope, 'roleSessionNamePattern', props.roleSessionNamePattern);
  }
  if (props.transitiveTagKeys !== undefined && props.allowSessionTags === false) {
    fail(scope, 'transitiveTagKeys is set but allowSessionTags is false; transitive tags are session tags, so remove one of them');
  }
  (props.transitiveTagKeys ?? []).forEach((key, i) => {
    if (!Token.isUnresolved(key) && !/^[\p{L}\p{Z}\p{N}_.:/=+\-@]{1,128}$/u.test(key)) {
      fail(scope, `transitiveTagKeys[${i}] must be a tag key of 1 to 128 letters, digits, spaces and _ . : / = + - @, got ${show(key)}`);
    }
  });
  if (props.allowedSourceIps !== undefined && props.allowedSourceIps.length === 0) {
    fail(scope, 'allowedSourceIps is an empty list, which would let nobody in; give CIDR blocks or leave it out');
  }
  (props.allowedSourceIps ?? []).forEach((cidr, i) => validateCidr(scope, `allowedSourceIps[${i}]`, cidr));

  const requireSourceIdentity = props.requireSourceIdentity ?? props.sourceIdentityPattern !== undefined;
  const allowSessionTags = props.allowSessionTags ?? props.transitiveTagKeys !== undefined;
  // iam.Role checks maxSessionDuration eagerly and cannot take a token: a deploy-time value goes on the CfnRole.
  const sessionDuration = props.maxSessionDuration;
  const deployTime = sessionDuration?.isUnresolved() === true;
  return {
    requireMfa: props.requireMfa ?? maxMfaAgeSeconds !== undefined,
    maxMfaAgeSeconds,
    requireSourceIdentity,
    sourceIdentityPattern: props.sourceIdentityPattern,
    roleSessionNamePattern: props.roleSessionNamePattern,
    sourceIps: props.allowedSourceIps,
    transitiveTagKeys: props.transitiveTagKeys,
    assumeRoleActions: [
      STS_ASSUME_ROLE,
      ...(allowSessionTags ? [STS_TAG_SESSION] : []),
      ...(requireSourceIdentity ? [STS_SET_SOURCE_IDENTITY] : []),
    ],
    roleMaxSessionDuration: deployTime ? undefined : sessionDuration,
    deployTimeMaxSessionSeconds: deployTime ? deployTimeSeconds(scope, 'maxSessionDuration', sessionDuration!) : undefined,
    maxSessionSeconds: sessionDuration === undefined ? MIN_SESSION_DURATION_SECONDS
      : deployTime ? MAX_SESSION_DURATION_SECONDS : sessionDuration.toSeconds(),
  };
}

/** Writes a `maxSessionDuration` only known at deploy time onto the role's `AWS::IAM::Role`. */
export function applyDeployTimeSessionDuration(role: iam.Role, controls: SessionControls): void {
  if (controls.deployTimeMaxSessionSeconds !== undefined) {
    (role.node.defaultChild as iam.CfnRole).maxSessionDuration = controls.deployTimeMaxSessionSeconds;
  }
}
