/**
 * Conv2D for the wasm backend, REPLACING the registration of tfjs-backend-wasm 4.22's kernel (XNNPACK) for
 * two kinds of float32 NHWC convolutions without dilation:
 *   - first layers on images, 1-4 input channels and output channels a multiple of 16: K = KH x KW x C
 *     (9-36) leaves most of XNNPACK's GEMM tile idle, and the filter, new at every training step, is packed
 *     on every call. Polymodal's SIMD kernel (simd/) reads x and the filter where they lie: x [64, 28, 28, 1],
 *     3x3x1x32 ('same') ~3 -> ~1.3 ms CPU; x [32, 64, 64, 3], 3x3x3x32 ('valid', the seed model) ~8.3 -> ~6.8 ms;
 *   - 3x3 stride-1 convolutions with channels a multiple of 4 (in) and 8 (out), by Winograd F(2x2, 3x3)
 *     (2.25x fewer multiply-adds, results within ~1e-6 relative): x [64, 14, 14, 32], 3x3x32x64 ~16 -> ~9.7
 *     ms CPU. Conv2DBackpropInput of such a layer is such a convolution (of dy), so it gains as much.
 * Everything else goes to wasm's own kernel.
 */
import * as tf from '@tensorflow/tfjs';
import { heapOffset, simdKernels, type SimdKernels } from './simd/simd-kernels.js';
import { isWasmHeapBackend, KeptKernel, type KernelArgs, type WasmHeapBackend } from './kept-kernel.js';

export const keptConv2D = new KeptKernel(tf.Conv2D);

/** Input channels up to which the SIMD kernel beats XNNPACK (measured: 1 and 3). */
const MAX_IN_CHANNELS = 4;

/** What FusedConv2D adds as the kernels store each output: its bias (a [oc] tensor) and relu. */
interface FusedStore {
  readonly bias?: tf.TensorInfo;
  readonly relu: boolean;
}

/** 3x3, stride 1 convolutions with channel counts the Winograd kernels' vectors and GEMM take. */
function byWinograd(info: tf.backend_util.Conv2DInfo): boolean {
  return info.filterHeight === 3 && info.filterWidth === 3 && info.strideHeight === 1 && info.strideWidth === 1 &&
    info.inChannels > MAX_IN_CHANNELS && info.inChannels % 4 === 0 && info.outChannels % 8 === 0;
}

/**
 * Winograd F(2x2, 3x3): 16 GEMMs of [tiles, C] . [C, OC] on transformed 4x4 input tiles and filters, 2.25x
 * fewer multiply-adds than the direct convolution. The three scratch buffers (~16 x the input, the filter and
 * the output) live in the wasm heap for the call only.
 */
function winograd(
  x: tf.TensorInfo, filter: tf.TensorInfo, info: tf.backend_util.Conv2DInfo, backend: WasmHeapBackend, kernels: SimdKernels,
  fused: FusedStore = { relu: false },
): tf.TensorInfo {
  const { batchSize: batch, inHeight: h, inWidth: w, inChannels: c, outHeight: oh, outWidth: ow, outChannels: oc } = info;
  const th = Math.ceil(oh / 2);
  const tw = Math.ceil(ow / 2);
  const tiles = batch * th * tw;
  const out = backend.makeOutput(info.outShape, 'float32');
  if (tiles === 0) return out;
  const scratch = [backend.makeOutput([16, tiles, c], 'float32'), backend.makeOutput([16, c, oc], 'float32'), backend.makeOutput([16, tiles, oc], 'float32')];
  try {
    const [v, u, m] = scratch.map((t) => heapOffset(backend, t));
    kernels.winogradInput(heapOffset(backend, x), v, batch, h, w, c, th, tw, info.padInfo.top, info.padInfo.left);
    kernels.winogradFilter(heapOffset(backend, filter), u, c, oc);
    kernels.winogradProducts(v, u, m, tiles, c, oc);
    kernels.winogradOutput(m, heapOffset(backend, out), batch, oh, ow, oc, th, tw, fused.bias ? heapOffset(backend, fused.bias) : 0, fused.bias ? 1 : 0, fused.relu ? 1 : 0);
  } finally {
    for (const t of scratch) backend.disposeData(t.dataId);
  }
  return out;
}

