/**
 * Conv2DBackpropInput for the wasm backend, REPLACING the one tfjs-backend-wasm 4.22 ships: wasm's
 * own kernel is a naive loop (~229 ms for dy [32,62,62,32] -> dx [32,64,64,3], filter 3x3x3x32),
 * while the same gradient as one XNNPACK convolution takes ~44 ms.
 *
 * dx[b, h, w, ci] = sum_{kh, kw, co} dy[b, oh, ow, co] * f[kh, kw, ci, co]
 *                   where h = oh*sh + kh - padTop, w = ow*sw + kw - padLeft
 *
 * This is a transposed convolution: dy is zero-upsampled by the stride (a pad on a
 * [B, OH, 1, OW, 1, CO] view), padded by (K-1) - pad (cropped where that is negative), and
 * correlated (XNNPACK conv2d, stride 1) with the spatially flipped filter transposed to
 * [KH, KW, CO, CI] (built in one pass over the heap). NCHW is handled by transposing dy in and dx out.
 *
 * Anything else (non-float32 data, a dilations attribute > 1, a backend without the needed ops) goes
 * to the kernel that was registered before this one (wasm's own), kept by registerWasmTrainingKernels.
 */
import * as tf from '@tensorflow/tfjs';
import { isWasmHeapBackend, KeptKernel, type KernelArgs } from './kept-kernel.js';
import { asTensor, cropForExplicitPad, pair, spreadByStride } from './utils.js';

/** The kernel this one replaced (wasm's own Conv2DBackpropInput), used for cases not handled here. */
export const keptConv2dBackpropInput = new KeptKernel(tf.Conv2DBackpropInput);

/** Whether the composed path handles this call. */
function handles(dyInfo: tf.TensorInfo, filterInfo: tf.TensorInfo, attrs: tf.NamedAttrMap): boolean {
  if (dyInfo.dtype !== 'float32' || filterInfo.dtype !== 'float32') return false;
  if (dyInfo.shape.length !== 4 || filterInfo.shape.length !== 4) return false;
  const [dh, dw] = pair((attrs as { dilations?: number | [number, number] }).dilations);
  return dh === 1 && dw === 1;
}

/**
 * The filter [KH, KW, CI, CO] flipped spatially and transposed to [KH, KW, CO, CI], in one pass over the heap
 * (wasm's Reverse then Transpose took ~1.2 ms CPU for 3x3x32x64). Call inside a tidy.
 */
function flippedFilter(filterInfo: tf.TensorInfo, backend: unknown): tf.Tensor4D {
  const [kh, kw, ci, co] = filterInfo.shape as [number, number, number, number];
  if (!isWasmHeapBackend(backend)) {
    return tf.transpose(tf.reverse(asTensor<tf.Rank.R4>(filterInfo), [0, 1]), [0, 1, 3, 2]) as tf.Tensor4D;
  }
  const out = tf.engine().makeTensorFromTensorInfo(backend.makeOutput([kh, kw, co, ci], 'float32')) as tf.Tensor4D;
  const src = backend.typedArrayFromHeap(filterInfo) as Float32Array;
  const dst = backend.typedArrayFromHeap(out) as Float32Array;
  for (let y = 0; y < kh; y++) {
    for (let x = 0; x < kw; x++) {
      const from = ((kh - 1 - y) * kw + (kw - 1 - x)) * ci * co;
      const to = (y * kw + x) * co * ci;
      for (let i = 0; i < ci; i++) for (let o = 0; o < co; o++) dst[to + o * ci + i] = src[from + i * co + o];
    }
  }
  return out;
}

export function conv2dBackpropInput(args: KernelArgs): tf.TensorInfo {
  const { dy: dyInfo, filter: filterInfo } = args.inputs as unknown as { dy: tf.TensorInfo; filter: tf.TensorInfo };
  const attrs = (args.attrs ?? {}) as tf.NamedAttrMap;
  if (!handles(dyInfo, filterInfo, attrs)) {
    return keptConv2dBackpropInput.call(args) as tf.TensorInfo;
  }
  const { strides, pad, dataFormat, dimRoundingMode, inputShape } = attrs as unknown as tf.Conv2DBackpropInputAttrs;
  const filterShape = filterInfo.shape as [number, number, number, number];
  const fmt = tf.backend_util.convertConv2DDataFormat(dataFormat ?? 'NHWC');
  const info = tf.backend_util.computeConv2DInfo(
    inputShape,
    filterShape,
    strides,
    1,
    pad,
    dimRoundingMode,
    false,
    fmt,
  );
  const { inHeight: h, inWidth: w, padInfo } = info;
  const { filterHeight: kh, filterWidth: kw, outHeight: oh, outWidth: ow } = info;
  const { strideHeight: sh, strideWidth: sw } = info;
  const channelsFirst = info.dataFormat === 'channelsFirst';

  return tf.tidy(() => {
    let dy = asTensor<tf.Rank.R4>(dyInfo);
    if (channelsFirst) dy = tf.transpose(dy, [0, 2, 3, 1]);
    dy = spreadByStride(dy, sh, sw);
    const top = kh - 1 - padInfo.top;
    const left = kw - 1 - padInfo.left;
    const bottom = h + kh - 1 - top - oh * sh;
    const right = w + kw - 1 - left - ow * sw;
    const { tensor, pad: explicitPad } = cropForExplicitPad(dy, top, bottom, left, right);
    const flipped = flippedFilter(filterInfo, args.backend); // [KH, KW, CO, CI]
    const dx = tf.conv2d(tensor, flipped, 1, explicitPad, 'NHWC'); // [B, H, W, CI]
    return channelsFirst ? tf.transpose(dx, [0, 3, 1, 2]) : dx;
  });
}
