/**
 * The validation plugin's side of the access map: collects the trust rules'
 * findings of every `validate` call (aws-cdk-lib calls it once per
 * environment) and writes `cross-account-access.{json,md}` for the whole app
 * into its cloud assembly.
 */
import * as fs from 'fs';
import * as path from 'path';
import { PolicyViolation, Stack, Stage, Token } from 'aws-cdk-lib';
import { IConstruct } from 'constructs';
import { ACCESS_MAP_JSON, ACCESS_MAP_MD, buildAccessMap, MapFinding, MapTemplate, renderJson } from './model';
import { renderMarkdown } from './render-md';

/** What one synthesis of an app has seen and written so far. */
interface SynthState {
  /** Findings by `<absolute template path>#<logical id>`. */
  readonly findings: Map<string, MapFinding[]>;
  /** Files that already held an older map when this synthesis began: written once synthesis returns. */
  readonly deferred: Set<string>;
  /** Files this synthesis wrote itself (it may write them again). */
  readonly written: Set<string>;
}

/** A literal value of a stack's environment, or undefined when it is a token. */
function literal(value: string | undefined): string | undefined {
  return value !== undefined && !Token.isUnresolved(value) ? value : undefined;
}

/** The templates of every stack (nested stacks and stages included) below an app or stage, as synthesized. */
export function appTemplates(root: IConstruct, outdir: string): MapTemplate[] {
  const templates: MapTemplate[] = [];
  for (const stack of root.node.findAll().filter(Stack.isStack)) {
    const stage = Stage.of(stack);
    if (stage === undefined) { continue; }
    const templatePath = path.join(stage.outdir, stack.templateFile);
    if (!fs.existsSync(templatePath)) { continue; }
    let top: Stack = stack;
    while (top.nestedStackParent !== undefined) { top = top.nestedStackParent; }
    templates.push({
      path: templatePath,
      file: path.relative(outdir, templatePath).split(path.sep).join('/'),
      stackName: literal(stack.stackName) ?? stack.node.path,
      account: literal(stack.account) ?? literal(top.account),
      region: literal(stack.region) ?? literal(top.region),
    });
  }
  return templates.sort((a, b) => a.file.localeCompare(b.file));
}

/**
 * Writes the access map of the app a plugin validates, with the findings the
 * plugin reported. One per plugin instance; it keeps what each synthesis of
 * each app has seen.
 */
export class AccessMapWriter {
  private readonly synths = new WeakMap<IConstruct, SynthState>();

  /**
   * Records a `validate` call's violations and writes the map of the whole
   * app as it is known now (the last call of a synthesis writes it complete).
   */
  public update(appConstruct: IConstruct, violations: PolicyViolation[]): void {
    if (!Stage.isStage(appConstruct)) { return; }
    const state = this.synths.get(appConstruct) ?? { findings: new Map(), deferred: new Set(), written: new Set() };
    this.synths.set(appConstruct, state);
    for (const violation of violations) {
      for (const resource of violation.violatingResources) {
        if (resource.templatePath === undefined) { continue; }
        const key = `${path.resolve(resource.templatePath)}#${resource.resourceLogicalId}`;
        const finding = { rule: violation.ruleName, severity: violation.severity ?? 'error', message: violation.description };
        const known: MapFinding[] = state.findings.get(key) ?? [];
        if (!known.some(f => f.rule === finding.rule && f.message === finding.message)) {
          state.findings.set(key, [...known, finding].sort((a, b) => a.rule.localeCompare(b.rule) || a.message.localeCompare(b.message)));
        }
      }
    }
    const outdir = appConstruct.outdir;
    const map = buildAccessMap(appTemplates(appConstruct, outdir),
      (templatePath, logicalId) => state.findings.get(`${path.resolve(templatePath)}#${logicalId}`) ?? []);
    write(state, path.join(outdir, ACCESS_MAP_JSON), renderJson(map));
    write(state, path.join(outdir, ACCESS_MAP_MD), renderMarkdown(map));
  }
}

/**
 * Writes a file of the map. aws-cdk-lib refuses a validation plugin that
 * changes a file the cloud assembly held before validation began (an older
 * map, when `cdk.out` is reused): such a file is written as soon as
 * synthesis returns, when the CLI has not read the assembly yet.
 */
function write(state: SynthState, file: string, content: string): void {
  if (state.deferred.has(file)) {
    setImmediate(() => fs.writeFileSync(file, content));
    return;
  }
  if (fs.existsSync(file)) {
    if (fs.readFileSync(file, 'utf-8') === content) { return; }
    if (!state.written.has(file)) {
      state.deferred.add(file);
      setImmediate(() => fs.writeFileSync(file, content));
      return;
    }
  }
  fs.writeFileSync(file, content);
  state.written.add(file);
}
