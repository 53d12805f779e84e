import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import type { LoadedModel } from '@polymodal/core';
import { datasetAt, readFloatDataset, readH5Bytes, readKerasArchive, stringAttribute } from '../format/index.js';
import { loadKerasModel } from '../read/index.js';
import { exportKerasModel } from './export-keras-model.js';

/** A tabular-style model: one float input, Dense + BatchNormalization + Dense. */
function tabularModel(): tf.LayersModel {
  const x = tf.input({ shape: [4], name: 'measures' });
  const hidden = tf.layers.dense({ units: 3, activation: 'relu', name: 'measures_dense_1' }).apply(x) as tf.SymbolicTensor;
  const normed = tf.layers.batchNormalization({ name: 'measures_bn' }).apply(hidden) as tf.SymbolicTensor;
  const output = tf.layers.dense({ units: 1, activation: 'sigmoid', name: 'output' }).apply(normed) as tf.SymbolicTensor;
  return tf.model({ inputs: x, outputs: output, name: 'churn' });
}

const COLUMNS = [
  { name: 'tenure', kind: 'numeric', center: 10, scale: 2, fill: 10, indicator: true },
  { name: 'contract', kind: 'categorical', vocabulary: ['monthly'] },
];

/** What exportKerasModel reads from a loaded model folder, for a model whose folder the test does not train. */
function loadedModel(model: tf.LayersModel): LoadedModel {
  const preprocessor = { features: () => [{ key: 'features', shape: [4], dtype: 'float32' }], state: () => ({ columns: COLUMNS }) };
  return {
    dir: '/nowhere',
    meta: { task: 'binary', threshold: 0.4, inputs: [{ name: 'measures', encoder: 'tabular/mlp', columns: ['tenure', 'contract'] }], modelInputs: ['measures'] },
    manifest: { inputs: { measures: { encoder: 'tabular/mlp', columns: ['tenure', 'contract'], options: { categoricalEncoding: 'onehot' } } } },
    model,
    inputsFor: () => [{ spec: { name: 'measures' }, preprocessor }],
    labels: { state: () => ({ task: 'binary', columns: ['churned'], classes: ['no', 'yes'], numericClasses: false }) },
  } as unknown as LoadedModel;
}

function withFolder(run: (dir: string) => Promise<void>): () => Promise<void> {
  return async () => {
    const dir = mkdtempSync(join(tmpdir(), 'polymodal-keras-write-'));
    try {
      await run(dir);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  };
}

test('writes a .keras zip whose weights sit at Keras 3 paths, with the preprocessing beside it', withFolder(async (dir) => {
  const model = tabularModel();
  const file = join(dir, 'churn.keras');
  const result = await exportKerasModel(loadedModel(model), file);
  assert.equal(result.file, file);
  assert.equal(result.preprocessingFile, join(dir, 'churn.keras.preprocessing.json'));
  const archive = readKerasArchive(new Uint8Array(readFileSync(file)));
  assert.equal((archive.metadata as { keras_version: string }).keras_version, '3.15.1');
  const kernel = model.getLayer('measures_dense_1').getWeights()[0];
  const movingVariance = model.getLayer('measures_bn').getWeights()[3];
  await readH5Bytes(archive.weights, (h5) => {
    const saved = readFloatDataset(datasetAt(h5, 'layers/dense/vars/0')!);
    assert.deepEqual(saved.shape, [4, 3]);
    assert.deepEqual(Array.from(saved.values), Array.from(kernel.dataSync()));
    assert.deepEqual(Array.from(readFloatDataset(datasetAt(h5, 'layers/batch_normalization/vars/3')!).values), Array.from(movingVariance.dataSync()));
    assert.deepEqual(readFloatDataset(datasetAt(h5, 'layers/dense_1/vars/0')!).shape, [3, 1]);
    assert.equal(stringAttribute(h5.get('layers/dense_1/vars') as never, 'name'), 'output');
    assert.equal(h5.get('layers/input_layer/vars') !== null, true);
  });
  const description = JSON.parse(readFileSync(result.preprocessingFile, 'utf8'));
  assert.equal(description.format, 'polymodal-keras-preprocessing');
  assert.equal(description.threshold, 0.4);
  assert.deepEqual(description.modelInputs, [{ name: 'measures', input: 'measures', feature: 'features', shape: [4], dtype: 'float32' }]);
  assert.equal(description.inputs.measures.encoding, 'onehot');
  assert.deepEqual(description.inputs.measures.columns[1], { name: 'contract', kind: 'categorical', vocabulary: ['monthly'], unknownSlot: 0, missingSlot: 1, firstSlot: 2, slotOffset: 0 });
  model.dispose();
}));

test('the reader loads the exported file back with the same predictions', withFolder(async (dir) => {
  const model = tabularModel();
  const file = join(dir, 'churn.keras');
  await exportKerasModel(loadedModel(model), file);
  const back = await loadKerasModel(file);
  const x = tf.tensor2d([[0.5, -1, 2, 0], [1, 1, -3, 0.25]]);
  const expected = (model.predict(x) as tf.Tensor).dataSync();
  const actual = (back.predict(x) as tf.Tensor).dataSync();
  for (let i = 0; i < expected.length; i++) assert.ok(Math.abs(expected[i] - actual[i]) < 1e-6, `${expected[i]} vs ${actual[i]}`);
  tf.dispose([x]);
  back.dispose();
  model.dispose();
}));

test('refuses a name Keras cannot load and a file already there, and leaves it alone', withFolder(async (dir) => {
  const model = tabularModel();
  await assert.rejects(exportKerasModel(loadedModel(model), join(dir, 'churn.h5')), /must end in \.keras/);
  const taken = join(dir, 'taken.keras');
  writeFileSync(taken, 'not ours');
  await assert.rejects(exportKerasModel(loadedModel(model), taken), /already exists/);
  assert.equal(readFileSync(taken, 'utf8'), 'not ours');
  assert.equal(existsSync(join(dir, 'taken.keras.preprocessing.json')), false);
  await exportKerasModel(loadedModel(model), taken, { overwrite: true });
  assert.ok(readKerasArchive(new Uint8Array(readFileSync(taken))).weights.length > 0);
  model.dispose();
}));
