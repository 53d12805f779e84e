import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';

import * as tf from '@tensorflow/tfjs';

import { assertClose, host, keptCalls, randomArray, runKernelOn, seeded, setUpWasm } from './test-fixtures/helpers.js';

before(async () => {
  await setUpWasm();
});

interface ProductCase {
  a: number[];
  b: number[];
  ta: boolean;
  tb: boolean;
  out: number[];
}

/** BatchMatMul on cpu and on wasm with the same operands: the results, and how many calls reached wasm's own kernel. */
async function bothWays(c: ProductCase, rand: () => number) {
  const inputs = { a: host(randomArray(rand, tf.util.sizeFromShape(c.a)), c.a), b: host(randomArray(rand, tf.util.sizeFromShape(c.b)), c.b) };
  const attrs = { transposeA: c.ta, transposeB: c.tb };
  const expected = await runKernelOn('cpu', 'BatchMatMul', inputs, attrs);
  let actual: Awaited<ReturnType<typeof runKernelOn>> | undefined;
  const calls = await keptCalls(async () => void (actual = await runKernelOn('wasm', 'BatchMatMul', inputs, attrs)));
  assert.deepEqual(actual!.shape, c.out);
  assert.deepEqual(expected.shape, c.out);
  return { expected: expected.values, actual: actual!.values, calls };
}

describe('products with an inner dimension of 1 (outer products) on the SIMD kernel', () => {
  const rand = seeded(1500);
  // A one-unit Dense layer's input gradient as tfjs's matMul gradient asks for it (rank 3, batch 1, dy . W^T),
  // and every other layout of the two vectors; widths past the 16-float unrolled loop, past 4, and below 4.
  const cases: ProductCase[] = [
    { a: [1, 32, 1], b: [1, 12307, 1], ta: false, tb: true, out: [1, 32, 12307] },
    { a: [32, 1], b: [1, 4099], ta: false, tb: false, out: [32, 4099] },
    { a: [1, 33], b: [1, 1030], ta: true, tb: false, out: [33, 1030] },
    { a: [1, 1, 129], b: [1, 517, 1], ta: true, tb: true, out: [1, 129, 517] },
    { a: [5000, 1], b: [1, 6], ta: false, tb: false, out: [5000, 6] },
    { a: [1, 8192], b: [3, 1], ta: true, tb: true, out: [8192, 3] },
  ];
  for (const c of cases) {
    it(`a ${c.a}${c.ta ? 'ᵀ' : ''} . b ${c.b}${c.tb ? 'ᵀ' : ''} equals cpu exactly, without wasm's kernel`, async () => {
      const { expected, actual, calls } = await bothWays(c, rand);
      assert.deepEqual(Array.from(actual), Array.from(expected));
      assert.equal(calls, 0, 'the outer product kernel took it');
    });
  }

  it('a batched outer product goes to wasm (and equals cpu)', async () => {
    const { expected, actual, calls } = await bothWays({ a: [2, 64, 1], b: [2, 1, 300], ta: false, tb: false, out: [2, 64, 300] }, rand);
    assert.deepEqual(Array.from(actual), Array.from(expected));
    assert.equal(calls, 1);
  });

  it('leaves numTensors and the backend buffers unchanged', () => {
    const dy = tf.randomNormal([32, 1]);
    const w = tf.randomNormal([5000, 1]);
    const run = () => tf.tidy(() => tf.matMul(dy, w, false, true).dataSync());
    run();
    const backend = tf.backend() as unknown as { numDataIds(): number };
    const counts = { tensors: tf.memory().numTensors, ids: backend.numDataIds() };
    for (let i = 0; i < 3; i++) run();
    assert.deepEqual({ tensors: tf.memory().numTensors, ids: backend.numDataIds() }, counts);
    tf.dispose([dy, w]);
  });
});

describe("one-column kernel gradients x^T . dy on the SIMD kernel (four rows of x a pass)", () => {
  const rand = seeded(1600);
  // Rows: a multiple of 4, then 4 + a remainder of 1, 2, 3; columns past the 2048-column block and not a multiple of 4
  // (all at least the kernels' minimum of 16,384 multiply-adds).
  for (const [rows, cols] of [[32, 12307], [5, 4099], [6, 2901], [7, 3000], [3, 9000]] as const) {
    it(`x [${rows}, ${cols}]^T . dy [${rows}, 1] equals cpu within 1e-6, without wasm's kernel`, async () => {
      const { expected, actual, calls } = await bothWays({ a: [1, rows, cols], b: [1, rows, 1], ta: true, tb: false, out: [1, cols, 1] }, rand);
      assertClose(actual, expected, 1e-6, 'dW');
      assert.equal(calls, 0);
    });
  }
});
