import { before, test } from 'node:test';
import * as tf from '@tensorflow/tfjs';
import { fusedLstm } from './fused-lstm.js';
import { assertEqualsReference, assertNoLeaks, type Recurrence } from './test-fixtures/recurrence-check.js';
import { skipOrFail, useTensorflowBackend } from './test-fixtures/tensorflow-backend.js';

let unavailable: string | null = null;
before(async () => {
  unavailable = await useTensorflowBackend();
});

/** Keras's LSTM equations, one tfjs op at a time: the reference. */
const loopLstm: Recurrence = (x, kernel, recurrentKernel, bias) => {
  const [steps, batch] = x.shape;
  const units = recurrentKernel.shape[0];
  let h: tf.Tensor2D = tf.zeros([batch, units]);
  let c: tf.Tensor2D = tf.zeros([batch, units]);
  const hs: tf.Tensor2D[] = [];
  for (const xt of tf.unstack(x) as tf.Tensor2D[]) {
    const z = tf.add(tf.add(tf.matMul(xt, kernel), tf.matMul(h, recurrentKernel)), bias);
    const [zi, zf, zc, zo] = tf.split(z, 4, 1);
    c = tf.add(tf.mul(tf.sigmoid(zf!), c), tf.mul(tf.sigmoid(zi!), tf.tanh(zc!)));
    h = tf.mul(tf.sigmoid(zo!), tf.tanh(c));
    hs.push(h);
  }
  return tf.stack(hs) as tf.Tensor3D;
};

test('BlockLSTMV2 with its fused gradient equals Keras LSTM equations on the cpu backend (gate order i, f, c, o; no forget bias)', async (t) => {
  if (unavailable) return skipOrFail(t, unavailable);
  await assertEqualsReference(fusedLstm, loopLstm, { seed: 3, gateBiases: [0.3, 1, -0.4, 0.6] });
});

test('fusedLstm leaks no tensors, forward or backward', async (t) => {
  if (unavailable) return skipOrFail(t, unavailable);
  assertNoLeaks(fusedLstm, 4);
});
