import { TrustRule, conditionEntries, location } from './types';

/**
 * `BoolIfExists aws:MultiFactorAuthPresent true` holds when the key is absent,
 * and it is absent for long-term access keys: they get in without MFA.
 */
export const MFA_IF_EXISTS: TrustRule = {
  id: 'MfaIfExists',
  severity: 'error',
  description: 'MFA is "required" with BoolIfExists, which lets long-term access keys without MFA through',
  fix: 'Use Bool aws:MultiFactorAuthPresent "true" (requireMfa: true)',
  check: role => role.statements.flatMap((s, i) =>
    s.effect === 'Allow' && conditionEntries(s).some(c => c.operator === 'BoolIfExists' && c.key === 'aws:multifactorauthpresent' && c.values.includes('true'))
      ? [{ message: 'BoolIfExists aws:MultiFactorAuthPresent "true" does not require MFA from access keys', location: location(i) }]
      : []),
};
