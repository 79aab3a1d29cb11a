/**
 * Whether a request is allowed, as `AccessExplainer.explain` answers it.
 */
export enum AccessDecision {
  /** Every layer allows it, and none denies it. */
  ALLOWED = 'allowed',
  /** A layer denies it: an explicit Deny, or a policy that must allow it does not. */
  DENIED = 'denied',
  /**
   * What the app's templates hold does not decide it: the caller or the
   * resource is not in the app, or a value the decision depends on is only
   * known at deploy time. `missing` says what would decide it.
   */
  UNDETERMINED = 'undetermined',
}

/**
 * The layers of an AWS authorization decision.
 *
 * @see https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic.html
 */
export enum AccessLayer {
  /** The caller's identity-based policies: inline, managed, and its groups'. */
  IDENTITY_POLICY = 'identity-policy',
  /** The caller's permissions boundary. */
  PERMISSIONS_BOUNDARY = 'permissions-boundary',
  /** The service control policies of the caller's account. */
  SCP = 'scp',
  /** The resource control policies of the resource's account. */
  RCP = 'rcp',
  /** The trust policy of the role to assume. */
  TRUST_POLICY = 'trust-policy',
  /** The resource-based policy of the resource (a bucket, queue, topic, secret, repository, function or event bus policy). */
  RESOURCE_POLICY = 'resource-policy',
  /** The key policy of a KMS key. */
  KEY_POLICY = 'key-policy',
  /** The session policy of the caller's role session (passed when the session was made). */
  SESSION_POLICY = 'session-policy',
  /** The role's maximum session duration, and the one-hour cap of role chaining. */
  SESSION_DURATION = 'session-duration',
}

/** What one layer says of a request. */
export enum LayerDecision {
  /** A statement of the layer allows the request. */
  ALLOW = 'allow',
  /** A Deny statement of the layer applies. */
  EXPLICIT_DENY = 'explicit-deny',
  /** No statement of the layer allows the request (a denial only where the layer must allow). */
  IMPLICIT_DENY = 'implicit-deny',
  /** The app does not hold what the layer says (its policies, or a value they depend on). */
  UNKNOWN = 'unknown',
}

/** A statement that decided a layer, where it is written. */
export interface StatementLocation {
  /**
   * The policy, in words: `the inline policy AssumeAudit of user alice (stack Trusted)`.
   */
  readonly policy: string;

  /**
   * The template file.
   *
   * @default - the statement is not in a template (a policy given with the request, or an AWS managed policy)
   */
  readonly file?: string;

  /**
   * The line of the statement in the template (1-based).
   *
   * @default - unknown
   */
  readonly line?: number;

  /**
   * The stack's name.
   *
   * @default - unknown
   */
  readonly stack?: string;

  /**
   * The logical ID of the resource that holds the policy.
   *
   * @default - the policy is not a resource of a template
   */
  readonly logicalId?: string;

  /**
   * The statement's `Sid`.
   *
   * @default - the statement has no Sid (see `index`)
   */
  readonly sid?: string;

  /** The statement's position in its policy, from 0. */
  readonly index: number;

  /** `Allow` or `Deny`. */
  readonly effect: string;
}

/** One layer of a decision: what it decided, by which statements, and why. */
export interface ExplainedLayer {
  readonly layer: AccessLayer;

  /** The action the layer was evaluated for (`sts:TagSession` when the request passes session tags, ...). */
  readonly action: string;

  readonly decision: LayerDecision;

  /** The statements that decided it: the Deny that applies, the Allow that applies, or those that nearly did. */
  readonly statements: StatementLocation[];

  /** Why, in one sentence: the statement, the condition that failed, its key, the expected and given values. */
  readonly reason: string;

  /**
   * What would change the layer's decision.
   *
   * @default - nothing to fix in this layer
   */
  readonly fix?: string;
}

/** The answer to "may this principal do this?", with its reasons. */
export interface AccessExplanation {
  readonly decision: AccessDecision;

  /** The layers that deny the request; empty unless `decision` is `DENIED`. */
  readonly deniedBy: AccessLayer[];

  /** One entry per layer evaluated, for each action the request needs. */
  readonly layers: ExplainedLayer[];

  /** One line: the verdict and its main reason. */
  readonly summary: string;

  /** What would fix a denial, one entry per denying layer. */
  readonly fixes: string[];

  /** What the app does not hold that would decide an undetermined request. */
  readonly missing: string[];

  /** The principal, as evaluated (`aws:PrincipalArn`). */
  readonly principal: string;

  /** The action. */
  readonly action: string;

  /** The resource's ARN. */
  readonly resource: string;

  /**
   * The request context the decision was made with: the keys given, and
   * those completed from the principal and the app (`aws:PrincipalArn`,
   * `aws:PrincipalAccount`, `aws:PrincipalType`, `aws:username`,
   * `aws:PrincipalOrgID`, `aws:PrincipalTag/...`, the AssumeRole request's
   * `sts:` keys).
   */
  readonly requestContext: { [key: string]: string[] };

  /** Keys that are in the request with a value only known once deployed (`aws:userid`). */
  readonly unknownContextKeys: string[];
}
