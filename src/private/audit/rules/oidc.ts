import { Finding, TrustRule, allowsAction, conditionEntries, location, requiresKey } from './types';

/**
 * OIDC providers whose tokens are issued for any customer of the provider: a
 * trust that does not pin the subject lets anyone there in.
 */
export const MULTI_TENANT_OIDC_PROVIDERS = [
  'token.actions.githubusercontent.com',
  'gitlab.com',
  'app.terraform.io',
  'api.bitbucket.org',
  'oidc.circleci.com',
];

/** The provider host of a `Federated` OIDC principal, if it is one of the multi-tenant ones. */
function multiTenantProvider(federated: string): string | undefined {
  const host = federated.replace(/^arn:[^:]+:iam::[^:]*:oidc-provider\//, '');
  return MULTI_TENANT_OIDC_PROVIDERS.find(p => host === p || host.startsWith(`${p}/`)) !== undefined ? host : undefined;
}

/** A claim name in front of a subject (`repo:`, `project_path:`, `organization:`, CircleCI's `org/`). */
const CLAIM_PREFIX = /^(?:[a-z_]+:|org\/)/;

/**
 * Whether a subject pattern leaves its owner open: only wildcards, or a first
 * segment after the claim prefix (the owner, group or organization) with a
 * wildcard — `repo:*`, `*:ref:refs/heads/main`, `repo:*\/x`, `repo:my-org*`,
 * `project_path:*`, `organization:*`.
 */
export function subjectMatchesAnyOwner(subject: string): boolean {
  if (/^[*?]*$/.test(subject)) { return true; }
  const owner = subject.replace(CLAIM_PREFIX, '').split(/[/:]/)[0];
  return /[*?]/.test(owner) || owner === '';
}

function oidcFindings(statements: Parameters<TrustRule['check']>[0]['statements'], claim: 'sub' | 'aud', what: string): Finding[] {
  return statements.flatMap((s, i) => {
    if (s.federated.length === 0 || s.effect !== 'Allow' || !allowsAction(s, 'sts:AssumeRoleWithWebIdentity')) { return []; }
    return s.federated.map(multiTenantProvider).filter((h): h is string => h !== undefined).flatMap(host => {
      const key = `${host}:${claim}`;
      const entries = conditionEntries(s).filter(c => c.key === key.toLowerCase());
      const open = entries.some(c => /Like/.test(c.operator) && c.values.some(v => claim === 'sub' ? subjectMatchesAnyOwner(v) : /^[*?]*$/.test(v)));
      const pinned = requiresKey(s, key) && !open;
      return pinned ? [] : [{ message: `web identity trust of ${host} does not pin '${key}' (${what})`, location: location(i) }];
    });
  });
}

/** Without a `sub` condition, every repository or project on the provider can assume the role. */
export const OIDC_SUBJECT_NOT_PINNED: TrustRule = {
  id: 'OidcSubjectNotPinned',
  severity: 'error',
  description: `A web identity trust of a multi-tenant OIDC provider (${MULTI_TENANT_OIDC_PROVIDERS.join(', ')}) does not pin the token's subject`,
  fix: 'Add StringEquals (or StringLike with a concrete prefix) on <provider>:sub, e.g. "repo:my-org/my-repo:ref:refs/heads/main" for GitHub Actions',
  appliesTo: ['federated'],
  check: role => oidcFindings(role.statements, 'sub', 'any repository or project on the provider could assume the role'),
};

/** Without an `aud` condition, tokens minted for other audiences are accepted. */
export const OIDC_AUDIENCE_NOT_PINNED: TrustRule = {
  id: 'OidcAudienceNotPinned',
  severity: 'warning',
  description: 'A web identity trust of a multi-tenant OIDC provider does not pin the token\'s audience',
  fix: 'Add StringEquals <provider>:aud, e.g. "sts.amazonaws.com" for GitHub Actions',
  appliesTo: ['federated'],
  check: role => oidcFindings(role.statements, 'aud', 'tokens minted for other audiences are accepted'),
};
