/**
 * `cdk-cross-account-roles audit [paths…]`: the trust audit of templates and
 * cloud assemblies, the same engine as `CrossAccountTrustChecks`.
 */
import { CliIo, Command, EXIT_CLEAN, EXIT_FINDINGS, UsageError, packageVersion, writeOutput } from './command';
import { TemplateInput, templateInputs } from './inputs';
import { AuditReport, FORMATS, ReportedFinding, ReportedNote } from './report';
import { InputError } from './template-file';
import {
  AcknowledgementProblem, AuditFinding, PolicyAudit, TemplateResource,
  acknowledgementsOf, appPrincipalFindings, auditTemplateFully, principalsOf, resourcesOf,
} from '../private/audit';
import { POLICY_RESOURCE_TYPES } from '../private/audit/resource-policies';
import { AUDIT_RULES } from '../private/audit/rule-list';
import { ACCOUNT_ID_PATTERN, REGION_PATTERN } from '../private/constants';
import { compareText } from '../private/policy/compare';

/** The levels `--fail-on` takes, and the severities each fails on. */
const FAIL_ON: Record<string, string[]> = { error: ['error'], warning: ['error', 'warning'], none: [] };

/** What the audit CLI is asked for. */
export interface AuditOptions {
  /** Rule ids whose findings are left out. */
  readonly ignore?: string[];
  /** The account of templates that do not say (a template file not in a cloud assembly). */
  readonly account?: string;
  /** The region of templates that do not say. */
  readonly region?: string;
}

/** A template with what the options say of its stack where the template (its cloud assembly) does not. */
function withDefaults(input: TemplateInput, options: AuditOptions): TemplateInput {
  const account = input.environment.account ?? options.account;
  const region = input.environment.region ?? options.region;
  if (account === input.environment.account && region === input.environment.region) { return input; }
  return { ...input, environment: { ...input.environment, ...account !== undefined ? { account } : {}, ...region !== undefined ? { region } : {} } };
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
    if (resource.Metadata !== undefined && (resource.Type === 'AWS::CloudFormation::StackSet' || POLICY_RESOURCE_TYPES.includes(String(resource.Type)))) {
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
  // the app's roles and users (principal key → stack), and the policies that name some, judged once all are read
  const appPrincipals = new Map<string, string>();
  const naming: Array<{ input: TemplateInput; policy: PolicyAudit }> = [];
  const report = (input: TemplateInput, logicalId: string, innerLogicalId: string, finding: AuditFinding) => {
    if (ignored.has(finding.ruleId)) { return; }
    const { line, column } = input.positionOf(['Resources', logicalId, ...finding.locations[0].split('/')]);
    findings.push({
      file: input.file,
      line,
      column,
      stackName: input.stackName,
      logicalId,
      roleLogicalId: innerLogicalId,
      ruleId: finding.ruleId,
      severity: finding.severity,
      message: finding.description,
      fix: finding.fix,
      locations: finding.locations,
      acknowledgedReason: finding.acknowledgedReason,
    });
  };
  let roles = 0;
  let policies = 0;
  let templates = 0;
  for (const given of inputs) {
    const input = withDefaults(given, options);
    templates++;
    checkAcknowledgements(input);
    const audit = auditTemplateFully(input.template, input.environment);
    for (const role of audit.roles) {
      roles++;
      for (const finding of role.findings) { report(input, role.resourceLogicalId, role.roleLogicalId, finding); }
    }
    for (const policy of audit.policies) {
      policies++;
      for (const finding of policy.findings) { report(input, policy.resourceLogicalId, policy.policyLogicalId, finding); }
      if (policy.namedPrincipals.length > 0) { naming.push({ input, policy }); }
    }
    for (const key of principalsOf(input.template, input.environment)) { appPrincipals.set(key, stackOf(input)); }
    for (const note of audit.notes) {
      const { line, column } = input.positionOf(['Resources', note.logicalId, ...note.location.split('/')]);
      notes.push({ file: input.file, line, column, stackName: input.stackName, logicalId: note.logicalId, message: note.message });
    }
  }
  for (const { input, policy } of naming) {
    for (const finding of appPrincipalFindings(policy, appPrincipals, stackOf(input))) {
      report(input, policy.resourceLogicalId, policy.policyLogicalId, finding);
    }
  }
  // in file and position order, whatever order the paths and the assembly's manifest gave
  const order = (f: { file: string; line: number; column: number }, id: string) =>
    [f.file, String(f.line).padStart(9, '0'), String(f.column).padStart(9, '0'), id].join('\0');
  const byPosition = <T extends { file: string; line: number; column: number }>(id: (t: T) => string) =>
    (a: T, b: T) => compareText(order(a, id(a)), order(b, id(b)));
  findings.sort(byPosition(f => f.ruleId));
  notes.sort(byPosition(n => n.logicalId));
  return { version: packageVersion(), templates, roles, policies, findings, notes };
}

/** A template's stack, as messages name it: the stack of a cloud assembly, or the template file. */
const stackOf = (input: TemplateInput): string => input.stackName ?? input.file;

/** Audits the templates behind paths (files, folders of templates, cloud assemblies). */
export function auditPaths(paths: string[], options: AuditOptions = {}): AuditReport {
  return auditInputs(templateInputs(paths), options);
}

/** Splits `--ignore A,B --ignore C` and checks every id is a rule. */
function ignoredRules(values: string[]): string[] {
  const ids = values.flatMap(v => v.split(',')).map(v => v.trim()).filter(v => v !== '');
  const unknown = ids.filter(id => !AUDIT_RULES.some(rule => rule.id === id));
  if (unknown.length > 0) {
    throw new UsageError(`--ignore: no rule '${unknown[0]}'; the rules are ${AUDIT_RULES.map(r => r.id).join(', ')}`);
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
    '  --account ID                        the account of templates that do not say (template files outside a cloud assembly)',
    '  --region REGION                     the region of templates that do not say',
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
    'account': { type: 'string' },
    'region': { type: 'string' },
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
    const account = values.account as string | undefined;
    const region = values.region as string | undefined;
    if (account !== undefined && !ACCOUNT_ID_PATTERN.test(account)) { throw new UsageError(`--account must be a 12-digit account ID, got '${account}'`); }
    if (region !== undefined && !REGION_PATTERN.test(region)) { throw new UsageError(`--region must be a region name such as eu-west-1, got '${region}'`); }
    const report = auditPaths(positionals.length > 0 ? positionals : ['cdk.out'], { ignore, account, region });
    writeOutput(io, values.output as string | undefined, FORMATS[format](report));
    const failing = report.findings.filter(f => f.acknowledgedReason === undefined && FAIL_ON[failOn].includes(f.severity));
    return failing.length > 0 ? EXIT_FINDINGS : EXIT_CLEAN;
  },
};
