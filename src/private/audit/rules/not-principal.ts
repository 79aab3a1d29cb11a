import { TrustRule, location } from './types';

/**
 * `NotPrincipal` with `Allow` means "everyone but these": every principal of
 * every account, anonymous callers included. IAM refuses it in trust policies,
 * so at best the deployment fails.
 *
 * @see https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_notprincipal.html
 */
export const NOT_PRINCIPAL_TRUST: TrustRule = {
  id: 'NotPrincipalTrust',
  severity: 'error',
  description: 'A trust statement allows NotPrincipal ("everyone but"), which IAM refuses in trust policies',
  fix: 'Name the trusted principals in Principal; to exclude some, add a Deny statement or a condition on aws:PrincipalArn',
  appliesTo: ['notPrincipal'],
  check: role => role.statements.flatMap((s, i) => s.effect === 'Allow' && s.notPrincipal
    ? [{ message: 'Allow with NotPrincipal trusts every principal but the ones named', location: location(i) }]
    : []),
};
