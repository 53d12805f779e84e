/**
 * Conv2DBackpropFilter for the wasm backend (the filter gradient of Conv2D / Conv1D /
 * SeparableConv2D's pointwise step), which tfjs-backend-wasm 4.22 does not implement.
 *
 * dW[kh, kw, ci, co] = sum_{b, oh, ow} x[b, oh*sh + kh - padTop, ow*sw + kw - padLeft, ci] * dy[b, oh, ow, co]
 *
 * That sum is itself a convolution in which the batch is the contracted "channel" axis:
 *   input  = x transposed to [ci, H, W, B]          (ci plays the batch)
 *   filter = dy transposed to [OH, OW, B, co]       (a huge-kernel filter)
 *   dW'    = conv2d(input, filter, stride 1, dilation = forward stride, explicit pad) : [ci, KH, KW, co]
 * so the whole reduction runs as one XNNPACK convolution (a GEMM with M = ci*KH*KW, K = OH*OW*B,
 * N = co).
 *
 * That convolution is the fallback. Float32 data goes to Polymodal's SIMD kernel (simd/), which
 * reads x and dy where they lie in the wasm heap and keeps a whole image's sums for two input channels
 * and 16 output channels in registers: x [32, 64, 64, 3], filter 3x3x3x32 takes ~10-15 ms there against
 * ~75 ms as a convolution, and against ~31 ms as im2col + XNNPACK GEMMs (which must repack dy, a fresh
 * operand, on every call); x [64, 14, 14, 32], filter 3x3x32x64 (the image CNN bench's second layer)
 * ~13.7 ms CPU, was ~17 ms with one input channel and one output row at a time.
 * NCHW data is transposed to NHWC for it.
 */
import * as tf from '@tensorflow/tfjs';
import { heapOffset, simdKernels, type SimdKernels } from './simd/simd-kernels.js';
import { isWasmHeapBackend, type KernelArgs, type WasmHeapBackend } from './kept-kernel.js';
import { asTensor, cropForExplicitPad } from './utils.js';

/** x and dy as NHWC tensors (transposed when the data format is NCHW). Call inside a tidy. */
function asNhwc(xInfo: tf.TensorInfo, dyInfo: tf.TensorInfo, info: tf.backend_util.Conv2DInfo): [tf.Tensor4D, tf.Tensor4D] {
  const x = asTensor<tf.Rank.R4>(xInfo);
  const dy = asTensor<tf.Rank.R4>(dyInfo);
  if (info.dataFormat !== 'channelsFirst') return [x, dy];
  return [tf.transpose(x, [0, 2, 3, 1]), tf.transpose(dy, [0, 2, 3, 1])];
}

function bySimd(x: tf.Tensor4D, dy: tf.Tensor4D, info: tf.backend_util.Conv2DInfo, backend: WasmHeapBackend, kernels: SimdKernels): tf.Tensor4D {
  const { filterHeight: kh, filterWidth: kw, inChannels: c, outChannels: oc } = info;
  const out = tf.engine().makeTensorFromTensorInfo(backend.makeOutput([kh, kw, c, oc], 'float32')) as tf.Tensor4D;
  kernels.conv2dFilterGrad(
    heapOffset(backend, x), heapOffset(backend, dy), heapOffset(backend, out),
    info.batchSize, info.inHeight, info.inWidth, c, info.outHeight, info.outWidth, oc,
    kh, kw, info.strideHeight, info.strideWidth, info.padInfo.top, info.padInfo.left,
  );
  return out;
}

function byConvolution(x: tf.Tensor4D, dy: tf.Tensor4D, info: tf.backend_util.Conv2DInfo): tf.Tensor4D {
  const { filterHeight: kh, filterWidth: kw, outHeight: oh, outWidth: ow, strideHeight: sh, strideWidth: sw } = info;
  const { inHeight: h, inWidth: w, padInfo } = info;
  // Rows needed by the correlation: (KH-1) + (OH-1)*sh + 1, starting padTop rows above row 0.
  const bottom = kh + (oh - 1) * sh - h - padInfo.top;
  const right = kw + (ow - 1) * sw - w - padInfo.left;
  const xt = tf.transpose(x, [3, 1, 2, 0]); // [ci, H, W, B]
  const { tensor, pad: explicitPad } = cropForExplicitPad(xt, padInfo.top, bottom, padInfo.left, right);
  const f = tf.transpose(dy, [1, 2, 0, 3]); // [OH, OW, B, co]
  const dw = tf.conv2d(tensor, f, 1, explicitPad, 'NHWC', [sh, sw]); // [ci, KH, KW, co]
  return tf.transpose(dw, [1, 2, 0, 3]); // [KH, KW, ci, co]
}

function conv2dBackpropFilter(args: KernelArgs): tf.TensorInfo {
  const { x: xInfo, dy: dyInfo } = args.inputs as unknown as { x: tf.TensorInfo; dy: tf.TensorInfo };
  const { strides, pad, dataFormat, dimRoundingMode, filterShape } =
    args.attrs as unknown as tf.Conv2DBackpropFilterAttrs;
  const fmt = tf.backend_util.convertConv2DDataFormat(dataFormat ?? 'NHWC');
  const info = tf.backend_util.computeConv2DInfo(
    xInfo.shape as [number, number, number, number],
    filterShape,
    strides,
    1,
    pad,
    dimRoundingMode,
    false,
    fmt,
  );
  const backend = args.backend;
  const kernels = xInfo.dtype === 'float32' && dyInfo.dtype === 'float32' && isWasmHeapBackend(backend) ? simdKernels(backend) : null;
  return tf.tidy(() => {
    const [x, dy] = asNhwc(xInfo, dyInfo, info);
    return kernels != null ? bySimd(x, dy, info, backend as WasmHeapBackend, kernels) : byConvolution(x, dy, info);
  });
}

export const conv2dBackpropFilterConfig: tf.KernelConfig = {
  kernelName: tf.Conv2DBackpropFilter,
  backendName: 'wasm',
  kernelFunc: conv2dBackpropFilter as unknown as tf.KernelFunc,
};
