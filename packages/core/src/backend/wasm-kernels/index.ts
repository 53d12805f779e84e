/**
 * Training kernels missing from @tensorflow/tfjs-backend-wasm 4.22, composed from kernels the wasm
 * backend implements natively so gradients run at wasm speed (never delegated to the cpu backend).
 *
 * Missing in tfjs-backend-wasm 4.22 and needed for training (found by diffing the kernel registry
 * against the cpu backend and by computing gradients of common layers on wasm):
 *   - Conv2DBackpropFilter                 Conv1D, Conv2D, SeparableConv2D (pointwise) filter grads
 *   - DepthwiseConv2dNativeBackpropFilter  DepthwiseConv2D / SeparableConv2D depthwise filter grads
 *   - DepthwiseConv2dNativeBackpropInput   input grad of a depthwise conv that is not the first layer
 *   - UnsortedSegmentSum                   gradient of Gather, i.e. of every Embedding layer
 *
 * Two kernels wasm does have are REPLACED, because wasm's own ones are slow where training needs them
 * (the replaced config is kept and called for the cases the replacement does not handle):
 *   - Conv2DBackpropInput   a flipped-filter XNNPACK convolution on the stride-spread dy instead of
 *                           wasm's naive loop (~5x: 229 -> 44 ms for dy [32,62,62,32], 3x3x3x32);
 *                           fallback: wasm's kernel (non-float32, dilations > 1)
 *   - BatchMatMul           transposes an operand explicitly (wasm Transpose, or a reshape for a unit
 *                           dimension) before wasm's untransposed GEMM, when transposeA / transposeB is
 *                           set and it pays (Dense gradients); calls wasm's kernel in every case
 *
 * Call this after `import '@tensorflow/tfjs-backend-wasm'` so that kernels the installed wasm backend
 * already provides are detected and left alone (and the ones replaced exist to be kept as fallbacks).
 */
import * as tf from '@tensorflow/tfjs';
import { batchMatMul, batchMatMulOriginal, setBatchMatMulOriginal } from './batch-mat-mul.js';
import {
  conv2dBackpropInput,
  conv2dBackpropInputFallback,
  setConv2dBackpropInputFallback,
} from './conv2d-backprop-input.js';
import { conv2dBackpropFilterConfig } from './conv2d-backprop-filter.js';
import { depthwiseConv2dNativeBackpropFilterConfig } from './depthwise-conv2d-native-backprop-filter.js';
import { depthwiseConv2dNativeBackpropInputConfig } from './depthwise-conv2d-native-backprop-input.js';
import { unsortedSegmentSumConfig } from './unsorted-segment-sum.js';

export const wasmTrainingKernelConfigs: readonly tf.KernelConfig[] = [
  conv2dBackpropFilterConfig,
  depthwiseConv2dNativeBackpropFilterConfig,
  depthwiseConv2dNativeBackpropInputConfig,
  unsortedSegmentSumConfig,
];

/** A wasm kernel replaced by a faster one that keeps the replaced config (its fallback / callee). */
interface KernelReplacement {
  kernelName: string;
  kernelFunc: (args: never) => tf.TensorInfo;
  keep(config: tf.KernelConfig): void;
}

export const wasmReplacedKernels: readonly KernelReplacement[] = [
  { kernelName: tf.Conv2DBackpropInput, kernelFunc: conv2dBackpropInput, keep: setConv2dBackpropInputFallback },
  { kernelName: tf.BatchMatMul, kernelFunc: batchMatMul, keep: setBatchMatMulOriginal },
];

/**
 * Registers, for the 'wasm' backend, each kernel of {@link wasmTrainingKernelConfigs} that has no
 * 'wasm' registration yet, and replaces the 'wasm' registrations of {@link wasmReplacedKernels}
 * (Conv2DBackpropInput, BatchMatMul): the registered config is kept (tf.getKernel) as the
 * replacement's fallback, unregistered, and registered again with the replacement's kernelFunc (its
 * setupFunc / disposeFunc unchanged). A replacement is skipped when the kernel is already the
 * replacement, or when wasm has no such kernel to keep. Idempotent: a second call registers nothing
 * and returns [].
 * @returns the names of the kernels registered by this call (added or replaced).
 */
export function registerWasmTrainingKernels(): string[] {
  const registered: string[] = [];
  for (const config of wasmTrainingKernelConfigs) {
    if (tf.getKernel(config.kernelName, 'wasm') != null) continue;
    tf.registerKernel(config);
    registered.push(config.kernelName);
  }
  for (const r of wasmReplacedKernels) {
    const current = tf.getKernel(r.kernelName, 'wasm');
    if (current == null || current.kernelFunc === (r.kernelFunc as unknown as tf.KernelFunc)) continue;
    r.keep(current);
    tf.unregisterKernel(r.kernelName, 'wasm');
    tf.registerKernel({ ...current, kernelFunc: r.kernelFunc as unknown as tf.KernelFunc });
    registered.push(r.kernelName);
  }
  return registered;
}

export {
  batchMatMul,
  batchMatMulOriginal,
  conv2dBackpropInput,
  conv2dBackpropInputFallback,
  conv2dBackpropFilterConfig,
  depthwiseConv2dNativeBackpropFilterConfig,
  depthwiseConv2dNativeBackpropInputConfig,
  unsortedSegmentSumConfig,
};
