import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';

import * as tf from '@tensorflow/tfjs';
import * as tfWasm from '@tensorflow/tfjs-backend-wasm';

import { registerWasmBackendExtensions } from './extensions.js';
import { wasmFusedLstm } from './fused-lstm.js';
import { simdKernels } from './simd/simd-kernels.js';
import { randomArray, seeded } from './test-fixtures/helpers.js';
import { registerThreadedWasmBackend, restoreSingleThreadedWasmBackend, wasmThreadsUnavailable } from './threaded-backend.js';
import { wasmAdam } from './wasm-adam.js';

const unavailable = wasmThreadsUnavailable();

function tensorFrom(seed: number, shape: number[]): tf.Tensor {
  return tf.tensor(randomArray(seeded(seed), tf.util.sizeFromShape(shape)), shape);
}

/** A model over this package's training kernels: Conv2D's grads, MaxPoolGrad, relu's gradient, Embedding's (UnsortedSegmentSum), Dense. */
function buildModel(): tf.LayersModel {
  const image = tf.input({ shape: [12, 12, 3] });
  const tokens = tf.input({ shape: [10], dtype: 'int32' });
  const conv = tf.layers.conv2d({ filters: 16, kernelSize: 3, padding: 'same', activation: 'relu' }).apply(image) as tf.SymbolicTensor;
  const pooled = tf.layers.flatten().apply(tf.layers.maxPooling2d({ poolSize: 2 }).apply(conv)) as tf.SymbolicTensor;
  const embedded = tf.layers.flatten().apply(tf.layers.embedding({ inputDim: 40, outputDim: 8 }).apply(tokens)) as tf.SymbolicTensor;
  const joined = tf.layers.concatenate().apply([pooled, embedded]) as tf.SymbolicTensor;
  const out = tf.layers.dense({ units: 4, activation: 'softmax' }).apply(tf.layers.dense({ units: 24, activation: 'relu' }).apply(joined)) as tf.SymbolicTensor;
  const model = tf.model({ inputs: [image, tokens], outputs: out });
  tf.tidy(() => model.setWeights(model.weights.map((w, i) => tf.mul(tensorFrom(100 + i, w.shape as number[]), 0.3))));
  return model;
}

/** Products, convolutions, the fused LSTM with its gradients and a short training run with the SIMD Adam, as host arrays. */
function workload(): Float32Array[] {
  const results: Float32Array[] = [];
  const keep = (t: tf.Tensor) => results.push(t.dataSync().slice() as Float32Array);
  tf.tidy(() => {
    keep(tf.matMul(tensorFrom(1, [96, 300]), tensorFrom(2, [300, 130])));
    keep(tf.conv2d(tensorFrom(3, [4, 16, 16, 8]) as tf.Tensor4D, tensorFrom(4, [3, 3, 8, 16]) as tf.Tensor4D, 1, 'same'));
    const lstm = wasmFusedLstm();
    assert.ok(lstm, 'the fused LSTM (SIMD kernels) is available');
    const [x, k, rk, b] = [tensorFrom(5, [9, 4, 6]), tensorFrom(6, [6, 32]), tensorFrom(7, [8, 32]), tensorFrom(8, [32])];
    const f = (xs: tf.Tensor, ks: tf.Tensor, rks: tf.Tensor, bs: tf.Tensor) =>
      tf.sum(tf.square(lstm.lstm(xs as tf.Tensor3D, ks as tf.Tensor2D, rks as tf.Tensor2D, bs as tf.Tensor1D)));
    keep(lstm.lstm(x as tf.Tensor3D, k as tf.Tensor2D, rk as tf.Tensor2D, b as tf.Tensor1D));
    tf.grads(f)([x, k, rk, b]).forEach(keep);
  });
  const model = buildModel();
  const optimizer = wasmAdam(1e-2, 0.9, 0.999);
  assert.ok(optimizer, 'the SIMD Adam is available');
  const [images, tokens] = [tensorFrom(9, [6, 12, 12, 3]), tf.tensor2d(Array.from({ length: 60 }, (_, i) => (i * 7) % 40), [6, 10], 'int32')];
  const labels = tf.tidy(() => tf.oneHot(tf.tensor1d([0, 1, 2, 3, 1, 2], 'int32'), 4));
  for (let step = 0; step < 4; step++) {
    const loss = optimizer.minimize(() => tf.losses.softmaxCrossEntropy(labels, model.apply([images, tokens], { training: true }) as tf.Tensor) as tf.Scalar, true)!;
    keep(loss);
    loss.dispose();
  }
  model.getWeights().forEach(keep);
  tf.dispose([images, tokens, labels]);
  optimizer.dispose();
  model.dispose();
  return results;
}

function maxRelativeDiff(a: Float32Array, b: Float32Array): number {
  let scale = 0;
  for (const v of b) scale = Math.max(scale, Math.abs(v));
  let diff = 0;
  for (let i = 0; i < a.length; i++) diff = Math.max(diff, Math.abs(a[i]! - b[i]!));
  return diff / Math.max(scale, 1e-12);
}

describe('tfjs threaded wasm build in Node', { skip: unavailable ?? false }, () => {
  let single: Float32Array[];
  before(async () => {
    assert.equal(await tf.setBackend('wasm'), true);
    registerWasmBackendExtensions();
    assert.equal(tfWasm.getThreadsCount(), 1, "tfjs's own build in Node is single-threaded");
    single = workload();
  });

  it('refuses a thread count it cannot honour', () => {
    for (const threads of [0, 1, 2.5, 9, Number.NaN]) assert.throws(() => registerThreadedWasmBackend(threads), /threads must be an integer from 2 to 8/);
  });

  it('starts 2 XNNPACK threads on a shared heap where the SIMD kernels still run, and gives the single-threaded results within 1e-5', async () => {
    registerThreadedWasmBackend(2);
    assert.equal(await tf.setBackend('wasm'), true, 'the threaded build initialised');
    assert.equal(tfWasm.getThreadsCount(), 2);
    const memory = (tf.backend() as unknown as { wasm: { wasmMemory: { buffer: unknown } } }).wasm.wasmMemory;
    assert.ok(memory.buffer instanceof SharedArrayBuffer, 'the heap is shared with the pthread workers');
    assert.ok(simdKernels(tf.backend()), 'the SIMD kernels instantiate on the shared heap');
    const tensors = tf.memory().numTensors;
    const threaded = workload();
    assert.equal(tf.memory().numTensors, tensors, 'no tensor left behind');
    assert.equal(threaded.length, single.length);
    threaded.forEach((values, i) => {
      const diff = maxRelativeDiff(values, single[i]!);
      assert.ok(diff <= 1e-5, `result ${i}: max difference ${diff} relative to its largest value`);
    });
  });

  it("goes back to tfjs's single-threaded build", async () => {
    restoreSingleThreadedWasmBackend();
    assert.equal(await tf.setBackend('wasm'), true);
    assert.equal(tfWasm.getThreadsCount(), 1);
    const memory = (tf.backend() as unknown as { wasm: { asm: { memory: { buffer: unknown } } } }).wasm.asm.memory;
    assert.ok(!(memory.buffer instanceof SharedArrayBuffer));
  });
});
