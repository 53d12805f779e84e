/**
 * The two builds of @polymodal/backend-wasm's SIMD kernels (SIMD only, and relaxed SIMD with fused multiply-adds) on
 * the seed model's products, in one process on one memory, calls interleaved (simd, relaxed, simd, ...) so that a
 * shared machine's changing speed falls on both alike: median ms per call and the ratio.
 *   TSX_TSCONFIG_PATH=tsconfig.base.json node --conditions=@polymodal/source --import tsx bench/seed/simd-builds.bench.ts
 * Options (env): BENCH_CALLS (25 per build and kernel).
 */
import { chooseSimdBuild } from '../../packages/backend-wasm/src/simd/relaxed-simd.js';
import { RELAXED_SIMD_KERNELS_WASM } from '../../packages/backend-wasm/src/simd/module-bytes.js';
import { bothSimdBuilds } from '../../packages/backend-wasm/src/test-fixtures/both-simd-builds.js';
import type { SimdKernels } from '../../packages/backend-wasm/src/simd/simd-kernels.js';

const CALLS = Number(process.env.BENCH_CALLS ?? 25);
const choice = chooseSimdBuild(Buffer.from(RELAXED_SIMD_KERNELS_WASM, 'base64'), {});
if (choice.build !== 'relaxed-simd') throw new Error(`the relaxed build cannot run here: ${choice.why}`);

const both = bothSimdBuilds(4096, 1); // 256 MiB
const builds = { simd: both.simd, relaxed: both.relaxed };
const heap = both.heap;
/** n floats laid out after the last ones, filled with seeded values in [-0.5, 0.5) unless `fill` is false. */
const alloc = (n: number, fill = true): number => both.alloc(n, fill);

type Case = [name: string, run: (kernels: SimdKernels) => void];
const cases: Case[] = [];
{
  // Conv2D(32, 3x3) on 64x64x3 images, batch 32, and its filter gradient.
  const x = alloc(32 * 64 * 64 * 3);
  const f = alloc(27 * 32);
  const out = alloc(32 * 62 * 62 * 32, false);
  const dy = alloc(32 * 62 * 62 * 32);
  const grad = alloc(27 * 32, false);
  cases.push(['Conv2D x[32,64,64,3] f[3,3,3,32] (conv2dFewChannels)', (k) => k.conv2dFewChannels(x, f, out, 32, 64, 64, 3, 62, 62, 32, 3, 3, 1, 1, 0, 0, 0, 0, 0)]);
  cases.push(['its filter gradient (conv2dFilterGrad)', (k) => k.conv2dFilterGrad(x, dy, grad, 32, 64, 64, 3, 62, 62, 32, 3, 3, 1, 1, 0, 0)]);
}
{
  // The LSTM(32)'s input projection over 100 steps x 32 rows of 64-wide embeddings, and its two gradients.
  const xs = alloc(3200 * 64);
  const kernel = alloc(64 * 128);
  const z = alloc(3200 * 128, false);
  const dz = alloc(3200 * 128);
  const dx = alloc(3200 * 64, false);
  const dw = alloc(64 * 128, false);
  cases.push(['x . W  [3200,64] . [64,128] (gemm)', (k) => k.gemm(xs, kernel, z, 3200, 64, 128)]);
  cases.push(['dz . W^T  [3200,128] . [64,128]^T (gemmTransposedB)', (k) => k.gemmTransposedB(dz, kernel, dx, 3200, 128, 64)]);
  cases.push(['x^T . dz  [3200,64]^T . [3200,128] (gemmTransposedA)', (k) => k.gemmTransposedA(xs, dz, dw, 64, 3200, 128)]);
}
{
  // The LSTM's time loop and its back-propagation (recurrent kernel scaled down, as trained ones are).
  const xp = alloc(100 * 32 * 128);
  const rk = alloc(32 * 128);
  for (let i = 0; i < 32 * 128; i++) heap[rk / 4 + i] *= 0.3;
  const h = alloc(100 * 32 * 32, false);
  const trace = alloc(100 * 32 * 192, false);
  const dy = alloc(100 * 32 * 32);
  const dxp = alloc(100 * 32 * 128, false);
  const scratch = alloc(2 * 32 * 32, false);
  cases.push(['LSTM time loop, 100 steps x 32 x 32 units (lstmForward)', (k) => k.lstmForward(xp, rk, h, trace, 100, 32, 32)]);
  cases.push(['its back-propagation (lstmBackward)', (k) => k.lstmBackward(trace, rk, dy, dxp, scratch, 100, 32, 32)]);
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;
const timed = (run: () => void) => {
  const start = performance.now();
  run();
  return performance.now() - start;
};
console.log(`SIMD kernels, SIMD only vs relaxed SIMD (fused multiply-add); median ms of ${CALLS} interleaved calls each; Node ${process.versions.node}`);
for (const [name, run] of cases) {
  for (let i = 0; i < 3; i++) {
    run(builds.simd);
    run(builds.relaxed);
  }
  const simd: number[] = [];
  const relaxed: number[] = [];
  for (let i = 0; i < CALLS; i++) {
    simd.push(timed(() => run(builds.simd)));
    relaxed.push(timed(() => run(builds.relaxed)));
  }
  console.log(`  ${name.padEnd(58)} simd ${median(simd).toFixed(2).padStart(6)}  relaxed ${median(relaxed).toFixed(2).padStart(6)}  ratio ${(median(relaxed) / median(simd)).toFixed(2)}`);
}
