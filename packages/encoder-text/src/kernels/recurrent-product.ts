/**
 * The per-step recurrent matrix products of the typed-array loops: `a [B, rows] . U [rows, cols]` forward and
 * `d [B, cols] . U^T` backward, for one fixed recurrent kernel U.
 *
 * On the wasm backend they run as direct calls into the backend's own XNNPACK BatchMatMul on buffers this
 * module registers in the wasm heap: no tensor, no engine bookkeeping, no kernel dispatch, so a [32, 32] x
 * [32, 128] product costs ~25 microseconds instead of ~170 through `tf.matMul` + `dataSync`, or ~350 as
 * plain JavaScript (V8 does not vectorise); likewise XNNPACK's sigmoid, ~2 ns an entry against ~25 for
 * `Math.exp` (the loops take tanh(x) as 2 sigmoid(2x) - 1). Elsewhere, or if the wasm module does not look as expected
 * (it is an internal of @tensorflow/tfjs-backend-wasm 4.x), register-blocked JavaScript loops in float64.
 */
import * as tf from '@tensorflow/tfjs';

export interface RecurrentProduct {
  /** `a [batch, rows] . U`: returns `[batch, cols]`, a view valid until the next call or `dispose`. */
  forward(a: Float32Array): Float32Array;
  /** `d [batch, cols] . U^T`: returns `[batch, rows]`, a view valid until the next call or `dispose`. */
  backward(d: Float32Array): Float32Array;
  /**
   * `1 / (1 + exp(-x))` of every entry of `x` (any length): returns a view valid until the next call with the
   * same length or `dispose`. On wasm, XNNPACK's vectorised sigmoid (within ~1e-7 of the exact value).
   */
  sigmoid(x: Float32Array): Float32Array;
  /** Frees what the product holds (wasm heap buffers). */
  dispose(): void;
  /** 'wasm' (XNNPACK calls) or 'js'. */
  readonly kind: 'wasm' | 'js';
}

/** `out[b, n] = sum_k a[b, k] * m[k, n]` for `a [batch, K]`, `m [K, N]` (float64), `out [batch, N]`. */
export function gemm(out: Float64Array, a: Float32Array, m: Float64Array, batch: number, K: number, N: number): void {
  out.fill(0);
  let b = 0;
  for (; b + 1 < batch; b += 2) {
    const ao = b * K;
    const oo = b * N;
    const oo1 = oo + N;
    let k = 0;
    for (; k + 1 < K; k += 2) {
      const a0 = a[ao + k];
      const a1 = a[ao + k + 1];
      const c0 = a[ao + K + k];
      const c1 = a[ao + K + k + 1];
      if (a0 === 0 && a1 === 0 && c0 === 0 && c1 === 0) continue;
      const m0 = k * N;
      const m1 = m0 + N;
      for (let n = 0; n < N; n++) {
        const x0 = m[m0 + n];
        const x1 = m[m1 + n];
        out[oo + n] += a0 * x0 + a1 * x1;
        out[oo1 + n] += c0 * x0 + c1 * x1;
      }
    }
    for (; k < K; k++) {
      const a0 = a[ao + k];
      const c0 = a[ao + K + k];
      const m0 = k * N;
      for (let n = 0; n < N; n++) {
        out[oo + n] += a0 * m[m0 + n];
        out[oo1 + n] += c0 * m[m0 + n];
      }
    }
  }
  for (; b < batch; b++) {
    const ao = b * K;
    const oo = b * N;
    for (let k = 0; k < K; k++) {
      const a0 = a[ao + k];
      if (a0 === 0) continue;
      const m0 = k * N;
      for (let n = 0; n < N; n++) out[oo + n] += a0 * m[m0 + n];
    }
  }
}

function transpose(m: Float32Array, rows: number, cols: number): Float32Array {
  const t = new Float32Array(rows * cols);
  for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) t[c * rows + r] = m[r * cols + c];
  return t;
}

class JsProduct implements RecurrentProduct {
  readonly kind = 'js';
  private readonly u64: Float64Array;
  private ut64: Float64Array | null = null;
  private readonly out: Float64Array;
  private readonly outF: Float32Array;
  private backOut: Float64Array | null = null;
  private backOutF: Float32Array | null = null;

  constructor(private readonly u: Float32Array, private readonly batch: number, private readonly rows: number, private readonly cols: number) {
    this.u64 = Float64Array.from(u);
    this.out = new Float64Array(batch * cols);
    this.outF = new Float32Array(batch * cols);
  }

