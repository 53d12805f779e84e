import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { bothSimdBuilds } from '../test-fixtures/both-simd-builds.js';
import { RELAXED_SIMD_KERNELS_WASM } from './module-bytes.js';
import { chooseSimdBuild, RELAXED_SIMD_ENV } from './relaxed-simd.js';
import type { SimdKernels } from './simd-kernels.js';

const relaxedBytes = Buffer.from(RELAXED_SIMD_KERNELS_WASM, 'base64');

describe('choosing the build of the SIMD kernels', () => {
  it('takes the fused multiply-add build where this Node compiles it (Node 20 with V8 flag turned on), unless told not to', () => {
    assert.deepEqual(chooseSimdBuild(relaxedBytes, {}), { build: 'relaxed-simd' });
    assert.deepEqual(chooseSimdBuild(relaxedBytes, { [RELAXED_SIMD_ENV]: '1' }), { build: 'relaxed-simd' });
    assert.deepEqual(chooseSimdBuild(relaxedBytes, { [RELAXED_SIMD_ENV]: '0' }), { build: 'simd', why: `${RELAXED_SIMD_ENV}=0` });
  });

  it('refuses a value it does not know, and a build the runtime cannot compile when asked for it', () => {
    assert.throws(() => chooseSimdBuild(relaxedBytes, { [RELAXED_SIMD_ENV]: 'yes' }), /POLYMODAL_WASM_RELAXED_SIMD must be 0 \(SIMD only\) or 1 .*got "yes"/);
    const notWasm = Uint8Array.from([1, 2, 3]);
    assert.deepEqual(chooseSimdBuild(notWasm, {}).build, 'simd');
    assert.match(chooseSimdBuild(notWasm, {}).why ?? '', /does not compile WebAssembly relaxed SIMD/);
    assert.throws(() => chooseSimdBuild(notWasm, { [RELAXED_SIMD_ENV]: '1' }), /=1 asks for the fused multiply-add kernels, but Node .* does not compile/);
  });
});

/** Both builds on one fresh memory, with seeded operands laid out from offset 0. */
function bothBuilds() {
  assert.equal(chooseSimdBuild(relaxedBytes, {}).build, 'relaxed-simd', 'this Node compiles the relaxed build');
  return bothSimdBuilds(256, 12345);
}

describe('the two builds of the SIMD kernels', () => {
  it('compute the same products and convolutions as a float64 reference, within float32 rounding', () => {
    const { simd, relaxed, heap, alloc } = bothBuilds();
    const [m, k, n] = [37, 70, 24];
    const a = alloc(m * k, true);
    const b = alloc(k * n, true);
    const at = alloc(k * m, true);
    const bt = alloc(n * k, true);
    const expected = (get: (i: number, j: number, p: number) => number) =>
      Array.from({ length: m * n }, (_, r) => {
        let sum = 0;
        for (let p = 0; p < k; p++) sum += get(Math.floor(r / n), r % n, p);
        return sum;
      });
    const products = [
      { name: 'gemm', run: (kernels: SimdKernels, out: number) => kernels.gemm(a, b, out, m, k, n), want: expected((i, j, p) => heap[a / 4 + i * k + p] * heap[b / 4 + p * n + j]) },
      { name: 'gemmTransposedA', run: (kernels: SimdKernels, out: number) => kernels.gemmTransposedA(at, b, out, m, k, n), want: expected((i, j, p) => heap[at / 4 + p * m + i] * heap[b / 4 + p * n + j]) },
      { name: 'gemmTransposedB', run: (kernels: SimdKernels, out: number) => kernels.gemmTransposedB(a, bt, out, m, k, n), want: expected((i, j, p) => heap[a / 4 + i * k + p] * heap[bt / 4 + j * k + p]) },
    ];
    for (const { name, run, want } of products) {
      for (const [build, kernels] of [['simd', simd], ['relaxed-simd', relaxed]] as const) {
        const out = alloc(m * n, false);
        run(kernels, out);
        want.forEach((value, i) => assert.ok(Math.abs(heap[out / 4 + i] - value) <= 1e-5 * (1 + Math.abs(value)), `${build} ${name}[${i}]: ${heap[out / 4 + i]} vs ${value}`));
      }
    }
    // The seed model's first layer, small: x [2, 9, 8, 3], a 3x3x3x16 filter, stride 1, no padding; and its filter gradient.
    const [batch, h, w, c, oc] = [2, 9, 8, 3, 16];
    const [oh, ow] = [h - 2, w - 2];
    const x = alloc(batch * h * w * c, true);
    const f = alloc(9 * c * oc, true);
    const dy = alloc(batch * oh * ow * oc, true);
    const xAt = (bi: number, y: number, xi: number, ci: number) => heap[x / 4 + ((bi * h + y) * w + xi) * c + ci];
    for (const [build, kernels] of [['simd', simd], ['relaxed-simd', relaxed]] as const) {
      const out = alloc(batch * oh * ow * oc, false);
      kernels.conv2dFewChannels(x, f, out, batch, h, w, c, oh, ow, oc, 3, 3, 1, 1, 0, 0, 0, 0, 0);
      const grad = alloc(9 * c * oc, false);
      kernels.conv2dFilterGrad(x, dy, grad, batch, h, w, c, oh, ow, oc, 3, 3, 1, 1, 0, 0);
      for (let bi = 0; bi < batch; bi++) for (let y = 0; y < oh; y++) for (let xi = 0; xi < ow; xi++) for (let o = 0; o < oc; o++) {
        let sum = 0;
        for (let i = 0; i < 3; i++) for (let j = 0; j < 3; j++) for (let ci = 0; ci < c; ci++) sum += xAt(bi, y + i, xi + j, ci) * heap[f / 4 + ((i * 3 + j) * c + ci) * oc + o];
        const got = heap[out / 4 + ((bi * oh + y) * ow + xi) * oc + o];
        assert.ok(Math.abs(got - sum) <= 1e-5 * (1 + Math.abs(sum)), `${build} conv2dFewChannels: ${got} vs ${sum}`);
      }
      for (let t = 0; t < 9 * c; t++) for (let o = 0; o < oc; o++) {
        const [i, j, ci] = [Math.floor(t / (3 * c)), Math.floor(t / c) % 3, t % c];
        let sum = 0;
        for (let bi = 0; bi < batch; bi++) for (let y = 0; y < oh; y++) for (let xi = 0; xi < ow; xi++) sum += xAt(bi, y + i, xi + j, ci) * heap[dy / 4 + ((bi * oh + y) * ow + xi) * oc + o];
        const got = heap[grad / 4 + t * oc + o];
        assert.ok(Math.abs(got - sum) <= 1e-5 * (1 + Math.abs(sum)), `${build} conv2dFilterGrad: ${got} vs ${sum}`);
      }
    }
  });
});
