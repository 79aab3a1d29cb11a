import { TrustRule, allowsAction, location, requiresKey } from './types';

/** A SAML provider's ARN (`arn:<partition>:iam::<account>:saml-provider/<name>`). */
const SAML_PROVIDER = /^arn:[^:]+:iam::[^:]*:saml-provider\/.+$/;

/**
 * Without a `SAML:aud` condition, the role accepts an assertion the identity
 * provider issued for another recipient than the AWS sign-in endpoint.
 *
 * @see https://docs.aws.amazon.com/IAM/latest/UserGuide/id_roles_create_for-idp_saml.html
 */
export const SAML_AUDIENCE_NOT_PINNED: TrustRule = {
  id: 'SamlAudienceNotPinned',
  severity: 'warning',
  description: 'A SAML trust does not pin the assertion\'s audience (SAML:aud)',
  fix: 'Add StringEquals SAML:aud "https://signin.aws.amazon.com/saml" (iam.SamlConsolePrincipal adds it), or the regional sign-in endpoint',
  appliesTo: ['federated'],
  check: role => role.statements.flatMap((s, i) => {
    if (s.federated.length === 0 || s.effect !== 'Allow' || !allowsAction(s, 'sts:AssumeRoleWithSAML') || requiresKey(s, 'SAML:aud')) { return []; }
    return s.federated.filter(f => SAML_PROVIDER.test(f))
      .map(f => ({ message: `SAML trust of ${f} does not require 'SAML:aud' (assertions for other recipients are accepted)`, location: location(i) }));
  }),
};
