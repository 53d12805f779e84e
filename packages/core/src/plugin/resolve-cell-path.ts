import { realpathSync } from 'node:fs';
import { basename, dirname, isAbsolute, join, relative, resolve } from 'node:path';
import { PolymodalError } from '../errors.js';
import type { InputSpec } from './contracts.js';

export type CellPathSpec = Pick<InputSpec, 'dataDir' | 'dataRoot' | 'allowPathsOutsideRoot'>;

function isInside(path: string, dir: string): boolean {
  const rel = relative(dir, path);
  return rel === '' || (!rel.startsWith('..') && !isAbsolute(rel));
}

/** The path with every link resolved, for as much of it as exists (a missing file is reported by whoever opens it). */
function realPathOf(path: string): string {
  const missing: string[] = [];
  let existing = path;
  for (;;) {
    try {
      return join(realpathSync(existing), ...missing.reverse());
    } catch {
      const parent = dirname(existing);
      if (parent === existing) return path;
      missing.push(basename(existing));
      existing = parent;
    }
  }
}

/**
 * Resolves a path read from a data cell (an image, an audio file): relative paths from `from` (default the
 * data file's folder, `spec.dataDir`). Unless the manifest opts out (`data.allowPathsOutsideRoot`), the path,
 * links resolved, must stay inside `spec.dataRoot` (manifest `data.root`, default the data file's folder):
 * a data file cannot make Polymodal read `../../etc/passwd`. Returns the absolute path as written (links
 * not resolved, so messages show the user's path); throws a PolymodalError (exit 1) naming the root and
 * the opt-out otherwise. Encoders report it per row: catch it in `check` and return its `message`.
 */
export function resolveCellPath(spec: CellPathSpec, value: string, from: string = spec.dataDir): string {
  const path = resolve(from, value);
  if (spec.allowPathsOutsideRoot) return path;
  const root = resolve(spec.dataRoot ?? spec.dataDir);
  if (isInside(realPathOf(path), realPathOf(root))) return path;
  throw new PolymodalError(
    `path "${value}" resolves outside the data root ${root} (set "data.root" to a folder that holds it, or "data.allowPathsOutsideRoot": true for data you trust)`,
    { exitCode: 1 },
  );
}