  forward(a: Float32Array): Float32Array {
    gemm(this.out, a, this.u64, this.batch, this.rows, this.cols);
    this.outF.set(this.out);
    return this.outF;
  }

  backward(d: Float32Array): Float32Array {
    if (!this.ut64) {
      this.ut64 = Float64Array.from(transpose(this.u, this.rows, this.cols));
      this.backOut = new Float64Array(this.batch * this.rows);
      this.backOutF = new Float32Array(this.batch * this.rows);
    }
    gemm(this.backOut!, d, this.ut64, this.batch, this.cols, this.rows);
    this.backOutF!.set(this.backOut!);
    return this.backOutF!;
  }

  private readonly sigmoidOut = new Map<number, Float32Array>();

  sigmoid(x: Float32Array): Float32Array {
    let out = this.sigmoidOut.get(x.length);
    if (!out) this.sigmoidOut.set(x.length, (out = new Float32Array(x.length)));
    for (let i = 0; i < x.length; i++) out[i] = 1 / (1 + Math.exp(-x[i]));
    return out;
  }

  dispose(): void {}
}

// ---- wasm ----

interface WasmModule {
  cwrap(name: string, ret: null, args: string[]): (...args: unknown[]) => void;
  _malloc(bytes: number): number;
  _free(ptr: number): void;
  HEAPF32: Float32Array;
  tfjs: { registerTensor(id: number, size: number, offset: number): void; disposeData(id: number): void };
}

interface WasmBackendLike {
  wasm: WasmModule;
  dataIdNextNumber: number;
}

interface WasmKernels {
  matMul: BatchMatMulFn;
  /** Sigmoid(x_id, out_id), in place allowed. */
  sigmoid: (xId: number, outId: number) => void;
}

type BatchMatMulFn = (
  aId: number, aShape: Uint8Array, aRank: number, bId: number, bShape: Uint8Array, bRank: number,
  transposeA: number, transposeB: number, outId: number,
) => void;

const kernelCache = new WeakMap<WasmModule, WasmKernels | null>();

/** The wasm backend and its raw kernels, or null where the backend is not wasm or not as expected. */
function wasmKernels(): { backend: WasmBackendLike; kernels: WasmKernels } | null {
  if (tf.getBackend() !== 'wasm') return null;
  const backend = tf.backend() as unknown as Partial<WasmBackendLike>;
  const wasm = backend.wasm;
  if (
    !wasm || typeof backend.dataIdNextNumber !== 'number' || typeof wasm.cwrap !== 'function' ||
    typeof wasm._malloc !== 'function' || typeof wasm._free !== 'function' || !(wasm.HEAPF32 instanceof Float32Array) ||
    typeof wasm.tfjs?.registerTensor !== 'function' || typeof wasm.tfjs?.disposeData !== 'function'
  ) {
    return null;
  }
  let kernels = kernelCache.get(wasm);
  if (kernels === undefined) {
    try {
      kernels = {
        matMul: wasm.cwrap('BatchMatMul', null, ['number', 'array', 'number', 'number', 'array', 'number', 'number', 'number', 'number']) as BatchMatMulFn,
        sigmoid: wasm.cwrap('Sigmoid', null, ['number', 'number']) as WasmKernels['sigmoid'],
      };
    } catch {
      kernels = null;
    }
    kernelCache.set(wasm, kernels);
  }
  return kernels ? { backend: backend as WasmBackendLike, kernels } : null;
}

const shapeBytes = (dims: number[]) => new Uint8Array(new Int32Array(dims).buffer);

/** A float32 buffer in the wasm heap registered under a fresh tensor id of the backend. */
interface HeapBuffer {
  id: number;
  offset: number;
  size: number;
}

class WasmProduct implements RecurrentProduct {
  readonly kind = 'wasm';
  private readonly buffers: HeapBuffer[] = [];
  private readonly wasm: WasmModule;
  private readonly u: HeapBuffer;
  private readonly a: HeapBuffer;
  private readonly out: HeapBuffer;
  private ut: HeapBuffer | null = null;
  private d: HeapBuffer | null = null;
  private backOut: HeapBuffer | null = null;
  private readonly aShape: Uint8Array;
  private readonly uShape: Uint8Array;
  private readonly dShape: Uint8Array;
  private readonly utShape: Uint8Array;
  private readonly outJs: Float32Array;
  private readonly backOutJs: Float32Array;
  private readonly sigmoidBuffers = new Map<number, { buffer: HeapBuffer; out: Float32Array }>();

