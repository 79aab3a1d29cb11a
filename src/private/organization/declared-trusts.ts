/**
 * The app's declared trusts: every role's trust policy as CloudFormation will
 * see it, read by the audit engine (`../audit/roles.ts`) and reduced to
 * whom it trusts and on which guards. The one source of truth for the access
 * map, the Access Analyzer archive rules and the organisation perimeter.
 *
 * Two ways in, one reading: `declaredTrusts(scope)` walks the construct tree at
 * synth time (this library's roles, `iam.Role` and `iam.CfnRole` alike, in
 * every stack, nested stack and stage); `declaredRole(...)` reads one role of a
 * synthesized template (the CLI and the plugin's access map).
 */
import { CfnResource, Stack } from 'aws-cdk-lib';
import * as cloudformation from 'aws-cdk-lib/aws-cloudformation';
import * as iam from 'aws-cdk-lib/aws-iam';
import { IConstruct } from 'constructs';
import { auditContext, stackSetBody } from '../audit/engine';
import { AuditContext } from '../audit/resolve';
import { auditedRoles } from '../audit/roles';
import { accountOf, allowsAction, AuditedRole, conditionEntries, isDeployTime, requiresKey, TrustStatement, UNRESOLVED } from '../audit/rules/types';
import { isObject, JsonObject, resourcesOf } from '../audit/template';
import {
  KEY_EXTERNAL_ID,
  KEY_MFA_AGE,
  KEY_MFA_PRESENT,
  KEY_PRINCIPAL_ARN,
  KEY_PRINCIPAL_ORG_ID,
  KEY_ROLE_SESSION_NAME,
  KEY_SOURCE_IDENTITY,
  KEY_SOURCE_IP,
  STS_ASSUME_ROLE,
} from '../constants';
import { compareText } from '../policy/compare';
import { literal, literalEnvironment } from '../policy/stack-env';

/** `aws:PrincipalOrgPaths`: the organisation paths (OUs) of the caller's account. */
export const KEY_PRINCIPAL_ORG_PATHS = 'aws:PrincipalOrgPaths';

/** The actions that let a principal into a role. */
const ASSUME_ACTIONS = [STS_ASSUME_ROLE, 'sts:AssumeRoleWithSAML', 'sts:AssumeRoleWithWebIdentity'];

/** What a caller must show besides being trusted. */
export interface TrustGuards {
  /** `sts:ExternalId` is required. */
  readonly externalId: boolean;
  /** MFA is required (`aws:MultiFactorAuthPresent` true, or a maximum MFA age). */
  readonly mfa: boolean;
  /** The MFA sign-in must be younger than this many seconds. */
  readonly maxMfaAgeSeconds?: number;
  /** `aws:SourceIp` must be in these CIDR blocks. */
  readonly sourceIps: string[];
  /** `sts:RoleSessionName` must match one of these. */
  readonly roleSessionNames: string[];
  /** A source identity is required (`sts:SourceIdentity`). */
  readonly sourceIdentity: boolean;
}

/** One trust statement of a role (`Allow` of an AssumeRole action): whom, and on which guards. */
export interface DeclaredTrust {
  /** The 12-digit accounts trusted: named in `Principal`, as a root or as a principal of theirs. Sorted. */
  readonly accounts: string[];
  /** The accounts whose root (any principal the account allows) is named in `Principal`. Sorted. */
  readonly accountRoots: string[];
  /** IAM principals named in `Principal` (not an account root) or required by `aws:PrincipalArn`. Sorted. */
  readonly principalArns: string[];
  /** IAM principals named in `Principal` (not an account root): Access Analyzer's findings name them, not their account. Sorted. */
  readonly namedPrincipalArns: string[];
  /** `aws:PrincipalOrgID` values the caller must match. Sorted. */
  readonly organizationIds: string[];
  /** `aws:PrincipalOrgPaths` values (OU paths) the caller must match. Sorted. */
  readonly organizationalUnitPaths: string[];
  /** Federated principals (SAML and OIDC providers, `cognito-identity.amazonaws.com`). Sorted. */
  readonly federated: string[];
  /** AWS service principals. Sorted. */
  readonly services: string[];
  /** `Principal: "*"` (or `{"AWS": "*"}`): anyone, narrowed only by conditions. */
  readonly anyPrincipal: boolean;
  /** Some AWS principal is only known at deploy time (a parameter, an attribute). */
  readonly unresolvedPrincipals: boolean;
  /** The guards every caller must meet. */
  readonly guards: TrustGuards;
}

