/**
 * The access map as one self-contained HTML file: the graph drawn as inline
 * SVG (laid out here: trusted principals on the left, roles on the right,
 * each column grouped by account), and one table per trusting account. No
 * script, font, stylesheet or image is loaded from anywhere.
 */
import { accessGraph, duration, findingsText, GraphNode, guardsOfRole, permissionsText, rolesByAccount, trustedBy } from './graph';
import { AccessMap } from './model';
import { htmlText } from '../text/escape';

const COLUMN_WIDTH = 340;
const EDGE_SPACE = 300;
const MARGIN = 20;
const NODE_HEIGHT = 30;
const NODE_GAP = 10;
const GROUP_HEADER = 26;
const GROUP_PADDING = 10;
const GROUP_GAP = 16;
const MAX_LABEL = 46;
/** Average glyph width of the 12px sans-serif text, to size label backgrounds. */
const CHAR_WIDTH = 6.8;

/** Template text for HTML and SVG. */
const escape = htmlText;

/** A label that fits its box: long ones end in '…' (the whole text is the node's tooltip). */
function fit(text: string): string {
  return text.length <= MAX_LABEL ? text : `${text.slice(0, MAX_LABEL - 1)}…`;
}

interface Placed {
  readonly node: GraphNode;
  readonly y: number;
}

interface Column {
  readonly svg: string[];
  readonly placed: Map<string, Placed>;
  readonly height: number;
}

/** Lays out one column: a group per account (sorted), then the nodes of no account. */
function column(nodes: GraphNode[], x: number, kind: string): Column {
  const svg: string[] = [];
  const placed = new Map<string, Placed>();
  let y = MARGIN;
  const accounts = Array.from(new Set(nodes.flatMap(n => (n.account !== undefined ? [n.account] : [])))).sort();
  const drawNode = (node: GraphNode, nodeY: number) => {
    placed.set(node.id, { node, y: nodeY });
    const inset = node.account !== undefined ? GROUP_PADDING : 0;
    svg.push(`<g class="${kind}"><title>${escape(node.label)}</title>`
      + `<rect x="${x + inset}" y="${nodeY}" width="${COLUMN_WIDTH - 2 * inset}" height="${NODE_HEIGHT}" rx="${kind === 'role' ? 4 : 15}"/>`
      + `<text x="${x + COLUMN_WIDTH / 2}" y="${nodeY + NODE_HEIGHT / 2 + 4}" text-anchor="middle">${escape(fit(node.label))}</text></g>`);
  };
  for (const account of accounts) {
    const members = nodes.filter(n => n.account === account);
    const height = GROUP_HEADER + members.length * (NODE_HEIGHT + NODE_GAP) - NODE_GAP + GROUP_PADDING;
    svg.push(`<g class="account"><rect x="${x}" y="${y}" width="${COLUMN_WIDTH}" height="${height}" rx="6"/>`
      + `<text x="${x + GROUP_PADDING}" y="${y + 17}">account ${escape(account)}</text></g>`);
    members.forEach((node, i) => drawNode(node, y + GROUP_HEADER + i * (NODE_HEIGHT + NODE_GAP)));
    y += height + GROUP_GAP;
  }
  for (const node of nodes.filter(n => n.account === undefined)) {
    drawNode(node, y);
    y += NODE_HEIGHT + GROUP_GAP;
  }
  return { svg, placed, height: y };
}

