/**
 * `cdk-cross-account-roles explain [paths…]`: why a request is allowed or
 * denied, from the app's templates, for a request given by options or read
 * from a CloudTrail event. The same `AccessExplainer` users call in tests.
 */
import * as fs from 'fs';
import { EventRequest, SkippedEvent, eventsOf, isRequest, requestOf, withoutDuplicates } from './cloudtrail';
import { CliIo, Command, EXIT_CLEAN, EXIT_FINDINGS, UsageError, packageVersion, writeOutput } from './command';
import { InputError } from './template-file';
import { AccessExplainer, AccessRequest } from '../access-explainer';
import { AccessDecision, AccessExplanation } from '../access-explanation';
import { ExplainInputError } from '../private/explain/explain';

/** Exit status of an undetermined request: the app's templates do not decide it. */
export const EXIT_UNDETERMINED = 3;

/** One request explained, with the event it came from. */
export interface ExplainedRequest {
  /** The CloudTrail event, in a few words, when the request came from one. */
  readonly event?: string;
  /** What CloudTrail recorded of the event's outcome. */
  readonly recorded?: string;
  readonly explanation: AccessExplanation;
}

/** What `explain` reports. */
export interface ExplainReport {
  readonly version: string;
  readonly explained: ExplainedRequest[];
  /** Events of the CloudTrail file that could not be explained, and why. */
  readonly skipped: SkippedEvent[];
}

const cell = (value: string) => value.replace(/\|/g, '\\|').replace(/\n/g, ' ');

/** Where a layer's first statement is: `file:line`. */
function where(layer: AccessExplanation['layers'][number]): string {
  const s = layer.statements[0];
  return s?.file !== undefined ? `${s.file}${s.line !== undefined ? `:${s.line}` : ''}` : '';
}

/** For people: a verdict line, one line per layer, then the fixes (or what is missing). */
export function renderText(report: ExplainReport): string {
  const blocks = report.explained.map(({ event, recorded, explanation: e }) => {
    const width = Math.max(...e.layers.map(l => `${l.layer} ${l.action === e.action ? '' : `(${l.action}) `}`.length));
    return [
      ...event !== undefined ? [`event ${event}: CloudTrail recorded ${recorded}`] : [],
      e.summary,
      ...e.layers.map(l => {
        const name = `${l.layer} ${l.action === e.action ? '' : `(${l.action}) `}`.padEnd(width);
        const at = where(l);
        return `  ${name} ${l.decision.padEnd(13)} ${l.reason}${at !== '' ? ` [${at}]` : ''}`;
      }),
      ...e.fixes.map(f => `fix: ${f}`),
      ...e.missing.map(m => `missing: ${m}`),
    ].join('\n');
  });
  const skipped = report.skipped.map(s => `skipped ${s.event}: ${s.reason}`);
  return [...blocks, ...skipped].join('\n\n') + '\n';
}

/** For scripts: every explanation as it is. */
export function renderJson(report: ExplainReport): string {
  return JSON.stringify(report, null, 2) + '\n';
}