/** A role of the app and the trusts it declares. */
export interface DeclaredRole {
  /** The role's logical ID in its template. */
  readonly logicalId: string;
  /** The construct path of the role's `CfnRole` (or of the StackSet it is in), when read from the construct tree. */
  readonly constructPath?: string;
  /** The role is in a StackSet's template: one role per stack instance, each in an account of its own (`account` is undefined). */
  readonly inStackSet?: boolean;
  /** The template file the role is in (relative to its assembly), when known. */
  readonly templateFile?: string;
  /** The stack's name (or display name), when known. */
  readonly stackName?: string;
  /** The account of the role's stack, when literal. */
  readonly account?: string;
  /** The region of the role's stack, when literal. */
  readonly region?: string;
  /** The partition, when the stack's region is literal and known. */
  readonly partition?: string;
  /** The role's name, when literal (a generated name is only known at deploy time). */
  readonly roleName?: string;
  /** The role's path (`/` by default). */
  readonly rolePath: string;
  /** The role's ARN, when its account, name and partition are literal. */
  readonly roleArn?: string;
  /** `MaxSessionDuration` in seconds (3600 when not set). */
  readonly maxSessionDuration: number;
  /** The trust statements, one per distinct (whom, guards), sorted. */
  readonly trusts: DeclaredTrust[];
}

/** Where a template role comes from, for `declaredRole`. */
export interface RoleSource {
  readonly constructPath?: string;
  readonly inStackSet?: boolean;
  readonly templateFile?: string;
  readonly stackName?: string;
  readonly region?: string;
}

const sorted = (values: Iterable<string>): string[] => Array.from(new Set(values)).sort();
const stable = (value: unknown): string => JSON.stringify(value);

/**
 * The values a statement requires a condition key to have: under operators
 * that must match (see `requiresKey`), literal values only.
 */
function requiredValues(statement: TrustStatement, key: string): string[] {
  if (!requiresKey(statement, key)) { return []; }
  return conditionEntries(statement)
    .filter(c => c.key === key.toLowerCase() && !/IfExists$|^ForAllValues:|Not|^Null$/.test(c.operator))
    .flatMap(c => c.values)
    .filter(v => !v.includes(UNRESOLVED));
}

/** The largest MFA age a statement accepts (`NumericLessThan[Equals] aws:MultiFactorAuthAge`), in seconds. */
function maxMfaAge(statement: TrustStatement): number | undefined {
  const ages = conditionEntries(statement)
    .filter(c => c.key === KEY_MFA_AGE.toLowerCase() && /^NumericLessThan(Equals)?$/.test(c.operator))
    .flatMap(c => c.values.map(Number))
    .filter(n => Number.isFinite(n));
  return ages.length > 0 ? Math.min(...ages) : undefined;
}

/** Whether a statement requires a source identity (`Null sts:SourceIdentity false`, or a pattern). */
function requiresSourceIdentity(statement: TrustStatement): boolean {
  return requiresKey(statement, KEY_SOURCE_IDENTITY) || conditionEntries(statement)
    .some(c => c.key === KEY_SOURCE_IDENTITY.toLowerCase() && c.operator === 'Null' && c.values.every(v => v.toLowerCase() === 'false'));
}

/** The guards of one statement. */
export function guardsOf(statement: TrustStatement): TrustGuards {
  const age = maxMfaAge(statement);
  return {
    externalId: requiresKey(statement, KEY_EXTERNAL_ID),
    mfa: requiresKey(statement, KEY_MFA_PRESENT) || age !== undefined,
    ...(age !== undefined ? { maxMfaAgeSeconds: age } : {}),
    sourceIps: sorted(requiredValues(statement, KEY_SOURCE_IP)),
    roleSessionNames: sorted(requiredValues(statement, KEY_ROLE_SESSION_NAME)),
    sourceIdentity: requiresSourceIdentity(statement),
  };
}

