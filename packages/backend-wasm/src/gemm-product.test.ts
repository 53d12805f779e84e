import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';

import * as tf from '@tensorflow/tfjs';

import { simdBuild } from './simd/simd-kernels.js';
import { assertClose, host, keptCalls, randomArray, runKernelOn, seeded, setUpWasm } from './test-fixtures/helpers.js';

before(async () => {
  await setUpWasm();
});

describe('untransposed products on the SIMD GEMM', () => {
  const rand = seeded(1400);
  // [M, K, N]: 4-row blocks and leftover rows, 8-column panels and leftover columns, K past one chunk of
  // 256, M past one block of 64; the Dense shapes of the image CNN bench.
  const shapes: Array<[number, number, number]> = [
    [4, 64, 64], [7, 300, 9], [13, 300, 23], [70, 129, 40], [65, 513, 8], [64, 3136, 128], [64, 128, 3136], [3136, 64, 128],
  ];
  for (const [m, k, n] of shapes) {
    it(`a [${m}, ${k}] . b [${k}, ${n}] equals cpu, without wasm's kernel`, async () => {
      const inputs = { a: host(randomArray(rand, m * k), [m, k]), b: host(randomArray(rand, k * n), [k, n]) };
      const expected = await runKernelOn('cpu', 'BatchMatMul', inputs, { transposeA: false, transposeB: false });
      let actual: Awaited<ReturnType<typeof runKernelOn>> | undefined;
      const calls = await keptCalls(async () => {
        actual = await runKernelOn('wasm', 'BatchMatMul', inputs, { transposeA: false, transposeB: false });
      });
      assert.deepEqual(actual!.shape, [m, n]);
      assertClose(actual!.values, expected.values, 1e-5, 'product');
      assert.equal(calls, 0, 'the GEMM took the product');
    });
  }

  // [M, K, N] for a [M, K] . b^T, b [N, K]: pairs of rows and a leftover row, K and N past their multiples of 4.
  const transposed: Array<[number, number, number]> = [[64, 128, 3136], [7, 301, 9], [3, 1302, 6], [1, 64, 400], [33, 5, 128]];
  for (const [m, k, n] of transposed) {
    it(`a [${m}, ${k}] . b^T, b [${n}, ${k}] equals cpu, without wasm's kernel`, async () => {
      const inputs = { a: host(randomArray(rand, m * k), [m, k]), b: host(randomArray(rand, n * k), [n, k]) };
      const attrs = { transposeA: false, transposeB: true };
      const expected = await runKernelOn('cpu', 'BatchMatMul', inputs, attrs);
      let actual: Awaited<ReturnType<typeof runKernelOn>> | undefined;
      const calls = await keptCalls(async () => void (actual = await runKernelOn('wasm', 'BatchMatMul', inputs, attrs)));
      assert.deepEqual(actual!.shape, [m, n]);
      assertClose(actual!.values, expected.values, 1e-5, 'product');
      assert.equal(calls, 0, 'the SIMD kernel took the product');
    });
  }

  // [K, M, N] for a^T . b, a [K, M], b [K, N]: K past one chunk of 256, M past a block of 64 and not a multiple of
  // 4, N past its 8-column panels; the LSTM weight gradients x^T . dz of the seed model (smaller T).
  const transposedA: Array<[number, number, number]> = [[300, 7, 9], [513, 13, 23], [70, 65, 40], [640, 64, 128], [634, 32, 128]];
  for (const [k, m, n] of transposedA) {
    it(`a^T . b, a [${k}, ${m}], b [${k}, ${n}] equals cpu, without wasm's kernel or a Transpose`, async () => {
      const inputs = { a: host(randomArray(rand, k * m), [k, m]), b: host(randomArray(rand, k * n), [k, n]) };
      const attrs = { transposeA: true, transposeB: false };
      const expected = await runKernelOn('cpu', 'BatchMatMul', inputs, attrs);
      let actual: Awaited<ReturnType<typeof runKernelOn>> | undefined;
      let transposes = 0;
      const calls = await keptCalls(async () => {
        const info = await tf.profile(async () => void (actual = await runKernelOn('wasm', 'BatchMatMul', inputs, attrs)));
        transposes = info.kernels.filter((kernel) => kernel.name === 'Transpose').length;
      });
      assert.deepEqual(actual!.shape, [m, n]);
      assertClose(actual!.values, expected.values, 1e-5, 'product');
      assert.equal(calls, 0, 'the SIMD kernel took the product');
      assert.equal(transposes, 0, 'a was read in place');
    });
  }

  it('batch-1 rank-3 operands give a rank-3 product; a batched product goes to wasm', async () => {
    const a = host(randomArray(rand, 2 * 16 * 24), [2, 16, 24]);
    const b = host(randomArray(rand, 24 * 32), [1, 24, 32]);
    const single = { a: host(a.values.slice(0, 16 * 24), [1, 16, 24]), b };
    const expected = await runKernelOn('cpu', 'BatchMatMul', single, { transposeA: false, transposeB: false });
    const actual = await runKernelOn('wasm', 'BatchMatMul', single, { transposeA: false, transposeB: false });
    assert.deepEqual(actual.shape, [1, 16, 32]);
    assertClose(actual.values, expected.values, 1e-5, 'batch-1 product');
    const calls = await keptCalls(async () => void (await runKernelOn('wasm', 'BatchMatMul', { a, b }, { transposeA: false, transposeB: false })));
    assert.equal(calls, 1);
  });

  it('a buffer met again as b with the same shape: the fused GEMM keeps it up to 1000 columns, XNNPACK (packed) takes it past', async () => {
    const fused = simdBuild().build === 'relaxed-simd';
    for (const [n, later] of [[48, fused ? 0 : 2], [1024, 2]] as const) {
      const a = tf.randomNormal([8, 64]);
      const w = tf.randomNormal([64, n]);
      const calls = await keptCalls(() => {
        const results = [tf.matMul(a, w), tf.matMul(a, w), tf.matMul(a, w)];
        assertClose(results[0].dataSync(), results[2].dataSync(), 1e-5, 'same product both ways');
        tf.dispose(results);
      });
      assert.equal(calls, later, `N = ${n}: the first use on the GEMM, ${later} later ones on XNNPACK`);
      tf.dispose([a, w]);
    }
  });

  it('trains a Dense layer like cpu (forward, dx = dy . W^T, dW = x^T . dy) and leaks nothing', async () => {
    const xv = randomArray(rand, 64 * 300);
    const wv = randomArray(rand, 300 * 40);
    const results: Float32Array[][] = [];
    for (const backend of ['cpu', 'wasm'] as const) {
      await tf.setBackend(backend);
      const x = tf.tensor2d(xv, [64, 300]);
      const w = tf.tensor2d(wv, [300, 40]);
      const f = (xt: tf.Tensor, wt: tf.Tensor) => tf.sum(tf.square(tf.matMul(xt as tf.Tensor2D, wt as tf.Tensor2D)));
      const before = tf.memory().numTensors;
      const { value, grads } = tf.valueAndGrads(f)([x, w]);
      results.push([value, ...grads].map((t) => t.dataSync().slice() as Float32Array));
      tf.dispose([value, ...grads]);
      assert.equal(tf.memory().numTensors, before, `${backend}: tensors leaked`);
      tf.dispose([x, w]);
    }
    await tf.setBackend('wasm');
    for (let i = 0; i < 3; i++) assertClose(results[1]![i]!, results[0]![i]!, 1e-4, ['loss', 'dx', 'dW'][i]);
  });
});
