/**
 * BatchMatMul for the wasm backend, REPLACING the registration of tfjs-backend-wasm 4.22's kernel
 * (which it calls for most products). Products with one output column (or one row), or an inner dimension
 * of 1, go to Polymodal's SIMD kernels (vector-products.ts): a one-unit Dense layer's dW = x^T · dy for
 * x [32, 123040] takes ~0.5-1 ms there against ~11 ms on XNNPACK's transposed path, its dx = dy · W^T (an
 * outer product) ~1 ms against ~11.8 on the dot-product GEMM. Unbatched a^T · b (weight gradients over many
 * rows, an LSTM's x^T · dz) run on the SIMD GEMM reading a's columns in place (gemm-product.ts: [3200, 64]^T .
 * [3200, 128] ~1.9 -> ~1.65 ms, [64, 3136]^T . [64, 128] ~2 -> ~1.5 ms, no Transpose). Otherwise: XNNPACK's GEMM in wasm is ~10x
 * slower when asked to read an operand transposed (Dense's gradients do: dW = x^T · dy,
 * dx = dy · W^T), so when transposeA / transposeB is set and the product is large enough for it to
 * pay, the operand is transposed explicitly with wasm's Transpose kernel (a reshape when it has a
 * unit dimension) and the product runs untransposed (dx = dy · W^T: 44-47 -> 3 ms). Untransposed
 * unbatched products whose b is new, and unbatched a · b^T, go to Polymodal's SIMD GEMMs
 * (gemm-product.ts: no packing of b, no transposed copy of it).
 * Small products, non-float32 operands and the rest go to the original, through the weights guard
 * (xnn-weights-guard.ts).
 */
import * as tf from '@tensorflow/tfjs';
import { asTensor } from './utils.js';
import { isWasmHeapBackend, KeptKernel, type KernelArgs } from './kept-kernel.js';
import { vectorProduct } from './vector-products.js';
import { gemmProduct, gemmTransposedAProduct, gemmTransposedProduct } from './gemm-product.js';
import { withUnambiguousWeights } from './xnn-weights-guard.js';

/** The kernel this wrapper calls (wasm's own BatchMatMul). */
export const keptBatchMatMul = new KeptKernel(tf.BatchMatMul);

/**
 * Smallest batch*M*N*K for which explicit transposes are considered. Below it the extra Transpose
 * dispatch costs about as much as the slower transposed GEMM.
 */
export const TRANSPOSE_MIN_MACS = 1 << 14;

/**
 * An operand is transposed explicitly when the product does at least this many multiply-adds per
 * element moved, i.e. when the other operand's outer dimension (N for A, M for B) is at least this.
 * Measured on wasm (2 cores): the transposed GEMM costs ~2-10 ns per multiply-add more than the
 * untransposed one, wasm's Transpose ~3-8 ns per element; x [32, 123008] for a Dense gradient
 * (ratio 1) is cheaper left to the transposed GEMM, a 256x256x256 product (ratio 256) is 15x faster
 * transposed first.
 */
export const TRANSPOSE_MIN_RATIO = 8;

function swapLast2(shape: number[]): number[] {
  const perm = Array.from({ length: shape.length }, (_, i) => i);
  perm[shape.length - 2] = shape.length - 1;
  perm[shape.length - 1] = shape.length - 2;
  return perm;
}

/** Swaps the last two axes: a reshape when one of them is 1 (no data moves), else wasm's Transpose. */
function transposeLast2(t: tf.Tensor): tf.Tensor {
  const r = t.shape.length;
  if (t.shape[r - 1] === 1 || t.shape[r - 2] === 1) {
    return tf.reshape(t, [...t.shape.slice(0, -2), t.shape[r - 1], t.shape[r - 2]]);
  }
  return tf.transpose(t, swapLast2(t.shape));
}

export function batchMatMul(args: KernelArgs): tf.TensorInfo {
  const call = (a: tf.TensorInfo, b: tf.TensorInfo, attrs: tf.NamedAttrMap | undefined) => {
    const untransposed = !(attrs as { transposeA?: boolean } | undefined)?.transposeA && !(attrs as { transposeB?: boolean } | undefined)?.transposeB;
    const product = untransposed && isWasmHeapBackend(args.backend) ? gemmProduct(a, b, args.backend) : null;
    return product ?? withUnambiguousWeights(
      { ...args, inputs: { a, b } as unknown as tf.NamedTensorInfoMap, attrs },
      (guarded) => keptBatchMatMul.call(guarded) as tf.TensorInfo,
    );
  };
  const { a, b } = args.inputs as unknown as { a: tf.TensorInfo; b: tf.TensorInfo };
  const attrs = (args.attrs ?? {}) as unknown as tf.BatchMatMulAttrs;
  const { transposeA, transposeB } = attrs;
  if (isWasmHeapBackend(args.backend)) {
    const product = vectorProduct(a, b, !!transposeA, !!transposeB, args.backend) ??
      (transposeB && !transposeA ? gemmTransposedProduct(a, b, args.backend) : null) ??
      (transposeA && !transposeB ? gemmTransposedAProduct(a, b, args.backend) : null);
    if (product != null) return product;
  }
  if ((!transposeA && !transposeB) || a.dtype !== 'float32' || b.dtype !== 'float32') return call(a, b, args.attrs);
  const ra = a.shape.length;
  const rb = b.shape.length;
  if (ra < 2 || rb < 2) return call(a, b, args.attrs);
  const m = transposeA ? a.shape[ra - 1] : a.shape[ra - 2];
  const k = transposeA ? a.shape[ra - 2] : a.shape[ra - 1];
  const n = transposeB ? b.shape[rb - 2] : b.shape[rb - 1];
  const batch = Math.max(tf.util.sizeFromShape(a.shape.slice(0, -2)), tf.util.sizeFromShape(b.shape.slice(0, -2)));
  if (batch * m * n * k < TRANSPOSE_MIN_MACS) return call(a, b, args.attrs);
  // A unit dimension makes the swap a free reshape; otherwise it must pay for the data it moves.
  const fixA = transposeA && (m === 1 || k === 1 || n >= TRANSPOSE_MIN_RATIO);
  const fixB = transposeB && (n === 1 || k === 1 || m >= TRANSPOSE_MIN_RATIO);
  if (!fixA && !fixB) return call(a, b, args.attrs);

  const temps: tf.Tensor[] = [];
  const view = (info: tf.TensorInfo): tf.Tensor => {
    const t = asTensor(info);
    if (t !== info) temps.push(t); // a wrapper made here, not the caller's tensor
    return t;
  };
  try {
    let at: tf.TensorInfo = a;
    let bt: tf.TensorInfo = b;
    if (fixA) temps.push((at = transposeLast2(view(a))));
    if (fixB) temps.push((bt = transposeLast2(view(b))));
    return call(at, bt, { ...args.attrs, transposeA: transposeA && !fixA, transposeB: transposeB && !fixB });
  } finally {
    tf.dispose(temps);
  }
}
