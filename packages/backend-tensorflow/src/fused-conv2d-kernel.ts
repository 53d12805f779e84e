/**
 * FusedConv2D (tfjs's conv2d with a bias and an activation: every Conv2D layer outside training, and linear ones
 * in training too) on tfjs-node as TensorFlow's `_FusedConv2D`, one op, where tfjs-node runs Conv2D, a bias Add
 * and the activation as three (reading and writing the whole output each time). Measured here (2 cores, load
 * 2.2): the seed model's convolution for one image [1, 64, 64, 3] * [3, 3, 3, 32] 1.09 -> 0.54 ms, for 32 images
 * 12.7 -> 10.6 ms; the image CNN's first [64, 28, 28, 1] 5.1 -> 3.2 ms. Equal to tfjs-node's own (the same oneDNN
 * convolution). NHWC, a bias, strides and SAME / VALID padding without dilation, and the activations TensorFlow
 * fuses (fused-ops.ts); anything else goes to tfjs-node's kernel.
 */
import * as tf from '@tensorflow/tfjs';
import { FusedOpAvailability, fusedAttrs, fusedOpsFor } from './fused-ops.js';
import { boolAttr, executeOp, intListAttr, nodeBackend, stringAttr, type NodeBackend, type OpAttr } from './native-ops.js';
import { replaceTensorflowKernel } from './replace-kernel.js';

export const FUSED_CONV2D_KERNEL = 'FusedConv2D';
const OP = '_FusedConv2D';

function convAttrs(backend: NodeBackend, strides: [number, number], padding: 'SAME' | 'VALID', fusedOps: readonly string[], leakyreluAlpha?: number): OpAttr[] {
  return [
    ...fusedAttrs(backend, fusedOps, leakyreluAlpha, true),
    intListAttr(backend, 'strides', [1, strides[0], strides[1], 1]),
    stringAttr(backend, 'padding', padding),
    intListAttr(backend, 'explicit_paddings', []),
    stringAttr(backend, 'data_format', 'NHWC'),
    intListAttr(backend, 'dilations', [1, 1, 1, 1]),
    boolAttr(backend, 'use_cudnn_on_gpu', true),
  ];
}

const availability = new FusedOpAvailability((backend) =>
  executeOp(backend, OP, convAttrs(backend, [1, 1], 'VALID', ['BiasAdd', 'Relu']), [tf.ones([1, 1, 1, 1]), tf.ones([1, 1, 1, 1]), tf.ones([1])], 1)[0]!);

export function registerFusedConv2DKernel(): () => void {
  return replaceTensorflowKernel(FUSED_CONV2D_KERNEL, (args, original) => {
    const backend = nodeBackend();
    const { x, filter, bias } = args.inputs as { x: tf.Tensor; filter: tf.Tensor; bias?: tf.Tensor };
    const attrs = args.attrs as unknown as tf.FusedConv2DAttrs;
    const fusedOps = fusedOpsFor(attrs.activation);
    if (!backend || !fusedOps || !bias || bias.rank !== 1 || x.dtype !== 'float32' || attrs.dataFormat !== 'NHWC' || attrs.dimRoundingMode != null) {
      return original.kernelFunc(args);
    }
    const info = tf.backend_util.computeConv2DInfo(x.shape as [number, number, number, number], filter.shape as [number, number, number, number],
      attrs.strides, attrs.dilations, attrs.pad, undefined, false, 'channelsLast');
    const padding = info.padInfo.type;
    const dilated = info.dilationHeight !== 1 || info.dilationWidth !== 1;
    if (dilated || (padding !== 'SAME' && padding !== 'VALID') || !availability.available(backend)) return original.kernelFunc(args);
    return executeOp(backend, OP, convAttrs(backend, [info.strideHeight, info.strideWidth], padding, fusedOps, attrs.leakyreluAlpha), [x, filter, bias], 1)[0]!;
  });
}
