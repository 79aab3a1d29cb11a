import { Duration, Token } from 'aws-cdk-lib';
import { IConstruct } from 'constructs';
import {
  ACCOUNT_ID_PATTERN,
  DESCRIPTION_MAX_LENGTH,
  DESCRIPTION_PATTERN,
  IAM_NAME_MAX_LENGTH,
  IAM_NAME_PATTERN,
  STACK_NAME_PATTERN,
  EXTERNAL_ID_MAX_LENGTH,
  EXTERNAL_ID_MIN_LENGTH,
  EXTERNAL_ID_PATTERN,
  MAX_SESSION_DURATION_SECONDS,
  MIN_SESSION_DURATION_SECONDS,
  ORGANIZATION_ID_PATTERN,
  ORGANIZATIONAL_UNIT_PATH_PATTERN,
  ROLE_NAME_MAX_LENGTH,
  ROLE_NAME_PATTERN,
  SESSION_NAME_MAX_LENGTH,
  SESSION_NAME_MIN_LENGTH,
  SESSION_NAME_PATTERN,
} from '../constants';

/**
 * Throws an error that names the construct, so that a user with many roles
 * knows which one is wrong.
 */
export function fail(scope: IConstruct, message: string): never {
  throw new Error(`${scope.node.path}: ${message}`);
}

/** Quotes a value for an error message, trimming very long ones. */
export function show(value: string): string {
  const shown = value.length > 80 ? `${value.slice(0, 77)}...` : value;
  return `'${shown}'`;
}

/** Validates a literal account ID; tokens pass (they are only known at deploy time). */
export function validateAccountId(scope: IConstruct, name: string, value: string): void {
  if (Token.isUnresolved(value)) { return; }
  if (!ACCOUNT_ID_PATTERN.test(value)) {
    fail(scope, `${name} must be a 12-digit AWS account ID, got ${show(value)}; write it as a string of exactly 12 digits, leading zeros included (e.g. '012345678901')`);
  }
}

/** Validates a literal external ID against the STS rules (2-1224 of [\w+=,.@:/-]). */
export function validateExternalId(scope: IConstruct, name: string, value: string): void {
  if (Token.isUnresolved(value)) { return; }
  if (value.length < EXTERNAL_ID_MIN_LENGTH || value.length > EXTERNAL_ID_MAX_LENGTH) {
    fail(scope, `${name} must be ${EXTERNAL_ID_MIN_LENGTH} to ${EXTERNAL_ID_MAX_LENGTH} characters long, got ${value.length} (${show(value)}); use the external ID your vendor gave you, or a random value of at least 16 characters`);
  }
  if (!EXTERNAL_ID_PATTERN.test(value)) {
    const bad = Array.from(new Set(value.split('').filter(c => !EXTERNAL_ID_PATTERN.test(c)))).join('');
    fail(scope, `${name} may only contain letters, digits and + = , . @ : / - _, got ${show(value)} with '${bad}'; remove those characters`);
  }
}

/** Validates a literal role name (1-64 of [\w+=,.@-]). */
export function validateRoleName(scope: IConstruct, name: string, value: string): void {
  if (Token.isUnresolved(value)) { return; }
  if (value.length < 1 || value.length > ROLE_NAME_MAX_LENGTH) {
    fail(scope, `${name} must be 1 to ${ROLE_NAME_MAX_LENGTH} characters long, got ${value.length} (${show(value)}); shorten it`);
  }
  if (!ROLE_NAME_PATTERN.test(value)) {
    const bad = Array.from(new Set(value.split('').filter(c => !ROLE_NAME_PATTERN.test(c)))).join('');
    fail(scope, `${name} may only contain letters, digits and + = , . @ - _, got ${show(value)} with '${bad}'; remove those characters (a path goes in the role's path, not its name)`);
  }
}

