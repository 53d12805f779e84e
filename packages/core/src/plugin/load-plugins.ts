import { createRequire } from 'node:module';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { PolymodalError } from '../errors.js';
import type { PluginReference } from '../manifest/types.js';
import type { PolymodalPlugin } from './contracts.js';
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

function isPlugin(value: unknown): value is PolymodalPlugin {
  const candidate = value as PolymodalPlugin | undefined;
  return !!candidate && typeof candidate.name === 'string' && Array.isArray(candidate.encoders) && Array.isArray(candidate.fusions);
}

/**
 * Loads exactly the listed plugins, resolving each package from the first of `fromDirs` where Node finds it.
 * A package's default export is a plugin factory (called with the listed options) or a plugin object.
 * Plugins given in `provided` (by package name) are used as they are, for programmatic use and tests.
 */
export async function loadPlugins(
  references: readonly PluginReference[],
  fromDirs: string | readonly string[],
  provided: readonly PolymodalPlugin[] = [],
): Promise<PolymodalPlugin[]> {
  const dirs = typeof fromDirs === 'string' ? [fromDirs] : fromDirs;
  const resolvers = dirs.map((dir) => createRequire(join(dir, 'polymodal-manifest.js')));
  const plugins: PolymodalPlugin[] = [];
  for (const [index, reference] of references.entries()) {
    const name = pluginPackageName(reference);
    const options = typeof reference === 'string' ? undefined : reference.options;
    const given = provided.find((plugin) => plugin.name === name);
    if (given) {
      plugins.push(given);
      continue;
    }
    const entry = resolveFirst(resolvers, name);
    if (entry === undefined) {
      throw new PolymodalError(`/plugins/${index}: plugin package "${name}" is not installed (looked from ${dirs.join(', ')})`, {
        hint: `Run \`npm install ${name}\` in the project that holds the manifest.`,
        exitCode: 2,
      });
    }
    const url = pathToFileURL(entry).href;
    const module = (await import(url)) as { default?: unknown };
    const exported = module.default;
    const plugin = typeof exported === 'function' ? (exported as (o?: unknown) => unknown)(options) : exported;
    if (!isPlugin(plugin)) {
      throw new PolymodalError(`/plugins/${index}: package "${name}" is not a Polymodal plugin`, {
        hint: 'Its default export must be a plugin made with definePlugin(), or a function returning one.',
        exitCode: 2,
      });
    }
    if (plugin.name !== name) {
      throw new PolymodalError(`/plugins/${index}: package "${name}" declares itself as plugin "${plugin.name}"`, {
        hint: 'A plugin\'s name must be its npm package name.',
        exitCode: 2,
      });
    }
    rememberPluginModule(plugin, { url, options });
    plugins.push(plugin);
  }
  return plugins;
}
