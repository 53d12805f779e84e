/**
 * Polymodal's own SIMD kernels for the wasm backend (source: packages/backend-wasm/assembly/, entry simd-kernels.ts,
 * AssemblyScript). The module imports the tfjs wasm backend's WebAssembly.Memory, so it reads and
 * writes tensors where they lie: arguments are the tensors' byte offsets in that heap. Where XNNPACK
 * (behind tfjs's kernels) is slow: products whose operands change every step and must be packed
 * first (the Conv2D filter gradient, Dense layers with one unit), and MaxPool's gradient.
 */
import * as tf from '@tensorflow/tfjs';
import { RELAXED_SIMD_KERNELS_WASM, SIMD_KERNELS_WASM } from './module-bytes.js';
import { chooseSimdBuild, type SimdBuildChoice } from './relaxed-simd.js';
import { withSharedMemoryImport } from './shared-memory-module.js';

export interface SimdKernels {
  /**
   * One Adam step (tfjs's arithmetic, op for op) over n floats: newValue, newM, newV from value, m, v and the gradient g;
   * the scalars are tfjs's float32 constants (1 - b1 etc. rounded once from doubles, 1 - b^t in float32, -lr).
   */
  adamUpdate(
    value: number, m: number, v: number, g: number, newValue: number, newM: number, newV: number, n: number,
    beta1: number, oneMinusBeta1: number, beta2: number, oneMinusBeta2: number,
    oneMinusAccBeta1: number, oneMinusAccBeta2: number, epsilon: number, negativeRate: number,
  ): void;
  conv2dFilterGrad(
    x: number, dy: number, out: number,
    batch: number, h: number, w: number, c: number, oh: number, ow: number, oc: number,
    kh: number, kw: number, sh: number, sw: number, pt: number, pl: number,
  ): void;
  /**
   * The filter gradient out [kh, kw, c, oc], bias gradient sums [oc] and v's gradient dv [oh * ow * oc] of y = relu(conv2d(x) + bias)
   * read only, flattened, by the one-unit product y . v, from its gradient g [batch]: conv2dFilterGrad of dy = (g . v^T) * step(y),
   * that dy made one image at a time in scratch [oh, ow, oc] (oc a multiple of 4), and y^T . g. Bit for bit outerProduct,
   * reluGradChannelSums, conv2dFilterGrad and weightedRowSum.
   */
  conv2dReluProductGrads(
    x: number, y: number, g: number, v: number, scratch: number, out: number, sums: number, dv: number,
    batch: number, h: number, w: number, c: number, oh: number, ow: number, oc: number,
    kh: number, kw: number, sh: number, sw: number, pt: number, pl: number,
  ): void;
  /** out[r] = sum_k a[r, k] * v[k] for a [rows, K]. */
  gemv(a: number, v: number, out: number, rows: number, k: number): void;
  /** out[m] = sum_k s[k] * x[k, m] for x [K, M]. */
  weightedRowSum(x: number, s: number, out: number, k: number, m: number): void;
  /** out[r, j] = a[r] * b[j] for out [M, N] (a product whose inner dimension is 1). */
  outerProduct(a: number, b: number, out: number, m: number, n: number): void;
  /** out[M, N] = a[M, K] . b[K, N], row-major, without packing either operand. */
  gemm(a: number, b: number, out: number, m: number, k: number, n: number): void;
  /** out[M, N] = a[K, M]^T . b[K, N], row-major, a read in place. */
  gemmTransposedA(a: number, b: number, out: number, m: number, k: number, n: number): void;
  /** out[M, N] = a[M, K] . b[N, K]^T, row-major. */
  gemmTransposedB(a: number, b: number, out: number, m: number, k: number, n: number): void;
  /** A Keras LSTM's time loop: h [T, batch, u] and the trace [T, batch, 6u] from xp [T, batch, 4u] and rk [u, 4u]. */
  lstmForward(xp: number, rk: number, h: number, trace: number, steps: number, batch: number, units: number): void;
  /** Its back-propagation through time: dxp [T, batch, 4u] from the trace, rk and dy [T, batch, u]; state: scratch [2, batch, u]. */
  lstmBackward(trace: number, rk: number, dy: number, dxp: number, state: number, steps: number, batch: number, units: number): void;
  /** Conv2D forward (NHWC, dilation 1) for few input channels; oc % 16 == 0; with hasBias, + bias[oc]; with relu, max(0, .). */
  conv2dFewChannels(
    x: number, f: number, out: number,
    batch: number, h: number, w: number, c: number, oh: number, ow: number, oc: number,
    kh: number, kw: number, sh: number, sw: number, pt: number, pl: number,
    bias: number, hasBias: number, relu: number,
  ): void;
  /**
   * conv2dFewChannels, and prod[b] = out[b] . v (each image's output flattened), bit for bit gemv(out, v, prod, batch,
   * oh * ow * oc); with keepOutput 0, out is one output row [ow * oc] that every row is written to in turn.
   */
  conv2dFewChannelsProduct(
    x: number, f: number, out: number, v: number, prod: number,
    batch: number, h: number, w: number, c: number, oh: number, ow: number, oc: number,
    kh: number, kw: number, sh: number, sw: number, pt: number, pl: number,
    bias: number, hasBias: number, relu: number, keepOutput: number,
  ): void;
  /** out[i] = dy[i] * step(x[i]) (1 where x > 0, NaN where x is NaN, else 0): relu's gradient. */
  reluGrad(dy: number, x: number, out: number, n: number): void;
  /** reluGrad over [rows, channels] (channels a multiple of 4), and sums[c] = the sum over rows of out[., c]. */
  reluGradChannelSums(dy: number, x: number, out: number, sums: number, rows: number, channels: number): void;
  /** out[r, i] = a[r, i] + v[i] for a [rows, n]. */
  addRowVector(a: number, v: number, out: number, rows: number, n: number): void;
  /** Winograd F(2x2, 3x3): v[16, tiles, c] from x's 4x4 tiles (zero outside), tile (b, ty, tx) at (2 ty - pt, 2 tx - pl). */
  winogradInput(x: number, v: number, batch: number, h: number, w: number, c: number, th: number, tw: number, pt: number, pl: number): void;
  /** u[16, c, oc] from a 3x3 filter [3, 3, c, oc]. */
  winogradFilter(g: number, u: number, c: number, oc: number): void;
  /** m[e] = v[e] . u[e] for the 16 tile positions. */
  winogradProducts(v: number, u: number, m: number, tiles: number, c: number, oc: number): void;
  /** out [batch, oh, ow, oc] from m[16, tiles, oc], plus bias [oc] (hasBias 1) and then relu (relu 1) as it stores. */
  winogradOutput(m: number, out: number, batch: number, oh: number, ow: number, oc: number, th: number, tw: number, bias: number, hasBias: number, relu: number): void;
  /** MaxPool's gradient dx (NHWC) from the pooled input x and dy. */
  maxPoolGrad(
    x: number, dy: number, dx: number,
    batch: number, h: number, w: number, c: number, oh: number, ow: number,
    fh: number, fw: number, sh: number, sw: number, pt: number, pl: number,
  ): void;
}

