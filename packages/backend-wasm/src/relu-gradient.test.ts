import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';

import * as tf from '@tensorflow/tfjs';

import { registerReluGradient, RELU_GRAD_CHANNEL_SUMS_KERNEL, RELU_GRAD_KERNEL } from './relu-gradient.js';
import { randomArray, seeded, setUpWasm } from './test-fixtures/helpers.js';

before(async () => {
  await setUpWasm();
  registerReluGradient();
  registerReluGradient(); // idempotent: a second call wraps nothing again
});

/** d sum(relu(x) * r) / dx on `backend`, and the kernels that ran while computing it. */
async function reluGradientOn(backend: 'cpu' | 'wasm', x: Float32Array, r: Float32Array, shape: number[]) {
  await tf.setBackend(backend);
  let values: Float32Array | undefined;
  const info = await tf.profile(() => {
    tf.tidy(() => {
      const rt = tf.tensor(r, shape);
      const g = tf.grad((t: tf.Tensor) => tf.sum(tf.mul(tf.relu(t), rt)))(tf.tensor(x, shape));
      values = g.dataSync().slice() as Float32Array;
    });
  });
  await tf.setBackend('wasm');
  return { values: values!, kernels: info.kernels.map((k) => k.name) };
}

describe("relu's gradient on wasm as one SIMD pass", () => {
  const rand = seeded(1700);
  for (const shape of [[32, 62, 62, 32], [3, 7, 5], [6]]) {
    it(`equals tfjs's dy * step(x) on cpu bit for bit for [${shape}] (zeros, negatives, infinities, NaN), without Step`, async () => {
      const size = tf.util.sizeFromShape(shape);
      const x = randomArray(rand, size);
      const specials = [0, -0, Infinity, -Infinity, NaN, 1e-30, -1e-30];
      specials.forEach((v, i) => (x[(i * 7919) % size] = v));
      const r = randomArray(rand, size);
      r[size - 1] = Infinity; // dy infinite where x may be <= 0: 0 * Infinity is NaN in both
      const expected = await reluGradientOn('cpu', x, r, shape);
      const actual = await reluGradientOn('wasm', x, r, shape);
      assert.deepEqual(Array.from(actual.values), Array.from(expected.values));
      assert.ok(actual.kernels.includes(RELU_GRAD_KERNEL), actual.kernels.join(' '));
      assert.ok(!actual.kernels.includes('Step'), actual.kernels.join(' '));
      assert.ok(expected.kernels.includes('Step'), 'cpu keeps tfjs\'s own gradient');
    });
  }

  it('trains a relu layer with no tensor or buffer left behind', () => {
    const x = tf.randomNormal([16, 40]);
    const w = tf.variable(tf.randomNormal([40, 24]));
    const optimizer = tf.train.sgd(0.1);
    const step = () => tf.dispose(optimizer.minimize(() => tf.sum(tf.relu(tf.matMul(x, w))) as tf.Scalar, true) ?? []);
    step();
    const backend = tf.backend() as unknown as { numDataIds(): number };
    const counts = { tensors: tf.memory().numTensors, ids: backend.numDataIds() };
    for (let i = 0; i < 3; i++) step();
    assert.deepEqual({ tensors: tf.memory().numTensors, ids: backend.numDataIds() }, counts);
    tf.dispose([x, w]);
    optimizer.dispose();
  });
});

describe("relu's gradient with its channel sums in one pass (a relu convolution's bias gradient)", () => {
  const rand = seeded(1710);
  const run = (x: tf.Tensor, dy: tf.Tensor) => tf.engine().runKernel(RELU_GRAD_CHANNEL_SUMS_KERNEL, { dy, x }) as tf.Tensor[];

  for (const shape of [[4, 9, 7, 12], [5, 32]]) {
    it(`gives PolymodalReluGrad's dz bit for bit and dz's sum over all but the last axis for [${shape}]`, () => {
      const size = tf.util.sizeFromShape(shape);
      const xv = randomArray(rand, size);
      [0, -0, -1e-30].forEach((v, i) => (xv[(i * 131) % size] = v));
      const [x, dy] = [tf.tensor(xv, shape), tf.tensor(randomArray(rand, size), shape)];
      const before = tf.memory().numTensors;
      const [dz, sums] = run(x, dy);
      const expectedDz = tf.engine().runKernel(RELU_GRAD_KERNEL, { dy, x }) as tf.Tensor;
      assert.deepEqual(Array.from(dz.dataSync()), Array.from(expectedDz.dataSync()));
      const expectedSums = tf.sum(expectedDz, Array.from({ length: shape.length - 1 }, (_, axis) => axis));
      assert.deepEqual(sums.shape, [shape.at(-1)]);
      const worst = tf.tidy(() => tf.max(tf.abs(tf.sub(sums, expectedSums))).dataSync()[0]);
      assert.ok(worst <= 1e-5, `sums off by ${worst}`);
      tf.dispose([dz, sums, expectedDz, expectedSums]);
      assert.equal(tf.memory().numTensors, before);
      tf.dispose([x, dy]);
    });
  }

  it('refuses channels that are not a multiple of 4, naming the kernel and the shape', () => {
    const x = tf.ones([2, 6]);
    assert.throws(() => run(x, x), /PolymodalReluGradChannelSums: channels \(the last axis\) a multiple of 4 expected; got \[2,6\]/);
    x.dispose();
  });
});
