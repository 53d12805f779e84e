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
 * Call this after `import '@tensorflow/tfjs-backend-wasm'` so that kernels the installed wasm backend
 * already provides are detected and left alone.
 */
import * as tf from '@tensorflow/tfjs';
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

/**
 * Registers, for the 'wasm' backend, each kernel of {@link wasmTrainingKernelConfigs} that has no
 * 'wasm' registration yet. Idempotent: a second call registers nothing and returns [].
 * @returns the names of the kernels registered by this call.
 */
export function registerWasmTrainingKernels(): string[] {
  const registered: string[] = [];
  for (const config of wasmTrainingKernelConfigs) {
    if (tf.getKernel(config.kernelName, 'wasm') != null) continue;
    tf.registerKernel(config);
    registered.push(config.kernelName);
  }
  return registered;
}

export {
  conv2dBackpropFilterConfig,
  depthwiseConv2dNativeBackpropFilterConfig,
  depthwiseConv2dNativeBackpropInputConfig,
  unsortedSegmentSumConfig,
};