/** Whether a principal ARN (or bare account) stands for a whole account. */
function isAccountRoot(principal: string): boolean {
  return /^\d{12}$/.test(principal) || /^arn:[^:]+:iam::\d{12}:root$/.test(principal);
}

/** Whom a statement lets in: the parts of a `DeclaredTrust` but its guards (a resource share's grantees are read alike). */
export type Grantees = Omit<DeclaredTrust, 'guards'>;

/** The trust of one `Allow` statement of an AssumeRole action; undefined for any other statement. */
export function trustOf(statement: TrustStatement): DeclaredTrust | undefined {
  if (statement.effect !== 'Allow' || !ASSUME_ACTIONS.some(action => allowsAction(statement, action))) { return undefined; }
  return { ...granteesOf(statement), guards: guardsOf(statement) };
}

/**
 * Whom a statement lets in: the accounts it names (whole, or through a
 * principal of theirs), the principal ARNs in `Principal` or required by
 * `aws:PrincipalArn`, the organisations and OUs it requires, federated and
 * service principals, `*`, and whether some principal is a deploy-time value.
 */
export function granteesOf(statement: TrustStatement): Grantees {
  const literalAws = statement.aws.filter(p => !p.includes(UNRESOLVED));
  const conditionArns = requiredValues(statement, KEY_PRINCIPAL_ARN);
  return {
    accounts: sorted(literalAws.map(accountOf).filter((a): a is string => a !== undefined)),
    accountRoots: sorted(literalAws.filter(isAccountRoot).map(accountOf).filter((a): a is string => a !== undefined)),
    principalArns: sorted([...literalAws.filter(p => !isAccountRoot(p)), ...conditionArns]),
    namedPrincipalArns: sorted(literalAws.filter(p => !isAccountRoot(p))),
    organizationIds: sorted(requiredValues(statement, KEY_PRINCIPAL_ORG_ID)),
    organizationalUnitPaths: sorted(requiredValues(statement, KEY_PRINCIPAL_ORG_PATHS)),
    federated: sorted(statement.federated.filter(p => !isDeployTime(p))),
    services: sorted(statement.service.filter(p => !isDeployTime(p))),
    anyPrincipal: statement.anyPrincipal,
    unresolvedPrincipals: statement.aws.length > literalAws.length,
  };
}

/**
 * One role of a template, from its CloudFormation properties, read as the
 * audit engine reads it. The trusts of every branch of the trust policy's
 * `Fn::If`s are all declared (deduplicated).
 */
export function declaredRole(logicalId: string, properties: JsonObject, ctx: AuditContext, source: RoleSource = {}): DeclaredRole {
  return declaredRoleOf(logicalId, auditedRoles(logicalId, properties, ctx), properties, ctx, source);
}

/** One role, from the audit engine's reading of it (`branches`: the role on each branch of its `Fn::If`s). */
export function declaredRoleOf(logicalId: string, branches: AuditedRole[], properties: JsonObject,
  ctx: { readonly account?: string; readonly knownPartition?: string }, source: RoleSource = {}): DeclaredRole {
  const trusts = new Map<string, DeclaredTrust>();
  for (const statement of branches.flatMap(r => r.statements)) {
    const trust = trustOf(statement);
    if (trust !== undefined) { trusts.set(stable(trust), trust); }
  }
  const roleName = typeof properties.RoleName === 'string' ? properties.RoleName : undefined;
  const rolePath = typeof properties.Path === 'string' ? properties.Path : '/';
  const account = source.inStackSet ? undefined : ctx.account;
  const roleArn = roleName !== undefined && account !== undefined && ctx.knownPartition !== undefined
    ? `arn:${ctx.knownPartition}:iam::${account}:role${rolePath}${roleName}` : undefined;
  return {
    logicalId,
    ...(source.constructPath !== undefined ? { constructPath: source.constructPath } : {}),
    ...(source.inStackSet ? { inStackSet: true } : {}),
    ...(source.templateFile !== undefined ? { templateFile: source.templateFile } : {}),
    ...(source.stackName !== undefined ? { stackName: source.stackName } : {}),
    ...(account !== undefined ? { account } : {}),
    ...(source.region !== undefined ? { region: source.region } : {}),
    ...(ctx.knownPartition !== undefined ? { partition: ctx.knownPartition } : {}),
    ...(roleName !== undefined ? { roleName } : {}),
    rolePath,
    ...(roleArn !== undefined ? { roleArn } : {}),
    maxSessionDuration: branches[0]?.maxSessionDuration ?? 3600,
    trusts: Array.from(trusts.entries()).sort(([a], [b]) => compareText(a, b)).map(([, t]) => t),
  };
}

