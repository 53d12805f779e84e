import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import * as tf from '@tensorflow/tfjs';

import { wasmRecurrentProduct } from './recurrent-product.js';
import { seeded } from './test-fixtures/helpers.js';

function values(n: number, seed: number, scale = 1): Float32Array {
  const random = seeded(seed);
  return Float32Array.from({ length: n }, () => (random() * 2 - 1) * scale);
}

/** out = a [batch, K] . m (m [K, N], or m [N, K] read transposed), in float64. */
function matMul(a: Float32Array, m: Float32Array, batch: number, K: number, N: number, transposeM = false): Float64Array {
  const out = new Float64Array(batch * N);
  for (let b = 0; b < batch; b++) {
    for (let n = 0; n < N; n++) {
      let s = 0;
      for (let k = 0; k < K; k++) s += a[b * K + k] * (transposeM ? m[n * K + k] : m[k * N + n]);
      out[b * N + n] = s;
    }
  }
  return out;
}

function maxDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  assert.equal(a.length, b.length);
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
}

describe('wasmRecurrentProduct', () => {
  before(async () => {
    await import('@tensorflow/tfjs-backend-wasm');
    assert.equal(await tf.setBackend('wasm'), true);
  });
  after(async () => {
    await tf.setBackend('cpu');
  });

  it('equals plain products and sigmoid on wasm (odd sizes, batch 1, repeated calls)', () => {
    for (const [batch, rows, cols] of [[3, 5, 20], [1, 4, 12], [7, 3, 9], [32, 32, 128]]) {
      const kernel = values(rows * cols, 1);
      const product = wasmRecurrentProduct(kernel, batch, rows, cols);
      assert.ok(product, 'a product on the wasm backend');
      try {
        for (let round = 0; round < 2; round++) {
          const a = values(batch * rows, 2 + round);
          assert.ok(maxDiff(product.forward(a), matMul(a, kernel, batch, rows, cols)) < 1e-5, 'forward');
          const d = values(batch * cols, 5 + round);
          assert.ok(maxDiff(product.backward(d), matMul(d, kernel, batch, cols, rows, true)) < 1e-5, 'backward');
          const x = values(batch * cols, 9 + round, 8);
          assert.ok(maxDiff(product.sigmoid(x), x.map((v) => 1 / (1 + Math.exp(-v)))) < 1e-6, 'sigmoid');
        }
      } finally {
        product.dispose();
      }
    }
  });

  it('copies the kernel and leaves no tensors behind', () => {
    const before = tf.memory().numTensors;
    const kernel = values(2 * 3, 4);
    const expected = matMul(Float32Array.from([1, 1]), kernel, 1, 2, 3);
    const product = wasmRecurrentProduct(kernel, 1, 2, 3)!;
    kernel.fill(0);
    assert.ok(maxDiff(product.forward(Float32Array.from([1, 1])), expected) < 1e-6);
    product.dispose();
    assert.equal(tf.memory().numTensors, before);
  });

  it('is null on another backend', async () => {
    await tf.setBackend('cpu');
    assert.equal(wasmRecurrentProduct(values(6, 1), 1, 2, 3), null);
    await tf.setBackend('wasm');
  });
});
