/**
 * MaxPoolGrad for the wasm backend, REPLACING the one tfjs-backend-wasm 4.22 ships, which for each input
 * pixel searches every window that covers it: ~33 ms CPU for x [64, 28, 28, 32] (2x2, stride 2) on this
 * project's machine, more than the convolution before it. Polymodal's SIMD kernel (simd/) finds each window's
 * argmax once, four channels at a time, and adds dy there: ~1 ms. Ties and NaN / -Infinity windows are
 * resolved as tfjs's cpu kernel resolves them (the first maximum in row-major window order; none).
 * Anything else (non-float32, no SIMD, another backend) goes to wasm's own kernel.
 */
import * as tf from '@tensorflow/tfjs';
import { heapOffset, simdKernels } from './simd/simd-kernels.js';
import { isWasmHeapBackend, KeptKernel, type KernelArgs } from './kept-kernel.js';

export const keptMaxPoolGrad = new KeptKernel(tf.MaxPoolGrad);

export function maxPoolGrad(args: KernelArgs): tf.TensorInfo {
  const { dy, input } = args.inputs as unknown as { dy: tf.TensorInfo; input: tf.TensorInfo };
  const backend = args.backend;
  const kernels = dy.dtype === 'float32' && input.dtype === 'float32' && isWasmHeapBackend(backend) ? simdKernels(backend) : null;
  if (kernels == null || !isWasmHeapBackend(backend)) return keptMaxPoolGrad.call(args) as tf.TensorInfo;
  const { filterSize, strides, pad, dimRoundingMode } = args.attrs as unknown as tf.MaxPoolGradAttrs;
  const info = tf.backend_util.computePool2DInfo(input.shape as [number, number, number, number], filterSize, strides, 1, pad, dimRoundingMode);
  const dx = backend.makeOutput(input.shape, 'float32');
  if (tf.util.sizeFromShape(input.shape) === 0) return dx;
  kernels.maxPoolGrad(
    heapOffset(backend, input), heapOffset(backend, dy), heapOffset(backend, dx),
    info.batchSize, info.inHeight, info.inWidth, info.inChannels, info.outHeight, info.outWidth,
    info.filterHeight, info.filterWidth, info.strideHeight, info.strideWidth, info.padInfo.top, info.padInfo.left,
  );
  return dx;
}
