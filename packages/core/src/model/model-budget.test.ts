import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { PolymodalError } from '../errors.js';
import { checkBatchActivations, MAX_MODEL_PARAMETERS, pointerOfLayer, withParameterBudget } from './model-budget.js';
import type { Manifest } from '../manifest/types.js';

function denseModel(width: number, units: number): tf.LayersModel {
  const input = tf.input({ shape: [width], name: 'numbers' });
  const hidden = tf.layers.dense({ units: 4, name: 'numbers_dense' }).apply(input) as tf.SymbolicTensor;
  const wide = tf.layers.dense({ units, name: 'fusion_dense' }).apply(hidden) as tf.SymbolicTensor;
  return tf.model({ inputs: input, outputs: wide });
}

test('a model over the parameter budget fails before tfjs allocates the weight, naming the layer, and leaks nothing', () => {
  const before = tf.memory().numTensors;
  assert.throws(
    () => withParameterBudget(() => denseModel(3, 1_000_000_000), MAX_MODEL_PARAMETERS, (layer) => `/pointer/of/${layer}`),
    (error: PolymodalError) => {
      assert.equal(error.exitCode, 2);
      assert.match(error.message, /more than 200,000,000 parameters \(800 MB of float32 weights\); layer "fusion_dense" alone asks for 4,000,000,000/);
      assert.match(error.details.problems![0], /^\/pointer\/of\/fusion_dense: make the layers smaller/);
      return true;
    },
  );
  assert.equal(tf.memory().numTensors, before, 'the weights made before the refusal are disposed');
  // The patch is undone: a later model builds as usual.
  const model = denseModel(3, 2);
  assert.equal(model.countParams(), 3 * 4 + 4 + 4 * 2 + 2);
  model.dispose();
});

test('a model within the budget builds unchanged', () => {
  const model = withParameterBudget(() => denseModel(3, 2), 100, () => '/');
  assert.equal(model.countParams(), 26);
  model.dispose();
  assert.throws(() => withParameterBudget(() => denseModel(3, 2), 25, () => '/'), /more than 25 parameters/);
});

test('one batch\'s activations are estimated from the layers\' output shapes', () => {
  const model = denseModel(1000, 10);
  // Per row: input 1000 + 4 + 10 values; forward and gradient, float32: 8 bytes each.
  assert.doesNotThrow(() => checkBatchActivations(model, 32, 1014 * 32 * 8, () => '/'));
  assert.throws(() => checkBatchActivations(model, 33, 1014 * 32 * 8, (layer) => `/at/${layer}`), (error: PolymodalError) =>
    /one batch of 33 rows needs about .* layer "numbers" outputs 1,000 values per row/.test(error.message) && error.details.problems![0].startsWith('/at/numbers:'));
  model.dispose();
});

test('a layer name leads back to the manifest value that sizes it', () => {
  const manifest = { inputs: { photo: {}, photo_small: {} } } as unknown as Manifest;
  assert.equal(pointerOfLayer(manifest, 'photo_conv_1'), '/inputs/photo/options');
  assert.equal(pointerOfLayer(manifest, 'photo_small_conv_1'), '/inputs/photo_small/options');
  assert.equal(pointerOfLayer(manifest, 'fusion_dense_64'), '/fusion/options');
  assert.equal(pointerOfLayer(manifest, 'head_dense_32'), '/output/hiddenUnits');
});
