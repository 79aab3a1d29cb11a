/**
 * `cdk-cross-account-roles map [paths…]`: the access map of templates and
 * cloud assemblies, the same model and renderings as the files that
 * `CrossAccountTrustChecks` writes into the cloud assembly.
 */
import * as fs from 'fs';
import * as path from 'path';
import { CliIo, Command, EXIT_CLEAN, UsageError, writeOutput } from './command';
import { collectTemplates } from './inputs';
import type { AccessMap, MapTemplate } from '../private/access-map/model';

/** The formats of the map. */
const MAP_FORMATS = ['md', 'json', 'html'];

/**
 * The map's model and its renderings, by `--format`: loaded when a map is
 * made, so that `audit` does not load them (nor the aws-cdk-lib modules the
 * model's app-side readers import).
 */
function mapModules(): { buildAccessMap: (templates: MapTemplate[]) => AccessMap; renderers: Record<string, (map: AccessMap) => string> } {
  /* eslint-disable @typescript-eslint/no-require-imports */
  const model = require('../private/access-map/model') as typeof import('../private/access-map/model');
  const html = require('../private/access-map/render-html') as typeof import('../private/access-map/render-html');
  const md = require('../private/access-map/render-md') as typeof import('../private/access-map/render-md');
  /* eslint-enable @typescript-eslint/no-require-imports */
  return { buildAccessMap: model.buildAccessMap, renderers: { md: md.renderMarkdown, json: model.renderJson, html: html.renderHtml } };
}

/** A path with forward slashes, as the map names templates on every platform. */
const posix = (p: string): string => p.split(path.sep).join('/');

/**
 * The templates behind the paths, as the map names them: a cloud assembly's
 * (or a folder's) templates relative to it, as the plugin names them in the
 * map it writes; a template file as given.
 */
export function mapTemplates(paths: string[]): MapTemplate[] {
  const seen = new Set<string>();
  const templates: MapTemplate[] = [];
  for (const given of paths) {
    const isDirectory = fs.existsSync(given) && fs.statSync(given).isDirectory();
    for (const input of collectTemplates([given])) {
      const key = path.resolve(input.file);
      if (seen.has(key)) { continue; }
      seen.add(key);
      templates.push({
        path: input.file,
        file: posix(isDirectory ? path.relative(given, input.file) : input.file),
        ...(input.stackName !== undefined ? { stackName: input.stackName } : {}),
        ...(input.environment.account !== undefined ? { account: input.environment.account } : {}),
        ...(input.environment.region !== undefined ? { region: input.environment.region } : {}),
        template: input.template,
      });
    }
  }
  return templates;
}

/** The `map` subcommand. */
export const MAP_COMMAND: Command = {
  name: 'map',
  summary: 'map the cross-account access of CloudFormation templates and cloud assemblies (md, json, html)',
  usage: [
    'usage: cdk-cross-account-roles map [paths…] [options]',
    '',
    'paths: .json / .yaml / .yml templates, folders of them, or cloud assembly directories',
    '       (cdk.out, stages and nested stacks included); default: cdk.out',
    '',
    'options:',
    '  --format md|json|html    md: a Mermaid flowchart and one table per account (GitHub renders it);',
    '                           json: every role, whom it trusts, its guards, permissions and findings;',
    '                           html: one self-contained file, the graph as inline SVG (default: md)',
    '  --output FILE, -o FILE   write the map to FILE instead of standard output',
    '  --help, -h               this help',
    '',
    'The map is the one CrossAccountTrustChecks writes into the cloud assembly',
    '(cross-account-access.json and .md). Use `audit` to fail a build on findings.',
    '',
    'exit status: 0 map written, 2 usage or input error',
  ].join('\n'),
  options: {
    format: { type: 'string', default: 'md' },
    output: { type: 'string', short: 'o' },
  },
  run(values, positionals, io: CliIo): number {
    const format = String(values.format);
    if (!MAP_FORMATS.includes(format)) { throw new UsageError(`--format must be one of ${MAP_FORMATS.join(', ')}, got '${format}'`); }
    const { buildAccessMap, renderers } = mapModules();
    const map = buildAccessMap(mapTemplates(positionals.length > 0 ? positionals : ['cdk.out']));
    writeOutput(io, values.output as string | undefined, renderers[format](map));
    return EXIT_CLEAN;
  },
};
