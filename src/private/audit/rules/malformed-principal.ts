import { TrustRule, UNRESOLVED, location } from './types';

/**
 * What IAM takes as an `AWS` principal: a 12-digit account, the ARN of an
 * account root, user, role, assumed role or federated user of a 12-digit
 * account (`arn:<partition>:iam::<account>:...` or `arn:<partition>:sts::<account>:...`),
 * or a principal's unique ID (IAM writes those in place of deleted principals).
 */
const AWS_PRINCIPAL = /^(\d{12}|arn:aws[a-z-]*:(iam|sts)::\d{12}:.+|A[A-Z0-9]{16,})$/;

/**
 * An `AWS` principal that is neither an account nor an IAM ARN of one
 * (`arn:aws:iam::root`, a 9-digit account): IAM refuses the policy ("Invalid
 * principal in policy"), and nobody can tell which account was meant.
 *
 * @see https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_principal.html#principal-accounts
 */
export const MALFORMED_PRINCIPAL: TrustRule = {
  id: 'MalformedPrincipal',
  severity: 'error',
  description: 'An AWS principal of the trust policy is not a 12-digit account nor the IAM ARN of a principal of one',
  fix: 'Write the account as 12 digits, or its root as arn:<partition>:iam::<account>:root (iam.AccountPrincipal builds it)',
  appliesTo: ['aws'],
  check: role => role.statements.flatMap((s, i) => {
    const malformed = s.aws.filter(p => !p.includes(UNRESOLVED) && !AWS_PRINCIPAL.test(p));
    return s.effect === 'Allow' && malformed.length > 0
      ? [{ message: `${malformed.map(p => `'${p}'`).join(', ')} ${malformed.length === 1 ? 'is' : 'are'} not an account or an IAM principal ARN of one: IAM refuses the policy`, location: location(i) }]
      : [];
  }),
};