/** The graph as an SVG element, or an empty string when nothing is drawn. */
export function renderSvg(map: AccessMap): string {
  const graph = accessGraph(map);
  if (graph.edges.length === 0) { return ''; }
  const leftX = MARGIN;
  const rightX = MARGIN + COLUMN_WIDTH + EDGE_SPACE;
  const left = column(graph.nodes.filter(n => n.kind === 'principal'), leftX, 'principal');
  const right = column(graph.nodes.filter(n => n.kind === 'role'), rightX, 'role');
  const width = rightX + COLUMN_WIDTH + MARGIN;
  const height = Math.max(left.height, right.height) + MARGIN;
  const edges: string[] = [];
  const labels: string[] = [];
  for (const edge of graph.edges) {
    const from = left.placed.get(edge.from)!;
    const to = right.placed.get(edge.to)!;
    const [x1, y1] = [leftX + COLUMN_WIDTH - (from.node.account !== undefined ? GROUP_PADDING : 0), from.y + NODE_HEIGHT / 2];
    const [x2, y2] = [rightX + GROUP_PADDING, to.y + NODE_HEIGHT / 2];
    const mid = (x1 + x2) / 2;
    edges.push(`<path d="M${x1},${y1} C${mid},${y1} ${mid},${y2} ${x2 - 6},${y2}" marker-end="url(#arrow)"/>`);
    const labelWidth = Math.ceil(edge.label.length * CHAR_WIDTH) + 10;
    const [lx, ly] = [mid, (y1 + y2) / 2];
    labels.push(`<g class="guard"><rect x="${lx - labelWidth / 2}" y="${ly - 9}" width="${labelWidth}" height="18" rx="3"/>`
      + `<text x="${lx}" y="${ly + 4}" text-anchor="middle">${escape(edge.label)}</text></g>`);
  }
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" role="img" aria-label="Cross-account access">`,
    '<defs><marker id="arrow" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" markerHeight="7" orient="auto-start-reverse">'
      + '<path d="M0,0 L10,5 L0,10 z"/></marker></defs>',
    ...left.svg, ...right.svg,
    `<g class="edges">${edges.join('')}</g>`,
    ...labels,
    '</svg>',
  ].join('\n');
}

const STYLE = `
body { font-family: system-ui, -apple-system, "Segoe UI", sans-serif; margin: 24px; color: #1b1f24; background: #fff; }
h1 { font-size: 22px; } h2 { font-size: 17px; margin-top: 28px; }
table { border-collapse: collapse; font-size: 13px; }
th, td { border: 1px solid #d0d7de; padding: 4px 8px; text-align: left; vertical-align: top; }
th { background: #f6f8fa; }
svg { font-family: system-ui, -apple-system, "Segoe UI", sans-serif; font-size: 12px; display: block; margin: 16px 0; }
svg .account rect { fill: #f6f8fa; stroke: #8c959f; }
svg .account text { fill: #57606a; font-weight: 600; }
svg .role rect { fill: #ddf4ff; stroke: #0969da; }
svg .principal rect { fill: #fff8c5; stroke: #9a6700; }
svg .edges path { fill: none; stroke: #57606a; stroke-width: 1.4; }
svg marker path { fill: #57606a; }
svg .guard rect { fill: #ffffff; stroke: #d0d7de; }
svg .guard text { fill: #1b1f24; font-size: 11px; }
`;

/** The whole map as one HTML file. */
export function renderHtml(map: AccessMap): string {
  const accounts = rolesByAccount(map);
  const list = (items: string[], none: string = '—') => (items.length === 0 ? none : items.map(escape).join('<br>'));
  const tables = accounts.map(([account, roles]) => [
    `<h2>Account ${escape(account)}</h2>`,
    '<table><thead><tr><th>Role</th><th>Trusted by</th><th>Guards</th><th>Max session</th><th>Permissions</th><th>Monitored</th><th>Findings</th></tr></thead><tbody>',
    ...roles.map(role => `<tr><td>${escape(role.role)}</td><td>${list(trustedBy(role))}</td><td>${list(guardsOfRole(role))}</td>`
      + `<td>${duration(role.maxSessionDurationSeconds)}</td><td>${list(permissionsText(role))}</td><td>${role.monitored ? 'yes' : 'no'}</td>`
      + `<td>${list(findingsText(role), 'none')}</td></tr>`),
    '</tbody></table>',
  ].join('\n'));
  return [
    '<!DOCTYPE html>',
    '<html lang="en"><head><meta charset="utf-8">',
    // nothing may be fetched: no script, no remote font, style or image
    '<meta http-equiv="Content-Security-Policy" content="default-src \'none\'; style-src \'unsafe-inline\'; img-src data:">',
    '<title>Cross-account access</title>',
    `<style>${STYLE}</style></head><body>`,
    '<h1>Cross-account access</h1>',
    `<p>${map.roles.length} role(s) in ${accounts.length} account(s). Each arrow is a trust, from whom the role trusts to the role, labelled with what the caller must show.</p>`,
    renderSvg(map),
    ...tables,
    '</body></html>',
    '',
  ].join('\n');
}
