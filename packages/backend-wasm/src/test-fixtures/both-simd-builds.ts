/**
 * Both builds of the SIMD kernels (SIMD only, and relaxed SIMD with fused multiply-adds) instantiated on one fresh
 * memory, with a bump allocator of seeded operands: for tests and bench/seed/simd-builds.bench.ts, which compare them.
 */
import { RELAXED_SIMD_KERNELS_WASM, SIMD_KERNELS_WASM } from '../simd/module-bytes.js';
import type { SimdKernels } from '../simd/simd-kernels.js';

/** The WebAssembly API (this package's TypeScript lib has no DOM types, where its declarations live). */
const Wasm = (globalThis as unknown as {
  WebAssembly: {
    Memory: new (descriptor: { initial: number }) => { buffer: ArrayBuffer };
    Module: new (bytes: Uint8Array) => object;
    Instance: new (module: object, imports: object) => { exports: unknown };
  };
}).WebAssembly;

export interface BothSimdBuilds {
  readonly simd: SimdKernels;
  readonly relaxed: SimdKernels;
  readonly heap: Float32Array;
  /** The byte offset of n floats laid out after the last ones, filled with seeded values in [-0.5, 0.5) when `fill`. */
  alloc(n: number, fill: boolean): number;
}

/**
 * `pages` of 64 KiB; operands are laid out from offset 0. The relaxed build must compile here (chooseSimdBuild
 * turns on Node 20's flag for it first).
 */
export function bothSimdBuilds(pages: number, seed: number): BothSimdBuilds {
  const memory = new Wasm.Memory({ initial: pages });
  const instance = (base64: string) => new Wasm.Instance(new Wasm.Module(Buffer.from(base64, 'base64')), { env: { memory } }).exports as unknown as SimdKernels;
  const heap = new Float32Array(memory.buffer);
  let top = 0;
  let state = seed;
  const alloc = (n: number, fill: boolean) => {
    const at = top;
    top += n * 4 + 64;
    for (let i = 0; fill && i < n; i++) {
      state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
      heap[at / 4 + i] = state / 2 ** 32 - 0.5;
    }
    return at;
  };
  return { simd: instance(SIMD_KERNELS_WASM), relaxed: instance(RELAXED_SIMD_KERNELS_WASM), heap, alloc };
}
