import { Duration, Token } from 'aws-cdk-lib';
import { IConstruct } from 'constructs';
import {
  ACCOUNT_ID_PATTERN,
  EXTERNAL_ID_MAX_LENGTH,
  EXTERNAL_ID_MIN_LENGTH,
  EXTERNAL_ID_PATTERN,
  MAX_SESSION_DURATION_SECONDS,
  MIN_SESSION_DURATION_SECONDS,
  ORGANIZATION_ID_PATTERN,
  ROLE_NAME_MAX_LENGTH,
  ROLE_NAME_PATTERN,
} from './constants';

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

/** Validates a literal AWS Organizations ID (o- followed by 10-32 lowercase letters or digits). */
export function validateOrganizationId(scope: IConstruct, name: string, value: string): void {
  if (Token.isUnresolved(value)) { return; }
  if (!ORGANIZATION_ID_PATTERN.test(value)) {
    fail(scope, `${name} must be an AWS Organizations ID like 'o-a1b2c3d4e5', got ${show(value)}; find it with 'aws organizations describe-organization' (not the root ID 'r-...' nor an OU ID 'ou-...')`);
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

/** Validates that a duration is positive and returns it in whole seconds. */
export function positiveSeconds(scope: IConstruct, name: string, value: Duration): number {
  if (value.isUnresolved()) {
    fail(scope, `${name} must be a literal duration, got a token; use e.g. Duration.hours(1)`);
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
