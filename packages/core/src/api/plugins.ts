import { createRequire } from 'node:module';
import { join, resolve } from 'node:path';
import { loadManifest } from '../manifest/load-manifest.js';
import type { PolymodalPlugin } from '../plugin/contracts.js';
import { OFFICIAL_PLUGINS } from '../plugin/known-providers.js';
import { loadPlugins } from '../plugin/load-plugins.js';

export interface PluginListing {
  name: string;
  version?: string;
  installed: boolean;
  encoders: { type: string; description: string }[];
  fusions: { type: string; description: string }[];
}

function describe(plugin: PolymodalPlugin): PluginListing {
  return {
    name: plugin.name,
    version: plugin.version,
    installed: true,
    encoders: plugin.encoders.map((e) => ({ type: e.type, description: e.description })),
    fusions: plugin.fusions.map((f) => ({ type: f.type, description: f.description })),
  };
}

/**
 * The plugins a manifest loads, or, without one, whether each official plugin package is installed where
 * `fromDir` would resolve it (no scanning of node_modules: only these names are looked up).
 */
export async function listPlugins(options: { manifest?: string; fromDir?: string; allowLocalPlugins?: boolean } = {}): Promise<PluginListing[]> {
  if (options.manifest) return (await loadManifest(options.manifest, { allowLocalPlugins: options.allowLocalPlugins })).registry.list().map(describe);
  const fromDir = resolve(options.fromDir ?? process.cwd());
  const require = createRequire(join(fromDir, 'polymodal-plugins.js'));
  const listings: PluginListing[] = [];
  for (const name of OFFICIAL_PLUGINS) {
    try {
      require.resolve(name);
    } catch {
      listings.push({ name, installed: false, encoders: [], fusions: [] });
      continue;
    }
    // Loaded as a manifest would load it, so a broken install is a clear error naming the package.
    const [plugin] = await loadPlugins([name], fromDir);
    listings.push(describe(plugin));
  }
  return listings;
}
