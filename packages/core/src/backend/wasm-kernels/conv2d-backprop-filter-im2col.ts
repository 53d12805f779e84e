/**
 * im2col variant of Conv2DBackpropFilter for the wasm backend.
 *
 *   dW[kh, kw, ci, co] = sum_{b, oh, ow} x[b, oh*sh + kh - padTop, ow*sw + kw - padLeft, ci] * dy[b, oh, ow, co]
 *                      = (patches · dy2d)[(kh, kw, ci), co]
 * with patches : [KH*KW*C, B*OH*OW] (row (kh, kw, ci), column (b, oh, ow)) and dy2d = dy as [B*OH*OW, co].
 *
 * x is first transposed (wasm) to [C, B, H, W], so that each patches row is made of runs of input
 * rows; the runs are copied inside the wasm heap with copyWithin (memmove), zeros standing where the
 * window covers padding. The product is then one non-transposed wasm matMul, which XNNPACK runs as a
 * GEMM with M = KH*KW*C, K = B*OH*OW, N = co. Both choices are measured ones: wasm's BatchMatMul is
 * ~10x slower with transposeA/transposeB, and assembling the patches from tfjs Slice / Concat / Pad
 * kernels on wasm costs more than the GEMM itself.
 */
import * as tf from '@tensorflow/tfjs';
import { asTensor } from './utils.js';

/** The parts of BackendWasm this kernel uses (not in the package's public types). */
export interface WasmHeapBackend {
  makeOutput(shape: number[], dtype: tf.DataType): tf.TensorInfo;
  typedArrayFromHeap(info: tf.TensorInfo): Float32Array | Int32Array | Uint8Array;
}

/** Largest patches buffer [KH*KW*C, B*OH*OW] the im2col path will allocate (in elements, 256 MiB). */
const MAX_PATCHES = 64 * 1024 * 1024;

/** Whether the im2col path applies: float32 data, a backend exposing its heap, and a bounded buffer. */
export function im2colApplies(
  xInfo: tf.TensorInfo,
  dyInfo: tf.TensorInfo,
  info: tf.backend_util.Conv2DInfo,
  backend: unknown,
): backend is WasmHeapBackend {
  const b = backend as Partial<WasmHeapBackend> | null;
  if (b == null || typeof b.makeOutput !== 'function' || typeof b.typedArrayFromHeap !== 'function') return false;
  if (xInfo.dtype !== 'float32' || dyInfo.dtype !== 'float32') return false;
  const rows = info.filterHeight * info.filterWidth * info.inChannels;
  const cols = info.batchSize * info.outHeight * info.outWidth;
  return rows * cols <= MAX_PATCHES;
}

/**
 * dW [KH, KW, C, OC] via im2col + one matMul. `info` comes from computeConv2DInfo with dilation 1
 * (Conv2DBackpropFilter has no dilations attribute). Call inside a tidy; the result is a tensor of it.
 */
export function conv2dBackpropFilterIm2col(
  xInfo: tf.TensorInfo,
  dyInfo: tf.TensorInfo,
  info: tf.backend_util.Conv2DInfo,
  backend: WasmHeapBackend,
): tf.Tensor4D {
  const { filterHeight: kh, filterWidth: kw, inChannels: c, outChannels: oc } = info;
  const { batchSize: b, inHeight: h, inWidth: w, outHeight: oh, outWidth: ow } = info;
  const { strideHeight: sh, strideWidth: sw, padInfo } = info;
  const pt = padInfo.top;
  const pl = padInfo.left;
  const channelsFirst = info.dataFormat === 'channelsFirst';
  const rows = kh * kw * c;
  const cols = b * oh * ow;

  // Every allocation happens before the heap views are taken (an allocation may grow, and so detach, the heap).
  const x = asTensor<tf.Rank.R4>(xInfo);
  let xt = channelsFirst ? (b === 1 ? x : tf.transpose(x, [1, 0, 2, 3])) : tf.transpose(x, [3, 0, 1, 2]); // [C, B, H, W]
  // With a column stride, split W into its sw phases ([C, B, H, sw, Wq], W zero-padded to sw*Wq) so
  // that the columns one patches run reads (step sw) are contiguous again.
  const wq = Math.ceil(w / sw);
  if (sw > 1) {
    if (wq * sw !== w) xt = tf.pad(xt, [[0, 0], [0, 0], [0, 0], [0, wq * sw - w]]);
    xt = tf.transpose(tf.reshape(xt, [c, b, h, wq, sw]), [0, 1, 2, 4, 3]) as unknown as tf.Tensor4D;
  }
  let dy = asTensor<tf.Rank.R4>(dyInfo);
  if (channelsFirst) dy = tf.transpose(dy, [0, 2, 3, 1]);
  const dy2d = tf.reshape(dy, [cols, oc]) as tf.Tensor2D;
  const patchesInfo = backend.makeOutput([rows, cols], 'float32');
  const patches = tf.engine().makeTensorFromTensorInfo(patchesInfo) as tf.Tensor2D; // released by the caller's tidy

  const pv = backend.typedArrayFromHeap(patchesInfo) as Float32Array;
  const heap = new Float32Array(pv.buffer);
  const pOff = pv.byteOffset >> 2;
  const xOff = (backend.typedArrayFromHeap(xt).byteOffset >> 2) as number;

  // Output rows / columns whose input row / column lies inside the image, per kernel offset.
  const yLo: number[] = [];
  const yHi: number[] = [];
  const xLo: number[] = [];
  const xHi: number[] = [];
  let padded = false;
  for (let i = 0; i < kh; i++) {
    yLo[i] = Math.min(oh, Math.max(0, Math.ceil((pt - i) / sh)));
    yHi[i] = Math.max(yLo[i], Math.min(oh, Math.floor((h - 1 + pt - i) / sh) + 1));
    if (yLo[i] > 0 || yHi[i] < oh) padded = true;
  }
  for (let j = 0; j < kw; j++) {
    xLo[j] = Math.min(ow, Math.max(0, Math.ceil((pl - j) / sw)));
    xHi[j] = Math.max(xLo[j], Math.min(ow, Math.floor((w - 1 + pl - j) / sw) + 1));
    if (xLo[j] > 0 || xHi[j] < ow) padded = true;
  }
  if (padded) heap.fill(0, pOff, pOff + rows * cols);

  const rowLen = wq * sw; // [C, B, H, (sw,) Wq] strides: c -> b*h*rowLen, b -> h*rowLen, h -> rowLen
  const planeB = h * rowLen;
  let r = 0;
  for (let i = 0; i < kh; i++) {
    for (let j = 0; j < kw; j++) {
      const lo = xLo[j];
      const len = xHi[j] - lo;
      if (len <= 0) {
        r += c;
        continue;
      }
      const col0 = lo * sw + j - pl; // input column of the run's first element (>= 0)
      const colOff = (col0 % sw) * wq + Math.floor(col0 / sw); // its place in the phase-split row
      for (let ci = 0; ci < c; ci++, r++) {
        const rowBase = pOff + r * cols;
        for (let bi = 0; bi < b; bi++) {
          const plane = xOff + (ci * b + bi) * planeB + colOff;
          const dstB = rowBase + bi * oh * ow + lo;
          for (let y = yLo[i]; y < yHi[i]; y++) {
            const src = plane + (y * sh + i - pt) * rowLen;
            heap.copyWithin(dstB + y * ow, src, src + len);
          }
        }
      }
    }
  }

  const dw = tf.matMul(patches, dy2d); // [KH*KW*C, OC]
  return tf.reshape(dw, [kh, kw, c, oc]);
}