/** Validates a literal name of an IAM policy, group or user (1 to `max`, 128 by default, of [\w+=,.@-]). */
export function validateIamName(scope: IConstruct, name: string, value: string, max: number = IAM_NAME_MAX_LENGTH): void {
  if (Token.isUnresolved(value)) { return; }
  if (value.length < 1 || value.length > max) {
    fail(scope, `${name} must be 1 to ${max} characters long, got ${value.length} (${show(value)}); shorten it`);
  }
  if (!IAM_NAME_PATTERN.test(value)) {
    const bad = Array.from(new Set(value.split('').filter(c => !IAM_NAME_PATTERN.test(c)))).join('');
    fail(scope, `${name} may only contain letters, digits and + = , . @ - _, got ${show(value)} with '${bad}'; remove those characters`);
  }
}

/** Validates a literal description of a role or managed policy (at most 1,000 printable Latin-1 characters). */
export function validateDescription(scope: IConstruct, name: string, value: string): void {
  if (Token.isUnresolved(value)) { return; }
  if (value.length > DESCRIPTION_MAX_LENGTH) {
    fail(scope, `${name} must be at most ${DESCRIPTION_MAX_LENGTH} characters, got ${value.length}; shorten it`);
  }
  if (!DESCRIPTION_PATTERN.test(value)) {
    const bad = Array.from(new Set(value.split('').filter(c => !DESCRIPTION_PATTERN.test(c)))).join('');
    fail(scope, `${name} may only contain printable Latin-1 characters (IAM refuses others), got ${show(value)} with '${bad}'; remove those characters`);
  }
}

/** Validates a stack name the library builds from construct IDs, saying which ID to change. */
export function validateStackName(scope: IConstruct, value: string, fix: string): void {
  if (!STACK_NAME_PATTERN.test(value)) {
    fail(scope, `the stack name ${show(value)} is not a valid CloudFormation stack name (a letter, then letters, digits and hyphens, at most 128 characters); ${fix}`);
  }
}

/** Validates a literal AWS Organizations ID (o- followed by 10-32 lowercase letters or digits). */
export function validateOrganizationId(scope: IConstruct, name: string, value: string): void {
  if (Token.isUnresolved(value)) { return; }
  if (!ORGANIZATION_ID_PATTERN.test(value)) {
    fail(scope, `${name} must be an AWS Organizations ID like 'o-a1b2c3d4e5', got ${show(value)}; find it with 'aws organizations describe-organization' (not the root ID 'r-...' nor an OU ID 'ou-...')`);
  }
}

/**
 * Validates literal organizational unit paths for `aws:PrincipalOrgPaths`
 * (`o-<org>/r-<root>/ou-<root>-<ou>/`, optionally ending in `*`): the shape,
 * each OU in the path's root, one organization for all of them, and that
 * organization equal to `organizationId` when one is given.
 */
export function validateOrganizationalUnitPaths(scope: IConstruct, name: string, paths: readonly string[], organizationId?: string,
  organizationIdName: string = 'trustedOrganizationId'): void {
  if (paths.length === 0) {
    fail(scope, `${name} is an empty list, which would let nobody in; give OU paths like 'o-a1b2c3d4e5/r-ab12/ou-ab12-11111111/', or leave it out`);
  }
  const organizations = new Set<string>();
  paths.forEach((path, i) => {
    if (Token.isUnresolved(path)) { return; }
    const match = ORGANIZATIONAL_UNIT_PATH_PATTERN.exec(path);
    if (!match) {
      const hint = /^o-[a-z0-9]+\/r-[a-z0-9]+\/\*?$/.test(path)
        ? ` (a path that ends at the root is the whole organization: use ${organizationIdName} instead)`
        : /\*./.test(path) || /[?]/.test(path) ? ' (only one trailing * is allowed, for the OUs below the last one)' : '';
      fail(scope, `${name}[${i}] must be an organizational unit path like 'o-a1b2c3d4e5/r-ab12/ou-ab12-11111111/' (or ending in '/*' to take in the OUs below it), got ${show(path)}${hint}; copy it from the AWS Organizations console or build it from 'aws organizations list-parents'`);
    }
    const [, organization, root, units] = match;
    const foreign = units.split('/').filter(u => u !== '' && !u.startsWith(`ou-${root}-`));
    if (foreign.length > 0) {
      fail(scope, `${name}[${i}] ${show(path)} names ${foreign.join(', ')}, which is not in the root 'r-${root}' (an OU ID starts with 'ou-<root ID without r->-'); check the path`);
    }
    organizations.add(organization);
  });
  if (organizations.size > 1) {
    fail(scope, `${name} spans several organizations (${Array.from(organizations).join(', ')}); a principal belongs to one organization, so give paths of one organization`);
  }
  const [organization] = Array.from(organizations);
  if (organization !== undefined && organizationId !== undefined && !Token.isUnresolved(organizationId) && organization !== organizationId) {
    fail(scope, `${name} are in the organization '${organization}', but ${organizationIdName} is '${organizationId}'; no principal could meet both, so make them the same organization`);
  }
}

