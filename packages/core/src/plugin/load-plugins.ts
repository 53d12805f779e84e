import { createRequire } from 'node:module';
import { realpathSync } from 'node:fs';
import { isAbsolute, join, relative, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { PolymodalError } from '../errors.js';
import type { PluginReference } from '../manifest/types.js';
import type { PolymodalPlugin } from './contracts.js';
import { classifyPluginSpecifier } from './plugin-reference.js';
import { rememberPluginModule } from './plugin-modules.js';

export function pluginPackageName(reference: PluginReference): string {
  return typeof reference === 'string' ? reference : reference.package;
}

function resolveFirst(resolvers: readonly NodeRequire[], name: string): string | undefined {
  for (const resolver of resolvers) {
    try {
      return resolver.resolve(name);
    } catch {
      // not installed where this resolver looks; try the next folder
    }
  }
  return undefined;
}

export interface LoadPluginsOptions {
  /** Accept relative or absolute module paths as entries (resolved from the first folder). Off by default. */
  readonly allowLocalPlugins?: boolean;
  /** Folders no plugin module may come from, e.g. a model folder being loaded (it may have been sent by anyone). */
  readonly forbiddenDirs?: readonly string[];
}

function pluginLoadError(index: number, message: string, hint?: string): PolymodalError {
  return new PolymodalError(`/plugins/${index}: ${message}`, { hint, exitCode: 2 });
}

function isInside(path: string, dir: string): boolean {
  const rel = relative(dir, path);
  return rel === '' || (!rel.startsWith('..') && !isAbsolute(rel));
}

function realOrSelf(path: string): string {
  try {
    return realpathSync(path);
  } catch {
    return resolve(path);
  }
}

function refuseForbidden(index: number, name: string, entry: string, forbiddenDirs: readonly string[]): void {
  const real = realOrSelf(entry);
  const dir = forbiddenDirs.find((forbidden) => isInside(real, realOrSelf(forbidden)) || isInside(resolve(entry), resolve(forbidden)));
  if (dir !== undefined) {
    throw pluginLoadError(index, `plugin "${name}" resolves to ${real}, inside ${dir}; loading a model runs no code from its folder`,
      `Install ${name} in your project (npm install ${name}) and run the command from there, outside the model folder.`);
  }
}

function locate(index: number, name: string, resolvers: readonly NodeRequire[], dirs: readonly string[], options: LoadPluginsOptions): { entry: string; local: boolean } {
  const kind = classifyPluginSpecifier(name, options.allowLocalPlugins ?? false);
  if (typeof kind === 'string') throw pluginLoadError(index, kind);
  const entry = kind.kind === 'path' ? resolveFirst(resolvers.slice(0, 1), resolve(dirs[0], name)) : resolveFirst(resolvers, name);
  if (entry === undefined) {
    throw pluginLoadError(index, kind.kind === 'path'
      ? `local plugin "${name}" not found (looked from ${dirs[0]})`
      : `plugin package "${name}" is not installed (looked from ${dirs.join(', ')})`,
    kind.kind === 'path' ? 'Check the path.' : `Run \`npm install ${name}\` in the project that holds the manifest.`);
  }
  refuseForbidden(index, name, entry, options.forbiddenDirs ?? []);
  return { entry, local: kind.kind === 'path' };
}

/** A class is not a factory; calling it (or constructing it) would run code that is not a plugin's. */
function isClass(value: Function): boolean {
  return /^class[\s{]/.test(Function.prototype.toString.call(value));
}

function describeFailure(error: unknown): string {
  if (error instanceof PolymodalError) return [error.message, ...(error.details.problems ?? [])].join('; ');
  return (error as Error)?.message ?? String(error);
}

async function instantiate(index: number, name: string, url: string, options: unknown): Promise<PolymodalPlugin> {
  const notAPlugin = (why: string) => pluginLoadError(index, `package "${name}" is not a Polymodal plugin (${why})`,
    'Its default export must be a plugin made with definePlugin(), or a function returning one.');
  let exported: unknown;
  try {
    exported = ((await import(url)) as { default?: unknown }).default;
  } catch (error) {
    throw pluginLoadError(index, `[${name}] cannot be loaded: ${describeFailure(error)}`, `Reinstall it (npm install ${name}) or report the problem to its authors.`);
  }
  let plugin = exported;
  if (typeof exported === 'function') {
    if (isClass(exported)) throw notAPlugin('its default export is a class');
    try {
      plugin = (exported as (o?: unknown) => unknown)(options);
    } catch (error) {
      if (error instanceof PolymodalError) throw pluginLoadError(index, `[${name}] ${describeFailure(error)}`, error.details.hint);
      throw notAPlugin(`calling its default export failed: ${describeFailure(error)}`);
    }
    if (plugin instanceof Promise) throw notAPlugin('its default export returns a promise; a plugin factory returns the plugin');
  }
  const why = whyNotAPlugin(plugin);
  if (why) throw notAPlugin(why);
  return plugin as PolymodalPlugin;
}

function whyNotAPlugin(value: unknown): string | undefined {
  if (value === null || value === undefined) return 'it has no default export';
  if (typeof value !== 'object') return `its default export is a ${typeof value}`;
  const candidate = value as Record<string, unknown>;
  for (const field of ['name', 'version'] as const) {
    if (typeof candidate[field] !== 'string') return `its default export has no "${field}" string`;
  }
  if (typeof candidate.apiVersion !== 'number') return 'its default export has no "apiVersion" number';
  for (const field of ['encoders', 'fusions', 'layers'] as const) {
    if (!Array.isArray(candidate[field])) return `its default export has no "${field}" array`;
  }
  return undefined;
}

/**
 * Loads exactly the listed plugins, resolving each package from the first of `fromDirs` where Node finds it.
 * Entries are npm package names; paths only with `allowLocalPlugins`. A package's default export is a
 * plugin factory (called with the listed options) or a plugin object. Plugins given in `provided` (by
 * package name) are used as they are, for programmatic use and tests. Every refusal is exit 2, naming the entry.
 */
export async function loadPlugins(
  references: readonly PluginReference[],
  fromDirs: string | readonly string[],
  provided: readonly PolymodalPlugin[] = [],
  options: LoadPluginsOptions = {},
): Promise<PolymodalPlugin[]> {
  const dirs = typeof fromDirs === 'string' ? [fromDirs] : fromDirs;
  const resolvers = dirs.map((dir) => createRequire(join(dir, 'polymodal-manifest.js')));
  // Every entry is checked before any plugin code runs, so one bad entry stops the load before it starts.
  references.forEach((reference, index) => {
    const kind = classifyPluginSpecifier(pluginPackageName(reference), options.allowLocalPlugins ?? false);
    if (typeof kind === 'string' && !provided.some((plugin) => plugin.name === pluginPackageName(reference))) throw pluginLoadError(index, kind);
  });
  const plugins: PolymodalPlugin[] = [];
  for (const [index, reference] of references.entries()) {
    const name = pluginPackageName(reference);
    const pluginOptions = typeof reference === 'string' ? undefined : reference.options;
    const given = provided.find((plugin) => plugin.name === name);
    if (given) {
      plugins.push(given);
      continue;
    }
    const { entry, local } = locate(index, name, resolvers, dirs, options);
    const url = pathToFileURL(entry).href;
    const plugin = await instantiate(index, name, url, pluginOptions);
    // A local module has no package name to match; its plugin lock entry is the name it declares.
    if (!local && plugin.name !== name) {
      throw pluginLoadError(index, `package "${name}" declares itself as plugin "${plugin.name}"`, 'A plugin\'s name must be its npm package name.');
    }
    rememberPluginModule(plugin, { url, options: pluginOptions });
    plugins.push(plugin);
  }
  return plugins;
}
