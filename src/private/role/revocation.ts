import { Annotations, Lazy, Token } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';
import { KEY_TOKEN_ISSUE_TIME, REVOKE_SESSIONS_POLICY_NAME, WARNING_PREFIX } from '../constants';
import { isoTimestamp } from '../input/validation';

/**
 * The revocation of a role's older sessions: one inline policy denying every
 * action to sessions issued before a cutoff, as the IAM console's "Revoke
 * active sessions" writes it (see `CrossAccountRole.revokeSessions`).
 */
export class SessionRevocation {
  private cutoff?: string;

  /**
   * @param scope the `CrossAccountRole`: the policy is created in it, and warnings name it
   * @param role the role whose sessions are revoked
   */
  constructor(private readonly scope: Construct, private readonly role: iam.IRole) {}

  /** Revokes the sessions issued before `before`; calling it again moves the cutoff of the one policy. */
  public revoke(before: string): void {
    const first = this.cutoff === undefined;
    this.cutoff = isoTimestamp(this.scope, 'revokeSessionsIssuedBefore', before);
    if (!Token.isUnresolved(this.cutoff) && Date.parse(this.cutoff) > Date.now()) {
      Annotations.of(this.scope).addWarningV2(`${WARNING_PREFIX}:revokeInFuture`,
        `sessions issued before ${this.cutoff} are revoked, a time still to come: until then every new session of this role is denied at once; use the current time to revoke the sessions that may have leaked`);
    }
    if (!first) { return; }
    new iam.Policy(this.scope, 'RevokeOlderSessions', {
      policyName: REVOKE_SESSIONS_POLICY_NAME,
      roles: [this.role],
      statements: [new iam.PolicyStatement({
        effect: iam.Effect.DENY,
        actions: ['*'],
        resources: ['*'],
        conditions: { DateLessThan: { [KEY_TOKEN_ISSUE_TIME]: Lazy.string({ produce: () => this.cutoff }) } },
      })],
    });
  }
}
