/**
 * Polymodal's own SIMD kernels for the wasm backend (source: packages/backend-wasm/assembly/simd-kernels.ts,
 * AssemblyScript). The module imports the tfjs wasm backend's WebAssembly.Memory, so it reads and
 * writes tensors where they lie: arguments are the tensors' byte offsets in that heap. Where XNNPACK
 * (behind tfjs's kernels) is slow: products whose operands change every step and must be packed
 * first (the Conv2D filter gradient, Dense layers with one unit).
 */
import * as tf from '@tensorflow/tfjs';
import { SIMD_KERNELS_WASM } from './module-bytes.js';

export interface SimdKernels {
  conv2dFilterGrad(
    x: number, dy: number, out: number,
    batch: number, h: number, w: number, c: number, oh: number, ow: number, oc: number,
    kh: number, kw: number, sh: number, sw: number, pt: number, pl: number,
  ): void;
  /** out[r] = sum_k a[r, k] * v[k] for a [rows, K]. */
  gemv(a: number, v: number, out: number, rows: number, k: number): void;
  /** out[m] = sum_k s[k] * x[k, m] for x [K, M]. */
  weightedRowSum(x: number, s: number, out: number, k: number, m: number): void;
}

interface WasmBackendInternals {
  wasm: { asm?: { memory?: unknown } };
  dataIdMap: { get(dataId: tf.DataId): { memoryOffset: number } | undefined };
}

/** The WebAssembly API (this package's TypeScript lib has no DOM types, where its declarations live). */
interface WebAssemblyApi {
  Module: new (bytes: Uint8Array) => object;
  Instance: new (module: object, imports: object) => { exports: unknown };
  Memory: abstract new (...args: never[]) => object;
}
const WebAssembly = (globalThis as unknown as { WebAssembly: WebAssemblyApi }).WebAssembly;

let compiled: object | null | undefined;
const instances = new WeakMap<object, SimdKernels | null>();

function module(): object | null {
  if (compiled === undefined) {
    try {
      compiled = new WebAssembly.Module(Buffer.from(SIMD_KERNELS_WASM, 'base64'));
    } catch {
      compiled = null; // no WebAssembly SIMD here
    }
  }
  return compiled;
}

/** The kernels bound to `backend`'s heap, or null when it is not a wasm backend as expected (or SIMD is missing). */
export function simdKernels(backend: unknown): SimdKernels | null {
  const memory = (backend as Partial<WasmBackendInternals> | null)?.wasm?.asm?.memory;
  if (!(memory instanceof WebAssembly.Memory)) return null;
  let kernels = instances.get(memory);
  if (kernels === undefined) {
    const m = module();
    try {
      kernels = m == null ? null : (new WebAssembly.Instance(m, { env: { memory } }).exports as unknown as SimdKernels);
    } catch {
      kernels = null; // e.g. a shared memory (tfjs's threaded build), which the module does not declare
    }
    instances.set(memory, kernels);
  }
  return kernels;
}

/** A tensor's byte offset in the wasm heap. */
export function heapOffset(backend: unknown, info: tf.TensorInfo): number {
  const data = (backend as WasmBackendInternals).dataIdMap.get(info.dataId);
  if (data == null) throw new Error('simd kernels: a tensor is not in the wasm heap');
  return data.memoryOffset;
}
