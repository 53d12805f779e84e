import type { PolymodalPlugin } from './contracts.js';

export interface PluginModule {
  /** URL of the module whose default export made the plugin. */
  readonly url: string;
  /** Options the manifest passed to the plugin factory. */
  readonly options?: unknown;
}

const modules = new WeakMap<PolymodalPlugin, PluginModule>();

/** Remembers where a plugin came from, so a worker thread can load the same plugin. */
export function rememberPluginModule(plugin: PolymodalPlugin, module: PluginModule): void {
  modules.set(plugin, module);
}

/** Undefined for plugins handed over as objects (they cannot be re-created in a worker). */
export function pluginModuleOf(plugin: PolymodalPlugin): PluginModule | undefined {
  return modules.get(plugin);
}