/** Whole seconds of a literal duration, or a clear error (aws-cdk-lib's own one is a stack trace). */
function wholeSeconds(scope: IConstruct, name: string, value: Duration): number {
  const seconds = value.toSeconds({ integral: false });
  if (!Number.isInteger(seconds)) {
    fail(scope, `${name} must be a whole number of seconds, got ${seconds} seconds; use e.g. Duration.hours(1)`);
  }
  return seconds;
}

/** Validates a role's maximum session duration (1 to 12 hours). */
export function validateSessionDuration(scope: IConstruct, name: string, value: Duration): void {
  if (value.isUnresolved()) { return; }
  const seconds = wholeSeconds(scope, name, value);
  if (seconds < MIN_SESSION_DURATION_SECONDS || seconds > MAX_SESSION_DURATION_SECONDS) {
    fail(scope, `${name} must be between 1 and 12 hours (3600 to 43200 seconds), got ${seconds} seconds; use e.g. Duration.hours(1)`);
  }
}

/**
 * The seconds of a duration only known at deploy time (a number token), which
 * aws-cdk-lib can only give for `Duration.seconds(token)`.
 */
export function deployTimeSeconds(scope: IConstruct, name: string, value: Duration): number {
  try {
    return value.toSeconds();
  } catch {
    return fail(scope, `${name} comes from a deploy-time value, which can only be given in seconds: write it as Duration.seconds(<token>)`);
  }
}

/** Validates that a duration is positive and returns it in whole seconds (a number token for a deploy-time value). */
export function positiveSeconds(scope: IConstruct, name: string, value: Duration): number {
  if (value.isUnresolved()) {
    return deployTimeSeconds(scope, name, value);
  }
  const seconds = wholeSeconds(scope, name, value);
  if (!(seconds > 0)) {
    fail(scope, `${name} must be a positive duration, got ${seconds} seconds; use e.g. Duration.hours(1)`);
  }
  return seconds;
}

/** Returns the unique values of a list, in first-seen order. */
export function unique<T>(values: readonly T[]): T[] {
  return Array.from(new Set(values));
}

/** Validates a literal role session name or source identity: 2 to 64 of `[\w+=,.@-]`, no wildcards. */
export function validateSessionName(scope: IConstruct, name: string, value: string): void {
  if (Token.isUnresolved(value)) { return; }
  if (value.length < SESSION_NAME_MIN_LENGTH || value.length > SESSION_NAME_MAX_LENGTH || !SESSION_NAME_PATTERN.test(value)) {
    fail(scope, `${name} must be ${SESSION_NAME_MIN_LENGTH} to ${SESSION_NAME_MAX_LENGTH} characters of letters, digits and + = , . @ - _ (a name, not a pattern), got ${show(value)}`);
  }
}