interface WasmBackendInternals {
  /** The single-threaded build exports its memory (asm.memory); the threaded one imports a shared one (wasmMemory). */
  wasm: { asm?: { memory?: unknown }; wasmMemory?: unknown };
  dataIdMap: { get(dataId: tf.DataId): { memoryOffset: number } | undefined };
}

/** The WebAssembly API (this package's TypeScript lib has no DOM types, where its declarations live). */
interface WebAssemblyApi {
  Module: new (bytes: Uint8Array) => object;
  Instance: new (module: object, imports: object) => { exports: unknown };
  Memory: abstract new (...args: never[]) => { buffer: ArrayBufferLike };
}
const WebAssembly = (globalThis as unknown as { WebAssembly: WebAssemblyApi }).WebAssembly;

/** The compiled module for an unshared heap and for a shared one (tfjs's threaded build), by `shared`. */
const compiled = new Map<boolean, object | null>();
const instances = new WeakMap<object, SimdKernels | null>();
let chosen: SimdBuildChoice | undefined;

/**
 * The build of the kernels this process runs (relaxed-simd.ts), chosen on first use from POLYMODAL_WASM_RELAXED_SIMD
 * and the runtime; throws when that variable is invalid, or asks for a build the runtime cannot compile.
 */
export function simdBuild(): SimdBuildChoice {
  chosen ??= chooseSimdBuild(Buffer.from(RELAXED_SIMD_KERNELS_WASM, 'base64'));
  return chosen;
}

function module(shared: boolean): object | null {
  if (!compiled.has(shared)) {
    const bytes = Buffer.from(simdBuild().build === 'relaxed-simd' ? RELAXED_SIMD_KERNELS_WASM : SIMD_KERNELS_WASM, 'base64');
    try {
      compiled.set(shared, new WebAssembly.Module(shared ? withSharedMemoryImport(bytes) : bytes));
    } catch {
      compiled.set(shared, null); // no WebAssembly SIMD here
    }
  }
  return compiled.get(shared) ?? null;
}

/** The backend's heap: exported by tfjs's single-threaded build, imported (shared) by its threaded one. */
function heapMemory(backend: unknown): InstanceType<WebAssemblyApi['Memory']> | null {
  const wasm = (backend as Partial<WasmBackendInternals> | null)?.wasm;
  const memory = wasm?.asm?.memory ?? wasm?.wasmMemory;
  return memory instanceof WebAssembly.Memory ? memory : null;
}

/** The kernels bound to `backend`'s heap, or null when it is not a wasm backend as expected (or SIMD is missing). */
export function simdKernels(backend: unknown): SimdKernels | null {
  const memory = heapMemory(backend);
  if (memory == null) return null;
  let kernels = instances.get(memory);
  if (kernels === undefined) {
    const m = module(typeof SharedArrayBuffer !== 'undefined' && memory.buffer instanceof SharedArrayBuffer);
    try {
      kernels = m == null ? null : (new WebAssembly.Instance(m, { env: { memory } }).exports as unknown as SimdKernels);
    } catch {
      kernels = null; // a memory whose limits the module's import does not accept
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
