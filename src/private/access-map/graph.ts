/**
 * The access map as a graph: accounts as groups, roles and shared resources
 * and the principals they let in as nodes, one edge per (principal, role)
 * labelled with the trust's guards, and one per (grantee, resource) labelled
 * with the actions. Shared by the Markdown (Mermaid) and HTML (SVG) renderings.
 */
import { MapAssumer } from './assumers';
import { AccessMap, MapRole } from './model';
import { MapGrant, MapShare, shareLabel } from './shares';
import { accountOf } from '../audit/rules/types';
import { Grantees } from '../organization/declared-trusts';
import { compareText } from '../policy/compare';

/** A node: a role, a shared resource, or a principal that one lets in. */
export interface GraphNode {
  /** Stable id, unique in the graph (`r0`, `s1`, `p3`, …: ordered as the map is). */
  readonly id: string;
  readonly label: string;
  /** The account group the node is drawn in; undefined for organisations, OUs, providers and anyone. */
  readonly account?: string;
  readonly kind: 'role' | 'resource' | 'principal';
}

/** An arrow from a trusted principal to a role. */
export interface GraphEdge {
  readonly from: string;
  readonly to: string;
  /** The guards, joined (`ext-id, MFA ≤ 30 min`), or `no guard`. */
  readonly label: string;
}

export interface AccessGraph {
  readonly nodes: GraphNode[];
  readonly edges: GraphEdge[];
  /** The accounts with nodes, sorted. */
  readonly accounts: string[];
  /** Roles trusted only by AWS services: in the tables, not drawn. */
  readonly serviceOnlyRoles: number;
}

/** A principal a trust lets in, as a node would show it. */
interface Source {
  readonly key: string;
  readonly label: string;
  readonly account?: string;
}

/** The short form of an IAM principal ARN: `role/name`, `user/name`. */
function shortArn(arn: string): string {
  const match = /^arn:[^:]*:[^:]*::[^:]*:(.*)$/.exec(arn);
  return match ? match[1] : arn;
}

/**
 * The principals of one trust, or of one grant of a shared resource (AWS
 * services left out: they are not drawn). From an account whose principals
 * of the app may assume the role, those users, groups and roles (evaluated,
 * trusts only); from any other account, whom the statement names: a
 * principal ARN, or any principal of the account with an identity policy
 * allowing it. For a trust, that label says which side is unknown: the
 * account has no stack in the app, or none of the app's principals there
 * may assume the role (grants of shared resources are not evaluated).
 */
export function sourcesOf(trust: Grantees & { readonly assumers?: readonly MapAssumer[]; readonly appAccounts?: readonly string[] }): Source[] {
  const sources: Source[] = [];
  const assumers = trust.assumers ?? [];
  const evaluated = new Set(assumers.map(a => a.account));
  for (const assumer of assumers) {
    const label = `${assumer.kind}/${assumer.name}${assumer.kind === 'group' ? ' (members)' : ''}${assumer.decision === 'unknown' ? ' (if deploy-time values allow)' : ''}`;
    sources.push({ key: `${assumer.kind} ${assumer.account} ${assumer.name}`, label, account: assumer.account });
  }
  const coveredAccounts = new Set<string>();
  for (const arn of trust.principalArns) {
    const account = accountOf(arn);
    if (account !== undefined) { coveredAccounts.add(account); }
    if (account === undefined || !evaluated.has(account)) { sources.push({ key: `arn ${arn}`, label: shortArn(arn), account }); }
  }
  for (const account of trust.accounts.filter(a => !coveredAccounts.has(a) && !evaluated.has(a))) {
    // which side is unknown: a trust says whether the app has the account (its principals were evaluated, and none may)
    const side = trust.appAccounts === undefined ? '' : trust.appAccounts.includes(account) ? ' (none of the app\'s)' : ' (account outside the app)';
    sources.push({ key: `account ${account}`, label: `any principal of ${account} with an identity policy allowing it${side}`, account });
  }
  if (trust.anyPrincipal) {
    for (const org of trust.organizationIds) { sources.push({ key: `org ${org}`, label: `organisation ${org}` }); }
    for (const ou of trust.organizationalUnitPaths) { sources.push({ key: `ou ${ou}`, label: `OU ${ou}` }); }
    if (trust.organizationIds.length === 0 && trust.organizationalUnitPaths.length === 0) {
      sources.push({ key: 'anyone', label: 'anyone (*)' });
    }
  }
  for (const provider of trust.federated) { sources.push({ key: `federated ${provider}`, label: shortArn(provider) }); }
  if (trust.unresolvedPrincipals) { sources.push({ key: 'deploy-time', label: 'a principal known at deploy time' }); }
  return sources;
}