/** For a pull request or a job summary: a section per request, a table of its layers. */
export function renderMarkdown(report: ExplainReport): string {
  const sections = report.explained.map(({ event, recorded, explanation: e }) => [
    `## ${e.decision}: \`${cell(e.principal)}\` \`${e.action}\` on \`${cell(e.resource)}\``,
    '',
    ...event !== undefined ? [`CloudTrail event ${cell(event)}: ${cell(recorded ?? '')}`, ''] : [],
    '| layer | action | decision | why | where |',
    '|---|---|---|---|---|',
    ...e.layers.map(l => `| ${l.layer} | \`${l.action}\` | ${l.decision} | ${cell(l.reason)} | ${where(l) !== '' ? `\`${cell(where(l))}\`` : ''} |`),
    ...e.fixes.length > 0 ? ['', '**Fix:**', '', ...e.fixes.map(f => `- ${cell(f)}`)] : [],
    ...e.missing.length > 0 ? ['', '**Missing:**', '', ...e.missing.map(m => `- ${cell(m)}`)] : [],
  ].join('\n'));
  const skipped = report.skipped.length > 0 ? [['## Skipped events', '', ...report.skipped.map(s => `- ${cell(s.event)}: ${cell(s.reason)}`)].join('\n')] : [];
  return [...sections, ...skipped].join('\n\n') + '\n';
}

const EXPLAIN_FORMATS: Record<string, (report: ExplainReport) => string> = {
  text: renderText,
  json: renderJson,
  markdown: renderMarkdown,
};

/** `KEY=VALUE` → its parts; a usage error naming the option otherwise. */
function keyValue(option: string, value: string): [string, string] {
  const at = value.indexOf('=');
  if (at <= 0) { throw new UsageError(`${option} takes KEY=VALUE, got '${value}'`); }
  return [value.slice(0, at), value.slice(at + 1)];
}

/** A whole number of seconds given to an option. */
function seconds(option: string, value: unknown): number | undefined {
  if (value === undefined) { return undefined; }
  if (!/^\d+$/.test(String(value))) { throw new UsageError(`${option} takes a whole number of seconds, got '${value}'`); }
  return Number(value);
}

/** The request the options describe. */
function requestFromOptions(values: Record<string, unknown>): AccessRequest {
  const missing = ['principal', 'action', 'resource'].filter(o => values[o] === undefined);
  if (missing.length > 0) {
    throw new UsageError(`give --${missing.join(', --')} (or --cloudtrail FILE)`);
  }
  const context: Record<string, string> = {};
  const multi: Record<string, string[]> = {};
  for (const pair of values.context as string[]) {
    const [key, value] = keyValue('--context', pair);
    // a key given several times is multivalued (aws:TagKeys, aws:PrincipalOrgPaths ...)
    if (key in multi) {
      multi[key].push(value);
    } else if (key in context) {
      multi[key] = [context[key], value];
      delete context[key];
    } else {
      context[key] = value;
    }
  }
  if (values['external-id'] !== undefined) { context['sts:ExternalId'] = String(values['external-id']); }
  const mfaAge = seconds('--mfa-age', values['mfa-age']);
  if (mfaAge !== undefined) {
    context['aws:MultiFactorAuthPresent'] = 'true';
    context['aws:MultiFactorAuthAge'] = String(mfaAge);
  }
  if (values['source-ip'] !== undefined) { context['aws:SourceIp'] = String(values['source-ip']); }
  const tags = Object.fromEntries((values.tag as string[]).map(t => keyValue('--tag', t)));
  let sessionPolicy: string | undefined;
  if (values['session-policy'] !== undefined) {
    const file = String(values['session-policy']);
    try {
      sessionPolicy = fs.readFileSync(file, 'utf-8');
    } catch (e) {
      throw new InputError(file, `cannot read the session policy (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
    }
  }
  const duration = seconds('--duration', values.duration);
  return {
    principal: String(values.principal),
    action: String(values.action),
    resource: String(values.resource),
    context,
    ...(Object.keys(multi).length > 0 ? { multiValuedContext: multi } : {}),
    ...(duration !== undefined ? { durationSeconds: duration } : {}),
    ...(sessionPolicy !== undefined ? { sessionPolicy } : {}),
    ...(values['session-name'] !== undefined ? { roleSessionName: String(values['session-name']) } : {}),
    ...(values['source-identity'] !== undefined ? { sourceIdentity: String(values['source-identity']) } : {}),
    ...(Object.keys(tags).length > 0 ? { sessionTags: tags } : {}),
  };
}

/** The requests of a CloudTrail file, and the events skipped. */
function requestsFromCloudTrail(file: string): { requests: EventRequest[]; skipped: SkippedEvent[] } {
  let json: unknown;
  try {
    json = JSON.parse(fs.readFileSync(file, 'utf-8'));
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new InputError(file, code !== undefined ? `cannot read the file (${code})` : `not valid JSON: ${(e as Error).message}`);
  }
  const read = withoutDuplicates(eventsOf(json)).map(requestOf);
  const requests = read.filter(isRequest);
  const skipped = read.filter((r): r is SkippedEvent => !isRequest(r));
  if (requests.length === 0) {
    throw new InputError(file, `no event to explain${skipped.length > 0 ? ` (${skipped[0].event}: ${skipped[0].reason})` : ''}`);
  }
  return { requests, skipped };
}

/** Explains requests against the templates behind the paths. */
export function explainPaths(paths: string[], requests: Array<{ event?: string; recorded?: string; request: AccessRequest }>,
  options: { account?: string; region?: string } = {}): ExplainedRequest[] {
  let explainer: AccessExplainer;
  try {
    explainer = AccessExplainer.fromTemplates(paths, options);
  } catch (e) {
    if (e instanceof InputError) { throw e; }
    throw new UsageError((e as Error).message);
  }
  return requests.map(({ event, recorded, request }) => {
    try {
      return { ...(event !== undefined ? { event, recorded } : {}), explanation: explainer.explain(request) };
    } catch (e) {
      if (e instanceof ExplainInputError) { throw new UsageError(`${event !== undefined ? `${event}: ` : ''}${e.message}`); }
      throw e;
    }
  });
}

/** Exit status: denied if any request is, else undetermined if any is, else allowed. */
export function exitStatus(explained: ExplainedRequest[]): number {
  const decisions = explained.map(e => e.explanation.decision);
  if (decisions.includes(AccessDecision.DENIED)) { return EXIT_FINDINGS; }
  return decisions.includes(AccessDecision.UNDETERMINED) ? EXIT_UNDETERMINED : EXIT_CLEAN;
}

/** The `explain` subcommand. */
export const EXPLAIN_COMMAND: Command = {
  name: 'explain',
  summary: 'explain why a request (or a CloudTrail event) is allowed or denied, from the templates of the app',
  usage: [
    'usage: cdk-cross-account-roles explain [paths…] --principal ARN --action ACTION --resource ARN [options]',
    '       cdk-cross-account-roles explain [paths…] --cloudtrail FILE [options]',
    '',
    'paths: .json / .yaml / .yml templates, folders of them, or cloud assembly directories',
    '       (cdk.out, stages and nested stacks included); default: cdk.out',
    '',
    'the request:',
    '  --principal ARN             the caller: an IAM user or role ARN, an assumed-role session ARN,',
    '                              or an account ID (a principal of that account, not known more closely)',
    '  --action ACTION             e.g. sts:AssumeRole, s3:GetObject',
    '  --resource ARN              the role, object, key, queue ...',
    '  --context KEY=VALUE         a condition key of the request (repeatable; a key given twice is multivalued)',
    '  --external-id ID            sts:ExternalId',
    '  --mfa-age SECONDS           signed in with MFA that many seconds ago (aws:MultiFactorAuthPresent and -Age)',
    '  --source-ip IP              aws:SourceIp',
    '  --duration SECONDS          DurationSeconds of an sts:AssumeRole (default 3600)',
    '  --session-name NAME         RoleSessionName of an sts:AssumeRole',
    '  --source-identity NAME      SourceIdentity of an sts:AssumeRole (needs sts:SetSourceIdentity too)',
    '  --tag KEY=VALUE             a session tag of an sts:AssumeRole (repeatable; needs sts:TagSession too)',
    '  --session-policy FILE       the session policy of the caller\'s role session (JSON)',
    'or:',
    '  --cloudtrail FILE           explain the events of a CloudTrail file: one event, {"Records": [...]},',
    '                              lookup-events output, or an EventBridge event; from either account',
    '',
    'templates:',
    '  --account ID                the account of templates that do not say (plain template files)',
    '  --region REGION             the region of templates that do not say',
    '',
    'output:',
    '  --format text|json|markdown report format (default: text)',
    '  --output FILE, -o FILE      write the report to FILE instead of standard output',
    '  --help, -h                  this help',
    '',
    'exit status: 0 allowed, 1 denied, 2 usage or input error, 3 undetermined',
    '             (several requests: 1 if any is denied, else 3 if any is undetermined)',
  ].join('\n'),
  options: {
    'principal': { type: 'string' },
    'action': { type: 'string' },
    'resource': { type: 'string' },
    'context': { type: 'string', multiple: true, default: [] },
    'external-id': { type: 'string' },
    'mfa-age': { type: 'string' },
    'source-ip': { type: 'string' },
    'duration': { type: 'string' },
    'session-name': { type: 'string' },
    'source-identity': { type: 'string' },
    'tag': { type: 'string', multiple: true, default: [] },
    'session-policy': { type: 'string' },
    'cloudtrail': { type: 'string' },
    'account': { type: 'string' },
    'region': { type: 'string' },
    'format': { type: 'string', default: 'text' },
    'output': { type: 'string', short: 'o' },
  },
  run(values, positionals, io: CliIo): number {
    const format = String(values.format);
    if (!(format in EXPLAIN_FORMATS)) { throw new UsageError(`--format must be one of ${Object.keys(EXPLAIN_FORMATS).join(', ')}, got '${format}'`); }
    const requestOptions = ['principal', 'action', 'resource', 'external-id', 'mfa-age', 'source-ip', 'duration', 'session-name', 'source-identity', 'session-policy'];
    let requests: Array<{ event?: string; recorded?: string; request: AccessRequest }>;
    let skipped: SkippedEvent[] = [];
    if (values.cloudtrail !== undefined) {
      const given = requestOptions.filter(o => values[o] !== undefined);
      if (given.length > 0 || (values.context as string[]).length > 0 || (values.tag as string[]).length > 0) {
        throw new UsageError(`--cloudtrail builds the request from the event; leave out --${[...given, ...(values.context as string[]).length > 0 ? ['context'] : []][0] ?? 'tag'}`);
      }
      const read = requestsFromCloudTrail(String(values.cloudtrail));
      requests = read.requests.map(r => ({ event: r.event, recorded: r.outcome, request: r.request }));
      skipped = read.skipped;
    } else {
      requests = [{ request: requestFromOptions(values) }];
    }
    const explained = explainPaths(positionals.length > 0 ? positionals : ['cdk.out'], requests, {
      ...(values.account !== undefined ? { account: String(values.account) } : {}),
      ...(values.region !== undefined ? { region: String(values.region) } : {}),
    });
    writeOutput(io, values.output as string | undefined, EXPLAIN_FORMATS[format]({ version: packageVersion(), explained, skipped }));
    return exitStatus(explained);
  },
};
