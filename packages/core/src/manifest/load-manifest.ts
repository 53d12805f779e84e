import { readFile, stat } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { PolymodalError } from '../errors.js';
import type { PolymodalPlugin } from '../plugin/contracts.js';
import { PluginRegistry } from '../plugin/registry.js';
import { checkHostLimits, checkManifestConsistency, type IsClean } from './cross-checks.js';
import { loadEachPlugin } from './load-each-plugin.js';
import { applyMetricAliases } from './metric-aliases.js';
import { findDuplicateKeys, MAX_MANIFEST_BYTES, parseManifestText } from './parse-manifest.js';
import { ProblemList } from './problems.js';
import { applyPointerSettings, type PointerSetting } from './set-pointer.js';
import { checkManifestAgainstPlugins, checkShape } from './validate.js';
import type { Manifest, ResolvedManifest } from './types.js';

export { parseManifestText } from './parse-manifest.js';

export interface ManifestOverrides {
  epochs?: number;
  seed?: number;
  backend?: Manifest['training']['backend'];
  batchSize?: number;
  /** `--set /pointer=value`: applied in order before the named overrides above and before validation. */
  set?: readonly PointerSetting[];
}

export interface LoadManifestOptions {
  overrides?: ManifestOverrides;
  /** Plugin objects to use instead of resolving their packages (matched by name). */
  plugins?: readonly PolymodalPlugin[];
  /** Further folders to resolve plugin packages from, after the manifest's own (default: the current directory). */
  pluginSearchDirs?: readonly string[];
  /** Accept relative or absolute module paths in `plugins` (resolved from the manifest's folder). Off: package names only. */
  allowLocalPlugins?: boolean;
}

export interface LoadedManifest {
  readonly resolved: ResolvedManifest;
  readonly registry: PluginRegistry;
}

/** Applies the overrides in place; returns the problems of `set` pointers that lead nowhere. */
function applyOverrides(value: unknown, overrides: ManifestOverrides | undefined): string[] {
  if (!overrides || value === null || typeof value !== 'object') return [];
  const problems = applyPointerSettings(value, overrides.set ?? []);
  const manifest = value as { training?: Record<string, unknown> };
  const training = (manifest.training ??= {});
  if (training === null || typeof training !== 'object') return problems;
  if (overrides.epochs !== undefined) training.epochs = overrides.epochs;
  if (overrides.seed !== undefined) training.seed = overrides.seed;
  if (overrides.backend !== undefined) training.backend = overrides.backend;
  if (overrides.batchSize !== undefined) training.batchSize = overrides.batchSize;
  return problems;
}

/** Everything known about a manifest after every check ran, valid or not. */
export interface ManifestCheck {
  /** The manifest with defaults filled in where the schema allowed; only the parts `isClean` accepts are typed right. */
  readonly manifest: Manifest;
  readonly path: string;
  /** The plugins that loaded, even when others failed. */
  readonly registry: PluginRegistry;
  /** Packages listed in `plugins` that did not load. */
  readonly unloaded: readonly string[];
  readonly isClean: IsClean;
  readonly problems: ProblemList;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

/**
 * Runs every manifest check and collects the problems instead of stopping at the first stage that fails:
 * the core schema, plugin loading, each input's options (for the plugins that loaded), the fusion's options,
 * metric and monitor names, the split and the label. `earlier` holds problems found before (duplicate keys).
 */
export async function checkManifestValue(value: unknown, path: string, options: LoadManifestOptions = {}, earlier: readonly string[] = []): Promise<ManifestCheck> {
  const overrideProblems = applyOverrides(value, options.overrides);
  const problems = new ProblemList();
  problems.addAll(earlier);
  problems.addAll(overrideProblems);
  const shape = checkShape(value);
  problems.addAll(shape.problems);
  const manifest = value as Manifest;
  const { isClean } = shape;
  const empty = { manifest, path, registry: new PluginRegistry(), unloaded: [], isClean, problems };
  if (!isObject(value) || shape.tooDeep) return empty;
  const references = Array.isArray(manifest.plugins) ? manifest.plugins : [];
  // The manifest's folder first, then the current directory (where `npm install` put them for a manifest kept elsewhere).
  const dirs = [dirname(path), ...(options.pluginSearchDirs ?? [process.cwd()])];
  const { registry, unloaded } = await loadEachPlugin(references, dirs, options.plugins ?? [], { allowLocalPlugins: options.allowLocalPlugins }, isClean, problems);
  problems.addAll(checkManifestAgainstPlugins(manifest, registry, { isClean, unloaded }));
  // After the metric names are checked (so pointers index the list as written), before the monitors are.
  applyMetricAliases(manifest, isClean);
  problems.addAll(checkManifestConsistency(manifest, isClean));
  return { manifest, path, registry, unloaded, isClean, problems };
}

export function loadedManifestOf(check: ManifestCheck): LoadedManifest {
  const { manifest, path, registry } = check;
  const dir = dirname(path);
  return { resolved: { manifest, path, dir, dataPath: resolve(dir, manifest.data.source) }, registry };
}

/** Validates a manifest object (paths relative to `path`'s folder), loads its plugins and checks their options. */
export async function resolveManifestValue(value: unknown, path: string, options: LoadManifestOptions = {}): Promise<LoadedManifest> {
  const check = await checkManifestValue(value, path, options);
  check.problems.throwIfAny(path);
  return loadedManifestOf(check);
}

/** The text of a manifest file; a missing, unreadable or oversized file is a usage error (exit 2). */
export async function readManifestText(path: string, absolute = resolve(path)): Promise<string> {
  try {
    const size = (await stat(absolute)).size;
    if (size > MAX_MANIFEST_BYTES) {
      throw new PolymodalError(`${path}: the manifest is ${size} bytes; a manifest is at most ${MAX_MANIFEST_BYTES} bytes`, {
        hint: 'A manifest describes the model; data belongs in data.source.',
        exitCode: 2,
      });
    }
    return await readFile(absolute, 'utf8');
  } catch (error) {
    if (error instanceof PolymodalError) throw error;
    const code = (error as NodeJS.ErrnoException).code;
    throw new PolymodalError(`${path}: ${code === 'ENOENT' ? 'no such manifest file' : `cannot read the manifest (${code})`}`, {
      hint: code === 'ENOENT' ? 'Give the path of a polymodal.json manifest.' : undefined,
      exitCode: 2,
    });
  }
}

/**
 * Reads and checks a manifest file, collecting every problem (see checkManifestValue), plus the limits of
 * this machine (data.workers). Throws only when the file cannot be read or is not JSON.
 */
export async function checkManifestFile(path: string, options: LoadManifestOptions = {}): Promise<ManifestCheck> {
  const absolute = resolve(path);
  const text = await readManifestText(path, absolute);
  const value = parseManifestText(text, path);
  const check = await checkManifestValue(value, absolute, options, findDuplicateKeys(text));
  if (isObject(check.manifest)) check.problems.addAll(checkHostLimits(check.manifest, check.isClean));
  return check;
}

export async function loadManifest(path: string, options: LoadManifestOptions = {}): Promise<LoadedManifest> {
  const check = await checkManifestFile(path, options);
  check.problems.throwIfAny(check.path);
  return loadedManifestOf(check);
}
