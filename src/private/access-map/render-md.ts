/**
 * The access map as Markdown for a pull request: a Mermaid flowchart (GitHub
 * renders it) and one table per trusting account.
 */
import { AccessGraph, accessGraph, duration, findingsText, guardsOfRole, permissionsText, rolesByAccount, sharedWith, trustedBy, GraphNode } from './graph';
import { AccessMap } from './model';
import { shareLabel } from './shares';
import { markdownText, mermaidText } from '../text/escape';

/** Template text inside a Markdown table cell: escaped (see `markdownText`), several joined by line breaks. */
function cell(parts: string[], none: string = '—'): string {
  return parts.length === 0 ? none : parts.map(markdownText).join('<br>');
}

/** A node of the flowchart: a role as a box, a shared resource as a cylinder, a principal as a stadium. */
function mermaidNode(node: GraphNode): string {
  const label = `"${mermaidText(node.label)}"`;
  return node.kind === 'role' ? `${node.id}[${label}]` : node.kind === 'resource' ? `${node.id}[(${label})]` : `${node.id}([${label}])`;
}

/** A Mermaid id for an account subgraph. */
const accountId = (account: string) => `acct_${account.replace(/[^A-Za-z0-9]/g, '_')}`;

/** The Mermaid flowchart of the map (of its graph, when already built). */
export function renderMermaid(map: AccessMap, graph: AccessGraph = accessGraph(map)): string {
  const lines = ['flowchart LR'];
  const nodesByAccount = new Map<string, GraphNode[]>();
  for (const node of graph.nodes) {
    if (node.account === undefined) { continue; }
    const nodes = nodesByAccount.get(node.account) ?? [];
    nodes.push(node);
    nodesByAccount.set(node.account, nodes);
  }
  for (const account of graph.accounts) {
    lines.push(`  subgraph ${accountId(account)}["account ${mermaidText(account)}"]`);
    for (const node of nodesByAccount.get(account) ?? []) {
      lines.push(`    ${mermaidNode(node)}`);
    }
    lines.push('  end');
  }
  for (const node of graph.nodes.filter(n => n.account === undefined)) {
    lines.push(`  ${node.id}(["${mermaidText(node.label)}"])`);
  }
  for (const edge of graph.edges) {
    lines.push(`  ${edge.from} -->|"${mermaidText(edge.label)}"| ${edge.to}`);
  }
  return lines.join('\n');
}

/** `cross-account-access.md`. */
export function renderMarkdown(map: AccessMap): string {
  const graph = accessGraph(map);
  const accounts = rolesByAccount(map);
  const out: string[] = [
    '# Cross-account access',
    '',
    `${map.roles.length} role(s) in ${accounts.length} account(s), read from the synthesized templates by cdk-cross-account-roles. `
      + 'Each arrow is a trust: from whom the role trusts to the role, labelled with what the caller must show '
      + '(`ext-id`: an external ID; `MFA ≤ n min`; `org` / `OU`: an organisation or OU condition; `IP`: source addresses). '
      + 'Arrows start from the users, groups and roles of the app that may assume the role, evaluated from their policies; '
      + 'where none may, from whom the trust names: *(account outside the app)* when the app has no stack in the trusted account, '
      + '*(none of the app\'s)* when it has, but none of its users, groups and roles there may.',
    '',
  ];
  if (graph.edges.length > 0) {
    out.push('```mermaid', renderMermaid(map, graph), '```', '');
  }
  if (graph.serviceOnlyRoles > 0) {
    out.push(`${graph.serviceOnlyRoles} role(s) trusted only by AWS services are listed in the tables, not drawn.`, '');
  }
  for (const [account, roles] of accounts) {
    out.push(`## Account ${markdownText(account)}`, '');
    out.push('| Role | Trusted by | Guards | Max session | Permissions | Monitored | Findings |');
    out.push('|---|---|---|---|---|---|---|');
    for (const role of roles) {
      out.push(`| ${cell([role.role])} | ${cell(trustedBy(role))} | ${cell(guardsOfRole(role))} | ${duration(role.maxSessionDurationSeconds)} `
        + `| ${cell(permissionsText(role))} | ${role.monitored ? 'yes' : 'no'} | ${cell(findingsText(role), 'none')} |`);
    }
    out.push('');
  }
  if (map.shares !== undefined) {
    out.push('## Shared resources', '',
      `${map.shares.length} resource(s) shared with other accounts through their resource policies: each arrow above goes from a grantee to the resource, `
      + 'labelled with the actions and what narrows them (`principal ARN`, `org`, `OU`, `source`).', '');
    out.push('| Account | Resource | Shared with | Actions | Guards | Findings |');
    out.push('|---|---|---|---|---|---|');
    for (const share of map.shares) {
      out.push(`| ${cell([share.account])} | ${cell([shareLabel(share)])} | ${cell(sharedWith(share))} | ${cell(share.grants.map(g => g.summary))} `
        + `| ${cell(share.grants.map(g => g.labels.join(', ') || 'no guard'))} | ${cell(share.findings.map(f => `${f.rule} (${f.severity})`), 'none')} |`);
    }
    out.push('');
  }
  return out.join('\n');
}
