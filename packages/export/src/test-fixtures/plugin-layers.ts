/**
 * Layer classes of first-party plugins, loaded the way a user's project loads them (by package name, through
 * core's plugin loader), since this package may not import plugin code.
 */
import { fileURLToPath } from 'node:url';
import { loadPlugins, type SerializableLayerClass } from '@polymodal/core';

export const REPO_ROOT = fileURLToPath(new URL('../../../../', import.meta.url));

export async function pluginLayerClass(pkg: string, className: string): Promise<SerializableLayerClass> {
  const [plugin] = await loadPlugins([pkg], REPO_ROOT);
  const layer = plugin.layers.find((l) => l.className === className);
  if (layer === undefined) throw new Error(`${pkg} has no layer class ${className}`);
  return layer;
}
