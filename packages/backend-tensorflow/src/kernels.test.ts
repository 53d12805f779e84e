import assert from 'node:assert/strict';
import { before, test } from 'node:test';
import * as tf from '@tensorflow/tfjs';
import { registerTensorflowBackendExtensions, TENSORFLOW_KERNELS } from './extensions.js';
import { skipOrFail, useTensorflowBackend } from './test-fixtures/tensorflow-backend.js';

let unavailable: string | null = null;
before(async () => {
  unavailable = await useTensorflowBackend();
  if (!unavailable) registerTensorflowBackendExtensions();
});

const INPUT = [-2, -0.5, -0, 0, 1e-30, 0.25, 3, NaN, -Infinity, Infinity];

async function on(backend: string, f: () => tf.Tensor): Promise<number[]> {
  await tf.setBackend(backend);
  try {
    return Array.from(tf.tidy(f).dataSync());
  } finally {
    await tf.setBackend('tensorflow');
  }
}

test('the kernels this package registers for tensorflow are exactly those checked here', () => {
  assert.deepEqual(TENSORFLOW_KERNELS, ['Step', 'BatchMatMul'], 'a kernel added to the list needs a case in this file');
});

test('BatchMatMul equals the cpu backend: outer products (inner dimension 1, every transpose) and the shapes it leaves to tfjs-node', async (t) => {
  if (unavailable) return skipOrFail(t, unavailable);
  const values = (n: number, k: number) => Array.from({ length: n }, (_, i) => Math.sin(i * k) * 2);
  const cases: [number[], number[], boolean, boolean][] = [
    [[5, 1], [1, 7], false, false], [[1, 5], [1, 7], true, false], [[5, 1], [7, 1], false, true], [[1, 5], [7, 1], true, true],
    [[32, 1], [1, 300], false, false], [[4, 3], [3, 2], false, false], [[3, 4], [2, 3], true, true], [[2, 3, 1], [2, 1, 4], false, false],
  ];
  for (const [aShape, bShape, transposeA, transposeB] of cases) {
    const f = () => {
      const a: tf.Tensor = tf.reshape(tf.tensor1d(values(aShape.reduce((x, y) => x * y), 0.7)), aShape);
      const b: tf.Tensor = tf.reshape(tf.tensor1d(values(bShape.reduce((x, y) => x * y), 1.3)), bShape);
      return tf.matMul(a as tf.Tensor2D, b as tf.Tensor2D, transposeA, transposeB);
    };
    const native = await on('tensorflow', f);
    const cpu = await on('cpu', f);
    const worst = Math.max(...native.map((v, i) => Math.abs(v - cpu[i]!)));
    assert.ok(native.length === cpu.length && worst < 1e-5, `${JSON.stringify([aShape, bShape, transposeA, transposeB])}: differs by ${worst}`);
  }
  // Dense(1)'s gradients, where the outer product appears.
  const dense = () => {
    const x = tf.tensor2d(values(6 * 40, 0.3), [6, 40]);
    const w = tf.tensor2d(values(40, 0.9), [40, 1]);
    const [dx, dw] = tf.grads((a: tf.Tensor, b: tf.Tensor) => tf.sum(tf.sigmoid(tf.matMul(a as tf.Tensor2D, b as tf.Tensor2D))))([x, w]);
    return tf.concat([tf.reshape(dx!, [-1]), tf.reshape(dw!, [-1])]);
  };
  const native = await on('tensorflow', dense);
  const cpu = await on('cpu', dense);
  assert.ok(Math.max(...native.map((v, i) => Math.abs(v - cpu[i]!))) < 1e-5);
});

test('Step equals the cpu backend (alpha 0 and 0.3, NaN, zeros, infinities; relu gradients, plain and fused into conv2d)', async (t) => {
  if (unavailable) return skipOrFail(t, unavailable);
  for (const alpha of [0, 0.3]) {
    const f = () => tf.step(tf.tensor1d(INPUT), alpha);
    assert.deepEqual(await on('tensorflow', f), await on('cpu', f), `Step alpha ${alpha}`);
  }
  // Through the gradients that call it: relu, and conv2d with a fused relu.
  const grads = () => {
    const x = tf.tensor4d(Array.from({ length: 2 * 5 * 5 * 2 }, (_, i) => Math.sin(i * 1.7)), [2, 5, 5, 2]);
    const w = tf.tensor4d(Array.from({ length: 3 * 3 * 2 * 3 }, (_, i) => Math.cos(i * 0.9) * 0.5), [3, 3, 2, 3]);
    const [dx, dw] = tf.grads((a: tf.Tensor, b: tf.Tensor) => tf.sum(tf.mul(tf.fused.conv2d({ x: a as tf.Tensor4D, filter: b as tf.Tensor4D, strides: 1, pad: 'same', activation: 'relu' }), 1.5)))([x, w]);
    return tf.concat([tf.reshape(dx!, [-1]), tf.reshape(dw!, [-1]), tf.reshape(tf.grad((a: tf.Tensor) => tf.sum(tf.relu(a)))(x), [-1])]);
  };
  const native = await on('tensorflow', grads);
  const cpu = await on('cpu', grads);
  const worst = Math.max(...native.map((v, i) => Math.abs(v - cpu[i]!)));
  assert.ok(worst < 1e-5, `relu gradients differ by ${worst}`);
});

test('the kernels leak no tensors', async (t) => {
  if (unavailable) return skipOrFail(t, unavailable);
  const x = tf.tensor1d(INPUT);
  const before = tf.memory().numTensors;
  tf.step(x).dispose();
  tf.step(x, 0.2).dispose();
  tf.tidy(() => void tf.matMul(tf.ones([3, 1]), tf.ones([1, 4])));
  assert.equal(tf.memory().numTensors, before);
  x.dispose();
});
