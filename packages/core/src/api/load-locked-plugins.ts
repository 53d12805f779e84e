import { join } from 'node:path';
import { ARTIFACT_FILES, type ArtifactMeta } from '../artifacts/artifact.js';
import { PolymodalError } from '../errors.js';
import type { PluginReference } from '../manifest/types.js';
import type { PolymodalPlugin } from '../plugin/contracts.js';
import { loadPlugins, pluginPackageName } from '../plugin/load-plugins.js';
import { classifyPluginSpecifier } from '../plugin/plugin-reference.js';
/** How a model's locked plugins are found (LoadModelOptions has these fields). */
export interface LockedPluginOptions {
  plugins?: readonly PolymodalPlugin[];
  pluginSearchDirs?: readonly string[];
  allowLocalPlugins?: boolean;
}

type LockEntry = ArtifactMeta['plugins'][number];

function major(version: string): string {
  return String(version).split('.')[0];
}

function corrupt(absolute: string, what: string): PolymodalError {
  return new PolymodalError(`${absolute}: ${what}`, { hint: 'The model folder was damaged or edited after training; train the model again.', exitCode: 2 });
}

function lockOf(absolute: string, meta: ArtifactMeta): Map<string, LockEntry> {
  if (!Array.isArray(meta.plugins) || !meta.plugins.every((entry) => typeof entry?.name === 'string' && typeof entry?.version === 'string')) {
    throw corrupt(absolute, `${ARTIFACT_FILES.meta} has no valid plugin lock ("plugins")`);
  }
  return new Map(meta.plugins.map((entry) => [entry.name, entry]));
}

function referencesOf(absolute: string, manifest: unknown): PluginReference[] {
  const references = (manifest as { plugins?: unknown } | null)?.plugins;
  if (!Array.isArray(references)) throw corrupt(absolute, `${ARTIFACT_FILES.manifest} has no "plugins" list`);
  references.forEach((reference: unknown, index) => {
    const name = typeof reference === 'string' ? reference : (reference as { package?: unknown } | null)?.package;
    if (typeof name !== 'string') throw corrupt(absolute, `${ARTIFACT_FILES.manifest}: /plugins/${index} is not a package name`);
  });
  return references as PluginReference[];
}

function notLocked(absolute: string, name: string, lock: ReadonlyMap<string, LockEntry>): PolymodalError {
  const locked = [...lock.values()].map((entry) => `${entry.name}@${entry.version}`).join(', ') || 'none';
  return corrupt(absolute, `plugin "${name}" is not in the model's plugin lock (${ARTIFACT_FILES.meta} lists ${locked})`);
}

function checkAgainstLock(absolute: string, plugin: PolymodalPlugin, lock: ReadonlyMap<string, LockEntry>): void {
  const locked = lock.get(plugin.name);
  if (!locked) throw notLocked(absolute, plugin.name, lock);
  if (major(plugin.version) !== major(locked.version)) {
    throw new PolymodalError(
      `${absolute}: the model was built with ${plugin.name}@${locked.version}; ${plugin.name}@${plugin.version} is installed (another major version)`,
      { hint: `Install a matching version where you run the command: npm install ${plugin.name}@^${major(locked.version)}`, exitCode: 2 },
    );
  }
}

/**
 * The plugins a model folder needs, resolved from the current directory (and the caller's folders) only, never
 * from the folder itself, and each matching the folder's plugin lock by name and major version. The folder's
 * manifest gets the plugins' names in place of its entries, so nothing resolves them again.
 */
export async function loadLockedPlugins(absolute: string, meta: ArtifactMeta, manifest: unknown, options: LockedPluginOptions): Promise<PolymodalPlugin[]> {
  const lock = lockOf(absolute, meta);
  const references = referencesOf(absolute, manifest);
  const allowLocalPlugins = options.allowLocalPlugins ?? false;
  for (const reference of references) {
    const name = pluginPackageName(reference);
    const kind = classifyPluginSpecifier(name, allowLocalPlugins);
    // A package name must be in the lock before any of its code runs; a local module's name is known once loaded.
    if (typeof kind !== 'string' && kind.kind === 'package' && !lock.has(name)) throw notLocked(absolute, name, lock);
  }
  let plugins: PolymodalPlugin[];
  try {
    plugins = await loadPlugins(references, [process.cwd(), ...(options.pluginSearchDirs ?? [])], options.plugins, {
      allowLocalPlugins,
      forbiddenDirs: [absolute],
    });
  } catch (error) {
    if (!(error instanceof PolymodalError)) throw error;
    throw new PolymodalError(`${join(absolute, ARTIFACT_FILES.manifest)}: ${error.message}`, { ...error.details, exitCode: error.exitCode, cause: error });
  }
  for (const plugin of plugins) checkAgainstLock(absolute, plugin, lock);
  (manifest as { plugins: PluginReference[] }).plugins = references.map((reference, index) =>
    typeof reference === 'string' ? plugins[index].name : { ...reference, package: plugins[index].name },
  );
  return plugins;
}
