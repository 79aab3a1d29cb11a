import * as iam from 'aws-cdk-lib/aws-iam';
import { KEY_PRINCIPAL_ARN, KEY_PRINCIPAL_ORG_ID, KEY_PRINCIPAL_ORG_PATHS } from '../constants';

/**
 * Whom a policy lets in, the way this library names principals in every
 * policy that another account's principals are checked against (a role's
 * trust policy, a bucket's or a key's policy): the accounts' roots in
 * `Principal`, narrowed by conditions on the caller. A condition value is
 * neither existence-checked at deploy time nor rewritten when the principal is
 * recreated, which an ARN in `Principal` is (DESIGN.md decisions 1 and 9).
 */
export interface PrincipalGuard {
  /**
   * Accounts whose root is named in `Principal`. Empty: `Principal` is `*`,
   * which only a resource policy narrowed by `organizationId` may write.
   */
  readonly accounts: string[];
  /** Values of `aws:PrincipalArn` (empty: no such condition). */
  readonly principalArns: string[];
  /** `aws:PrincipalOrgID` must equal this. */
  readonly organizationId?: string;
  /** `ForAnyValue:StringLike aws:PrincipalOrgPaths`: the caller's account is in one of these OUs. */
  readonly organizationalUnitPaths?: string[];
}

/** One value is written as a string, several as a list: the shortest form IAM accepts. */
export function oneOrMany(values: string[]): string | string[] {
  return values.length === 1 ? values[0] : values;
}

/**
 * A `Condition` block being built: every key under its operator, in the order
 * added (the order is part of the template, and templates must not change
 * between releases: a changed trust policy is a deployment).
 */
export class ConditionBlock {
  private readonly conditions: Record<string, Record<string, unknown>> = {};

  /** Adds `key: value` under `operator`. */
  public add(operator: string, key: string, value: unknown): this {
    this.conditions[operator] = { ...(this.conditions[operator] ?? {}), [key]: value };
    return this;
  }

  /** Adds every key of a block already rendered. */
  public addAll(conditions: iam.Conditions): this {
    for (const [operator, keys] of Object.entries(conditions as Record<string, Record<string, unknown>>)) {
      for (const [key, value] of Object.entries(keys)) { this.add(operator, key, value); }
    }
    return this;
  }

  public render(): iam.Conditions {
    return this.conditions;
  }
}

/**
 * Adds the conditions that narrow a guard's principals: the organization
 * (`aws:PrincipalOrgID`), its organizational units (`aws:PrincipalOrgPaths`)
 * and the principals' ARNs (`aws:PrincipalArn`). The trust of a role and the
 * resource policies of `CrossAccountGrants` both call this, so that the two
 * roads across accounts name principals in one way.
 */
export function addPrincipalGuard(block: ConditionBlock, guard: PrincipalGuard): ConditionBlock {
  if (guard.organizationId !== undefined) {
    block.add('StringEquals', KEY_PRINCIPAL_ORG_ID, guard.organizationId);
  }
  if (guard.organizationalUnitPaths !== undefined && guard.organizationalUnitPaths.length > 0) {
    // aws:PrincipalOrgPaths is multivalued: ForAnyValue holds when one of the caller's paths matches, and fails when the key is absent.
    block.add('ForAnyValue:StringLike', KEY_PRINCIPAL_ORG_PATHS, oneOrMany(guard.organizationalUnitPaths));
  }
  if (guard.principalArns.length > 0) {
    // ArnEquals and ArnLike both honour wildcards; ArnLike says so to a reader. A token's
    // literal parts stay visible in its string form, so a wildcard next to a partition counts.
    const operator = guard.principalArns.some(arn => /[*?]/.test(arn)) ? 'ArnLike' : 'ArnEquals';
    block.add(operator, KEY_PRINCIPAL_ARN, oneOrMany(guard.principalArns));
  }
  return block;
}

/** The principals a guard names: the accounts' roots, or anyone (`*`) when it names no account. */
export function guardPrincipals(guard: PrincipalGuard): iam.IPrincipal[] {
  return guard.accounts.length > 0 ? guard.accounts.map(account => new iam.AccountPrincipal(account)) : [new iam.AnyPrincipal()];
}
