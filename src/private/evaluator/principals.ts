/**
 * Whom a resource-based policy's statement names, and how closely it names
 * the caller: directly (the user, the session, everyone), through the role of
 * a session, or through the caller's account (which leaves the decision to
 * the account's own identity-based policies).
 *
 * @see https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_principal.html
 * @see https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_notprincipal.html
 */
import { Caller } from './context';
import { PrincipalElement } from './policy';
import { Truth, UNKNOWN } from './truth';
import { UNRESOLVED } from '../audit/rules/types';

/**
 * How a statement's principal names the caller, closest first:
 * - `direct`: the IAM user, the role session or federated user session, everyone (`*`), the service;
 * - `role`: the role whose session the caller is;
 * - `account`: the caller's account.
 */
export type PrincipalLevel = 'direct' | 'role' | 'account';

/** How a principal element names the caller. */
export interface PrincipalMatch {
  /** Whether it names the caller at all (`UNKNOWN` when a deploy-time value stands in it). */
  readonly matches: Truth;
  /** The closest level it names the caller at, when it does. */
  readonly level?: PrincipalLevel;
}

const ACCOUNT = /^\d{12}$/;

/** The account an `AWS` principal entry is the root of (`123456789012` or `arn:<partition>:iam::123456789012:root`). */
function rootAccount(entry: string, partition: string): string | undefined {
  if (ACCOUNT.test(entry)) { return entry; }
  const match = /^arn:([^:]+):iam::(\d{12}):root$/.exec(entry);
  return match !== null && match[1] === partition ? match[2] : undefined;
}

/** The level at which one `AWS` entry names the caller, if it does. */
function entryLevel(entry: string, caller: Caller): PrincipalLevel | undefined {
  if (caller.kind === 'service') { return undefined; }
  if (rootAccount(entry, caller.partition) === caller.account) { return 'account'; }
  if (caller.kind === 'user' && entry === caller.principalArn) { return 'direct'; }
  if (caller.sessionArn !== undefined && entry === caller.sessionArn) { return 'direct'; }
  if (caller.kind === 'role-session' && entry === caller.principalArn) { return 'role'; }
  return undefined;
}

const RANK: Record<PrincipalLevel, number> = { direct: 3, role: 2, account: 1 };

/** The closest of two levels. */
export function closest(a: PrincipalLevel | undefined, b: PrincipalLevel | undefined): PrincipalLevel | undefined {
  if (a === undefined) { return b; }
  if (b === undefined) { return a; }
  return RANK[a] >= RANK[b] ? a : b;
}

/** Whether (and how closely) a `Principal` element names the caller. */
export function principalMatches(principal: PrincipalElement, caller: Caller): PrincipalMatch {
  if (principal.any) { return { matches: true, level: 'direct' }; }
  let level: PrincipalLevel | undefined;
  let unknown = false;
  for (const entry of principal.aws) {
    // a principal of which only the account is known may be any user, role or session of it
    if (entry.includes(UNRESOLVED) || (caller.kind === 'account' && /^arn:[^:]+:(iam|sts)::/.test(entry) && entry.split(':')[4] === caller.account && !entry.endsWith(':root'))) {
      unknown = true;
      continue;
    }
    level = closest(level, entryLevel(entry, caller));
  }
  if (caller.kind === 'service' && principal.service.includes(caller.given)) { level = 'direct'; }
  if (principal.service.some(s => s.includes(UNRESOLVED))) { unknown = true; }
  if (level !== undefined) { return { matches: true, level }; }
  return { matches: unknown ? UNKNOWN : false };
}

/**
 * Whether a `NotPrincipal` element leaves the caller out. AWS may evaluate a
 * request against every principal it stands for (the account, then the role,
 * then the session of a role session; the account, then the user), so a
 * caller is left out when all of them are listed, and is not when none is.
 * When only some are, AWS documents that the statement "might" still apply,
 * "depending on the service": the answer is `UNKNOWN`.
 *
 * @see https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_notprincipal.html#specifying-notprincipal
 */
export function notPrincipalExcludes(notPrincipal: PrincipalElement, caller: Caller): Truth {
  if (notPrincipal.any) { return true; }
  if (caller.kind === 'service') { return notPrincipal.service.includes(caller.given); }
  if (caller.kind === 'account') {
    // which principal of the account it is decides whether the whole of its chain is listed
    return notPrincipal.aws.some(e => e.split(':')[4] === caller.account || e === caller.account) ? UNKNOWN : false;
  }
  const listed = (arn: string | undefined): boolean => arn !== undefined && notPrincipal.aws.includes(arn);
  const chain: Truth[] = [notPrincipal.aws.some(e => rootAccount(e, caller.partition) === caller.account)];
  if (caller.kind === 'user') {
    chain.push(listed(caller.principalArn));
  } else if (caller.kind === 'role-session') {
    chain.push(listed(caller.principalArn));
    // a session whose name is not known is listed if a session of its role is (and may not be that one)
    const sessionOfRole = notPrincipal.aws.some(e => e.startsWith(`arn:${caller.partition}:sts::${caller.account}:assumed-role/${caller.roleName}/`));
    chain.push(caller.sessionArn !== undefined ? listed(caller.sessionArn) : sessionOfRole ? UNKNOWN : false);
  } else {
    chain.push(listed(caller.sessionArn));
  }
  if (chain.every(c => c === true)) { return true; }
  if (chain.every(c => c === false)) { return notPrincipal.aws.some(e => e.includes(UNRESOLVED)) ? UNKNOWN : false; }
  return UNKNOWN;
}
