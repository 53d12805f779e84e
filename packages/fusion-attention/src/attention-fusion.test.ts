import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { fileSystemHandler, selectBackend, type BuildContext } from '@polymodal/core';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { attentionFusion, type AttentionFusionOptions } from './attention-fusion.js';

const options = (o: Partial<AttentionFusionOptions> = {}): AttentionFusionOptions =>
  ({ dModel: 8, numHeads: 2, layers: 1, ffDim: 16, dropout: 0, pooling: 'mean', units: [], ...o });

function build(o: AttentionFusionOptions, prefix: string) {
  const ctx: BuildContext = { tf, layerName: (s) => `${prefix}_${s}` };
  const tabular = tf.input({ shape: [5], name: `${prefix}_tabular` });
  const text = tf.input({ shape: [7, 3], name: `${prefix}_text` });
  const fused = attentionFusion.build({ tabular: { tensor: tabular, kind: 'vector' }, text: { tensor: text, kind: 'sequence' } }, o, ctx);
  const output = tf.layers.dense({ units: 1, activation: 'sigmoid', name: `${prefix}_out` }).apply(fused) as tf.SymbolicTensor;
  return { fused, model: tf.model({ inputs: [tabular, text], outputs: output }) };
}

test('modalities become tokens, attend to each other, and pool to one vector', async () => {
  await tf.setBackend('cpu');
  const { fused, model } = build(options({ units: [4] }), 'shape');
  assert.deepEqual(fused.shape, [null, 4]);
  const d = 8;
  const projections = (5 * d + d) + (3 * d + d);
  const block = 4 * d * 2 * 4 + 3 * 2 * 4 + d + 4 * d + d * 16 + 16 + 16 * d + d;
  assert.equal(model.countParams(), projections + block + (d * 4 + 4) + (4 + 1));
  model.dispose();
});

test('trains on wasm and survives a save/load round trip with the same predictions', async () => {
  await selectBackend('wasm');
  const { model } = build(options({ layers: 2, dropout: 0.1 }), 'train');
  model.compile({ optimizer: tf.train.adam(0.01), loss: 'binaryCrossentropy' });
  const xs = [tf.randomNormal([16, 5], 0, 1, 'float32', 1), tf.randomNormal([16, 7, 3], 0, 1, 'float32', 2)];
  const ys = tf.tensor2d(Array.from({ length: 16 }, (_, i) => [i % 2]));
  const before = model.getWeights().map((w) => w.dataSync().slice());
  await model.fit(xs, ys, { epochs: 1, batchSize: 8, verbose: 0 });
  const count = tf.memory().numTensors;
  await model.fit(xs, ys, { epochs: 1, batchSize: 8, verbose: 0 });
  assert.equal(tf.memory().numTensors, count, 'an epoch leaks no tensors');
  assert.ok(model.getWeights().some((w, i) => w.dataSync().some((v, j) => v !== before[i][j])));
  const dir = mkdtempSync(join(tmpdir(), 'polymodal-attention-'));
  try {
    await model.save(fileSystemHandler(dir));
    const loaded = await tf.loadLayersModel(fileSystemHandler(dir));
    const expected = (model.predict(xs) as tf.Tensor).dataSync();
    const actual = (loaded.predict(xs) as tf.Tensor).dataSync();
    actual.forEach((v, i) => assert.ok(Math.abs(v - expected[i]) < 1e-5));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
