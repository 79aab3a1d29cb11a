/**
 * The templates behind the paths given to the CLI: template files, and cloud
 * assembly directories (such as `cdk.out`) with their stacks, the nested
 * assemblies of their stages and the nested stacks' templates.
 */
import * as fs from 'fs';
import * as path from 'path';
import { InputError, TemplateFile, readTemplateText } from './template-file';
import { TemplateEnvironment, isObject, resourcesOf } from '../private/audit';
import { ACCOUNT_ID_PATTERN, REGION_PATTERN } from '../private/constants';

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
    account: ACCOUNT_ID_PATTERN.test(match[1]) ? match[1] : undefined,
    region: REGION_PATTERN.test(match[2]) ? match[2] : undefined,
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

/** A stack of a cloud assembly's manifest: its template, its environment and its name, and its nested stacks' asset manifest. */
interface AssemblyStack {
  readonly file: string;
  readonly environment: TemplateEnvironment;
  readonly stackName: string;
  /** The stack's asset manifest (which lists its nested stacks' templates), when it has one. */
  readonly assetManifest?: string;
}

/** A cloud assembly's manifest, read: its stacks, and the directories of its nested assemblies (stages), in the manifest's order. */
function readManifest(dir: string): Array<AssemblyStack | { readonly nestedAssembly: string }> {
  const manifest = readTemplateFile(path.join(dir, 'manifest.json')).template;
  const artifacts = isObject(manifest) && isObject(manifest.artifacts) ? manifest.artifacts : {};
  const entries: Array<AssemblyStack | { readonly nestedAssembly: string }> = [];
  for (const [name, artifact] of Object.entries(artifacts)) {
    if (!isObject(artifact) || !isObject(artifact.properties)) { continue; }
    if (artifact.type === 'aws:cloudformation:stack' && typeof artifact.properties.templateFile === 'string') {
      const assets = artifacts[`${name}.assets`];
      const assetManifest = isObject(assets) && isObject(assets.properties) && typeof assets.properties.file === 'string' ? assets.properties.file : undefined;
      entries.push({
        file: path.join(dir, artifact.properties.templateFile),
        environment: environmentOf(artifact.environment),
        stackName: typeof artifact.properties.stackName === 'string' ? artifact.properties.stackName : name,
        ...assetManifest !== undefined ? { assetManifest } : {},
      });
    } else if (artifact.type === 'cdk:cloud-assembly' && typeof artifact.properties.directoryName === 'string') {
      entries.push({ nestedAssembly: path.join(dir, artifact.properties.directoryName) });
    }
  }
  return entries;
}

/** The stacks of a cloud assembly's manifest (its nested assemblies left out). */
const stacksOf = (dir: string): AssemblyStack[] => readManifest(dir).filter((e): e is AssemblyStack => 'file' in e);

/** The templates of a cloud assembly directory, nested assemblies (stages) and nested stacks included, read one by one. */
function* assemblyTemplates(dir: string, seen: Set<string>): Generator<TemplateInput> {
  for (const entry of readManifest(dir)) {
    if ('nestedAssembly' in entry) {
      yield* assemblyTemplates(entry.nestedAssembly, seen);
      continue;
    }
    if (seen.has(entry.file)) { continue; }
    seen.add(entry.file);
    const stack = readTemplateFile(entry.file, entry.environment, entry.stackName);
    // nested stacks: the templates of the stack's asset manifest, or named in its resources' metadata
    const nested = [...entry.assetManifest !== undefined ? assetTemplates(dir, entry.assetManifest) : [], ...metadataTemplates(stack)]
      .map(p => path.join(dir, p))
      .filter(f => !seen.has(f) && fs.existsSync(f))
      .sort();
    yield stack;
    for (const nestedFile of Array.from(new Set(nested))) {
      seen.add(nestedFile);
      yield readTemplateFile(nestedFile, stack.environment, entry.stackName);
    }
  }
}

