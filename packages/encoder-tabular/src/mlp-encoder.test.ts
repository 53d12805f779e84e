import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import type { BuildContext, InputSpec } from '@polymodal/core';
import { tabularMlpEncoder } from './mlp-encoder.js';
import type { TabularOptions } from './options.js';
import type { TabularPreprocessor } from './tabular-preprocessor.js';

const ctx: BuildContext = { tf, layerName: (s) => `tab_${s}_${Math.random().toString(36).slice(2, 7)}` };
const base: TabularOptions = {
  scaling: 'zscore', missingIndicator: true, categoricalEncoding: 'onehot', maxCategories: 1000, minFrequency: 1,
  units: [16, 8], activation: 'relu', dropout: 0.2, l2: 0.01, batchNorm: true,
};
const rows = Array.from({ length: 64 }, (_, i) => ({ n: String(i % 7), c: ['a', 'b', 'c'][i % 3], label: i % 2 }));

async function buildAndTrain(options: Partial<TabularOptions>) {
  await tf.setBackend('cpu');
  const spec: InputSpec<TabularOptions> = { name: 'tab', encoder: 'tabular/mlp', columns: ['n', 'c'], options: { ...base, ...options }, dataDir: '.', manifestDir: '.' };
  const preprocessor = tabularMlpEncoder.createPreprocessor(spec) as TabularPreprocessor;
  preprocessor.inspect(rows);
  preprocessor.fit(rows);
  const inputs = Object.fromEntries(preprocessor.features().map((f) => [f.key, tf.input({ shape: [...f.shape], dtype: f.dtype, name: `tab_${f.key}` })]));
  const encoded = tabularMlpEncoder.build(inputs, spec, preprocessor, ctx);
  const head = tf.layers.dense({ units: 1, activation: 'sigmoid' }).apply(encoded.tensor) as tf.SymbolicTensor;
  const model = tf.model({ inputs: Object.values(inputs), outputs: head });
  model.compile({ optimizer: 'adam', loss: 'binaryCrossentropy' });
  const arrays = preprocessor.transform(rows);
  const xs = preprocessor.features().map((f) => tf.tensor(arrays[f.key], [rows.length, ...f.shape], f.dtype));
  const ys = tf.tensor2d(rows.map((r) => r.label), [rows.length, 1]);
  return { model, encoded, xs, ys };
}

test('one-hot MLP: output shape, parameter count, a training step that changes weights without leaking', async () => {
  const { model, encoded, xs, ys } = await buildAndTrain({});
  assert.deepEqual(encoded.tensor.shape, [null, 8]);
  assert.equal(encoded.kind, 'vector');
  // features: 1 numeric + 0 indicators + 3 cities + 2 reserved = 6 wide
  const expected = (6 * 16 + 16) + 4 * 16 + (16 * 8 + 8) + 4 * 8 + (8 + 1);
  assert.equal(model.countParams(), expected);
  const before = model.getWeights().map((w) => w.dataSync().slice());
  await model.fit(xs, ys, { epochs: 1, batchSize: 32, verbose: 0 });
  const count = tf.memory().numTensors;
  await model.fit(xs, ys, { epochs: 1, batchSize: 32, verbose: 0 });
  assert.equal(tf.memory().numTensors, count, 'no tensors leak in a training epoch');
  const after = model.getWeights().map((w) => w.dataSync());
  assert.ok(after.some((w, i) => w.some((v, j) => v !== before[i][j])), 'weights change');
  tf.dispose([...xs, ys]);
  model.dispose();
});

test('embedding MLP: one shared table sized by the fitted vocabularies', async () => {
  const { model, encoded, xs, ys } = await buildAndTrain({ categoricalEncoding: 'embedding', categorical: ['n', 'c'], embeddingDim: 3, units: [], batchNorm: false });
  const embedding = model.layers.find((l) => l.getClassName() === 'Embedding')!;
  assert.deepEqual(embedding.getWeights()[0].shape, [(7 + 2) + (3 + 2), 3]);
  assert.deepEqual(encoded.tensor.shape, [null, 6]);
  await model.fit(xs, ys, { epochs: 1, batchSize: 32, verbose: 0 });
  tf.dispose([...xs, ys]);
  model.dispose();
});
