/**
 * DepthwiseConv2dNativeBackpropFilter for the wasm backend (filter gradient of DepthwiseConv2D and
 * of SeparableConv2D's depthwise step), which tfjs-backend-wasm 4.22 does not implement.
 *
 * dW[kh, kw, c, m] = sum_{b, oh, ow} x[b, oh*sh + kh*dh - padTop, ow*sw + kw*dw - padLeft, c]
 *                                   * dy[b, oh, ow, c*M + m]
 *
 * Computed as ONE depthwise convolution (XNNPACK) in which every (batch, channel) pair becomes its
 * own depthwise channel:
 *   input  = x transposed to [1, H, W, B*C]
 *   filter = dy transposed to [OH, OW, B*C, M]   (channel multiplier M)
 *   conv   = depthwiseConv2d(input, filter, stride = dilation, dilation = stride) : [1, KH, KW, B*C*M]
 * followed by a sum over the batch. Measured on wasm 3x (stride 1) to 60x (stride 2) faster than a per-tap
 * slice * dy + reduce formulation.
 */
import * as tf from '@tensorflow/tfjs';
import type { KernelArgs } from './kept-kernel.js';
import { asTensor, cropForExplicitPad, pair } from './utils.js';

function depthwiseConv2dNativeBackpropFilter(args: KernelArgs): tf.TensorInfo {
  const { x: xInfo, dy: dyInfo } = args.inputs as unknown as { x: tf.TensorInfo; dy: tf.TensorInfo };
  const { strides, dilations, pad, dimRoundingMode, filterShape } =
    args.attrs as unknown as tf.DepthwiseConv2dNativeBackpropFilterAttrs;
  const info = tf.backend_util.computeConv2DInfo(
    xInfo.shape as [number, number, number, number],
    filterShape,
    strides,
    pair(dilations),
    pad,
    dimRoundingMode,
    true,
  );
  const { batchSize: b, inHeight: h, inWidth: w, inChannels: c, padInfo } = info;
  const { filterHeight: kh, filterWidth: kw, outHeight: oh, outWidth: ow } = info;
  const { strideHeight: sh, strideWidth: sw, dilationHeight: dh, dilationWidth: dw } = info;
  const m = filterShape[3];

  return tf.tidy(() => {
    const x = asTensor<tf.Rank.R4>(xInfo);
    const dy = asTensor<tf.Rank.R4>(dyInfo);
    const bottom = (kh - 1) * dh + (oh - 1) * sh + 1 - h - padInfo.top;
    const right = (kw - 1) * dw + (ow - 1) * sw + 1 - w - padInfo.left;
    const xt = tf.reshape(tf.transpose(x, [1, 2, 0, 3]), [1, h, w, b * c]) as tf.Tensor4D;
    const { tensor, pad: explicitPad } = cropForExplicitPad(xt, padInfo.top, bottom, padInfo.left, right);
    const f = tf.reshape(tf.transpose(dy, [1, 2, 0, 3]), [oh, ow, b * c, m]) as tf.Tensor4D;
    // Either strides or dilations of the forward conv are 1, so this call satisfies the same rule.
    const r = tf.depthwiseConv2d(tensor, f, [dh, dw], explicitPad, 'NHWC', [sh, sw]); // [1, KH, KW, B*C*M]
    const perBatch = tf.reshape(r, [kh, kw, b, c * m]);
    const summed = b === 1 ? perBatch : tf.sum(perBatch, 2);
    return tf.reshape(summed, [kh, kw, c, m]);
  });
}

export const depthwiseConv2dNativeBackpropFilterConfig: tf.KernelConfig = {
  kernelName: tf.DepthwiseConv2dNativeBackpropFilter,
  backendName: 'wasm',
  kernelFunc: depthwiseConv2dNativeBackpropFilter as unknown as tf.KernelFunc,
};
