/**
 * The validation plugin's side of the access map: writes
 * `cross-account-access.{json,md}` for the whole app into its cloud assembly.
 */
import * as fs from 'fs';
import * as path from 'path';
import { Stack, Stage } from 'aws-cdk-lib';
import { IConstruct } from 'constructs';
import { ACCESS_MAP_JSON, ACCESS_MAP_MD, buildAccessMap, MapTemplate, renderJson } from './model';
import { renderMarkdown } from './render-md';
import { RoleAudit } from '../audit/engine';
import { RuleContext } from '../audit/rules';
import { compareText } from '../policy/compare';
import { literal, literalEnvironment, topLevelStack } from '../policy/stack-env';

/** The templates of the given stacks (every stack below an app or stage, nested stacks included), as synthesized. */
export function appTemplates(stacks: readonly Stack[], outdir: string): MapTemplate[] {
  const templates: MapTemplate[] = [];
  for (const stack of stacks) {
    const stage = Stage.of(stack);
    if (stage === undefined) { continue; }
    const templatePath = path.join(stage.outdir, stack.templateFile);
    if (!fs.existsSync(templatePath)) { continue; }
    const top = topLevelStack(stack);
    templates.push({
      path: templatePath,
      file: path.relative(outdir, templatePath).split(path.sep).join('/'),
      // a nested stack is named after the stack it deploys with, as the CLI names it (its own name is known at deploy time only)
      stackName: literal(top.stackName) ?? top.node.path,
      ...literalEnvironment(stack),
    });
  }
  return templates.sort((a, b) => compareText(a.file, b.file));
}

/** A template the plugin has read and audited already, by its absolute path. */
export interface AuditedTemplate {
  readonly template: unknown;
  readonly audits: RoleAudit[];
}

/**
 * Writes the access map of the app a plugin validates into its cloud
 * assembly, once per synthesis: aws-cdk-lib calls a plugin once per
 * environment, after every template is written, so the first call sees them all.
 */
export class AccessMapWriter {
  private readonly written = new WeakSet<IConstruct>();

  /**
   * Writes the map of the app (or stage) being validated, of its `stacks`
   * (every stack below it, nested ones included); `rules` is what the
   * trust rules know of the whole app (its organisation perimeters), so that
   * the map lists the findings the plugin reports. `audited` holds the
   * templates the plugin has audited with those rules (by absolute path): they
   * are neither read nor audited again.
   */
  public write(appConstruct: IConstruct, stacks: readonly Stack[], rules: RuleContext = {},
    audited: ReadonlyMap<string, AuditedTemplate> = new Map()): void {
    if (!Stage.isStage(appConstruct) || this.written.has(appConstruct)) { return; }
    this.written.add(appConstruct);
    const outdir = appConstruct.outdir;
    const templates = appTemplates(stacks, outdir).map(t => ({ ...t, ...audited.get(path.resolve(t.path)) }));
    const map = buildAccessMap(templates, rules);
    writeFile(path.join(outdir, ACCESS_MAP_JSON), renderJson(map));
    writeFile(path.join(outdir, ACCESS_MAP_MD), renderMarkdown(map));
  }
}

/**
 * Writes a file of the map. aws-cdk-lib refuses a validation plugin that
 * changes a file the cloud assembly held before validation began: an older
 * map, when `cdk.out` is reused. Such a file is rewritten as soon as synthesis
 * returns (before the CDK CLI, which runs the app, reads the assembly).
 */
function writeFile(file: string, content: string): void {
  if (!fs.existsSync(file)) {
    fs.writeFileSync(file, content);
  } else if (fs.readFileSync(file, 'utf-8') !== content) {
    setImmediate(() => fs.writeFileSync(file, content));
  }
}