/** The convolution's geometry when it is float32 NHWC on the wasm heap without dilation, else null (wasm's kernel takes it). */
function simdConvolution(args: KernelArgs): { info: tf.backend_util.Conv2DInfo; backend: WasmHeapBackend; kernels: SimdKernels } | null {
  const { x, filter } = args.inputs as unknown as { x: tf.TensorInfo; filter: tf.TensorInfo };
  const { strides, pad, dataFormat, dilations, dimRoundingMode } = args.attrs as unknown as tf.Conv2DAttrs;
  const backend = args.backend;
  const fmt = tf.backend_util.convertConv2DDataFormat(dataFormat ?? 'NHWC');
  const eligible = x.dtype === 'float32' && filter.dtype === 'float32' && fmt === 'channelsLast' && x.shape.length === 4 && isWasmHeapBackend(backend);
  const kernels = eligible ? simdKernels(backend) : null;
  if (kernels == null || !isWasmHeapBackend(backend)) return null;
  const info = tf.backend_util.computeConv2DInfo(
    x.shape as [number, number, number, number], filter.shape as [number, number, number, number],
    strides, dilations ?? 1, pad, dimRoundingMode, false, fmt,
  );
  return info.dilationHeight === 1 && info.dilationWidth === 1 ? { info, backend, kernels } : null;
}

const byFewChannels = (info: tf.backend_util.Conv2DInfo) => info.inChannels <= MAX_IN_CHANNELS && info.outChannels % 16 === 0;

/** Whether FusedConv2D runs a float32 NHWC convolution of these shapes (dilation 1) on Polymodal's kernels, not XNNPACK's. */
export function takesFusedFastPath(xShape: [number, number, number, number], filterShape: [number, number, number, number], strides: [number, number], pad: 'valid' | 'same'): boolean {
  const info = tf.backend_util.computeConv2DInfo(xShape, filterShape, strides, 1, pad);
  return byFewChannels(info) || byWinograd(info);
}

/** The few-channels kernel, with FusedConv2D's bias and relu applied as it stores. */
function fewChannels(
  x: tf.TensorInfo, filter: tf.TensorInfo, info: tf.backend_util.Conv2DInfo, backend: WasmHeapBackend, kernels: SimdKernels,
  fused: FusedStore = { relu: false },
): tf.TensorInfo {
  const out = backend.makeOutput(info.outShape, 'float32');
  if (tf.util.sizeFromShape(info.outShape) === 0) return out;
  kernels.conv2dFewChannels(
    heapOffset(backend, x), heapOffset(backend, filter), heapOffset(backend, out),
    info.batchSize, info.inHeight, info.inWidth, info.inChannels, info.outHeight, info.outWidth, info.outChannels,
    info.filterHeight, info.filterWidth, info.strideHeight, info.strideWidth, info.padInfo.top, info.padInfo.left,
    fused.bias ? heapOffset(backend, fused.bias) : 0, fused.bias ? 1 : 0, fused.relu ? 1 : 0,
  );
  return out;
}

/** Whether fewChannelsReluProduct takes a float32 NHWC convolution of these shapes (dilation 1). */
export function takesFewChannelsProduct(xShape: [number, number, number, number], filterShape: [number, number, number, number], strides: [number, number], pad: 'valid' | 'same'): boolean {
  return byFewChannels(tf.backend_util.computeConv2DInfo(xShape, filterShape, strides, 1, pad));
}

/**
 * relu(conv2d(x, filter) + bias) on the few-channels kernel, with `prod [batch, 1]` = each image's output, flattened,
 * times `weights [oh * ow * oc, 1]`, added up row by row as the kernel stores them (a one-unit product of the
 * features, without a second pass over them): [y, prod]; null where that kernel does not take the convolution.
 */
export function fewChannelsReluProduct(args: KernelArgs): [tf.TensorInfo, tf.TensorInfo] | null {
  return fewChannelsProductInto(args, true);
}