/**
 * Validates a pattern for `sts:RoleSessionName` or `sts:SourceIdentity`: the
 * value's own characters (`[\w+=,.@-]`), plus the wildcards `*` and `?` and
 * policy variables like `${aws:username}`. A pattern without wildcards or
 * variables must itself be a valid value (2 to 64 characters).
 */
export function validateSessionPattern(scope: IConstruct, name: string, value: string): void {
  if (Token.isUnresolved(value)) { return; }
  const literal = value.replace(/\$\{[^}]+\}/g, '');
  const bad = Array.from(new Set(literal.split('').filter(c => !/[\w+=,.@*?-]/.test(c)))).join('');
  if (bad.length > 0) {
    fail(scope, `${name} may only contain letters, digits, + = , . @ - _, the wildcards * and ?, and policy variables like \${aws:username}, got ${show(value)} with '${bad}'`);
  }
  if (literal.length > SESSION_NAME_MAX_LENGTH) {
    fail(scope, `${name} must match values of at most ${SESSION_NAME_MAX_LENGTH} characters, got ${show(value)}; shorten it`);
  }
  const exact = literal === value && !/[*?]/.test(value);
  if (exact && (value.length < SESSION_NAME_MIN_LENGTH || !SESSION_NAME_PATTERN.test(value))) {
    fail(scope, `${name} must be ${SESSION_NAME_MIN_LENGTH} to ${SESSION_NAME_MAX_LENGTH} characters, got ${show(value)}`);
  }
  if (/^[*?]*$/.test(literal) && literal === value) {
    fail(scope, `${name} ${show(value)} matches every value; leave it out, or pin it like 'ci-*' or '\${aws:username}'`);
  }
}

/** Validates a literal IPv4 or IPv6 CIDR block. */
export function validateCidr(scope: IConstruct, name: string, value: string): void {
  if (Token.isUnresolved(value)) { return; }
  const v4 = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})\/(\d{1,2})$/.exec(value);
  if (v4) {
    if (v4.slice(1, 5).every(octet => Number(octet) <= 255) && Number(v4[5]) <= 32) { return; }
  } else if (/^[0-9a-fA-F:]+\/\d{1,3}$/.test(value) && value.includes(':') && Number(value.split('/')[1]) <= 128) {
    return;
  }
  fail(scope, `${name} must be a CIDR block like '203.0.113.0/24' or '2001:db8::/32', got ${show(value)}`);
}

/** Validates an ISO 8601 timestamp with a time zone and returns it in UTC (`2026-11-23T10:00:00Z`). */
export function isoTimestamp(scope: IConstruct, name: string, value: string): string {
  if (typeof value !== 'string') {
    fail(scope, `${name} must be an ISO 8601 date and time with a time zone, like '2026-11-23T10:00:00Z', got ${value === null ? 'null' : typeof value}`);
  }
  if (Token.isUnresolved(value)) { return value; }
  const match = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(:(\d{2})(\.\d+)?)?(Z|[+-]\d{2}:\d{2})$/.exec(value);
  const time = Date.parse(value);
  if (!match || Number.isNaN(time)) {
    fail(scope, `${name} must be an ISO 8601 date and time with a time zone, like '2026-11-23T10:00:00Z', got ${show(value)}`);
  }
  // Date.parse rolls impossible dates over (February 30th becomes March 2nd): check the calendar.
  const [year, month, day, hour, minute, second] = [1, 2, 3, 4, 5, 7].map(i => Number(match[i] ?? 0));
  const calendar = new Date(Date.UTC(year, month - 1, day));
  if (calendar.getUTCMonth() !== month - 1 || calendar.getUTCDate() !== day || hour > 23 || minute > 59 || second > 59) {
    fail(scope, `${name} ${show(value)} is not a real date and time; check the day of the month and the time`);
  }
  return new Date(time).toISOString().replace(/\.000Z$/, 'Z');
}

export { iamPatternMatches } from '../policy/iam-pattern';