/** The arrow of a grant: its actions in short, and what narrows it (`s3:GetObject, s3:ListBucket · principal ARN`). */
export function grantLabel(grant: MapGrant): string {
  return grant.labels.length > 0 ? `${grant.summary} · ${grant.labels.join(', ')}` : grant.summary;
}

/** With whom a resource is shared, in words, one entry per principal. */
export function sharedWith(share: MapShare): string[] {
  return share.grants.flatMap(grant => sourcesOf(grant).map(s => s.label));
}

/** The display name of a role. */
export function roleLabel(role: MapRole): string {
  return role.role;
}

/** The graph of a map, ordered as the map is: ids and order are stable. */
export function accessGraph(map: AccessMap): AccessGraph {
  const nodes: GraphNode[] = [];
  const edges: GraphEdge[] = [];
  const principals = new Map<string, GraphNode>();
  const pending: Array<{ source: Source; role: string; label: string }> = [];
  let serviceOnlyRoles = 0;
  map.roles.forEach((role, i) => {
    const id = `r${i}`;
    const drawn = role.trusts.flatMap(trust => sourcesOf(trust).map(source => ({ source, label: trust.labels.join(', ') || 'no guard' })));
    if (drawn.length === 0) {
      serviceOnlyRoles += role.trusts.length > 0 ? 1 : 0;
      return;
    }
    nodes.push({ id, label: roleLabel(role), account: role.account, kind: 'role' });
    pending.push(...drawn.map(d => ({ ...d, role: id })));
  });
  (map.shares ?? []).forEach((share, i) => {
    const id = `s${i}`;
    const drawn = share.grants.flatMap(grant => sourcesOf(grant).map(source => ({ source, label: grantLabel(grant) })));
    if (drawn.length === 0) { return; }
    nodes.push({ id, label: shareLabel(share), account: share.account, kind: 'resource' });
    pending.push(...drawn.map(d => ({ ...d, role: id })));
  });
  const sourceIndex = new Map(Array.from(new Set(pending.map(p => p.source.key))).sort().map((key, i) => [key, i]));
  for (const p of pending) {
    if (!principals.has(p.source.key)) {
      principals.set(p.source.key, { id: `p${sourceIndex.get(p.source.key)}`, label: p.source.label, account: p.source.account, kind: 'principal' });
    }
  }
  const edgeKeys = new Set<string>();
  for (const p of pending) {
    const from = principals.get(p.source.key)!.id;
    const key = `${from}>${p.role}>${p.label}`;
    if (edgeKeys.has(key)) { continue; }
    edgeKeys.add(key);
    edges.push({ from, to: p.role, label: p.label });
  }
  nodes.push(...Array.from(principals.values()).sort((a, b) => Number(a.id.slice(1)) - Number(b.id.slice(1))));
  const accounts = Array.from(new Set(nodes.flatMap(n => (n.account !== undefined ? [n.account] : [])))).sort();
  return { nodes, edges, accounts, serviceOnlyRoles };
}

/** A duration in seconds as `4 h`, `90 min`. */
export function duration(seconds: number): string {
  return seconds % 3600 === 0 ? `${seconds / 3600} h` : `${Math.round(seconds / 60)} min`;
}

/** Whom a role trusts, in words, one entry per principal (services included). */
export function trustedBy(role: MapRole): string[] {
  return role.trusts.flatMap(trust => [...sourcesOf(trust).map(s => s.label), ...trust.services]);
}

/** The guards of a role's trusts, in words, one entry per different set of guards (two trusts on the same guards are said once). */
export function guardsOfRole(role: MapRole): string[] {
  return Array.from(new Set(role.trusts.map(trust => trust.labels.join(', ') || 'no guard')));
}

/** The permissions of a role, in words. */
export function permissionsText(role: MapRole): string[] {
  return [...(role.permissions.adminEquivalent ? ['admin-equivalent (* on *)'] : []), ...role.permissions.managedPolicies];
}

/** The findings of a role, in words. */
export function findingsText(role: MapRole): string[] {
  return role.findings.map(f => `${f.rule} (${f.severity})`);
}

/** The map's roles by account, accounts sorted. */
export function rolesByAccount(map: AccessMap): Array<[string, MapRole[]]> {
  const byAccount = new Map<string, MapRole[]>();
  for (const role of map.roles) {
    const roles = byAccount.get(role.account) ?? [];
    roles.push(role);
    byAccount.set(role.account, roles);
  }
  return Array.from(byAccount.entries()).sort(([a], [b]) => compareText(a, b));
}
