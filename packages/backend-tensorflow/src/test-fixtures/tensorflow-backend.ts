/**
 * For this package's tests: makes the tensorflow backend active from the project or the cached build, or says why
 * it cannot (the tests then skip with that reason; under POLYMODAL_REQUIRE_REFERENCE=1 they fail instead).
 */
import * as tf from '@tensorflow/tfjs';
import { loadTfjsNode } from '../load.js';

/** null when tensorflow is active, else why not. */
export async function useTensorflowBackend(): Promise<string | null> {
  const loaded = loadTfjsNode('tensorflow');
  if (loaded === undefined) return 'no @tensorflow/tfjs-node in the project or the Polymodal cache (run `polymodal setup tensorflow`)';
  if (loaded instanceof Error) return loaded.message;
  if (!(await tf.setBackend('tensorflow'))) return 'tfjs could not initialise the tensorflow backend';
  return null;
}

/** Skips `t` with `reason`, or fails when the reference environment is required. */
export function skipOrFail(t: { skip(message: string): void }, reason: string): void {
  if (process.env['POLYMODAL_REQUIRE_REFERENCE'] === '1') throw new Error(`POLYMODAL_REQUIRE_REFERENCE=1 but the tensorflow backend is unavailable: ${reason}`);
  t.skip(reason);
}