  constructor(
    private readonly backend: WasmBackendLike, private readonly kernels: WasmKernels, private readonly kernel: Float32Array,
    private readonly batch: number, private readonly rows: number, private readonly cols: number,
  ) {
    this.wasm = backend.wasm;
    this.aShape = shapeBytes([1, batch, rows]);
    this.uShape = shapeBytes([1, rows, cols]);
    this.dShape = shapeBytes([1, batch, cols]);
    this.utShape = shapeBytes([1, cols, rows]);
    this.outJs = new Float32Array(batch * cols);
    this.backOutJs = new Float32Array(batch * rows);
    try {
      this.u = this.alloc(rows * cols);
      this.a = this.alloc(batch * rows);
      this.out = this.alloc(batch * cols);
      this.wasm.HEAPF32.set(kernel, this.u.offset >>> 2);
    } catch (error) {
      this.dispose();
      throw error;
    }
  }

  private alloc(size: number): HeapBuffer {
    const offset = this.wasm._malloc(size * 4) >>> 0;
    if (offset === 0) throw new Error('wasm _malloc failed');
    const id = this.backend.dataIdNextNumber++;
    const buffer = { id, offset, size };
    this.buffers.push(buffer);
    this.wasm.tfjs.registerTensor(id, size, offset);
    return buffer;
  }

  /**
   * Copies a heap buffer out to a JavaScript-side array: a view of the heap would go stale when memory grows
   * (any malloc, XNNPACK's first run of an operator included, replaces HEAPF32), and the copy is a memcpy.
   */
  private read(buffer: HeapBuffer, into: Float32Array): Float32Array {
    const start = buffer.offset >>> 2;
    into.set(this.wasm.HEAPF32.subarray(start, start + buffer.size));
    return into;
  }

  forward(a: Float32Array): Float32Array {
    this.wasm.HEAPF32.set(a.subarray(0, this.a.size), this.a.offset >>> 2);
    this.kernels.matMul(this.a.id, this.aShape, 3, this.u.id, this.uShape, 3, 0, 0, this.out.id);
    return this.read(this.out, this.outJs);
  }

  backward(d: Float32Array): Float32Array {
    if (!this.ut) {
      // U^T stored as its own [cols, rows] matrix: XNNPACK's transposed-B path is ~10x slower.
      this.ut = this.alloc(this.rows * this.cols);
      this.d = this.alloc(this.batch * this.cols);
      this.backOut = this.alloc(this.batch * this.rows);
      this.wasm.HEAPF32.set(transpose(this.kernel, this.rows, this.cols), this.ut.offset >>> 2);
    }
    this.wasm.HEAPF32.set(d.subarray(0, this.d!.size), this.d!.offset >>> 2);
    this.kernels.matMul(this.d!.id, this.dShape, 3, this.ut.id, this.utShape, 3, 0, 0, this.backOut!.id);
    return this.read(this.backOut!, this.backOutJs);
  }

  sigmoid(x: Float32Array): Float32Array {
    let entry = this.sigmoidBuffers.get(x.length);
    if (!entry) {
      entry = { buffer: this.alloc(x.length), out: new Float32Array(x.length) };
      this.sigmoidBuffers.set(x.length, entry);
    }
    this.wasm.HEAPF32.set(x, entry.buffer.offset >>> 2);
    this.kernels.sigmoid(entry.buffer.id, entry.buffer.id);
    return this.read(entry.buffer, entry.out);
  }

  dispose(): void {
    // Disposing the ids also drops the XNNPACK operators cached for them (packed copies of U and U^T).
    for (const buffer of this.buffers.splice(0)) {
      this.wasm.tfjs.disposeData(buffer.id);
      this.wasm._free(buffer.offset);
    }
  }
}

/** Which products `recurrentProduct` makes: 'auto' (wasm calls on the wasm backend, else JS) or forced. */
export type ProductPreference = 'auto' | 'js';

/**
 * The products for recurrent kernel `kernel [rows, cols]` (row-major) and `batch` rows of state. The caller
 * must `dispose` it; the kernel is copied, so later changes to `kernel` are not seen.
 */
export function recurrentProduct(
  kernel: Float32Array, batch: number, rows: number, cols: number, preference: ProductPreference = 'auto',
): RecurrentProduct {
  if (preference === 'auto') {
    const wasm = wasmKernels();
    if (wasm) {
      try {
        return new WasmProduct(wasm.backend, wasm.kernels, kernel, batch, rows, cols);
      } catch {
        // fall through to JavaScript
      }
    }
  }
  return new JsProduct(kernel, batch, rows, cols);
}
