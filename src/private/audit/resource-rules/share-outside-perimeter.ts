import { eachAllow, ResourceRule, targetsText } from './types';
import { outsidePerimeter, outsidePerimeterText } from '../rules/perimeter-consistency';

/**
 * With an `OrganizationTrustPerimeter` in the app, a resource shared with an
 * account that is neither a known member of the organisation nor a declared
 * third party, or with another organisation (`aws:PrincipalOrgID` /
 * `aws:PrincipalOrgPaths` naming one), is the same inconsistency as a role
 * trusting one (`TrustOutsidePerimeter`): the app declares one perimeter and
 * crosses it. Without a perimeter, the rule finds nothing.
 */
export const SHARE_OUTSIDE_PERIMETER: ResourceRule = {
  id: 'ShareOutsidePerimeter',
  severity: 'error',
  description: 'A resource policy grants an account that is neither a known member of the organisation nor a declared third party of the app\'s '
    + 'OrganizationTrustPerimeter, or an organisation other than the perimeter\'s',
  fix: 'Declare the account in the perimeter (memberAccounts, or thirdPartyAccounts), narrow the statement with aws:PrincipalOrgID of the perimeter\'s '
    + 'organisation, or share with an account inside',
  kind: 'resource',
  check: (policy, context) => {
    const perimeter = context?.perimeter;
    if (perimeter === undefined) { return []; }
    return eachAllow(policy, s => {
      const outside = outsidePerimeterText(outsidePerimeter(s, policy.account, perimeter), perimeter);
      return outside !== undefined ? `${targetsText(policy)} grants ${outside}` : undefined;
    });
  },
};
