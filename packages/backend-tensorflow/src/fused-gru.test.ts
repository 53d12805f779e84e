import assert from 'node:assert/strict';
import { before, test } from 'node:test';
import * as tf from '@tensorflow/tfjs';
import { fusedGru } from './fused-gru.js';
import { assertEqualsReference, assertNoLeaks, type Recurrence } from './test-fixtures/recurrence-check.js';
import { skipOrFail, useTensorflowBackend } from './test-fixtures/tensorflow-backend.js';

let unavailable: string | null = null;
before(async () => {
  unavailable = await useTensorflowBackend();
});

/** Keras's GRU(reset_after=False) equations, one tfjs op at a time: the reference. */
const loopGru: Recurrence = (x, kernel, recurrentKernel, bias) => {
  const [, batch] = x.shape;
  const units = recurrentKernel.shape[0];
  const [uz, ur, uh] = tf.split(recurrentKernel, 3, 1) as tf.Tensor2D[];
  let h: tf.Tensor2D = tf.zeros([batch, units]);
  const hs: tf.Tensor2D[] = [];
  for (const xt of tf.unstack(x) as tf.Tensor2D[]) {
    const [xz, xr, xh] = tf.split(tf.add(tf.matMul(xt, kernel), bias), 3, 1);
    const z = tf.sigmoid(tf.add(xz!, tf.matMul(h, uz!)));
    const r = tf.sigmoid(tf.add(xr!, tf.matMul(h, ur!)));
    const hh = tf.tanh(tf.add(xh!, tf.matMul(tf.mul(r, h), uh!)));
    h = tf.add(tf.mul(z, h), tf.mul(tf.sub(1, z), hh));
    hs.push(h);
  }
  return tf.stack(hs) as tf.Tensor3D;
};

test('GRUBlockCell with GRUBlockCellGrad equals Keras GRU(reset_after=False) equations on the cpu backend (gates z, r, h regrouped as r, u)', async (t) => {
  if (unavailable) return skipOrFail(t, unavailable);
  await assertEqualsReference(fusedGru, loopGru, { seed: 5, gateBiases: [0.5, -0.7, 0.3] });
});

test('fusedGru leaks no tensors, forward or backward', async (t) => {
  if (unavailable) return skipOrFail(t, unavailable);
  assertNoLeaks(fusedGru, 3);
});

test("fusedGru refuses a reset_after=True bias ([2, 3u]) by name", async (t) => {
  if (unavailable) return skipOrFail(t, unavailable);
  tf.tidy(() => {
    const x = tf.zeros([2, 1, 3]) as tf.Tensor3D;
    const bias = tf.zeros([6]) as tf.Tensor1D; // 2 x 3u for u = 1: the reset_after=True layout flattened
    assert.throws(() => fusedGru(x, tf.zeros([3, 3]) as tf.Tensor2D, tf.zeros([1, 3]) as tf.Tensor2D, bias), /bias \[3u\] \(reset_after=False\)/);
  });
});
