/**
 * Core's Conv2dReluRoutine on the wasm backend: a Conv2D with bias and relu as ONE differentiable kernel while
 * training. tfjs records a relu Conv2D layer's training step as Conv2D, Add and Relu (it fuses them only outside
 * training), so its forward makes three passes over the output; the seed model's [32, 62, 62, 32] output is
 * 15.7 MB, and the Add and Relu cost ~3 ms of its ~45 ms step. Here the forward is wasm's FusedConv2D (this package's
 * few-channels kernel or its Winograd one: bias and relu applied as the sums are stored), recorded as the kernel PolymodalConv2DRelu,
 * whose gradient is relu's (one SIMD pass on y: y > 0 exactly where x . w + b > 0) that also sums each channel for
 * the bias's gradient (PolymodalReluGradChannelSums; output channels a multiple of 4, else PolymodalReluGrad and a
 * Sum), then the two convolution gradients, each computed only where the tape needs it (not x's for a model input).
 * Only where one of the two takes the shapes: elsewhere wasm's FusedConv2D is XNNPACK's, slower than tfjs's three ops
 * there, which therefore run instead.
 */
import * as tf from '@tensorflow/tfjs';
import { takesFusedFastPath } from './conv2d.js';
import { RELU_GRAD_CHANNEL_SUMS_KERNEL, RELU_GRAD_KERNEL, registerReluGradient } from './relu-gradient.js';
import { simdKernels } from './simd/simd-kernels.js';
import type { KernelArgs } from './kept-kernel.js';

export const CONV2D_RELU_KERNEL = 'PolymodalConv2DRelu';

export interface Conv2dReluAttrs {
  strides: [number, number];
  pad: 'valid' | 'same';
}

export interface WasmConv2dRelu {
  /** relu(conv2d(x, filter) + bias) for NHWC `x [batch, h, w, c]`, `filter [kh, kw, c, oc]`, `bias [oc]`, dilation 1; differentiable in all three. */
  conv2dRelu(x: tf.Tensor4D, filter: tf.Tensor4D, bias: tf.Tensor1D, attrs: Conv2dReluAttrs): tf.Tensor4D;
}

/** The routine, or null where the active backend is not wasm or has no WebAssembly SIMD. */
export function wasmConv2dRelu(): WasmConv2dRelu | null {
  if (tf.getBackend() !== 'wasm' || simdKernels(tf.backend()) == null) return null;
  registerConv2dRelu();
  return { conv2dRelu };
}

const fusedAttrs = (attrs: Conv2dReluAttrs) => ({ ...attrs, dataFormat: 'NHWC', dilations: [1, 1], activation: 'relu' });

/** wasm's FusedConv2D (this package's replacement, or tfjs's own where that one hands over) with relu. */
function conv2dReluKernel(args: KernelArgs): tf.TensorInfo {
  const fused = tf.getKernel(tf.FusedConv2D, 'wasm');
  if (fused == null) throw new Error(`${CONV2D_RELU_KERNEL}: the wasm backend has no ${tf.FusedConv2D} kernel`);
  const attrs = fusedAttrs(args.attrs as unknown as Conv2dReluAttrs);
  return fused.kernelFunc({ ...args, attrs } as unknown as Parameters<tf.KernelFunc>[0]) as tf.TensorInfo;
}

let registered = false;

/** Registers PolymodalConv2DRelu and its gradient on wasm (once). */
export function registerConv2dRelu(): void {
  if (registered) return;
  registered = true;
  registerReluGradient();
  if (tf.getKernel(CONV2D_RELU_KERNEL, 'wasm') == null) {
    tf.registerKernel({ kernelName: CONV2D_RELU_KERNEL, backendName: 'wasm', kernelFunc: conv2dReluKernel as unknown as tf.KernelFunc });
  }
  tf.registerGradient({
    kernelName: CONV2D_RELU_KERNEL,
    inputsToSave: ['x', 'filter'],
    outputsToSave: [true],
    gradFunc: (dy, saved, attrs) => {
      const [x, filter, y] = saved as [tf.Tensor4D, tf.Tensor4D, tf.Tensor4D];
      const { strides, pad } = attrs as unknown as Conv2dReluAttrs;
      // Computed once for the three gradients (the tape disposes what is not returned when the backward pass ends);
      // with output channels a multiple of 4, the bias gradient comes from the same pass over dy.
      const [dz, biasGradient] = y.shape[3] % 4 === 0
        ? tf.engine().runKernel(RELU_GRAD_CHANNEL_SUMS_KERNEL, { dy: dy as tf.Tensor, x: y }) as [tf.Tensor4D, tf.Tensor1D]
        : [tf.engine().runKernel(RELU_GRAD_KERNEL, { dy: dy as tf.Tensor, x: y }) as tf.Tensor4D, undefined];
      const convAttrs = { strides, pad, dataFormat: 'NHWC', dimRoundingMode: undefined } as unknown as tf.NamedAttrMap;
      return {
        x: () => tf.engine().runKernel(tf.Conv2DBackpropInput, { dy: dz, filter }, { ...convAttrs, inputShape: x.shape }) as tf.Tensor,
        filter: () => tf.engine().runKernel(tf.Conv2DBackpropFilter, { x, dy: dz }, { ...convAttrs, filterShape: filter.shape }) as tf.Tensor,
        bias: () => biasGradient ?? tf.sum(dz, [0, 1, 2]),
      };
    },
  });
}

export function conv2dRelu(x: tf.Tensor4D, filter: tf.Tensor4D, bias: tf.Tensor1D, attrs: Conv2dReluAttrs): tf.Tensor4D {
  if (x.rank !== 4 || filter.rank !== 4 || bias.rank !== 1 || filter.shape[2] !== x.shape[3] || bias.shape[0] !== filter.shape[3]) {
    throw new Error(`conv2dRelu: x [batch, h, w, c], filter [kh, kw, c, oc], bias [oc] expected; got [${x.shape}], [${filter.shape}], [${bias.shape}]`);
  }
  if (!takesFusedFastPath(x.shape, filter.shape, attrs.strides, attrs.pad)) {
    return tf.tidy(() => tf.relu(tf.add(tf.conv2d(x, filter, attrs.strides, attrs.pad), bias)) as tf.Tensor4D);
  }
  return tf.engine().runKernel(CONV2D_RELU_KERNEL, { x, filter, bias }, attrs as unknown as tf.NamedAttrMap) as tf.Tensor4D;
}
