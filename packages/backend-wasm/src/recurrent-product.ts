/**
 * The per-step recurrent matrix products of Polymodal's LSTM and GRU loops (encoder-text) on the wasm backend:
 * `a [B, rows] . U [rows, cols]` forward and `d [B, cols] . U^T` backward for one fixed recurrent kernel U, and
 * sigmoid, as direct calls into the backend's own exported XNNPACK routines (`BatchMatMul`, `Sigmoid`) on
 * buffers this module registers in the wasm heap: no tensor, no engine bookkeeping, no kernel dispatch, so a
 * [32, 32] x [32, 128] product costs ~25 microseconds instead of ~170 through `tf.matMul` + `dataSync`, or ~350
 * as plain JavaScript (V8 does not vectorise); XNNPACK's sigmoid costs ~2 ns an entry against ~25 for `Math.exp`.
 * These are internals of @tensorflow/tfjs-backend-wasm 4.x: where they are missing or look different, or the
 * backend is not wasm, {@link wasmRecurrentProduct} gives null and the caller uses its JavaScript loops.
 */
import * as tf from '@tensorflow/tfjs';

/** Products for one recurrent kernel; every returned array is a view valid until the next call or `dispose`. */
export interface WasmRecurrentProduct {
  /** `a [batch, rows] . U`: `[batch, cols]`. */
  forward(a: Float32Array): Float32Array;
  /** `d [batch, cols] . U^T`: `[batch, rows]`. */
  backward(d: Float32Array): Float32Array;
  /** `1 / (1 + exp(-x))` of every entry of `x` (any length), XNNPACK's (within ~1e-7 of the exact value). */
  sigmoid(x: Float32Array): Float32Array;
  /** Frees the heap buffers (and the XNNPACK operators cached for them). */
  dispose(): void;
}

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

interface WasmRoutines {
  matMul: BatchMatMulFn;
  /** Sigmoid(x_id, out_id), in place allowed. */
  sigmoid: (xId: number, outId: number) => void;
}

type BatchMatMulFn = (
  aId: number, aShape: Uint8Array, aRank: number, bId: number, bShape: Uint8Array, bRank: number,
  transposeA: number, transposeB: number, outId: number,
) => void;

const routineCache = new WeakMap<WasmModule, WasmRoutines | null>();

/** The active wasm backend and its raw routines, or null where the backend is not wasm or not as expected. */
function wasmRoutines(): { backend: WasmBackendLike; routines: WasmRoutines } | null {
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
  let routines = routineCache.get(wasm);
  if (routines === undefined) {
    try {
      routines = {
        matMul: wasm.cwrap('BatchMatMul', null, ['number', 'array', 'number', 'number', 'array', 'number', 'number', 'number', 'number']) as BatchMatMulFn,
        sigmoid: wasm.cwrap('Sigmoid', null, ['number', 'number']) as WasmRoutines['sigmoid'],
      };
    } catch {
      routines = null;
    }
    routineCache.set(wasm, routines);
  }
  return routines ? { backend: backend as WasmBackendLike, routines } : null;
}

const shapeBytes = (dims: number[]) => new Uint8Array(new Int32Array(dims).buffer);

function transpose(m: Float32Array, rows: number, cols: number): Float32Array {
  const t = new Float32Array(rows * cols);
  for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) t[c * rows + r] = m[r * cols + c];
  return t;
}

/** A float32 buffer in the wasm heap registered under a fresh tensor id of the backend. */
interface HeapBuffer {
  id: number;
  offset: number;
  size: number;
}

class HeapProduct implements WasmRecurrentProduct {
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
    private readonly backend: WasmBackendLike, private readonly routines: WasmRoutines, private readonly kernel: Float32Array,
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
    this.routines.matMul(this.a.id, this.aShape, 3, this.u.id, this.uShape, 3, 0, 0, this.out.id);
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
    this.routines.matMul(this.d!.id, this.dShape, 3, this.ut.id, this.utShape, 3, 0, 0, this.backOut!.id);
    return this.read(this.backOut!, this.backOutJs);
  }

  sigmoid(x: Float32Array): Float32Array {
    let entry = this.sigmoidBuffers.get(x.length);
    if (!entry) {
      entry = { buffer: this.alloc(x.length), out: new Float32Array(x.length) };
      this.sigmoidBuffers.set(x.length, entry);
    }
    this.wasm.HEAPF32.set(x, entry.buffer.offset >>> 2);
    this.routines.sigmoid(entry.buffer.id, entry.buffer.id);
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

/**
 * The products for recurrent kernel `kernel [rows, cols]` (row-major, copied) and `batch` rows of state on the
 * active wasm backend, or null where that backend is not wasm, its routines are not as expected, or the heap
 * allocation fails. The caller must `dispose` it.
 */
export function wasmRecurrentProduct(kernel: Float32Array, batch: number, rows: number, cols: number): WasmRecurrentProduct | null {
  const wasm = wasmRoutines();
  if (!wasm) return null;
  try {
    return new HeapProduct(wasm.backend, wasm.routines, kernel, batch, rows, cols);
  } catch {
    return null;
  }
}
