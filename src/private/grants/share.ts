import { Annotations, IResource, Stack, Token } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Construct, Dependable, IConstruct } from 'constructs';
import { WARNING_PREFIX } from '../constants';
import { Grantee, identityArnIn, readGrantee } from './grantee';
import { IdentityStatement, KeyUse, keyEnvironment, keyPolicyQuota, keyUseIdentityStatement, splitByEncryptionContext, viaServiceConditions } from './kms';
import { ShareOptions } from './options';
import { PolicyQuota, checkPolicyQuota } from './quotas';
import { fail } from '../input/validation';
import { ConditionBlock, PrincipalGuard, addPrincipalGuard, guardPrincipals } from '../policy/principal-guard';

/** A statement of the resource's policy, before the grantee's principal and guard are added. */
export interface ResourceStatement {
  readonly actions: string[];
  /** The resource's own ARNs, as its stack holds them (none for a policy without `Resource`, like a repository's). */
  readonly resources: string[];
  readonly conditions?: iam.Conditions;
}

/**
 * One service's half of a resource share: what the resource is, what each
 * side allows, and how its policy is written. The engine (`share`) decides
 * who the grantee is, which sides the app can write, and writes them.
 */
export interface ResourceShare {
  /** The grant, as users call it: `bucketRead`. */
  readonly method: string;
  readonly resource: IResource;
  /** How messages name it: `the bucket 'A/Data'`. */
  readonly label: string;
  /** The app creates the resource, so its policy can be written here. */
  readonly created: boolean;
  /** The resource's account is not known to the app (a bucket imported by name: S3 ARNs carry no account). */
  readonly accountUnknown?: boolean;
  /** aws-cdk-lib's own grant of the same name, for a grantee of the resource's own account. */
  readonly sameAccount: (grantee: iam.IGrantable) => iam.Grant;
  /** The grantee's identity statements, naming the resource's exact ARNs as `stack` holds them. */
  readonly identityStatements: (stack: Stack) => IdentityStatement[];
  /** The resource's policy statements. */
  readonly resourceStatements: () => ResourceStatement[];
  /** The resource whose policy takes the statements (the L2 itself: `bucket.addToResourcePolicy`). */
  readonly policyResource?: iam.IResourceWithPolicyV2;
  /** Writes the resource's side another way than statements (a Lambda function's permissions). */
  readonly writeResourceSide?: (guard: PrincipalGuard) => iam.Grant;
  /**
   * The resource's policy can narrow to the grantee's ARN (`aws:PrincipalArn`).
   * A Lambda permission cannot, so it needs no ARN of the grantee.
   * @default true
   */
  readonly narrowsToPrincipalArn?: boolean;
  /**
   * The keys a service uses for the grantee (the resource's customer managed
   * key). Read after the grantee's side is written, which may give the
   * resource the physical name the key's conditions name it by.
   */
  readonly keyUses: () => KeyUse[];
  /** The quota of the resource's policy. */
  readonly quota?: PolicyQuota;
  /** A warning about the resource's side for this grantee (e.g. what the service's policy cannot narrow), or undefined. */
  readonly resourceSideCaveat?: (grantee: Grantee) => string | undefined;
}

/**
 * Writes both sides of a resource share, the second road across accounts:
 *
 * - a grantee of the resource's own account gets aws-cdk-lib's grant;
 * - the resource's policy (and its key's policy) names the grantee's account
 *   root, narrowed by the principal guard (`aws:PrincipalArn`, organization),
 *   built by the same code as a role's trust: the stacks deploy in either
 *   order and the grant survives the grantee being replaced;
 * - the grantee's identity policy names the resource's exact ARNs, and its
 *   key only through the service (`kms:ViaService`, encryption context).
 *
 * A side the app cannot write (an imported resource, an identity imported from
 * another account) gets a warning saying who must write it; a grant of which
 * no side can be written is an error.
 */
