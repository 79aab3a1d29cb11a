/**
 * `cdk-cross-account-roles audit [paths…]`: the trust audit of templates and
 * cloud assemblies, the same engine as `CrossAccountTrustChecks`.
 */
import { CliIo, Command, EXIT_CLEAN, EXIT_FINDINGS, UsageError, packageVersion, writeOutput } from './command';
import { TemplateInput, templateInputs } from './inputs';
import { AuditReport, FORMATS, ReportedFinding, ReportedNote } from './report';
import { InputError } from './template-file';
import { AcknowledgementProblem, TemplateResource, acknowledgementsOf, auditTemplateFully, resourcesOf } from '../private/audit';
import { TRUST_RULES } from '../private/audit/rules';
import { compareText } from '../private/policy/compare';

/** The levels `--fail-on` takes, and the severities each fails on. */
const FAIL_ON: Record<string, string[]> = { error: ['error'], warning: ['error', 'warning'], none: [] };

/** What the audit CLI is asked for. */
export interface AuditOptions {
  /** Rule ids whose findings are left out. */
  readonly ignore?: string[];
}

/** Acknowledgements in a template's Metadata that name no rule or give no reason are errors of the file, at their position. */
function checkAcknowledgements(input: TemplateInput): void {
  const check = (logicalId: string, resource: TemplateResource, at: string[]) => {
    const problems: AcknowledgementProblem[] = [];
    acknowledgementsOf(logicalId, resource, problems);
    const problem = problems[0];
    if (problem !== undefined) {
      const entry = [...at, 'Metadata', 'cdk-cross-account-roles', 'acknowledge', ...problem.index >= 0 ? [String(problem.index)] : []];
      const { line, column } = input.positionOf(entry);
      throw new InputError(input.file, `${logicalId}: ${problem.problem}`, line, column);
    }
  };
  const resources = resourcesOf(input.template);
  for (const logicalId in resources) {
    const resource = resources[logicalId];
    // only resources with Metadata can hold an acknowledgement
    if (resource.Metadata !== undefined && (resource.Type === 'AWS::IAM::Role' || resource.Type === 'AWS::CloudFormation::StackSet')) {
      check(logicalId, resource, ['Resources', logicalId]);
    }
  }
}

/**
 * Audits templates, as they are read (a list, or `templateInputs` reading
 * them one by one): every role's findings, at the position of its trust statement.
 */
export function auditInputs(inputs: Iterable<TemplateInput>, options: AuditOptions = {}): AuditReport {
  const ignored = new Set(options.ignore ?? []);
  const findings: ReportedFinding[] = [];
  const notes: ReportedNote[] = [];
  let roles = 0;
  let templates = 0;
  for (const input of inputs) {
    templates++;
    checkAcknowledgements(input);
    const audit = auditTemplateFully(input.template, input.environment);
    for (const role of audit.roles) {
      roles++;
      if (role.findings.length === 0) { continue; }
      for (const finding of role.findings.filter(f => !ignored.has(f.ruleId))) {
        const { line, column } = input.positionOf(['Resources', role.resourceLogicalId, ...finding.locations[0].split('/')]);
        findings.push({
          file: input.file,
          line,
          column,
          stackName: input.stackName,
          logicalId: role.resourceLogicalId,
          roleLogicalId: role.roleLogicalId,
          ruleId: finding.ruleId,
          severity: finding.severity,
          message: finding.description,
          fix: finding.fix,
          locations: finding.locations,
          acknowledgedReason: finding.acknowledgedReason,
        });
      }
    }
    for (const note of audit.notes) {
      const { line, column } = input.positionOf(['Resources', note.logicalId, ...note.location.split('/')]);
      notes.push({ file: input.file, line, column, stackName: input.stackName, logicalId: note.logicalId, message: note.message });
    }
  }
  // in file and position order, whatever order the paths and the assembly's manifest gave
  const order = (f: { file: string; line: number; column: number }, id: string) =>
    [f.file, String(f.line).padStart(9, '0'), String(f.column).padStart(9, '0'), id].join('\0');
  const byPosition = <T extends { file: string; line: number; column: number }>(id: (t: T) => string) =>
    (a: T, b: T) => compareText(order(a, id(a)), order(b, id(b)));
  findings.sort(byPosition(f => f.ruleId));
  notes.sort(byPosition(n => n.logicalId));
  return { version: packageVersion(), templates, roles, findings, notes };
}

/** Audits the templates behind paths (files, folders of templates, cloud assemblies). */
export function auditPaths(paths: string[], options: AuditOptions = {}): AuditReport {
  return auditInputs(templateInputs(paths), options);
}

/** Splits `--ignore A,B --ignore C` and checks every id is a rule. */
function ignoredRules(values: string[]): string[] {
  const ids = values.flatMap(v => v.split(',')).map(v => v.trim()).filter(v => v !== '');
  const unknown = ids.filter(id => !TRUST_RULES.some(rule => rule.id === id));
  if (unknown.length > 0) {
    throw new UsageError(`--ignore: no rule '${unknown[0]}'; the rules are ${TRUST_RULES.map(r => r.id).join(', ')}`);
  }
  return ids;
}

/** The `audit` subcommand. */
export const AUDIT_COMMAND: Command = {
  name: 'audit',
  summary: 'audit the trust policy of every IAM role in CloudFormation templates and cloud assemblies',
  usage: [
    'usage: cdk-cross-account-roles audit [paths…] [options]',
    '',
    'paths: .json / .yaml / .yml templates, folders of them, or cloud assembly directories',
    '       (cdk.out, stages and nested stacks included); default: cdk.out',
    '',
    'options:',
    '  --format text|json|sarif|markdown   report format (default: text)',
    '  --output FILE, -o FILE              write the report to FILE instead of standard output',
    '  --fail-on error|warning|none        exit 1 when findings of this severity or worse remain (default: error)',
    '  --ignore RULE[,RULE]                leave out the findings of these rules (repeatable)',
    '  --help, -h                          this help',
    '',
    'Acknowledge a finding on one resource in its Metadata, with the reason:',
    '  Metadata:',
    '    cdk-cross-account-roles:',
    '      acknowledge:',
    '        - id: UnconditionedCrossAccountTrust',
    '          reason: account 222222222222 is our own backup account',
    '',
    'exit status: 0 clean, 1 findings at or above --fail-on, 2 usage or input error',
  ].join('\n'),
  options: {
    'format': { type: 'string', default: 'text' },
    'output': { type: 'string', short: 'o' },
    'fail-on': { type: 'string', default: 'error' },
    'ignore': { type: 'string', multiple: true, default: [] },
  },
  run(values, positionals, io: CliIo): number {
    const format = String(values.format);
    const failOn = String(values['fail-on']);
    if (!(format in FORMATS)) { throw new UsageError(`--format must be one of ${Object.keys(FORMATS).join(', ')}, got '${format}'`); }
    if (!(failOn in FAIL_ON)) { throw new UsageError(`--fail-on must be one of ${Object.keys(FAIL_ON).join(', ')}, got '${failOn}'`); }
    const ignore = ignoredRules(values.ignore as string[]);
    const report = auditPaths(positionals.length > 0 ? positionals : ['cdk.out'], { ignore });
    writeOutput(io, values.output as string | undefined, FORMATS[format](report));
    const failing = report.findings.filter(f => f.acknowledgedReason === undefined && FAIL_ON[failOn].includes(f.severity));
    return failing.length > 0 ? EXIT_FINDINGS : EXIT_CLEAN;
  },
};