/** fewChannelsReluProduct's prod alone: y goes through one output row of scratch, never the whole of it to memory. */
export function fewChannelsReluProductValue(args: KernelArgs): tf.TensorInfo | null {
  const outputs = fewChannelsProductInto(args, false);
  if (outputs == null) return null;
  const [row, prod] = outputs;
  (args.backend as WasmHeapBackend).disposeData(row.dataId);
  return prod;
}

/** [y or one row of it, prod], or null where the few-channels kernel does not take the convolution. */
function fewChannelsProductInto(args: KernelArgs, keepOutput: boolean): [tf.TensorInfo, tf.TensorInfo] | null {
  const { x, filter, bias, weights } = args.inputs as unknown as Record<'x' | 'filter' | 'bias' | 'weights', tf.TensorInfo>;
  const simd = simdConvolution(args);
  if (simd == null || !byFewChannels(simd.info) || bias.dtype !== 'float32' || weights.dtype !== 'float32') return null;
  const { info, backend, kernels } = simd;
  const y = backend.makeOutput(keepOutput ? info.outShape : [info.outWidth * info.outChannels], 'float32');
  const prod = backend.makeOutput([info.batchSize, 1], 'float32');
  kernels.conv2dFewChannelsProduct(
    heapOffset(backend, x), heapOffset(backend, filter), heapOffset(backend, y), heapOffset(backend, weights), heapOffset(backend, prod),
    info.batchSize, info.inHeight, info.inWidth, info.inChannels, info.outHeight, info.outWidth, info.outChannels,
    info.filterHeight, info.filterWidth, info.strideHeight, info.strideWidth, info.padInfo.top, info.padInfo.left,
    heapOffset(backend, bias), 1, 1, keepOutput ? 1 : 0,
  );
  return [y, prod];
}

export function conv2d(args: KernelArgs): tf.TensorInfo {
  const { x, filter } = args.inputs as unknown as { x: tf.TensorInfo; filter: tf.TensorInfo };
  const simd = simdConvolution(args);
  if (simd == null) return keptConv2D.call(args) as tf.TensorInfo;
  const { info, backend, kernels } = simd;
  if (byWinograd(info)) return winograd(x, filter, info, backend, kernels);
  if (!byFewChannels(info)) return keptConv2D.call(args) as tf.TensorInfo;
  return fewChannels(x, filter, info, backend, kernels);
}

/** The kernel this wrapper calls (wasm's own FusedConv2D). */
export const keptFusedConv2D = new KeptKernel(tf.FusedConv2D);

/**
 * FusedConv2D (what tfjs runs for a Conv2D layer outside training, and for a linear one in training) on the
 * few-channels kernel or by Winograd, bias and relu added as the sums are stored: the seed model's Conv2D(32) on
 * x [32, 64, 64, 3] ~9.3 ms on XNNPACK -> ~6 ms; an image CNN's second layer (x [64, 14, 14, 32], 3x3x32x64)
 * ~16 ms on XNNPACK against ~8. Other activations, PReLU weights, a bias that is not [oc] and convolutions neither
 * takes go to wasm's own.
 */
export function fusedConv2d(args: KernelArgs): tf.TensorInfo {
  const { x, filter, bias, preluActivationWeights } = args.inputs as unknown as { x: tf.TensorInfo; filter: tf.TensorInfo; bias?: tf.TensorInfo; preluActivationWeights?: tf.TensorInfo };
  const { activation } = args.attrs as unknown as { activation?: string };
  const simd = activation === 'linear' || activation === 'relu' || activation == null ? simdConvolution(args) : null;
  if (simd == null || preluActivationWeights != null) return keptFusedConv2D.call(args) as tf.TensorInfo;
  if (bias != null && (bias.dtype !== 'float32' || bias.shape.length !== 1 || bias.shape[0] !== simd.info.outChannels)) return keptFusedConv2D.call(args) as tf.TensorInfo;
  const fused = { bias, relu: activation === 'relu' };
  if (byWinograd(simd.info)) return winograd(x, filter, simd.info, simd.backend, simd.kernels, fused);
  if (byFewChannels(simd.info)) return fewChannels(x, filter, simd.info, simd.backend, simd.kernels, fused);
  return keptFusedConv2D.call(args) as tf.TensorInfo;
}
