import { TrustRule, UNRESOLVED, conditionEntries, location } from './types';

/** The length below which an external ID is easy to guess or reuse. */
const MIN_STRONG_LENGTH = 16;
/** Words an external ID must not be (letters only, case ignored). */
const GUESSABLE = ['externalid', 'secret', 'password', 'changeme', 'default', 'test', 'example'];

/** An external ID matched with a wildcard accepts IDs the vendor never gave anyone. */
export const WILDCARD_EXTERNAL_ID: TrustRule = {
  id: 'WildcardExternalId',
  severity: 'error',
  description: 'The external ID is matched with a wildcard (StringLike with * or ?)',
  fix: 'Match the exact external ID with StringEquals',
  appliesTo: ['conditions'],
  check: role => role.statements.flatMap((s, i) =>
    s.effect === 'Allow' && conditionEntries(s).some(c => c.key === 'sts:externalid' && /Like/.test(c.operator) && !/Not/.test(c.operator) && c.values.some(v => /[*?]/.test(v)))
      ? [{ message: 'sts:ExternalId is matched with a wildcard', location: location(i) }]
      : []),
};

function weakness(id: string, accounts: string[]): string | undefined {
  const lower = id.toLowerCase();
  if (id.length < MIN_STRONG_LENGTH) { return `shorter than ${MIN_STRONG_LENGTH} characters`; }
  if (/^(.)\1*$/.test(id)) { return 'one repeated character'; }
  if ('0123456789012345678901234567890123456789'.includes(id) || 'abcdefghijklmnopqrstuvwxyzabcdefghijklmnopqrstuvwxyz'.includes(lower)) { return 'a sequence'; }
  if (GUESSABLE.includes(lower.replace(/[^a-z]/g, ''))) { return 'a common word'; }
  if (accounts.some(account => id.includes(account))) { return 'built from an account ID'; }
  return undefined;
}

/** A short or guessable external ID does little against the confused deputy. */
export const WEAK_EXTERNAL_ID: TrustRule = {
  id: 'WeakExternalId',
  severity: 'warning',
  description: `A literal external ID is shorter than ${MIN_STRONG_LENGTH} characters or trivially guessable`,
  fix: 'Use the random external ID your vendor generated for you, or supply it at deploy time (ExternalIdTrust without externalIds)',
  appliesTo: ['conditions'],
  check: role => role.statements.flatMap((s, i) => {
    const ids = conditionEntries(s)
      .filter(c => c.key === 'sts:externalid' && !/Like/.test(c.operator))
      .flatMap(c => c.values)
      .filter(v => !v.includes(UNRESOLVED));
    if (ids.length === 0) { return []; }
    const accounts = [role.account, ...s.aws.map(a => /(\d{12})/.exec(a)?.[1])].filter((a): a is string => a !== undefined);
    return ids
      .map(v => [v, weakness(v, accounts)] as const)
      .filter(([, why]) => why !== undefined)
      .map(([v, why]) => ({ message: `external ID '${v}' is ${why}`, location: location(i) }));
  }),
};