/** What a cloud assembly's manifest says of the stack a template file deploys as. */
interface StackOfFile {
  readonly environment: TemplateEnvironment;
  readonly stackName: string;
}

/**
 * The stacks a cloud assembly directory's manifest lists, by template file
 * (resolved path): each stack's own template and its nested stacks' (from its
 * asset manifest, or from the `aws:asset:path` metadata of its template, read
 * only when a file is not found otherwise). Read once per directory, however
 * many of its files are given; undefined for a directory whose manifest.json
 * cannot be read as a cloud assembly's.
 */
class AssemblyFiles {
  private readonly byDir = new Map<string, { stacks: AssemblyStack[]; files: Map<string, StackOfFile>; metadataRead: boolean } | undefined>();

  /** The stack `file` deploys as, as the audit of its whole directory knows it; undefined when no manifest beside it lists it. */
  public stackOf(file: string): StackOfFile | undefined {
    const dir = path.dirname(file);
    if (path.basename(file) === 'manifest.json') { return undefined; }
    const assembly = this.read(dir);
    if (assembly === undefined) { return undefined; }
    const target = path.resolve(file);
    if (!assembly.files.has(target) && !assembly.metadataRead && target.endsWith('.template.json')) {
      assembly.metadataRead = true;
      this.guarded(() => {
        for (const stack of assembly.stacks.filter(s => fs.existsSync(s.file))) {
          for (const nested of metadataTemplates(readTemplateFile(stack.file))) { add(assembly.files, path.resolve(dir, nested), stack); }
        }
      });
    }
    return assembly.files.get(target);
  }

  private read(dir: string) {
    if (!this.byDir.has(dir)) {
      this.byDir.set(dir, !fs.existsSync(path.join(dir, 'manifest.json')) ? undefined : this.guarded(() => {
        const stacks = stacksOf(dir);
        const files = new Map<string, StackOfFile>();
        for (const stack of stacks) {
          add(files, path.resolve(stack.file), stack);
          // an asset manifest that cannot be read names no nested template: the parent's metadata may still
          const nested = stack.assetManifest !== undefined ? this.guarded(() => assetTemplates(dir, stack.assetManifest!)) ?? [] : [];
          nested.forEach(template => add(files, path.resolve(dir, template), stack));
        }
        return { stacks, files, metadataRead: false };
      }));
    }
    return this.byDir.get(dir);
  }

  /** A manifest.json (or asset manifest) that cannot be read is not an assembly the files belong to. */
  private guarded<T>(read: () => T): T | undefined {
    try {
      return read();
    } catch (e) {
      if (e instanceof InputError) { return undefined; }
      throw e;
    }
  }
}

/** Records the stack a file deploys as: the first that lists it. */
function add(files: Map<string, StackOfFile>, file: string, stack: AssemblyStack): void {
  if (!files.has(file)) { files.set(file, { environment: stack.environment, stackName: stack.stackName }); }
}

/** Reads a template file given by itself: in a cloud assembly directory, as the stack the manifest says it is. */
function readGivenTemplate(file: string, assemblies: AssemblyFiles): TemplateInput {
  const stack = assemblies.stackOf(file);
  return stack !== undefined ? readTemplateFile(file, stack.environment, stack.stackName) : readTemplateFile(file);
}

/**
 * Every template behind the paths (files as they are, directories as cloud
 * assemblies or folders of templates), read one at a time as they are asked
 * for: the audit keeps none of them once it is judged, however many there are.
 * A path that does not exist is an error before any template is read.
 */
export function* templateInputs(paths: string[]): Generator<TemplateInput> {
  const seen = new Set<string>();
  const assemblies = new AssemblyFiles();
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
      yield readGivenTemplate(given, assemblies);
    }
  }
}

/** Every template behind the paths, read (see `templateInputs`). */
export function collectTemplates(paths: string[]): TemplateInput[] {
  return Array.from(templateInputs(paths));
}
