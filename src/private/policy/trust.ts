import { Fn, Stack, Token } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import { RegionInfo } from 'aws-cdk-lib/region-info';
import { IConstruct } from 'constructs';
import {
  KEY_EXTERNAL_ID,
  KEY_MFA_AGE,
  KEY_MFA_PRESENT,
  KEY_ROLE_SESSION_NAME,
  KEY_SOURCE_IDENTITY,
  KEY_SOURCE_IP,
  KEY_TRANSITIVE_TAG_KEYS,
  STS_ASSUME_ROLE,
} from '../constants';
import { ConditionBlock, PrincipalGuard, addPrincipalGuard, oneOrMany } from './principal-guard';
import { fail, show, unique, validateAccountId } from '../input/validation';

export { oneOrMany } from './principal-guard';

/**
 * What a trust statement is made of, before it is rendered: whom it lets in
 * (the principal guard, named as every cross-account policy of this library
 * names principals) and the conditions of the AssumeRole call.
 */
export interface TrustSpec extends PrincipalGuard {
  /** Values of `sts:ExternalId` (empty: no such condition). */
  readonly externalIds: string[];
  /** Require `aws:MultiFactorAuthPresent`. */
  readonly requireMfa: boolean;
  /** `aws:MultiFactorAuthAge` must be less than this many seconds. */
  readonly maxMfaAgeSeconds?: number;
  /** A source identity must be set (`sts:SourceIdentity` present). */
  readonly requireSourceIdentity?: boolean;
  /** `StringLike sts:SourceIdentity` (implies requireSourceIdentity). */
  readonly sourceIdentityPattern?: string;
  /** `StringLike sts:RoleSessionName`. */
  readonly roleSessionNamePattern?: string;
  /** `IpAddress aws:SourceIp`. */
  readonly sourceIps?: string[];
  /** `ForAllValues:StringEquals sts:TransitiveTagKeys`: the only tag keys that may be transitive. */
  readonly transitiveTagKeys?: string[];
}

/**
 * The conditions of a trust statement, merged: every key under its operator,
 * every requirement ANDed, the values of one key ORed.
 *
 * The `sts:AssumeRole` statement gets every condition but the transitive tag
 * keys. The statement for `sts:TagSession` / `sts:SetSourceIdentity`
 * (`forSessionActions`) gets the conditions on the caller (principal ARN,
 * organization, MFA, source IP) and the transitive tag keys, but not the keys
 * of the AssumeRole request itself (`sts:ExternalId`, `sts:RoleSessionName`,
 * `sts:SourceIdentity`): the Service Authorization Reference lists none of them
 * for `sts:TagSession`, so a condition on them there could refuse every tagged
 * session. Those actions are only ever authorized within an AssumeRole call,
 * whose own statement requires all of them.
 */
export function trustConditions(spec: TrustSpec, forSessionActions: boolean = false): iam.Conditions {
  const block = new ConditionBlock();
  const add = (operator: string, key: string, value: unknown) => block.add(operator, key, value);
  if (spec.externalIds.length > 0 && !forSessionActions) {
    add('StringEquals', KEY_EXTERNAL_ID, oneOrMany(spec.externalIds));
  }
  // Who: the organization, its units and the principals' ARNs, as every cross-account policy of this library names them.
  addPrincipalGuard(block, spec);
  if (spec.requireMfa) {
    add('Bool', KEY_MFA_PRESENT, 'true');
  }
  if (spec.maxMfaAgeSeconds !== undefined) {
    add('NumericLessThan', KEY_MFA_AGE, Token.isUnresolved(spec.maxMfaAgeSeconds) ? Token.asString(spec.maxMfaAgeSeconds) : String(spec.maxMfaAgeSeconds));
  }
  if (spec.roleSessionNamePattern !== undefined && !forSessionActions) {
    add('StringLike', KEY_ROLE_SESSION_NAME, spec.roleSessionNamePattern);
  }
  if (forSessionActions) {
    // The AssumeRole statement requires the source identity.
  } else if (spec.sourceIdentityPattern !== undefined) {
    add('StringLike', KEY_SOURCE_IDENTITY, spec.sourceIdentityPattern);
  } else if (spec.requireSourceIdentity) {
    // Present, whatever its value.
    add('Null', KEY_SOURCE_IDENTITY, 'false');
  }
  if (spec.sourceIps !== undefined && spec.sourceIps.length > 0) {
    add('IpAddress', KEY_SOURCE_IP, oneOrMany(spec.sourceIps));
  }
  if (spec.transitiveTagKeys !== undefined && forSessionActions) {
    // Without transitive keys in the request the set is empty and ForAllValues holds.
    add('ForAllValues:StringEquals', KEY_TRANSITIVE_TAG_KEYS, spec.transitiveTagKeys.length === 1 ? spec.transitiveTagKeys[0] : spec.transitiveTagKeys);
  }
  return block.render();
}

