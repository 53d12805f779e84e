/**
 * The per-step recurrent matrix products of the typed-array loops: `a [B, rows] . U [rows, cols]` forward and
 * `d [B, cols] . U^T` backward, for one fixed recurrent kernel U, and the loops' sigmoid (they take tanh(x) as
 * 2 sigmoid(2x) - 1).
 *
 * Where core has accelerated routines for the active backend (on wasm, from @polymodal/backend-wasm when it is
 * installed: direct XNNPACK calls, ~25 microseconds for a [32, 32] x [32, 128] product against ~350 here), they
 * are used; elsewhere, or when they cannot run, register-blocked JavaScript loops in float64 (V8 does not vectorise).
 */
import * as tf from '@tensorflow/tfjs';
import { acceleratedRoutines, type RecurrentProductRoutine } from '@polymodal/core';

export interface RecurrentProduct extends RecurrentProductRoutine {
  /** 'accelerated' (core's routines for the backend) or 'js'. */
  readonly kind: 'accelerated' | 'js';
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

/** Core's routine behind the interface the loops use. */
class AcceleratedProduct implements RecurrentProduct {
  readonly kind = 'accelerated';

  constructor(private readonly routine: RecurrentProductRoutine) {}

  forward(a: Float32Array): Float32Array {
    return this.routine.forward(a);
  }

  backward(d: Float32Array): Float32Array {
    return this.routine.backward(d);
  }

  sigmoid(x: Float32Array): Float32Array {
    return this.routine.sigmoid(x);
  }

  dispose(): void {
    this.routine.dispose();
  }
}

/** Which products `recurrentProduct` makes: 'auto' (core's accelerated routines where there are some, else JS) or forced. */
export type ProductPreference = 'auto' | 'js';

/**
 * The products for recurrent kernel `kernel [rows, cols]` (row-major) and `batch` rows of state. The caller
 * must `dispose` it; the kernel is copied, so later changes to `kernel` are not seen.
 */
export function recurrentProduct(
  kernel: Float32Array, batch: number, rows: number, cols: number, preference: ProductPreference = 'auto',
): RecurrentProduct {
  if (preference === 'auto') {
    const routine = acceleratedRoutines(tf.getBackend())?.recurrentProduct(kernel, batch, rows, cols);
    if (routine) return new AcceleratedProduct(routine);
  }
  return new JsProduct(kernel, batch, rows, cols);
}
