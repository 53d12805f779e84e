/**
 * Matrix products with one output column or row (Dense layers with one unit: forward x . w, kernel
 * gradient x^T . dy; and [1, K] . [K, N]) or with an inner dimension of 1 (an outer product: a one-unit Dense
 * layer's input gradient dy . W^T) through Polymodal's SIMD kernels. XNNPACK runs them with 1 of its 8 output
 * lanes busy, or on its slow transposed path: x [32, 123040] . w took ~5 ms and x^T . dy ~7.7 ms on wasm,
 * ~1.5 and ~2 ms here; dy [32, 1] . W^T for W [123040, 1] ~11.8 ms on the dot-product GEMM, ~1 ms here (writing its 15.7 MB).
 */
import * as tf from '@tensorflow/tfjs';
import { type WasmHeapBackend } from './kept-kernel.js';
import { heapOffset, simdKernels } from './simd/simd-kernels.js';

/** Below this many multiply-adds XNNPACK's call costs no more. */
const MIN_MACS = 1 << 14;

/**
 * a . b (either transposed) when the product has one column (or one row with b untransposed) or an inner
 * dimension of 1, both operands float32 and unbatched; null when not such a product or the kernels are unavailable.
 */
export function vectorProduct(
  a: tf.TensorInfo,
  b: tf.TensorInfo,
  transposeA: boolean,
  transposeB: boolean,
  backend: WasmHeapBackend,
): tf.TensorInfo | null {
  const ra = a.shape.length;
  const rb = b.shape.length;
  if (ra < 2 || rb < 2 || a.dtype !== 'float32' || b.dtype !== 'float32') return null;
  const batchA = a.shape.slice(0, -2);
  const batchB = b.shape.slice(0, -2);
  if (tf.util.sizeFromShape(batchA) !== 1 || tf.util.sizeFromShape(batchB) !== 1) return null;
  const m = transposeA ? a.shape[ra - 1] : a.shape[ra - 2];
  const k = transposeA ? a.shape[ra - 2] : a.shape[ra - 1];
  const n = transposeB ? b.shape[rb - 2] : b.shape[rb - 1];
  if (m * k * n < MIN_MACS || (k !== 1 && n !== 1 && (m !== 1 || transposeB))) return null;
  const kernels = simdKernels(backend);
  if (kernels == null) return null;
  const shape = [...tf.broadcast_util.assertAndGetBroadcastShape(batchA, batchB), m, n];
  const out = backend.makeOutput(shape, 'float32');
  const [pa, pb, po] = [heapOffset(backend, a), heapOffset(backend, b), heapOffset(backend, out)];
  // With one output column b holds one vector, however it is transposed; likewise a with one row, and both
  // operands with an inner dimension of 1 (each product is then a single multiplication, exact).
  if (k === 1) kernels.outerProduct(pa, pb, po, m, n);
  else if (n === 1 && !transposeA) kernels.gemv(pa, pb, po, m, k);
  else if (n === 1) kernels.weightedRowSum(pa, pb, po, k, m);
  else kernels.weightedRowSum(pb, pa, po, k, n);
  return out;
}
