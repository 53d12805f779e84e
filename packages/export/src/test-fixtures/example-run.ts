/** Trains a shipped example (few epochs, into a temp folder) and reads preprocessed rows for the exported graphs. */
import * as tf from '@tensorflow/tfjs';
import { stat } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { createRandom, loadModel, readTable, train, type PointerSetting, type Row } from '@polymodal/core';
import { REPO_ROOT } from './plugin-layers.js';

export async function trainExample(example: string, outDir: string, set: readonly PointerSetting[] = []): Promise<string> {
  const manifest = join(REPO_ROOT, 'examples', example, 'polymodal.json');
  // One epoch in large batches: the export needs trained weights, not a good model.
  const fast = [{ pointer: '/training/epochs', value: 1 }, { pointer: '/training/batchSize', value: 256 }];
  const result = await train({ manifest, outDir, overrides: { set: [...fast, ...set] } });
  return result.outDir;
}

export interface PreparedInputs {
  /** The model's input names, in its order. */
  readonly names: string[];
  readonly tensors: tf.Tensor[];
  /** The tfjs model's outputs on them. */
  readonly expected: Float32Array[];
  /** The raw rows they come from. */
  readonly rows: Row[];
  /** The tfjs model's outputs with every optional input present (as the rows have them), or `expected` without any. */
  readonly expectedAllPresent: Float32Array[];
}

function predicted(model: tf.LayersModel, tensors: tf.Tensor[]): Float32Array[] {
  return tf.tidy(() => {
    const out = model.predict(tensors.length === 1 ? tensors[0] : tensors);
    return (Array.isArray(out) ? out : [out]).map((t) => Float32Array.from(t.dataSync() as Float32Array));
  });
}

/** The first `count` rows of the training data, through the folder's fitted preprocessors, as model inputs. */
export async function preprocessedRows(modelDir: string, count = 8): Promise<PreparedInputs> {
  const loaded = await loadModel(modelDir);
  try {
    const source = loaded.meta.trainingData;
    const dataDir = (await stat(source)).isDirectory() ? source : dirname(source);
    const rows = (await readTable(source)).rows.slice(0, count);
    const byName = new Map<string, tf.Tensor>();
    const random = createRandom(1);
    for (const input of loaded.inputsFor(dataDir)) {
      const features = input.preprocessor.features();
      const arrays = await input.preprocessor.transform(rows, { training: false, random: () => random.next() });
      for (const feature of features) {
        const name = features.length === 1 ? input.spec.name : `${input.spec.name}__${feature.key}`;
        byName.set(name, tf.tensor(arrays[feature.key], [rows.length, ...feature.shape], feature.dtype));
      }
    }
    for (const name of loaded.model.inputNames) {
      // An optional input's presence mask: every other row lacks it, so the missing-input paths run too.
      if (!byName.has(name) && name.endsWith('__present')) byName.set(name, tf.tensor2d(rows.map((_, i) => [i % 2]), [rows.length, 1]));
    }
    const names = loaded.model.inputNames;
    const tensors = names.map((name) => {
      const tensor = byName.get(name);
      if (tensor === undefined) throw new Error(`no preprocessed feature for model input ${name}`);
      return tensor;
    });
    const expected = predicted(loaded.model, tensors);
    const allPresent = names.map((name, i) => (name.endsWith('__present') ? tf.onesLike(tensors[i]) : tensors[i]));
    const expectedAllPresent = predicted(loaded.model, allPresent);
    tf.dispose(allPresent.filter((t, i) => t !== tensors[i]));
    return { names, tensors, expected, rows: [...rows], expectedAllPresent };
  } finally {
    loaded.model.dispose();
  }
}
