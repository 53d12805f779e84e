/**
 * Add for the wasm backend, REPLACING the registration of tfjs-backend-wasm 4.22's kernel for one case: a
 * float32 vector added along the last axis of a float32 tensor (a layer's bias: tfjs-layers adds it with a
 * broadcasting Add in training, where the fused kernels are not used). wasm's broadcasting loop takes
 * ~1 ms CPU for [64, 28, 28, 32] + [32] (a same-shape Add ~0.2 ms); Polymodal's SIMD kernel (simd/)
 * ~0.3 ms. Every other Add goes to wasm's own kernel.
 */
import * as tf from '@tensorflow/tfjs';
import { heapOffset, simdKernels } from './simd/simd-kernels.js';
import { isWasmHeapBackend, KeptKernel, type KernelArgs } from './kept-kernel.js';

export const keptAdd = new KeptKernel(tf.Add);

/** Below this many elements wasm's kernel is as fast. */
const MIN_SIZE = 4096;

/** Whether `v` holds one value per position of `a`'s last axis (shape [n] or [1, ..., 1, n]), a having more. */
function isRowVector(a: tf.TensorInfo, v: tf.TensorInfo): boolean {
  const n = a.shape[a.shape.length - 1];
  return a.shape.length >= 2 && v.shape.length <= a.shape.length && v.shape[v.shape.length - 1] === n &&
    tf.util.sizeFromShape(v.shape) === n && tf.util.sizeFromShape(a.shape) > n;
}

export function add(args: KernelArgs): tf.TensorInfo {
  const { a, b } = args.inputs as unknown as { a: tf.TensorInfo; b: tf.TensorInfo };
  const backend = args.backend;
  const [big, vector] = isRowVector(a, b) ? [a, b] : isRowVector(b, a) ? [b, a] : [null, null];
  const eligible = big != null && big.dtype === 'float32' && vector!.dtype === 'float32' && tf.util.sizeFromShape(big.shape) >= MIN_SIZE;
  const kernels = eligible && isWasmHeapBackend(backend) ? simdKernels(backend) : null;
  if (kernels == null || big == null || !isWasmHeapBackend(backend)) return keptAdd.call(args) as tf.TensorInfo;
  const n = big.shape[big.shape.length - 1];
  const out = backend.makeOutput([...big.shape], 'float32');
  kernels.addRowVector(heapOffset(backend, big), heapOffset(backend, vector!), heapOffset(backend, out), tf.util.sizeFromShape(big.shape) / n, n);
  return out;
}
