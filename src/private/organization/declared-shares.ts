/**
 * The app's declared resource shares: every resource policy read by the
 * audit engine (`../audit/resource-policies.ts`) and reduced to whom it lets
 * in, to do what, on which resource. With the declared trusts
 * (`./declared-trusts.ts`), the one source of truth for the access map and
 * the Access Analyzer archive rules (decision 8).
 */
import { granteesOf, Grantees } from './declared-trusts';
import { PolicyAudit } from '../audit/engine';
import { SharedResource } from '../audit/resource-policies';
import { PolicyStatement, requiresKey } from '../audit/rules/types';
import { compareText } from '../policy/compare';

/** One `Allow` statement of a resource policy: whom, which actions, and what narrows it. */
export interface DeclaredGrant extends Grantees {
  /** The actions allowed, as written (patterns included). Sorted. */
  readonly actions: string[];
  /** `NotAction`: every action but these. Sorted. */
  readonly notActions: string[];
  /** The condition keys of `NARROWING_CONDITION_KEYS` the statement requires, in that order. */
  readonly narrowedBy: string[];
}

/**
 * The condition keys that narrow a grant to someone in particular, as the
 * map labels them: a principal, an organisation or OU, a service acting for
 * a resource or account, a network, a caller's account, a service.
 */
export const NARROWING_CONDITION_KEYS = [
  'aws:PrincipalArn', 'aws:PrincipalOrgID', 'aws:PrincipalOrgPaths', 'aws:SourceArn', 'aws:SourceAccount', 'aws:SourceOwner',
  'aws:SourceVpce', 'aws:SourceVpc', 'kms:CallerAccount', 'kms:ViaService',
];

/** A resource the app shares, and with whom. */
export interface DeclaredShare {
  /** The logical ID of the resource that carries the policy (the bucket policy, the key ...). */
  readonly logicalId: string;
  /** The construct path of that resource, when read from the construct tree. */
  readonly constructPath?: string;
  /** The template file it is in, when known. */
  readonly templateFile?: string;
  /** The stack's name (or display name), when known. */
  readonly stackName?: string;
  /** The account of the resource's stack, when literal (undefined for a StackSet's resource: each instance has its own). */
  readonly account?: string;
  /** The region of the resource's stack, when literal. */
  readonly region?: string;
  /** The policy is in a StackSet's template. */
  readonly inStackSet?: boolean;
  /** The type of the resource that carries the policy (`AWS::S3::BucketPolicy`, `AWS::Lambda::Permission` ...). */
  readonly policyType: string;
  /** The resource shared. */
  readonly resource: SharedResource;
  /** The grants, one per distinct (whom, actions), sorted. */
  readonly grants: DeclaredGrant[];
}

/** Where a template's shares come from, for `declaredSharesOf`. */
export interface ShareSource {
  readonly constructPath?: string;
  readonly templateFile?: string;
  readonly stackName?: string;
  readonly region?: string;
}

const sorted = (values: Iterable<string>): string[] => Array.from(new Set(values)).sort();

/** The grant of one `Allow` statement; undefined for any other statement. */
export function grantOf(statement: PolicyStatement): DeclaredGrant | undefined {
  if (statement.effect !== 'Allow') { return undefined; }
  return {
    ...granteesOf(statement),
    actions: sorted(statement.actions),
    notActions: sorted(statement.notActions),
    narrowedBy: NARROWING_CONDITION_KEYS.filter(key => requiresKey(statement, key)),
  };
}

/**
 * The shares of one resource policy, as the audit engine read it (every
 * branch of its `Fn::If`s): one per resource it is on (a queue policy may be
 * on several queues). An identity policy shares nothing.
 */
export function declaredSharesOf(policy: PolicyAudit, source: ShareSource = {}): DeclaredShare[] {
  if (policy.kind !== 'resource') { return []; }
  const grants = new Map<string, DeclaredGrant>();
  for (const statement of policy.branches.flatMap(b => b.statements)) {
    const grant = grantOf(statement);
    if (grant !== undefined) { grants.set(JSON.stringify(grant), grant); }
  }
  const account = policy.inStackSet ? undefined : policy.context.account;
  const targets = policy.branches[0]?.targets ?? [];
  return targets.map(resource => ({
    logicalId: policy.policyLogicalId,
    ...(source.constructPath !== undefined ? { constructPath: source.constructPath } : {}),
    ...(source.templateFile !== undefined ? { templateFile: source.templateFile } : {}),
    ...(source.stackName !== undefined ? { stackName: source.stackName } : {}),
    ...(account !== undefined ? { account } : {}),
    ...(source.region !== undefined ? { region: source.region } : {}),
    ...(policy.inStackSet ? { inStackSet: true } : {}),
    policyType: policy.type,
    resource,
    grants: Array.from(grants.entries()).sort(([a], [b]) => compareText(a, b)).map(([, g]) => g),
  }));
}

/** Whether a grant reaches outside the resource's own account (another account, an organisation or OU, anyone). */
export function isCrossAccountGrant(share: DeclaredShare, grant: DeclaredGrant): boolean {
  return grant.anyPrincipal || grant.unresolvedPrincipals
    || grant.accounts.some(a => a !== share.account)
    || grant.principalArns.some(arn => !arn.includes(`:${share.account}:`));
}

/**
 * A summary of actions for a label: up to three as they are, then how many
 * more (`s3:GetObject*, s3:GetBucket*, s3:List* (+2)`); `NotAction` as "every action but".
 */
export function actionsSummary(grant: Pick<DeclaredGrant, 'actions' | 'notActions'>): string {
  if (grant.actions.length === 0) { return grant.notActions.length > 0 ? `every action but ${grant.notActions.join(', ')}` : 'no action'; }
  const shown = grant.actions.slice(0, 3).join(', ');
  return grant.actions.length > 3 ? `${shown} (+${grant.actions.length - 3})` : shown;
}
