/**
 * Where a built tfjs-node lives: one folder per (package, tfjs-node version, TensorFlow version) under the
 * Polymodal cache (`POLYMODAL_CACHE`, else `$XDG_CACHE_HOME/polymodal`, else `~/.cache/polymodal`), so a build
 * is shared by every project on the machine and a second `setup` costs nothing.
 */
import { accessSync, constants, existsSync, readdirSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { delimiter, join } from 'node:path';

export type NativeFlavour = 'tensorflow' | 'tensorflow-gpu';

/** The tfjs-node version whose binding we build (its JS must match the project's tfjs 4.22). */
export const TFJS_NODE_VERSION = '4.22.0';

export const NATIVE_PACKAGE: Readonly<Record<NativeFlavour, string>> = {
  tensorflow: '@tensorflow/tfjs-node',
  'tensorflow-gpu': '@tensorflow/tfjs-node-gpu',
};

/**
 * What a build folder holds; builds of another layout are rebuilt (2: with the stderr helper, quiet-stderr.ts;
 * 3: the binding takes string list attributes, binding-patch.ts).
 */
export const BUILD_LAYOUT = 3;

/** The marker written last into a finished build folder (a folder without it is not a build). */
export const BUILD_MARKER = 'polymodal-native-backend.json';

export interface BuildRecord {
  readonly layout: number;
  readonly package: string;
  readonly tfjsNodeVersion: string;
  readonly tensorflowVersion: string;
  readonly tensorflowDir: string;
  readonly python: string;
  readonly builtAt: string;
  readonly buildSeconds: number;
}

export function cacheRoot(env: NodeJS.ProcessEnv = process.env): string {
  if (env['POLYMODAL_CACHE']) return env['POLYMODAL_CACHE'];
  return join(env['XDG_CACHE_HOME'] || join(homedir(), '.cache'), 'polymodal');
}

/** `tfjs-node-4.22.0-tf2.21.0` (or `tfjs-node-gpu-...`). */
export function buildFolderName(flavour: NativeFlavour, tensorflowVersion: string): string {
  return `${NATIVE_PACKAGE[flavour].slice('@tensorflow/'.length)}-${TFJS_NODE_VERSION}-tf${tensorflowVersion}`;
}

export function readBuildRecord(folder: string): BuildRecord | null {
  try {
    const record = JSON.parse(readFileSync(join(folder, BUILD_MARKER), 'utf8')) as BuildRecord;
    return record.layout === BUILD_LAYOUT ? record : null;
  } catch {
    return null;
  }
}

/** The finished builds of `flavour` in the cache, newest first. */
export function cachedBuilds(flavour: NativeFlavour, env: NodeJS.ProcessEnv = process.env): { folder: string; record: BuildRecord }[] {
  const root = cacheRoot(env);
  if (!existsSync(root)) return [];
  const prefix = `${buildFolderName(flavour, '')}`;
  const found: { folder: string; record: BuildRecord }[] = [];
  for (const name of readdirSync(root)) {
    if (!name.startsWith(prefix)) continue;
    const folder = join(root, name);
    const record = readBuildRecord(folder);
    if (record && record.package === NATIVE_PACKAGE[flavour]) found.push({ folder, record });
  }
  return found.sort((a, b) => b.record.builtAt.localeCompare(a.record.builtAt));
}

/** The first executable `name` on `PATH` (as the shell would find it), or null. */
export function findOnPath(name: string, env: NodeJS.ProcessEnv = process.env): string | null {
  if (name.includes('/')) return isExecutable(name) ? name : null;
  for (const dir of (env['PATH'] ?? '').split(delimiter)) {
    if (dir === '') continue;
    const candidate = join(dir, name);
    if (isExecutable(candidate)) return candidate;
  }
  return null;
}

export function isExecutable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}
