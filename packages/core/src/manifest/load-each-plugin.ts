import { PolymodalError } from '../errors.js';
import type { PolymodalPlugin } from '../plugin/contracts.js';
import { loadPlugins, pluginPackageName, type LoadPluginsOptions } from '../plugin/load-plugins.js';
import { classifyPluginSpecifier } from '../plugin/plugin-reference.js';
import { PluginRegistry } from '../plugin/registry.js';
import type { IsClean } from './cross-checks.js';
import type { ProblemList } from './problems.js';
import type { PluginReference } from './types.js';

export interface LoadedPlugins {
  /** The plugins that loaded, registered together (a conflicting plugin is left out and reported). */
  readonly registry: PluginRegistry;
  /** Package names listed in `plugins` that did not load; their types are not reported again per input. */
  readonly unloaded: string[];
}

function problemLine(error: PolymodalError, index: number): string {
  // loadPlugins names the entry by its position in the list it was given: one entry, so /plugins/0.
  const message = error.message.replace(/^\/plugins\/0(?=[:/])/, `/plugins/${index}`);
  const at = message.startsWith(`/plugins/${index}`) ? message : `/plugins/${index}: ${message}`;
  return at + (error.details.hint ? ` ${error.details.hint}` : '');
}

/**
 * Loads the listed plugins one by one, so one that fails does not hide what the others can check: every
 * failure becomes a problem at its /plugins/N pointer. Entries the schema refused are not loaded, and when
 * any entry is refused as a specifier (a path, a scheme) no plugin code runs at all.
 */
export async function loadEachPlugin(
  references: readonly PluginReference[],
  dirs: readonly string[],
  provided: readonly PolymodalPlugin[],
  options: LoadPluginsOptions,
  isClean: IsClean,
  problems: ProblemList,
): Promise<LoadedPlugins> {
  const registry = new PluginRegistry();
  const listed = references.map((reference, index) => ({ reference, index })).filter(({ index }) => isClean(`/plugins/${index}`));
  const names = listed.map(({ reference }) => pluginPackageName(reference));
  const refused = listed.filter(({ reference }) => {
    const name = pluginPackageName(reference);
    return !provided.some((plugin) => plugin.name === name) && typeof classifyPluginSpecifier(name, options.allowLocalPlugins ?? false) === 'string';
  });
  if (refused.length > 0) {
    for (const { reference, index } of refused) {
      problems.add(`/plugins/${index}: ${classifyPluginSpecifier(pluginPackageName(reference), options.allowLocalPlugins ?? false) as string}`);
    }
    return { registry, unloaded: names };
  }
  const unloaded: string[] = [];
  for (const { reference, index } of listed) {
    try {
      const [plugin] = await loadPlugins([reference], dirs, provided, options);
      registry.add(plugin);
    } catch (error) {
      if (!(error instanceof PolymodalError)) throw error;
      problems.add(problemLine(error, index));
      unloaded.push(pluginPackageName(reference));
    }
  }
  return { registry, unloaded };
}
