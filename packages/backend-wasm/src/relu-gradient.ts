/**
 * Relu's gradient on the wasm backend as one SIMD pass (PolymodalReluGrad: dy * step(x)), where tfjs's gradient
 * runs two full-size kernels (Step, then Multiply; the cast between them shares the buffer). Every relu trained
 * meets it: tfjs does not fuse a conv2d's or a dense layer's relu while recording gradients. The seed model's
 * convolution output [32, 62, 62, 32]: Step + Multiply ~2.5-3 ms -> ~1 ms. Equal to tfjs's gradient bit for bit
 * (NaN where x is NaN included).
 *
 * Gradients are registered per kernel, not per backend: the replacement runs the kernel when 'wasm' is the active
 * backend (with SIMD) and hands every other case to the gradient registered before it (tfjs's own, or another
 * backend package's replacement, which does likewise).
 */
import * as tf from '@tensorflow/tfjs';
import { isWasmHeapBackend, type KernelArgs } from './kept-kernel.js';
import { heapOffset, simdKernels } from './simd/simd-kernels.js';

export const RELU_GRAD_KERNEL = 'PolymodalReluGrad';
/** Relu's gradient dz of an NHWC output together with dz's sum per channel (a relu convolution's bias gradient). */
export const RELU_GRAD_CHANNEL_SUMS_KERNEL = 'PolymodalReluGradChannelSums';

function kernelsFor(args: KernelArgs, name: string) {
  const backend = args.backend;
  const kernels = isWasmHeapBackend(backend) ? simdKernels(backend) : null;
  if (kernels == null || !isWasmHeapBackend(backend)) throw new Error(`${name}: needs the wasm backend with WebAssembly SIMD`);
  const { dy, x } = args.inputs as unknown as { dy: tf.TensorInfo; x: tf.TensorInfo };
  if (!tf.util.arraysEqual(dy.shape, x.shape) || dy.dtype !== 'float32' || x.dtype !== 'float32') {
    throw new Error(`${name}: float32 dy and x of one shape expected; got ${dy.dtype} [${dy.shape}] and ${x.dtype} [${x.shape}]`);
  }
  return { backend, kernels, dy, x };
}

function reluGradKernel(args: KernelArgs): tf.TensorInfo {
  const { backend, kernels, dy, x } = kernelsFor(args, RELU_GRAD_KERNEL);
  const out = backend.makeOutput([...x.shape], 'float32');
  const size = tf.util.sizeFromShape(x.shape);
  if (size > 0) kernels.reluGrad(heapOffset(backend, dy), heapOffset(backend, x), heapOffset(backend, out), size);
  return out;
}

/** [dz, sums]: sums [channels] over every other axis; the last axis (channels) must be a multiple of 4. */
function reluGradChannelSumsKernel(args: KernelArgs): tf.TensorInfo[] {
  const { backend, kernels, dy, x } = kernelsFor(args, RELU_GRAD_CHANNEL_SUMS_KERNEL);
  const channels = x.shape[x.shape.length - 1] ?? 0;
  if (x.shape.length < 2 || channels % 4 !== 0) throw new Error(`${RELU_GRAD_CHANNEL_SUMS_KERNEL}: channels (the last axis) a multiple of 4 expected; got [${x.shape}]`);
  const out = backend.makeOutput([...x.shape], 'float32');
  const sums = backend.makeOutput([channels], 'float32');
  const rows = tf.util.sizeFromShape(x.shape) / Math.max(1, channels);
  kernels.reluGradChannelSums(heapOffset(backend, dy), heapOffset(backend, x), heapOffset(backend, out), heapOffset(backend, sums), rows, channels);
  return [out, sums];
}

let registered = false;

/** Registers the kernel for 'wasm' and the Relu gradient that uses it. Idempotent. */
export function registerReluGradient(): void {
  if (registered) return;
  const original = tf.getGradient(tf.Relu);
  if (!original) return;
  registered = true;
  if (tf.getKernel(RELU_GRAD_KERNEL, 'wasm') == null) {
    tf.registerKernel({ kernelName: RELU_GRAD_KERNEL, backendName: 'wasm', kernelFunc: reluGradKernel as unknown as tf.KernelFunc });
  }
  if (tf.getKernel(RELU_GRAD_CHANNEL_SUMS_KERNEL, 'wasm') == null) {
    tf.registerKernel({ kernelName: RELU_GRAD_CHANNEL_SUMS_KERNEL, backendName: 'wasm', kernelFunc: reluGradChannelSumsKernel as unknown as tf.KernelFunc });
  }
  tf.registerGradient({
    kernelName: tf.Relu,
    inputsToSave: ['x'],
    gradFunc: (dy, saved, attrs) => {
      const x = saved[0]!;
      const dyTensor = dy as tf.Tensor;
      const onWasm = tf.getBackend() === 'wasm' && simdKernels(tf.backend()) != null;
      if (!onWasm || x.dtype !== 'float32' || dyTensor.dtype !== 'float32') return original.gradFunc(dy, saved, attrs);
      return { x: () => tf.engine().runKernel(RELU_GRAD_KERNEL, { dy: dyTensor, x }) as tf.Tensor };
    },
  });
}