export function share(res: ResourceShare, grantable: iam.IGrantable, options: ShareOptions): iam.Grant {
  const scope = res.resource;
  const resourceStack = Stack.of(scope);
  const grantee = readGrantee(scope, res.method, grantable, resourceStack);
  if (sameAccount(res, grantee)) {
    return res.sameAccount(grantable);
  }
  let grant = iam.Grant.drop(grantable, res.method);
  const written: string[] = [];

  // The grantee's side first: naming the resource there gives it its generated physical name, which its own side may then use.
  const identity = writeGranteeSide(res, grantee);
  if (identity !== undefined) {
    grant = grant.combine(identity);
    written.push('grantee');
  }

  const keyUses = keyUsesOf(res);
  const guard = guardOf(res, grantee, options);
  if (res.created) {
    grant = grant.combine(writeResourceSide(res, guard));
    written.push('resource');
    if (res.quota !== undefined) { checkPolicyQuota(scope, res.quota); }
    const caveat = res.resourceSideCaveat?.(grantee);
    if (caveat !== undefined) {
      Annotations.of(scope).addWarningV2(`${WARNING_PREFIX}:resourcePolicyCannotNarrow`, caveat);
    }
  }
  for (const use of keyUses) {
    const keyGrant = writeKeyPolicy(res, use, guard);
    if (keyGrant !== undefined) { grant = grant.combine(keyGrant); }
  }

  if (!res.created) {
    const keys = keyUses.length > 0 ? ` and the policy of ${keyUses.map(use => `${use.label} '${use.key.node.path}'`).join(', ')}` : '';
    const owner = res.accountUnknown ? 'its owner' : `its owner (account ${scope.env.account})`;
    Annotations.of(scope).addWarningV2(`${WARNING_PREFIX}:resourceSideNotWritten`,
      `CrossAccountGrants.${res.method} wrote only the side of ${grantee.label}: ${res.label} is imported, so this app cannot write its policy${keys}, and nothing lets ${grantee.label} (account ${grantee.account}) in until ${owner} allows it there `
      + `(e.g. with CrossAccountGrants.${res.method} in the owner's app, granting to the grantee's ARN)`
      + (res.accountUnknown ? `; if ${res.label} is in the grantee's own account, use aws-cdk-lib's grant instead` : ''));
  }
  if (written.length === 0) {
    fail(scope, `CrossAccountGrants.${res.method} has nothing to write for ${grantee.label}: ${res.label} is imported and the grantee's identity policy is not in this app; write the grant in the app of the resource's account`);
  }
  return grant;
}

/** The service's key uses, one per statement: an encryption-context condition never sits on an action that takes no context. */
function keyUsesOf(res: ResourceShare): KeyUse[] {
  return res.keyUses().flatMap(splitByEncryptionContext);
}

/** Whether the grantee is in the resource's account (aws-cdk-lib's grant then), or an error when the app cannot tell. */
function sameAccount(res: ResourceShare, grantee: Grantee): boolean {
  if (grantee.kind === 'organization' || res.accountUnknown) { return false; }
  const resourceStack = Stack.of(res.resource);
  // (The stack of an imported identity or resource is where it is imported, not where it lives.)
  if (grantee.created && res.created && grantee.stack === resourceStack) { return true; }
  const resourceAccount = Token.isUnresolved(res.resource.env.account) ? undefined : res.resource.env.account;
  if (resourceAccount !== undefined && grantee.account !== undefined) { return resourceAccount === grantee.account; }
  if (resourceAccount === undefined && grantee.account === undefined) {
    // Both only known at deploy time: aws-cdk-lib treats them as one account, and so does its grant.
    return true;
  }
  if (resourceAccount === undefined) {
    fail(res.resource, `${res.label} is in the stack '${resourceStack.node.path}', which has no concrete account, so CrossAccountGrants.${res.method} cannot tell whether ${grantee.label} (account ${grantee.account}) is in another account; give the stack env: { account: '111111111111', region: '...' }`);
  }
  const where = grantee.stack !== undefined ? `the stack '${grantee.stack.node.path}'` : 'a stack';
  return fail(res.resource, `${grantee.label} is in ${where}, which has no concrete account, so CrossAccountGrants.${res.method} cannot name it in the policy of ${res.label} (account ${resourceAccount}); give that stack env: { account: '222222222222', region: '...' }`);
}

/** Whom the resource's side lets in: the grantee's account root, narrowed to the grantee and the organization. */
function guardOf(res: ResourceShare, grantee: Grantee, options: ShareOptions): PrincipalGuard {
  const scope = res.resource;
  let organizationId = options.organizationId;
  if (grantee.kind === 'organization') {
    if (organizationId !== undefined && !Token.isUnresolved(organizationId) && organizationId !== grantee.organizationId) {
      fail(scope, `the grantee is ${grantee.label}, but the option organizationId is '${organizationId}'; no principal could be in both, so leave the option out`);
    }
    organizationId = grantee.organizationId;
  }
  return {
    accounts: grantee.account !== undefined ? [grantee.account] : [],
    principalArns: grantee.kind === 'identity' && res.created && res.narrowsToPrincipalArn !== false ? [identityArnIn(Stack.of(scope), grantee, scope)] : [],
    organizationId,
    organizationalUnitPaths: options.organizationalUnitPaths,
  };
}

/** The guard's conditions and a statement's own, in one block. */
export function guardedConditions(guard: PrincipalGuard, own: iam.Conditions | undefined): iam.Conditions {
  return addPrincipalGuard(new ConditionBlock(), guard).addAll(own ?? {}).render();
}

/** A statement of the resource's policy for the guard's principals: their account roots, narrowed by the guard. */
export function guardedStatement(guard: PrincipalGuard, spec: ResourceStatement): iam.PolicyStatement {
  return new iam.PolicyStatement({
    principals: guardPrincipals(guard),
    actions: spec.actions,
    resources: spec.resources,
    conditions: guardedConditions(guard, spec.conditions),
  });
}