/** What the audit engine needs to know of a stack to resolve a role's intrinsics. */
export function stackContext(stack: Stack, resources: AuditContext['resources'] = {}): AuditContext {
  const { account, region } = literalEnvironment(stack);
  return auditContext(region, account, resources);
}

/** A property of a role resource as CloudFormation will see it, `undefined` left out. */
function resolvedProperties(stack: Stack, role: iam.CfnRole): JsonObject {
  const properties: JsonObject = {
    AssumeRolePolicyDocument: stack.resolve(role.assumeRolePolicyDocument),
    RoleName: stack.resolve(role.roleName),
    Path: stack.resolve(role.path),
    MaxSessionDuration: stack.resolve(role.maxSessionDuration),
  };
  return Object.fromEntries(Object.entries(properties).filter(([, v]) => v !== undefined));
}

/**
 * Every role's declared trust in the construct tree below `scope` (usually the
 * app): `CrossAccountRole`, `iam.Role` and `iam.CfnRole` alike, in every stack,
 * nested stack and stage, sorted by construct path. Call it at synth time (in
 * a `Lazy` or a validation), when the app is complete.
 */
export function declaredTrusts(scope: IConstruct): DeclaredRole[] {
  const roles: DeclaredRole[] = [];
  for (const node of scope.node.findAll()) {
    if (node instanceof cloudformation.CfnStackSet) {
      roles.push(...stackSetRoles(node));
    }
    if (!(node instanceof iam.CfnRole) || !CfnResource.isCfnResource(node)) { continue; }
    const stack = Stack.of(node);
    const ctx = stackContext(stack);
    roles.push(declaredRole(stack.resolve(node.logicalId), resolvedProperties(stack, node), ctx, {
      constructPath: node.node.path,
      templateFile: stack.templateFile,
      stackName: literal(stack.stackName) ?? stack.node.path,
      region: ctx.region,
    }));
  }
  return roles.sort((a, b) => compareText(a.constructPath ?? '', b.constructPath ?? ''));
}

/**
 * The roles of a StackSet's inline template (JSON or YAML, read as the audit
 * reads it): each stack instance is in an account of its own, so their
 * account is unknown; the partition is the StackSet's.
 */
function stackSetRoles(stackSet: cloudformation.CfnStackSet): DeclaredRole[] {
  const stack = Stack.of(stackSet);
  const properties = { TemplateBody: stack.resolve(stackSet.templateBody) };
  const { template } = stackSetBody(stack.resolve(stackSet.logicalId), properties, stackContext(stack));
  const resources = resourcesOf(template);
  const { region } = literalEnvironment(stack);
  const ctx = auditContext(region, undefined, resources, template);
  return Object.entries(resources)
    .filter(([, r]) => r.Type === 'AWS::IAM::Role')
    .map(([logicalId, r]) => declaredRole(logicalId, isObject(r.Properties) ? r.Properties : {}, ctx, {
      constructPath: stackSet.node.path,
      inStackSet: true,
      templateFile: stack.templateFile,
      stackName: literal(stack.stackName) ?? stack.node.path,
      region: ctx.region,
    }));
}

/** Whether a trust reaches outside the role's own account (another account, an organisation or OU, anyone). */
export function isCrossAccount(role: DeclaredRole, trust: DeclaredTrust): boolean {
  return trust.anyPrincipal || trust.unresolvedPrincipals
    || trust.accounts.some(a => a !== role.account)
    || trust.principalArns.some(arn => accountOf(arn) !== role.account);
}
