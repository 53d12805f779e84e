/** tfjs-node's own SavedModel support, which both TensorFlow graph engines (prediction, training) run through. */
import * as tf from '@tensorflow/tfjs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SERVING_TAG } from './emit-saved-model.js';

/** The part of tfjs-node's NodeJSKernelBackend that loads and runs SavedModels (tfjs-node 4.x). */
export interface SavedModelBackend {
  loadSavedModelMetaGraph(path: string, tags: string): number;
  runSavedModel(id: number, inputs: tf.Tensor[], inputInfos: { name: string; shape: number[]; dtype: string; tfDtype: string }[], outputNames: string[]): tf.Tensor[];
  deleteSavedModel(id: number): void;
}

export function savedModelBackend(): SavedModelBackend | undefined {
  const backend = tf.backend() as unknown as Partial<SavedModelBackend>;
  return typeof backend.loadSavedModelMetaGraph === 'function' && typeof backend.runSavedModel === 'function' ? (backend as SavedModelBackend) : undefined;
}

/** Seeded probe rows in each input's range: floats in [0, 1), integer inputs (token ids, categories) 0. */
export function probeInputs(model: tf.LayersModel, rows: number, seed: number): tf.Tensor[] {
  return model.inputs.map((input, i) => {
    const shape = [rows, ...(input.shape.slice(1) as number[])];
    return input.dtype === 'int32' ? tf.zeros(shape, 'int32') : tf.randomUniform(shape, 0, 1, 'float32', seed + i);
  });
}

export async function loadGraph(backend: SavedModelBackend, bytes: Uint8Array): Promise<number> {
  // TensorFlow reads the graph from a folder; once the session holds it, the folder is not needed.
  const dir = await mkdtemp(join(tmpdir(), 'polymodal-graph-'));
  try {
    await writeFile(join(dir, 'saved_model.pb'), bytes);
    return backend.loadSavedModelMetaGraph(dir, SERVING_TAG);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
