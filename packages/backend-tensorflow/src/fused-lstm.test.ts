import assert from 'node:assert/strict';
import { before, test } from 'node:test';
import * as tf from '@tensorflow/tfjs';
import { fusedLstm } from './fused-lstm.js';
import { skipOrFail, useTensorflowBackend } from './test-fixtures/tensorflow-backend.js';

let unavailable: string | null = null;
before(async () => {
  unavailable = await useTensorflowBackend();
});

/** Keras's LSTM equations, one tfjs op at a time: the reference. */
function loopLstm(x: tf.Tensor3D, kernel: tf.Tensor2D, recurrentKernel: tf.Tensor2D, bias: tf.Tensor1D): tf.Tensor3D {
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
}

/** Outputs and the gradients of a weighted sum of them with respect to x, kernel, recurrent kernel, bias. */
function run(lstm: typeof fusedLstm, inputs: tf.Tensor[], weights: tf.Tensor): { h: Float32Array; grads: Float32Array[] } {
  return tf.tidy(() => {
    const [x, k, u, b] = inputs as [tf.Tensor3D, tf.Tensor2D, tf.Tensor2D, tf.Tensor1D];
    const h = lstm(x, k, u, b).dataSync() as Float32Array;
    const grads = tf.grads((...args: tf.Tensor[]) => tf.sum(tf.mul(lstm(...(args as [tf.Tensor3D, tf.Tensor2D, tf.Tensor2D, tf.Tensor1D])), weights)))(inputs);
    return { h: Float32Array.from(h), grads: grads.map((g) => Float32Array.from(g.dataSync() as Float32Array)) };
  });
}

function maxDiff(a: Float32Array, b: Float32Array): number {
  assert.equal(a.length, b.length);
  let max = 0;
  for (let i = 0; i < a.length; i++) max = Math.max(max, Math.abs(a[i]! - b[i]!));
  return max;
}

function seeded(seed: number): () => number {
  let state = seed >>> 0;
  return () => ((state = (Math.imul(state, 1664525) + 1013904223) >>> 0) / 2 ** 32) * 2 - 1;
}

test('BlockLSTMV2 with its fused gradient equals Keras LSTM equations on the cpu backend (gate order i, f, c, o; no forget bias)', async (t) => {
  if (unavailable) return skipOrFail(t, unavailable);
  const [steps, batch, features, units] = [7, 5, 6, 4];
  const random = seeded(3);
  const values = (n: number, scale: number) => Float32Array.from({ length: n }, () => random() * scale);
  const shapes: number[][] = [[steps, batch, features], [features, 4 * units], [units, 4 * units], [4 * units]];
  const data = shapes.map((shape) => values(shape.reduce((a, b) => a * b, 1), 0.8));
  // Distinct per-gate biases, so a wrong gate order cannot pass.
  data[3] = Float32Array.from({ length: 4 * units }, (_, i) => [0.3, 1, -0.4, 0.6][Math.floor(i / units)]! + 0.05 * (i % units));
  const weightsData = values(steps * batch * units, 1);
  const make = () => ({ inputs: shapes.map((shape, i) => tf.tensor(data[i]!, shape)), weights: tf.tensor(weightsData, [steps, batch, units]) });

  const fusedInputs = make();
  const fused = run(fusedLstm, fusedInputs.inputs, fusedInputs.weights);
  tf.dispose([...fusedInputs.inputs, fusedInputs.weights]);
  await tf.setBackend('cpu');
  try {
    const cpuInputs = make();
    const reference = run(loopLstm, cpuInputs.inputs, cpuInputs.weights);
    tf.dispose([...cpuInputs.inputs, cpuInputs.weights]);
    assert.ok(maxDiff(fused.h, reference.h) < 1e-5, `outputs differ by ${maxDiff(fused.h, reference.h)}`);
    ['x', 'kernel', 'recurrent kernel', 'bias'].forEach((name, i) => {
      const diff = maxDiff(fused.grads[i]!, reference.grads[i]!);
      assert.ok(diff < 1e-5, `gradient of ${name} differs by ${diff}`);
    });
  } finally {
    await tf.setBackend('tensorflow');
  }
});

test('fusedLstm leaks no tensors, forward or backward', async (t) => {
  if (unavailable) return skipOrFail(t, unavailable);
  const x = tf.randomNormal([4, 3, 2]) as tf.Tensor3D;
  const k = tf.randomNormal([2, 8]) as tf.Tensor2D;
  const u = tf.randomNormal([2, 8]) as tf.Tensor2D;
  const b = tf.zeros([8]) as tf.Tensor1D;
  const before = tf.memory().numTensors;
  tf.dispose(tf.grads((...args: tf.Tensor[]) => tf.sum(fusedLstm(...(args as [tf.Tensor3D, tf.Tensor2D, tf.Tensor2D, tf.Tensor1D]))))([x, k, u, b]));
  tf.dispose(tf.tidy(() => fusedLstm(x, k, u, b)));
  assert.equal(tf.memory().numTensors, before);
  tf.dispose([x, k, u, b]);
});
