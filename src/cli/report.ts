/**
 * The CLI's audit report: every finding with its file, position and
 * resource, and its renderings (text, JSON, SARIF 2.1.0, Markdown).
 */
import * as path from 'path';
import { RESOURCE_RULES } from '../private/audit/resource-rules';
import { AUDIT_RULES } from '../private/audit/rule-list';
import { markdownCode, markdownText, terminalText } from '../private/text/escape';

/** A finding, where it is. */
export interface ReportedFinding {
  /** The template file, as given or found. */
  readonly file: string;
  /** The line and column (1-based) of the role's trust statement. */
  readonly line: number;
  readonly column: number;
  /** The stack's name, for a template of a cloud assembly. */
  readonly stackName?: string;
  /** The logical ID of the resource: the role, or the StackSet whose template holds it. */
  readonly logicalId: string;
  /** The role's logical ID in its own template (differs from `logicalId` for a StackSet's role). */
  readonly roleLogicalId: string;
  readonly ruleId: string;
  readonly severity: 'error' | 'warning';
  readonly message: string;
  readonly fix: string;
  /** Where in the resource (`Properties/AssumeRolePolicyDocument/Statement/0`). */
  readonly locations: string[];
  /** The reason given in the template's Metadata, when the finding is acknowledged there. */
  readonly acknowledgedReason?: string;
}

/** A StackSet whose template the CLI could not audit (at its `TemplateURL`, or not readable): information, not a finding. */
export interface ReportedNote {
  readonly file: string;
  readonly line: number;
  readonly column: number;
  readonly stackName?: string;
  /** The StackSet's logical ID. */
  readonly logicalId: string;
  readonly message: string;
}

/** What the CLI audited and found. */
export interface AuditReport {
  readonly version: string;
  readonly templates: number;
  readonly roles: number;
  /** The resource and identity policies audited (a role's inline policies among them). */
  readonly policies: number;
  /** The findings, acknowledged ones included, in file and position order. */
  readonly findings: ReportedFinding[];
  /** What could not be audited, one note per StackSet, in file and position order. */
  readonly notes: ReportedNote[];
}

/** The tool's home page, for SARIF. */
const INFORMATION_URI = 'https://github.com/cdk-cross-account-roles/cdk-cross-account-roles';

const active = (report: AuditReport) => report.findings.filter(f => f.acknowledgedReason === undefined);
const count = (findings: ReportedFinding[], severity: string) => findings.filter(f => f.severity === severity).length;
const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;

/** One line of totals. */
export function summary(report: AuditReport): string {
  const findings = active(report);
  const acknowledged = report.findings.length - findings.length;
  return `${plural(count(findings, 'error'), 'error')}, ${plural(count(findings, 'warning'), 'warning')}`
    + `${acknowledged > 0 ? ` (${acknowledged} acknowledged)` : ''} in ${plural(report.roles, 'role')}`
    + `${report.policies > 0 ? ` and ${report.policies} ${report.policies === 1 ? 'policy' : 'policies'}` : ''} of ${plural(report.templates, 'template')}`;
}

/**
 * For people: one finding a paragraph, `file:line:column`, then the fix; one
 * line for each StackSet whose template could not be audited. Control
 * characters of template text are written out, never sent to the terminal.
 */
export function renderText(report: AuditReport): string {
  const lines = active(report).flatMap(f => [
    `${f.file}:${f.line}:${f.column}: ${f.severity} ${f.ruleId}: ${f.logicalId}${f.stackName !== undefined ? ` (stack ${f.stackName})` : ''}: ${f.message}`,
    `  fix: ${f.fix}`,
  ]);
  const notes = report.notes.map(n => `${n.file}:${n.line}:${n.column}: info: ${n.logicalId}${n.stackName !== undefined ? ` (stack ${n.stackName})` : ''}: ${n.message}`);
  return [...lines, ...notes, summary(report)].map(terminalText).join('\n') + '\n';
}

/** For scripts: the report as it is. */
export function renderJson(report: AuditReport): string {
  return JSON.stringify({ ...report, summary: summary(report) }, null, 2) + '\n';
}

/**
 * For a pull request comment or a job summary: a table. Template text (file
 * names, logical IDs, the principals in the messages) is data: escaped, so
 * that a hostile template cannot put markup into the pull request.
 */
