/**
 * DepthwiseConv2dNativeBackpropInput for the wasm backend (input gradient of a DepthwiseConv2D /
 * SeparableConv2D that is not the first layer), which tfjs-backend-wasm 4.22 does not implement.
 *
 * dx[b, h, w, c] = sum_{kh, kw, m} dy[b, oh, ow, c*M + m] * f[kh, kw, c, m]
 *                  where h = oh*sh + kh*dh - padTop, w = ow*sw + kw*dw - padLeft
 *
 * This is a transposed depthwise convolution: dy is zero-upsampled by the stride (a pad on a
 * [B, OH, 1, OW, 1, CM] view), padded by (K-1)*d - pad, and correlated (XNNPACK depthwise conv,
 * stride 1, dilation d) with the spatially flipped filter viewed as [KH, KW, C*M, 1]; the channel
 * multiplier is then summed out.
 */
import * as tf from '@tensorflow/tfjs';
import type { KernelArgs } from './kept-kernel.js';
import { asTensor, cropForExplicitPad, pair, spreadByStride } from './utils.js';

function depthwiseConv2dNativeBackpropInput(args: KernelArgs): tf.TensorInfo {
  const { dy: dyInfo, filter: filterInfo } = args.inputs as unknown as {
    dy: tf.TensorInfo;
    filter: tf.TensorInfo;
  };
  const { strides, dilations, pad, dimRoundingMode, inputShape } =
    args.attrs as unknown as tf.DepthwiseConv2dNativeBackpropInputAttrs;
  const filterShape = filterInfo.shape as [number, number, number, number];
  const info = tf.backend_util.computeConv2DInfo(
    inputShape,
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
  const cm = c * m;

  return tf.tidy(() => {
    let dy = asTensor<tf.Rank.R4>(dyInfo);
    const filter = asTensor<tf.Rank.R4>(filterInfo);
    dy = spreadByStride(dy, sh, sw);
    const top = (kh - 1) * dh - padInfo.top;
    const left = (kw - 1) * dw - padInfo.left;
    const bottom = h + (kh - 1) * dh - top - oh * sh;
    const right = w + (kw - 1) * dw - left - ow * sw;
    const { tensor, pad: explicitPad } = cropForExplicitPad(dy, top, bottom, left, right);
    const flipped = tf.reshape(tf.reverse(filter, [0, 1]), [kh, kw, cm, 1]) as tf.Tensor4D;
    const r = tf.depthwiseConv2d(tensor, flipped, 1, explicitPad, 'NHWC', [dh, dw]); // [B, H, W, C*M]
    return m === 1 ? r : tf.sum(tf.reshape(r, [b, h, w, c, m]), 4);
  });
}

export const depthwiseConv2dNativeBackpropInputConfig: tf.KernelConfig = {
  kernelName: tf.DepthwiseConv2dNativeBackpropInput,
  backendName: 'wasm',
  kernelFunc: depthwiseConv2dNativeBackpropInput as unknown as tf.KernelFunc,
};
