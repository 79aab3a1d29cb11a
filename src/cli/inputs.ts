/**
 * The templates behind the paths given to the CLI: template files, and cloud
 * assembly directories (such as `cdk.out`) with their stacks, the nested
 * assemblies of their stages and the nested stacks' templates.
 */
import * as fs from 'fs';
import * as path from 'path';
import { InputError, TemplateFile, readTemplateText } from './template-file';
import { TemplateEnvironment, isObject, resourcesOf } from '../private/audit';

/** A template to audit, and what is known of the stack it is deployed as. */
export interface TemplateInput extends TemplateFile {
  readonly environment: TemplateEnvironment;
  /** The stack's name, for a template of a cloud assembly. */
  readonly stackName?: string;
}

const TEMPLATE_FILE = /\.(json|ya?ml|template)$/i;

/** Reads one template file. */
export function readTemplateFile(file: string, environment: TemplateEnvironment = {}, stackName?: string): TemplateInput {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf-8');
  } catch (e) {
    throw new InputError(file, `cannot read the file (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
  }
  return { ...readTemplateText(file, text), environment, stackName };
}

/** `aws://123456789012/eu-west-1` → its account and region, when literal. */
function environmentOf(uri: unknown): TemplateEnvironment {
  const match = typeof uri === 'string' ? /^aws:\/\/([^/]*)\/(.*)$/.exec(uri) : null;
  if (match === null) { return {}; }
  return {
    account: /^\d{12}$/.test(match[1]) ? match[1] : undefined,
    region: /^[a-z]{2}(-[a-z]+)+-\d+$/.test(match[2]) ? match[2] : undefined,
  };
}

/** The template files an asset manifest ships (file assets whose source is a `.template.json`): the nested stacks'. */
function assetTemplates(dir: string, assetManifest: string): string[] {
  const manifest = readTemplateFile(path.join(dir, assetManifest)).template;
  const files = isObject(manifest) && isObject(manifest.files) ? Object.values(manifest.files) : [];
  return files
    .map(asset => isObject(asset) && isObject(asset.source) ? asset.source.path : undefined)
    .filter((p): p is string => typeof p === 'string' && p.endsWith('.template.json'));
}

/** The nested stack templates a template names in the `aws:asset:path` metadata of its `AWS::CloudFormation::Stack`s. */
function metadataTemplates(input: TemplateInput): string[] {
  return Object.values(resourcesOf(input.template))
    .filter(r => r.Type === 'AWS::CloudFormation::Stack' && isObject(r.Metadata) && typeof r.Metadata['aws:asset:path'] === 'string')
    .map(r => (r.Metadata as Record<string, string>)['aws:asset:path'])
    .filter(p => p.endsWith('.template.json'));
}

/** The templates of a cloud assembly directory, nested assemblies (stages) and nested stacks included, read one by one. */
function* assemblyTemplates(dir: string, seen: Set<string>): Generator<TemplateInput> {
  const manifestFile = path.join(dir, 'manifest.json');
  const manifest = readTemplateFile(manifestFile).template;
  const artifacts = isObject(manifest) && isObject(manifest.artifacts) ? manifest.artifacts : {};
  for (const [name, artifact] of Object.entries(artifacts)) {
    if (!isObject(artifact) || !isObject(artifact.properties)) { continue; }
    if (artifact.type === 'aws:cloudformation:stack' && typeof artifact.properties.templateFile === 'string') {
      const file = path.join(dir, artifact.properties.templateFile);
      if (seen.has(file)) { continue; }
      seen.add(file);
      const stackName = typeof artifact.properties.stackName === 'string' ? artifact.properties.stackName : name;
      const stack = readTemplateFile(file, environmentOf(artifact.environment), stackName);
      // nested stacks: the templates of the stack's asset manifest, or named in its resources' metadata
      const assets = artifacts[`${name}.assets`];
      const assetManifest = isObject(assets) && isObject(assets.properties) && typeof assets.properties.file === 'string' ? assets.properties.file : undefined;
      const nested = [...assetManifest !== undefined ? assetTemplates(dir, assetManifest) : [], ...metadataTemplates(stack)]
        .map(p => path.join(dir, p))
        .filter(f => !seen.has(f) && fs.existsSync(f))
        .sort();
      yield stack;
      for (const nestedFile of Array.from(new Set(nested))) {
        seen.add(nestedFile);
        yield readTemplateFile(nestedFile, stack.environment, stackName);
      }
    } else if (artifact.type === 'cdk:cloud-assembly' && typeof artifact.properties.directoryName === 'string') {
      yield* assemblyTemplates(path.join(dir, artifact.properties.directoryName), seen);
    }
  }
}

/**
 * Every template behind the paths (files as they are, directories as cloud
 * assemblies or folders of templates), read one at a time as they are asked
 * for: the audit keeps none of them once it is judged, however many there are.
 * A path that does not exist is an error before any template is read.
 */
export function* templateInputs(paths: string[]): Generator<TemplateInput> {
  const seen = new Set<string>();
  for (const given of paths) {
    if (!fs.existsSync(given)) { throw new InputError(given, 'no such file or directory'); }
  }
  for (const given of paths) {
    let stat: fs.Stats;
    try {
      stat = fs.statSync(given);
    } catch {
      throw new InputError(given, 'no such file or directory');
    }
    if (stat.isDirectory() && fs.existsSync(path.join(given, 'manifest.json'))) {
      yield* assemblyTemplates(given, seen);
    } else if (stat.isDirectory()) {
      // a folder of templates: every .json / .yaml / .yml / .template file in it, sorted
      const files = fs.readdirSync(given).filter(f => TEMPLATE_FILE.test(f)).sort().map(f => path.join(given, f));
      if (files.length === 0) { throw new InputError(given, 'is neither a cloud assembly (no manifest.json) nor a folder of templates'); }
      for (const f of files.filter(file => !seen.has(file))) {
        seen.add(f);
        yield readTemplateFile(f);
      }
    } else if (!seen.has(given)) {
      seen.add(given);
      yield readTemplateFile(given);
    }
  }
}

/** Every template behind the paths, read (see `templateInputs`). */
export function collectTemplates(paths: string[]): TemplateInput[] {
  return Array.from(templateInputs(paths));
}
