import { createRequire } from 'node:module';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { loadManifest } from '../manifest/load-manifest.js';
import type { PolymodalPlugin } from '../plugin/contracts.js';
import { OFFICIAL_PLUGINS } from '../plugin/known-providers.js';

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
export async function listPlugins(options: { manifest?: string; fromDir?: string } = {}): Promise<PluginListing[]> {
  if (options.manifest) return (await loadManifest(options.manifest)).registry.list().map(describe);
  const require = createRequire(join(resolve(options.fromDir ?? process.cwd()), 'polymodal-plugins.js'));
  const listings: PluginListing[] = [];
  for (const name of OFFICIAL_PLUGINS) {
    let entry: string;
    try {
      entry = require.resolve(name);
    } catch {
      listings.push({ name, installed: false, encoders: [], fusions: [] });
      continue;
    }
    const exported = ((await import(pathToFileURL(entry).href)) as { default: unknown }).default;
    listings.push(describe((typeof exported === 'function' ? exported() : exported) as PolymodalPlugin));
  }
  return listings;
}
