import { Finding, TrustRule, TrustStatement, allowsAction, location, requiresKey } from './types';

/** The principal of Cognito identity pools (`cognito-identity.amazonaws.com`, and its China form). */
const COGNITO_IDENTITY = /^cognito-identity(\.[a-z0-9-]+)?\.amazonaws\.com(\.cn)?$/;

/** The condition keys of an identity pool token's claim: the global one, and one named after the principal. */
const claimKeys = (principal: string, claim: 'aud' | 'amr') =>
  Array.from(new Set([`cognito-identity.amazonaws.com:${claim}`, `${principal}:${claim}`]));

function cognitoFindings(statements: TrustStatement[], claim: 'aud' | 'amr', what: string): Finding[] {
  return statements.flatMap((s, i) => {
    if (s.federated.length === 0 || s.effect !== 'Allow' || !allowsAction(s, 'sts:AssumeRoleWithWebIdentity')) { return []; }
    return s.federated.filter(f => COGNITO_IDENTITY.test(f))
      .filter(f => !claimKeys(f, claim).some(key => requiresKey(s, key)))
      .map(f => ({ message: `web identity trust of ${f} does not require '${claimKeys(f, claim)[0]}' (${what})`, location: location(i) }));
  });
}

/**
 * Without an `aud` condition, a token of any identity pool of any account is
 * accepted: anyone who creates an identity pool can get credentials for the role.
 *
 * @see https://docs.aws.amazon.com/cognito/latest/developerguide/iam-roles.html
 */
export const COGNITO_AUDIENCE_NOT_PINNED: TrustRule = {
  id: 'CognitoAudienceNotPinned',
  severity: 'error',
  description: 'A web identity trust of Amazon Cognito identity pools (cognito-identity.amazonaws.com) does not pin the identity pool',
  fix: 'Add StringEquals cognito-identity.amazonaws.com:aud <identity pool ID>, e.g. "eu-west-1:11111111-2222-3333-4444-555555555555"',
  appliesTo: ['federated'],
  check: role => cognitoFindings(role.statements, 'aud', 'an identity pool of any account could obtain credentials for the role'),
};

/**
 * Without an `amr` condition, guest (unauthenticated) identities of the pool
 * can assume a role meant for signed-in users, and the reverse.
 *
 * @see https://docs.aws.amazon.com/cognito/latest/developerguide/identity-pools-security-best-practices.html
 */
export const COGNITO_AMR_NOT_CHECKED: TrustRule = {
  id: 'CognitoAmrNotChecked',
  severity: 'warning',
  description: 'A web identity trust of Amazon Cognito identity pools does not check the token\'s authentication method (amr)',
  fix: 'Add ForAnyValue:StringLike cognito-identity.amazonaws.com:amr "authenticated" (or "unauthenticated" for the guest role)',
  appliesTo: ['federated'],
  check: role => cognitoFindings(role.statements, 'amr', 'guest and signed-in identities of the pool are not told apart'),
};
