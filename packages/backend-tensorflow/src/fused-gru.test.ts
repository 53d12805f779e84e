import assert from 'node:assert/strict';
import { before, test } from 'node:test';
import * as tf from '@tensorflow/tfjs';
import { fusedGru } from './fused-gru.js';
import { skipOrFail, useTensorflowBackend } from './test-fixtures/tensorflow-backend.js';

let unavailable: string | null = null;
before(async () => {
  unavailable = await useTensorflowBackend();
});

type Gru = (x: tf.Tensor3D, kernel: tf.Tensor2D, recurrentKernel: tf.Tensor2D, bias: tf.Tensor1D) => tf.Tensor3D;

/** Keras's GRU(reset_after=False) equations, one tfjs op at a time: the reference. */
const loopGru: Gru = (x, kernel, recurrentKernel, bias) => {
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

/** Outputs and the gradients of a weighted sum of them with respect to x, kernel, recurrent kernel, bias. */
function run(gru: Gru, inputs: tf.Tensor[], weights: tf.Tensor): { h: Float32Array; grads: Float32Array[] } {
  return tf.tidy(() => {
    const [x, k, u, b] = inputs as [tf.Tensor3D, tf.Tensor2D, tf.Tensor2D, tf.Tensor1D];
    const h = gru(x, k, u, b).dataSync() as Float32Array;
    const grads = tf.grads((...args: tf.Tensor[]) => tf.sum(tf.mul(gru(...(args as [tf.Tensor3D, tf.Tensor2D, tf.Tensor2D, tf.Tensor1D])), weights)))(inputs);
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

test('GRUBlockCell with GRUBlockCellGrad equals Keras GRU(reset_after=False) equations on the cpu backend (gates z, r, h regrouped as r, u)', async (t) => {
  if (unavailable) return skipOrFail(t, unavailable);
  const [steps, batch, features, units] = [7, 5, 6, 4];
  const random = seeded(5);
  const values = (n: number, scale: number) => Float32Array.from({ length: n }, () => random() * scale);
  const shapes: number[][] = [[steps, batch, features], [features, 3 * units], [units, 3 * units], [3 * units]];
  const data = shapes.map((shape) => values(shape.reduce((a, b) => a * b, 1), 0.8));
  // Distinct per-gate biases, so a wrong gate order cannot pass.
  data[3] = Float32Array.from({ length: 3 * units }, (_, i) => [0.5, -0.7, 0.3][Math.floor(i / units)]! + 0.05 * (i % units));
  const weightsData = values(steps * batch * units, 1);
  const make = () => ({ inputs: shapes.map((shape, i) => tf.tensor(data[i]!, shape)), weights: tf.tensor(weightsData, [steps, batch, units]) });

  const fusedInputs = make();
  const fused = run(fusedGru, fusedInputs.inputs, fusedInputs.weights);
  tf.dispose([...fusedInputs.inputs, fusedInputs.weights]);
  await tf.setBackend('cpu');
  try {
    const cpuInputs = make();
    const reference = run(loopGru, cpuInputs.inputs, cpuInputs.weights);
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

test('fusedGru leaks no tensors, forward or backward', async (t) => {
  if (unavailable) return skipOrFail(t, unavailable);
  const x = tf.randomNormal([4, 3, 2]) as tf.Tensor3D;
  const k = tf.randomNormal([2, 6]) as tf.Tensor2D;
  const u = tf.randomNormal([2, 6]) as tf.Tensor2D;
  const b = tf.zeros([6]) as tf.Tensor1D;
  const before = tf.memory().numTensors;
  tf.dispose(tf.grads((...args: tf.Tensor[]) => tf.sum(fusedGru(...(args as [tf.Tensor3D, tf.Tensor2D, tf.Tensor2D, tf.Tensor1D]))))([x, k, u, b]));
  tf.dispose(tf.tidy(() => fusedGru(x, k, u, b)));
  assert.equal(tf.memory().numTensors, before);
  tf.dispose([x, k, u, b]);
});

test("fusedGru refuses a reset_after=True bias ([2, 3u]) by name", async (t) => {
  if (unavailable) return skipOrFail(t, unavailable);
  tf.tidy(() => {
    const x = tf.zeros([2, 1, 3]) as tf.Tensor3D;
    const bias = tf.zeros([6]) as tf.Tensor1D; // 2 x 3u for u = 1: the reset_after=True layout flattened
    assert.throws(() => fusedGru(x, tf.zeros([3, 3]) as tf.Tensor2D, tf.zeros([1, 3]) as tf.Tensor2D, bias), /bias \[3u\] \(reset_after=False\)/);
  });
});
