import { TrustRule, location } from './types';

/** `sts:*` or `sts:AssumeRole*` also allows web identity and SAML federation, tagging and more. */
export const WILDCARD_STS_ACTION: TrustRule = {
  id: 'WildcardStsAction',
  severity: 'warning',
  description: 'A trust statement allows a wildcard action (*, sts:*, sts:AssumeRole*, or NotAction)',
  fix: 'Allow the exact actions: sts:AssumeRole, and sts:TagSession / sts:SetSourceIdentity only if needed',
  check: role => role.statements.flatMap((s, i) => {
    if (s.effect !== 'Allow' || (s.notActions.length === 0 && !s.actions.some(a => a.includes('*') || a.includes('?')))) { return []; }
    const wild = [
      ...s.actions.filter(a => a.includes('*') || a.includes('?')),
      ...s.notActions.length > 0 ? [`NotAction ${s.notActions.join(', ')} (every other action)`] : [],
    ];
    return s.effect === 'Allow' && wild.length > 0 ? [{ message: `wildcard action(s) ${wild.join(', ')}`, location: location(i) }] : [];
  }),
};
