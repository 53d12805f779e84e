import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { denseStack } from './dense-stack.js';

function stack(options: Parameters<typeof denseStack>[1], dense?: (i: number, units: number) => string) {
  const input = tf.input({ shape: [5] });
  const output = denseStack(input, options, { layerName: (s) => `p_${s}`, dense });
  return tf.model({ inputs: input, outputs: output });
}

test('dense layers with batch normalization, activation after it, dropout and L2, named by position', () => {
  const model = stack({ units: [4, 3], activation: 'tanh', dropout: 0.25, l2: 0.01, batchNorm: true });
  assert.deepEqual(model.layers.slice(1).map((l) => l.name), [
    'p_dense_1', 'p_batch_norm_1', 'p_activation_1', 'p_dropout_1', 'p_dense_2', 'p_batch_norm_2', 'p_activation_2', 'p_dropout_2',
  ]);
  const dense = model.getLayer('p_dense_1').getConfig();
  assert.equal(dense.activation, 'linear', 'with batch norm the activation comes after the normalization');
  assert.ok(dense.kernel_regularizer ?? dense.kernelRegularizer, 'L2 on the kernel');
  assert.equal(model.getLayer('p_activation_1').getConfig().activation, 'tanh');
  assert.equal(model.getLayer('p_dropout_2').getConfig().rate, 0.25);
  assert.equal(model.countParams(), (5 * 4 + 4) + 4 * 4 + (4 * 3 + 3) + 4 * 3);
});

test('without batch norm the activation is inside the dense layer; no dropout layer at rate 0; custom dense names', () => {
  const model = stack({ units: [8, 2] }, (_, units) => `dense_${units}`);
  assert.deepEqual(model.layers.slice(1).map((l) => l.name), ['p_dense_8', 'p_dense_2']);
  assert.equal(model.getLayer('p_dense_8').getConfig().activation, 'relu');
  assert.equal(model.getLayer('p_dense_8').getConfig().kernel_regularizer ?? null, null);
});

test('no units: the input passes through unchanged', () => {
  const input = tf.input({ shape: [5] });
  assert.equal(denseStack(input, { units: [], dropout: 0.5 }, { layerName: (s) => s }), input);
});
