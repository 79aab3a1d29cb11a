import { TrustRule, conditionEntries, location } from './types';

/**
 * `BoolIfExists aws:MultiFactorAuthPresent true` (and `NumericLessThanIfExists
 * aws:MultiFactorAuthAge`) holds when the key is absent, and it is absent for
 * long-term access keys: they get in without MFA.
 */
export const MFA_IF_EXISTS: TrustRule = {
  id: 'MfaIfExists',
  severity: 'error',
  description: 'MFA is "required" with BoolIfExists (or an MFA age with Numeric...IfExists), which lets long-term access keys without MFA through',
  fix: 'Use Bool aws:MultiFactorAuthPresent "true" (requireMfa: true), and NumericLessThan aws:MultiFactorAuthAge without IfExists',
  appliesTo: ['conditions'],
  check: role => role.statements.flatMap((s, i) => {
    if (s.effect !== 'Allow') { return []; }
    return conditionEntries(s).flatMap(c =>
      (c.operator === 'BoolIfExists' && c.key === 'aws:multifactorauthpresent' && c.values.some(v => v.toLowerCase() === 'true'))
      || (/^Numeric.*IfExists$/.test(c.operator) && c.key === 'aws:multifactorauthage')
        ? [{ message: `${c.operator} ${c.key === 'aws:multifactorauthage' ? 'aws:MultiFactorAuthAge' : 'aws:MultiFactorAuthPresent "true"'} does not require MFA from access keys`, location: location(i) }]
        : []);
  }),
};
