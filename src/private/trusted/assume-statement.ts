import * as iam from 'aws-cdk-lib/aws-iam';
import { KEY_MFA_PRESENT } from '../constants';
import { unique } from '../input/validation';

/** What the caller's side of an AssumeRole needs: the actions on which roles, and on which condition. */
export interface AssumeStatementSpec {
  /**
   * The actions the roles' trust requires of the caller: `sts:AssumeRole`, and
   * `sts:TagSession` / `sts:SetSourceIdentity` when the trust allows them.
   */
  readonly actions: readonly string[];
  /** The role ARNs, literals in the caller's stack (never an export). */
  readonly roleArns: readonly string[];
  /**
   * Require MFA on the caller's side too (`Bool aws:MultiFactorAuthPresent "true"`).
   *
   * @default false
   */
  readonly requireMfa?: boolean;
}

/** The parts of the statement, in the form `iam.Grant.addToPrincipal` takes them. */
export interface AssumeStatementParts {
  readonly actions: string[];
  readonly resources: string[];
  readonly conditions?: Record<string, Record<string, unknown>>;
}

/**
 * The statement an identity policy in the trusted account needs to assume
 * roles: the actions unique and sorted, the role ARNs as given, the MFA
 * condition when asked for. The one place that decides what the caller's side
 * allows, used by `AssumeRolePolicy` and `CrossAccountRole.grantAssumeRole`.
 */
export function assumeStatementParts(spec: AssumeStatementSpec): AssumeStatementParts {
  return {
    actions: unique(spec.actions).sort(),
    resources: [...spec.roleArns],
    conditions: spec.requireMfa ? { Bool: { [KEY_MFA_PRESENT]: 'true' } } : undefined,
  };
}

/** The same, as an `iam.PolicyStatement` (Effect Allow). */
export function assumeStatement(spec: AssumeStatementSpec): iam.PolicyStatement {
  return new iam.PolicyStatement({ effect: iam.Effect.ALLOW, ...assumeStatementParts(spec) });
}