/**
 * The principal of a cross-account trust: the roots of one or more accounts,
 * with all conditions merged into one block.
 *
 * aws-cdk-lib's `CompositePrincipal` refuses conditions, and chaining
 * `withConditions` overwrites a key given twice (aws-cdk#20158); this renders
 * one `sts:AssumeRole` statement with every account and every condition
 * instead, and, when the trust allows session tags or a source identity, one
 * more statement for those actions (see `trustConditions`).
 */
export class CrossAccountTrustPrincipal extends iam.PrincipalBase {
  public readonly policyFragment: iam.PrincipalPolicyFragment;
  public readonly principalAccount: string | undefined;

  /**
   * @param spec whom to trust, and on which conditions
   * @param actions the actions of the AssumeRole call the trust allows: sts:AssumeRole, and sts:TagSession / sts:SetSourceIdentity if asked for
   * @param forSessionActions this principal stands in the statement for sts:TagSession / sts:SetSourceIdentity
   */
  constructor(private readonly spec: TrustSpec, private readonly actions: string[] = [STS_ASSUME_ROLE], forSessionActions: boolean = false) {
    super();
    const roots = spec.accounts.map(account => new iam.AccountPrincipal(account).arn);
    this.policyFragment = new iam.PrincipalPolicyFragment({ AWS: roots }, trustConditions(spec, forSessionActions));
    this.principalAccount = spec.accounts.length === 1 ? spec.accounts[0] : undefined;
  }

  public addToAssumeRolePolicy(document: iam.PolicyDocument): void {
    document.addStatements(new iam.PolicyStatement({ actions: [STS_ASSUME_ROLE], principals: [this] }));
    const sessionActions = this.actions.filter(action => action !== STS_ASSUME_ROLE);
    if (sessionActions.length > 0) {
      document.addStatements(new iam.PolicyStatement({
        actions: sessionActions,
        principals: [new CrossAccountTrustPrincipal(this.spec, sessionActions, true)],
      }));
    }
  }

  public dedupeString(): string | undefined {
    return JSON.stringify(this.spec);
  }

  public toString(): string {
    return `CrossAccountTrustPrincipal(${this.spec.accounts.join(',')})`;
  }
}

/** The parts of an IAM principal ARN that the trust needs. */
export interface PrincipalArnParts {
  /** The account, literal or a deploy-time expression. */
  readonly account: string;
}

/**
 * Reads the account out of an IAM user or role ARN given for `aws:PrincipalArn`.
 *
 * A literal ARN is checked: it must be an IAM `role/` or `user/` ARN in a
 * concrete 12-digit account (the account's root goes into `Principal`). An
 * assumed-role session ARN is refused, because `aws:PrincipalArn` of a session
 * is the role's ARN. A token is accepted and its account taken at deploy time.
 */
export function parsePrincipalArn(scope: IConstruct, name: string, arn: string): PrincipalArnParts {
  if (Token.isUnresolved(arn)) {
    return { account: Fn.select(4, Fn.split(':', arn)) };
  }
  const parts = arn.split(':');
  if (parts.length < 6 || parts[0] !== 'arn' || parts[2] === '') {
    fail(scope, `${name} must be an IAM role or user ARN like 'arn:aws:iam::123456789012:role/name', got ${show(arn)}`);
  }
  const [, partition, service, region, account] = parts;
  const resource = parts.slice(5).join(':');
  if (service === 'sts') {
    fail(scope, `${name} is an STS session ARN (${show(arn)}); aws:PrincipalArn of a session is its role's ARN, so give 'arn:<partition>:iam::${account}:role/<role name>' instead`);
  }
  if (service !== 'iam' || !/^(role|user)\/.+/.test(resource)) {
    fail(scope, `${name} must be an IAM role or user ARN like 'arn:aws:iam::123456789012:role/name', got ${show(arn)}; to trust a whole account use trustedAccounts instead`);
  }
  if (region !== '') {
    fail(scope, `${name} has the region '${region}' in it (${show(arn)}), but IAM ARNs have none: write 'arn:${partition}:iam::${account}:${resource}'`);
  }
  if (!/^aws(-[a-z]+)*$/.test(partition)) {
    fail(scope, `${name} has the unknown partition '${partition}' (${show(arn)}); use aws, aws-cn or aws-us-gov`);
  }
  // The partition of the stack the trust goes into, where one is known (a pair checks before its stacks exist).
  const stackRegion = [...scope.node.scopes].reverse().find(Stack.isStack)?.region;
  const stackPartition = stackRegion === undefined || Token.isUnresolved(stackRegion) ? undefined : RegionInfo.get(stackRegion).partition;
  if (stackPartition !== undefined && stackPartition !== partition) {
    fail(scope, `${name} is in the partition '${partition}' (${show(arn)}), but the role's stack is in '${stackPartition}'; IAM does not trust principals across partitions`);
  }
  validateAccountId(scope, `the account of ${name} (${show(arn)})`, account);
  return { account };
}

/** Unique accounts of a list of principal ARNs, validated. */
export function accountsOfPrincipalArns(scope: IConstruct, name: string, arns: readonly string[]): string[] {
  return unique(arns.map((arn, i) => parsePrincipalArn(scope, `${name}[${i}]`, arn).account));
}
