// Keras models made by tools/keras-fixtures/make_backbones.py with the reference Python, generated once into the
// cache (keyed by the script's content) because VGG16's weights (~59 MB) are not committed.
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { referencePython } from '../../../../../tools/reference-python.mjs';
import { polymodalCacheDir } from '../../backbones/cache-dir.js';

const SCRIPT = join(import.meta.dirname, '..', '..', '..', '..', '..', 'tools', 'keras-fixtures', 'make_backbones.py');

/** The folder holding NAME.keras, NAME.h5 and NAME.features.json for each model, or `{ skip }` without the reference Python. */
export function referenceModels(names: readonly string[]): { dir: string; skip?: undefined } | { skip: string; dir?: undefined } {
  const reference = referencePython();
  if (reference.skip !== undefined) return { skip: reference.skip };
  const key = createHash('sha256').update(readFileSync(SCRIPT)).update(names.join(',')).digest('hex').slice(0, 16);
  const dir = join(polymodalCacheDir(), 'test-fixtures', 'keras-backbones', key);
  if (existsSync(dir)) return { dir };
  const partial = `${dir}.partial-${process.pid}`;
  mkdirSync(partial, { recursive: true });
  const run = spawnSync(reference.python, [SCRIPT, partial, ...names], { encoding: 'utf8', env: { ...process.env, TF_CPP_MIN_LOG_LEVEL: '3' } });
  if (run.status !== 0) {
    rmSync(partial, { recursive: true, force: true });
    throw new Error(`make_backbones.py failed (exit ${run.status}): ${run.stderr.slice(-2000)}`);
  }
  try {
    renameSync(partial, dir);
  } catch (error) {
    // Another test process made the same files meanwhile: keep theirs.
    rmSync(partial, { recursive: true, force: true });
    if (!existsSync(dir)) throw error;
  }
  // Models made by earlier versions of the script (VGG16 alone is ~120 MB in both formats) are not needed again.
  for (const entry of readdirSync(dirname(dir))) {
    if (entry !== key && !entry.includes('.partial-')) rmSync(join(dirname(dir), entry), { recursive: true, force: true });
  }
  return { dir };
}
