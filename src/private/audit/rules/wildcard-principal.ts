import { TrustRule, location, requiresKey } from './types';

/** Condition keys that narrow `Principal: "*"` to someone in particular. */
const NARROWING_KEYS = [
  'aws:PrincipalOrgID', 'aws:PrincipalOrgPaths', 'aws:PrincipalAccount', 'aws:PrincipalArn',
  'sts:ExternalId', 'aws:SourceAccount', 'aws:SourceArn', 'aws:SourceOrgID',
];

/** `Principal: "*"` lets every AWS account in the world assume the role. */
export const WILDCARD_PRINCIPAL: TrustRule = {
  id: 'WildcardPrincipal',
  severity: 'error',
  description: 'The role trusts any AWS principal (Principal "*") without a condition that narrows it',
  fix: `Name the trusted accounts, or add a condition on one of ${NARROWING_KEYS.join(', ')}`,
  appliesTo: ['anyPrincipal'],
  check: role => role.statements.flatMap((s, i) =>
    s.effect === 'Allow' && s.anyPrincipal && !NARROWING_KEYS.some(key => requiresKey(s, key))
      ? [{ message: 'Principal "*" with no narrowing condition: any AWS account can assume this role', location: location(i) }]
      : []),
};
