/**
 * Untransposed, unbatched float32 products a [M, K] . b [K, N] on Polymodal's SIMD GEMM (simd/), which
 * reads b where it lies. tfjs-backend-wasm 4.22 hands them to an XNNPACK fully-connected operator that packs
 * b on its first use (cached per buffer id), so a b used once, as every Dense layer's weights are in
 * training (the optimizer writes new ones each step), pays for packing on every call: x [64, 3136] .
 * W [3136, 128] took ~6 ms on wasm with fresh weights (1.7 with packed ones) and takes ~1.8 ms here;
 * dy [64, 128] . W^T [128, 3136] ~3.9 -> ~1.7 ms. A buffer met again as b with the same shape (weights at
 * inference) is left to XNNPACK, which has packed it by then, unless the GEMM runs its fused multiply-add build
 * and N is at most FUSED_GEMM_MAX_PACKED_COLUMNS: then the GEMM is faster still.
 * a . b^T (b [N, K]) runs as dot products of rows (gemmTransposedProduct), with no transposed copy of b:
 * dy [64, 128] . W^T for W [3136, 128] ~2.6 (Transpose, then the GEMM) -> ~1.7 ms CPU.
 * a^T . b (a [K, M]) runs on the same GEMM reading a's columns where they lie (gemmTransposedAProduct), where
 * the fallback transposed a with wasm's Transpose first: [3200, 64]^T . [3200, 128] ~1.9 -> ~1.65 ms.
 */
import * as tf from '@tensorflow/tfjs';
import { type WasmHeapBackend } from './kept-kernel.js';
import { heapOffset, simdBuild, simdKernels } from './simd/simd-kernels.js';

/** Below this many multiply-adds XNNPACK's call costs no more. */
const MIN_MACS = 1 << 14;

/** Narrower products leave most of the kernel's 8-column vectors empty. */
const MIN_COLUMNS = 8;

/** The [K, N] each buffer had when this kernel first took it as b; a second use of that shape may go to XNNPACK. */
const usedAsWeights = new WeakMap<object, string>();

/**
 * Widest N for which the fused multiply-add build of the GEMM beats XNNPACK on weights it has packed (measured on
 * the 2-core AMD EPYC machine, ms per call, XNNPACK's against the GEMM's: [3200, 64] . [64, 128] 4.5 / 1.8,
 * [64, 3136] . [3136, 128] 2.9 / 1.8, [64, 784] . [784, 1000] 5.1 / 3.9, [4096, 512] . [512, 512] 81 / 72; XNNPACK wins at
 * [1024, 1024] . [1024, 1024], 97 / 140). The SIMD-only build leaves every packed b to XNNPACK.
 */
const FUSED_GEMM_MAX_PACKED_COLUMNS = 1000;

/** a . b on the SIMD GEMM, or null when the product is not one it takes (see the file comment). */
export function gemmProduct(a: tf.TensorInfo, b: tf.TensorInfo, backend: WasmHeapBackend): tf.TensorInfo | null {
  const dims = unbatched(a, b);
  if (dims == null) return null;
  const { m, k, rows, cols: n } = dims;
  if (k !== rows || n < MIN_COLUMNS || m * k * n < MIN_MACS) return null;
  const shape = `${rows}x${n}`;
  const packed = usedAsWeights.get(b.dataId) === shape;
  if (packed && (simdBuild().build !== 'relaxed-simd' || n > FUSED_GEMM_MAX_PACKED_COLUMNS)) return null;
  const kernels = simdKernels(backend);
  if (kernels == null) return null;
  usedAsWeights.set(b.dataId, shape);
  const out = backend.makeOutput([...dims.batch, m, n], 'float32');
  kernels.gemm(heapOffset(backend, a), heapOffset(backend, b), heapOffset(backend, out), m, k, n);
  return out;
}

/** Unbatched float32 operands as [M, K] and [rows, cols] (rank 2, or with batch dimensions of 1); null otherwise. */
function unbatched(a: tf.TensorInfo, b: tf.TensorInfo): { m: number; k: number; rows: number; cols: number; batch: number[] } | null {
  if (a.shape.length < 2 || b.shape.length < 2 || a.dtype !== 'float32' || b.dtype !== 'float32') return null;
  const batchA = a.shape.slice(0, -2);
  const batchB = b.shape.slice(0, -2);
  if (tf.util.sizeFromShape(batchA) !== 1 || tf.util.sizeFromShape(batchB) !== 1) return null;
  const [m, k] = a.shape.slice(-2);
  const [rows, cols] = b.shape.slice(-2);
  return { m, k, rows, cols, batch: tf.broadcast_util.assertAndGetBroadcastShape(batchA, batchB) };
}

/**
 * a^T . b for a [K, M], b [K, N] on the SIMD GEMM reading a's columns in place (gemmTransposedA), or null when not
 * such a product (unbatched float32, N >= 8): no Transpose of a first. Weight gradients x^T . dz with many rows.
 */
export function gemmTransposedAProduct(a: tf.TensorInfo, b: tf.TensorInfo, backend: WasmHeapBackend): tf.TensorInfo | null {
  const dims = unbatched(a, b);
  if (dims == null) return null;
  const [k, m] = [dims.m, dims.k]; // a is [K, M]
  const n = dims.cols;
  if (dims.rows !== k || n < MIN_COLUMNS || m * k * n < MIN_MACS) return null;
  const kernels = simdKernels(backend);
  if (kernels == null) return null;
  const out = backend.makeOutput([...dims.batch, m, n], 'float32');
  kernels.gemmTransposedA(heapOffset(backend, a), heapOffset(backend, b), heapOffset(backend, out), m, k, n);
  return out;
}

/** a . b^T for b [N, K] on the SIMD kernel, or null when not such a product (unbatched float32, N >= 4). */
export function gemmTransposedProduct(a: tf.TensorInfo, b: tf.TensorInfo, backend: WasmHeapBackend): tf.TensorInfo | null {
  const dims = unbatched(a, b);
  if (dims == null || dims.cols !== dims.k || dims.rows < 4 || dims.m * dims.k * dims.rows < MIN_MACS) return null;
  const kernels = simdKernels(backend);
  if (kernels == null) return null;
  const out = backend.makeOutput([...dims.batch, dims.m, dims.rows], 'float32');
  kernels.gemmTransposedB(heapOffset(backend, a), heapOffset(backend, b), heapOffset(backend, out), dims.m, dims.k, dims.rows);
  return out;
}