export function renderMarkdown(report: AuditReport): string {
  const findings = active(report);
  const rows = findings.map(f =>
    `| ${f.severity} | ${markdownCode(f.ruleId)} | ${markdownCode(`${f.file}:${f.line}`)} | ${markdownCode(f.logicalId)} | ${markdownText(f.message)} | ${markdownText(f.fix)} |`);
  const notes = report.notes.map(n => `- ${markdownCode(`${n.file}:${n.line}`)} ${markdownCode(n.logicalId)}: ${markdownText(n.message)}`);
  return [
    '## Cross-account trust audit',
    '',
    summary(report),
    ...findings.length > 0 ? ['', '| severity | rule | where | resource | finding | fix |', '|---|---|---|---|---|---|', ...rows] : [],
    ...notes.length > 0 ? ['', 'Not audited:', '', ...notes] : [],
  ].join('\n') + '\n';
}

/** A file's SARIF URI: relative to the working directory, with forward slashes. */
function artifactUri(file: string): string {
  const relative = path.relative(process.cwd(), path.resolve(file)).split(path.sep).join('/');
  return encodeURI(relative.startsWith('..') ? path.resolve(file).split(path.sep).join('/') : relative);
}

/**
 * Where a rule is explained: the rule table of the trust checks' guide, its
 * trust rules' section or its resource rules' (`test/cli.test.ts` checks
 * that both headings are in the guide).
 */
export function ruleHelpUri(ruleId: string): string {
  const section = RESOURCE_RULES.some(rule => rule.id === ruleId) ? 'resource-policies-the-second-road' : 'trust-guardrails-crossaccounttrustchecks';
  return `${INFORMATION_URI}/blob/main/docs/trust-checks.md#${section}`;
}

/**
 * SARIF 2.1.0, as GitHub code scanning reads it: one run, every rule with its
 * metadata, one result per finding at the role's trust statement, the logical
 * ID as the logical location; findings acknowledged in the template are
 * results with an in-source suppression.
 */
export function renderSarif(report: AuditReport): string {
  const rules = AUDIT_RULES.map(rule => ({
    id: rule.id,
    name: rule.id,
    shortDescription: { text: rule.description },
    fullDescription: { text: `${rule.description}. ${rule.severity === 'error' ? 'An error: the trust lets principals in that it should not, or cannot deploy.' : 'A warning: the trust may be intended; acknowledge it in the resource\'s Metadata with the reason.'}` },
    // the fix names placeholders (<provider>, <your account>): text in Markdown, not tags a viewer drops
    help: { text: rule.fix, markdown: `**Fix:** ${markdownText(rule.fix)}` },
    helpUri: ruleHelpUri(rule.id),
    defaultConfiguration: { level: rule.severity },
    properties: { 'tags': ['security', 'iam', 'cross-account'], 'precision': 'high', 'problem.severity': rule.severity },
  }));
  const results = report.findings.map(f => ({
    ruleId: f.ruleId,
    ruleIndex: AUDIT_RULES.findIndex(rule => rule.id === f.ruleId),
    level: f.severity,
    message: { text: `${f.logicalId}: ${f.message}` },
    locations: [{
      physicalLocation: {
        artifactLocation: { uri: artifactUri(f.file) },
        region: { startLine: f.line, startColumn: f.column },
      },
      logicalLocations: [{
        name: f.logicalId,
        fullyQualifiedName: [f.stackName, f.logicalId, f.roleLogicalId !== f.logicalId ? f.roleLogicalId : undefined].filter(p => p !== undefined).join('/'),
        kind: 'resource',
      }],
    }],
    partialFingerprints: { 'cdkCrossAccountRoles/v1': [f.ruleId, f.stackName ?? '', f.logicalId, f.roleLogicalId].join('|') },
    ...f.acknowledgedReason !== undefined ? { suppressions: [{ kind: 'inSource', justification: f.acknowledgedReason }] } : {},
  }));
  // what could not be audited is a notification of the run, not a result: it is no finding
  const notifications = report.notes.map(n => ({
    level: 'note',
    message: { text: `${n.logicalId}: ${n.message}` },
    locations: [{ physicalLocation: { artifactLocation: { uri: artifactUri(n.file) }, region: { startLine: n.line, startColumn: n.column } } }],
  }));
  return JSON.stringify({
    $schema: 'https://json.schemastore.org/sarif-2.1.0.json',
    version: '2.1.0',
    runs: [{
      tool: { driver: { name: 'cdk-cross-account-roles', informationUri: INFORMATION_URI, version: report.version, rules } },
      ...notifications.length > 0 ? { invocations: [{ executionSuccessful: true, toolExecutionNotifications: notifications }] } : {},
      results,
    }],
  }, null, 2) + '\n';
}

/** The renderings, by `--format`. */
export const FORMATS: Record<string, (report: AuditReport) => string> = {
  text: renderText,
  json: renderJson,
  sarif: renderSarif,
  markdown: renderMarkdown,
};
