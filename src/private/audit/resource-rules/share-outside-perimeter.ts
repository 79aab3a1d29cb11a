import { eachAllow, ResourceRule, targetsText } from './types';
import { accountsOutsidePerimeter } from '../rules/perimeter-consistency';

/**
 * With an `OrganizationTrustPerimeter` in the app, a resource shared with an
 * account that is neither a known member of the organisation nor a declared
 * third party is the same inconsistency as a role trusting one
 * (`TrustOutsidePerimeter`): the app declares one perimeter and crosses it.
 * Without a perimeter, the rule finds nothing.
 */
export const SHARE_OUTSIDE_PERIMETER: ResourceRule = {
  id: 'ShareOutsidePerimeter',
  severity: 'error',
  description: 'A resource policy grants an account that is neither a known member of the organisation nor a declared third party of the app\'s OrganizationTrustPerimeter',
  fix: 'Declare the account in the perimeter (memberAccounts, or thirdPartyAccounts), narrow the statement with aws:PrincipalOrgID, or share with an account inside',
  kind: 'resource',
  check: (policy, context) => {
    const perimeter = context?.perimeter;
    if (perimeter === undefined) { return []; }
    return eachAllow(policy, s => {
      const outside = accountsOutsidePerimeter(s, policy.account, perimeter);
      return outside.length > 0
        ? `${targetsText(policy)} grants account(s) ${outside.join(', ')}, neither known members of the organization nor declared third parties of the perimeter ${perimeter.perimeters.join(', ')}`
        : undefined;
    });
  },
};