function writeResourceSide(res: ResourceShare, guard: PrincipalGuard): iam.Grant {
  if (res.writeResourceSide !== undefined) { return res.writeResourceSide(guard); }
  let grant = iam.Grant.drop(new iam.AnyPrincipal(), res.method);
  for (const spec of res.resourceStatements()) {
    const statement = guardedStatement(guard, spec);
    grant = grant.combine(iam.Grant.addStatementToResourcePolicy({
      grantee: new iam.AnyPrincipal(),
      actions: spec.actions,
      resourceArns: spec.resources,
      resource: dependable(res.policyResource!, res.resource),
      statement,
    }));
  }
  return grant;
}

/**
 * A resource whose grants can be depended on: a key reports its policy
 * document as what a statement depends on, which is no construct
 * (`grant.applyBefore()` would throw); the key itself is.
 */
function dependable(resource: iam.IResourceWithPolicyV2, construct: IConstruct): iam.IResourceWithPolicyV2 {
  return {
    env: resource.env,
    addToResourcePolicy: statement => {
      const result = resource.addToResourcePolicy(statement);
      return result.policyDependable instanceof iam.PolicyDocument ? { ...result, policyDependable: construct } : result;
    },
  };
}

/** The key's policy for a key use, where the app creates the key; a warning naming what its owner must write where it does not. */
function writeKeyPolicy(res: ResourceShare, use: KeyUse, guard: PrincipalGuard): iam.Grant | undefined {
  const { region } = keyEnvironment(res.resource, use.key, use.label);
  const statement = guardedStatement(guard, { actions: use.actions, resources: ['*'], conditions: viaServiceConditions(use, region) });
  const result = use.key.addToResourcePolicy(statement, true);
  if (!result.statementAdded) {
    if (res.created) {
      Annotations.of(res.resource).addWarningV2(`${WARNING_PREFIX}:keyPolicyNotWritten`,
        `CrossAccountGrants.${res.method} could not write the policy of ${use.label} '${use.key.node.path}': the key is imported, so nothing lets ${describeGuard(guard)} use it through ${use.service} until the key's owner allows ${use.actions.join(', ')} in its key policy`);
    }
    return undefined;
  }
  checkPolicyQuota(use.key, keyPolicyQuota(use.key));
  return iam.Grant.addStatementToResourcePolicy({
    grantee: new iam.AnyPrincipal(),
    actions: use.actions,
    resourceArns: ['*'],
    statement,
    resource: { env: use.key.env, addToResourcePolicy: () => ({ statementAdded: true, policyDependable: use.key }) },
  });
}

/**
 * The grantee's side: its identity policy names the resource's exact ARNs,
 * and its keys only through the service. Written where the app creates the
 * identity, or imports it into a stack of its own account; otherwise a
 * warning says that only the resource's side was written.
 */
function writeGranteeSide(res: ResourceShare, grantee: Grantee): iam.Grant | undefined {
  if (grantee.kind !== 'identity') { return undefined; }
  const stack = grantee.stack;
  const writable = stack !== undefined && (grantee.created
    || (grantee.account !== undefined && !Token.isUnresolved(stack.account) && stack.account === grantee.account));
  let grant: iam.Grant | undefined;
  if (writable) {
    const statements = [
      ...res.identityStatements(stack),
      ...keyUsesOf(res).map(use => keyUseIdentityStatement(res.resource, stack, use)),
    ];
    for (const statement of statements) {
      const added = iam.Grant.addToPrincipal({
        grantee: grantee.grantable,
        actions: statement.actions,
        resourceArns: statement.resources,
        conditions: statement.conditions as Record<string, Record<string, unknown>> | undefined,
      });
      grant = grant === undefined ? added : grant.combine(added);
    }
  }
  // A role or user of the app takes the statements (an iam.Role tells which policy holds them only once it is synthesized).
  // An imported one writes a policy of its own at once, or, imported from another account (aws-cdk-lib's immutable
  // role), reports a grant it did not write: count what a policy holds.
  if (grant !== undefined && grant.success && (grantee.created || Dependable.of(grant).dependencyRoots.length > 0)) {
    return grant;
  }
  const principal = grantee.grantable.grantPrincipal;
  const actions = Array.from(new Set(res.resourceStatements().flatMap(statement => statement.actions)));
  const uses = res.keyUses();
  const keys = uses.length > 0 ? `, and ${Array.from(new Set(uses.flatMap(use => use.actions))).join(', ')} on its key through ${uses[0].service}` : '';
  Annotations.of(principal instanceof Construct ? principal : res.resource).addWarningV2(`${WARNING_PREFIX}:granteeSideNotWritten`,
    `CrossAccountGrants.${res.method} wrote only the side of ${res.label}: this app cannot change the identity policy of ${grantee.label}, so it may only act once account ${grantee.account} allows it ${actions.join(', ')} on ${res.label}${keys} (e.g. with CrossAccountGrants.${res.method} in that account's app, on the resource imported by ARN)`);
  return undefined;
}

/** How the guard names its principals, for messages. */
function describeGuard(guard: PrincipalGuard): string {
  const who = guard.principalArns.length > 0 ? guard.principalArns.map(arn => Token.isUnresolved(arn) ? 'the grantee' : arn).join(', ')
    : guard.accounts.length > 0 ? `account ${guard.accounts.join(', ')}` : `organization ${guard.organizationId}`;
  return who;
}
