import { homedir } from 'node:os';
import { join } from 'node:path';

/** Polymodal's download cache: POLYMODAL_CACHE, else $XDG_CACHE_HOME/polymodal, else ~/.cache/polymodal. */
export function polymodalCacheDir(env: NodeJS.ProcessEnv = process.env): string {
  if (env.POLYMODAL_CACHE) return env.POLYMODAL_CACHE;
  return join(env.XDG_CACHE_HOME || join(homedir(), '.cache'), 'polymodal');
}
