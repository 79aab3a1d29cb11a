/**
 * The app's declared trusts: every role's trust policy, read at synth time
 * from the construct tree (this library's roles, `iam.Role` and `iam.CfnRole`
 * alike, in every stack, nested stack and stage), reduced to whom it trusts
 * and whether it requires an external ID.
 *
 * A minimal collector, written for the organisation perimeter's third
 * parties; its names and fields are those of the fuller collector the access
 * map and the Access Analyzer need, so that it can take its place.
 */
import { Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import { IConstruct } from 'constructs';
import { KEY_EXTERNAL_ID, STS_ASSUME_ROLE } from './constants';

/** What a caller must show besides being trusted. */
export interface TrustGuards {
  /** `sts:ExternalId` is required. */
  readonly externalId: boolean;
}

/** One trust statement of a role (`Allow` of `sts:AssumeRole`): whom, and on which guards. */
export interface DeclaredTrust {
  /** The 12-digit accounts trusted, named in `Principal`. Sorted. */
  readonly accounts: string[];
  /** The guards every caller must meet. */
  readonly guards: TrustGuards;
}

/** A role of the app and the trusts it declares. */
export interface DeclaredRole {
  /** The construct path of the role's `CfnRole`. */
  readonly constructPath?: string;
  /** The account of the role's stack, when literal. */
  readonly account?: string;
  /** The trust statements. */
  readonly trusts: DeclaredTrust[];
}

const isObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

/** The accounts named in a resolved `Principal.AWS` (account IDs, ARNs, and ARNs joined from parts). */
function accountsIn(value: unknown): string[] {
  const text = JSON.stringify(value ?? '');
  return Array.from(new Set(Array.from(text.matchAll(/(?:iam::|"|^)(\d{12})(?=:|"|$)/g), m => m[1]))).sort();
}

/** Whether a condition block requires a key under an operator that must match (not `...IfExists`, not negated, not `Null`). */
function requires(condition: unknown, key: string): boolean {
  return isObject(condition) && Object.entries(condition).some(([operator, keys]) =>
    !/IfExists$|Not|^Null$|^ForAllValues:/.test(operator) && isObject(keys) && Object.keys(keys).some(k => k.toLowerCase() === key.toLowerCase()));
}

/** The trusts of one resolved trust policy. */
function trustsOf(document: unknown): DeclaredTrust[] {
  const raw = isObject(document) ? document.Statement : undefined;
  return (Array.isArray(raw) ? raw : [raw]).filter(isObject)
    .filter(s => s.Effect === 'Allow' && [s.Action].flat().includes(STS_ASSUME_ROLE) && isObject(s.Principal))
    .map(s => ({
      accounts: accountsIn((s.Principal as Record<string, unknown>).AWS),
      guards: { externalId: requires(s.Condition, KEY_EXTERNAL_ID) },
    }));
}

/**
 * Every role's declared trust in the construct tree below `scope` (usually the
 * app), sorted by construct path. Call it at synth time, when the app is complete.
 */
export function declaredTrusts(scope: IConstruct): DeclaredRole[] {
  return scope.node.findAll()
    .filter((node): node is iam.CfnRole => node instanceof iam.CfnRole)
    .map(role => {
      const stack = Stack.of(role);
      return {
        constructPath: role.node.path,
        account: stack.account,
        trusts: trustsOf(stack.resolve(role.assumeRolePolicyDocument)),
      };
    })
    .sort((a, b) => a.constructPath.localeCompare(b.constructPath));
}
