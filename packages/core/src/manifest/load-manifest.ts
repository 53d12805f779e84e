import { readFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { PolymodalError } from '../errors.js';
import type { PolymodalPlugin } from '../plugin/contracts.js';
import { loadPlugins } from '../plugin/load-plugins.js';
import { PluginRegistry } from '../plugin/registry.js';
import { checkManifestAgainstPlugins, checkManifestShape, manifestError } from './validate.js';
import type { Manifest, ResolvedManifest } from './types.js';

export interface ManifestOverrides {
  epochs?: number;
  seed?: number;
  backend?: Manifest['training']['backend'];
  batchSize?: number;
}

export interface LoadManifestOptions {
  overrides?: ManifestOverrides;
  /** Plugin objects to use instead of resolving their packages (matched by name). */
  plugins?: readonly PolymodalPlugin[];
  /** Further folders to resolve plugin packages from, after the manifest's own. */
  pluginSearchDirs?: readonly string[];
}

export interface LoadedManifest {
  readonly resolved: ResolvedManifest;
  readonly registry: PluginRegistry;
}

function lineAndColumn(text: string, position: number): string {
  const before = text.slice(0, position);
  const line = before.split('\n').length;
  const column = position - before.lastIndexOf('\n');
  return `${line}:${column}`;
}

export function parseManifestText(text: string, source: string): unknown {
  try {
    // Editors on Windows save a byte order mark; the data readers skip it too.
    return JSON.parse(text.replace(/^\uFEFF/, ''));
  } catch (error) {
    const message = (error as Error).message;
    const position = /position (\d+)/.exec(message);
    const where = position ? `:${lineAndColumn(text, Number(position[1]))}` : '';
    throw new PolymodalError(`${source}${where}: not valid JSON (${message})`, {
      hint: 'Manifests are strict JSON: double-quoted keys, no comments, no trailing commas.',
      exitCode: 2,
    });
  }
}

function applyOverrides(value: unknown, overrides: ManifestOverrides | undefined): void {
  if (!overrides || value === null || typeof value !== 'object') return;
  const manifest = value as { training?: Record<string, unknown> };
  const training = (manifest.training ??= {});
  if (overrides.epochs !== undefined) training.epochs = overrides.epochs;
  if (overrides.seed !== undefined) training.seed = overrides.seed;
  if (overrides.backend !== undefined) training.backend = overrides.backend;
  if (overrides.batchSize !== undefined) training.batchSize = overrides.batchSize;
}

/** Validates a manifest object (paths relative to `path`'s folder), loads its plugins and checks their options. */
export async function resolveManifestValue(value: unknown, path: string, options: LoadManifestOptions = {}): Promise<LoadedManifest> {
  applyOverrides(value, options.overrides);
  const shapeProblems = checkManifestShape(value);
  if (shapeProblems.length > 0) throw manifestError(path, shapeProblems);
  const manifest = value as Manifest;
  const dir = dirname(path);
  let plugins: PolymodalPlugin[];
  try {
    plugins = await loadPlugins(manifest.plugins, [dir, ...(options.pluginSearchDirs ?? [])], options.plugins);
  } catch (error) {
    if (error instanceof PolymodalError) throw manifestError(path, [error.message + (error.details.hint ? ` ${error.details.hint}` : '')]);
    throw error;
  }
  const registry = new PluginRegistry(plugins);
  const problems = checkManifestAgainstPlugins(manifest, registry);
  if (problems.length > 0) throw manifestError(path, problems);
  return { resolved: { manifest, path, dir, dataPath: resolve(dir, manifest.data.source) }, registry };
}

export async function loadManifest(path: string, options: LoadManifestOptions = {}): Promise<LoadedManifest> {
  const absolute = resolve(path);
  let text: string;
  try {
    text = await readFile(absolute, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new PolymodalError(`${path}: ${code === 'ENOENT' ? 'no such manifest file' : `cannot read the manifest (${code})`}`, {
      hint: code === 'ENOENT' ? 'Give the path of a polymodal.json manifest.' : undefined,
      exitCode: 2,
    });
  }
  return resolveManifestValue(parseManifestText(text, path), absolute, options);
}
