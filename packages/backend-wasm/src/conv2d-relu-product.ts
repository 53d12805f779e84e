/**
 * Core's Conv2dReluProductRoutine on the wasm backend: flatten(relu(conv2d(x, filter) + bias)) . weights, where
 * a relu Conv2D's features reach a one-unit product alone (the article's model: Conv2D -> Flatten -> the concatenation
 * whose product core's layer graph computes by part -> Dense(1)). Separately, the product's input gradient is an
 * outer product written to memory (the seed model's 15.7 MB per 32 rows), which relu's gradient reads back with y
 * and writes again as the convolution's dy, which the filter gradient reads a third time. Here one kernel,
 * PolymodalConv2DReluProductGrads, makes that dy one image at a time in a cache-sized scratch and takes the filter
 * and bias gradients from it, and the weights' gradient (y^T . dy) from the same read of y: the same arithmetic in
 * the same order, so every value is bit for bit what the separate kernels give.
 *
 * The forward, where the few-channels kernel takes the convolution (a first layer on images), is one kernel too,
 * PolymodalConv2DReluProduct: each output row is added into the product while it is in L1, instead of the product
 * reading y back from memory (elsewhere: PolymodalConv2DRelu, then the product); where no gradient is recorded
 * (prediction, validation), PolymodalConv2DReluProductValue writes each row to one row of scratch instead of y, which
 * is never needed. The op is differentiable in filter,
 * bias and weights only: `x` is taken as a constant (core uses it only where x is a model input, which no training
 * step differentiates), so no input gradient is ever computed. Where the shapes do not suit the kernel (a product of
 * several units, output channels not a multiple of 4, a convolution neither fast kernel takes) it is the separate
 * ops (conv2dRelu, then the product), differentiable in x as well.
 */
import * as tf from '@tensorflow/tfjs';
import { CONV2D_RELU_KERNEL, conv2dRelu, registerConv2dRelu, type Conv2dReluAttrs } from './conv2d-relu.js';
import { fewChannelsReluProduct, fewChannelsReluProductValue, takesFewChannelsProduct, takesFusedFastPath } from './conv2d.js';
import { isWasmHeapBackend, type KernelArgs, type WasmHeapBackend } from './kept-kernel.js';
import { heapOffset, simdKernels } from './simd/simd-kernels.js';

export const CONV2D_RELU_PRODUCT_KERNEL = 'PolymodalConv2DReluProduct';
export const CONV2D_RELU_PRODUCT_GRADS_KERNEL = 'PolymodalConv2DReluProductGrads';
/** The forward product alone, where no gradient is recorded: y is never stored (prediction, validation). */
export const CONV2D_RELU_PRODUCT_VALUE_KERNEL = 'PolymodalConv2DReluProductValue';

export interface WasmConv2dReluProduct {
  /**
   * `flatten(relu(conv2d(x, filter) + bias)) . weights` for NHWC `x [batch, h, w, c]`, `filter [kh, kw, c, oc]`,
   * `bias [oc]`, `weights [oh * ow * oc, units]`, dilation 1: `[batch, units]`; differentiable in filter, bias and
   * weights, x being a constant.
   */
  conv2dReluProduct(x: tf.Tensor4D, filter: tf.Tensor4D, bias: tf.Tensor1D, weights: tf.Tensor2D, attrs: Conv2dReluAttrs): tf.Tensor2D;
}

/** The routine, or null where the active backend is not wasm or has no WebAssembly SIMD. */
export function wasmConv2dReluProduct(): WasmConv2dReluProduct | null {
  if (tf.getBackend() !== 'wasm' || simdKernels(tf.backend()) == null) return null;
  registerConv2dRelu();
  registerProductKernels();
  return { conv2dReluProduct };
}

/** Whether the one-kernel gradient takes these shapes: one unit, output channels a multiple of 4, a fast convolution. */
function takesOneKernel(x: tf.Tensor4D, filter: tf.Tensor4D, weights: tf.Tensor2D, attrs: Conv2dReluAttrs): boolean {
  return x.dtype === 'float32' && weights.shape[1] === 1 && filter.shape[3] % 4 === 0 &&
    takesFusedFastPath(x.shape, filter.shape, attrs.strides, attrs.pad);
}

/** inputs x, filter, bias, weights [n, 1]: [y, the product] from the few-channels kernel (takesFewChannelsProduct). */
function productKernel(args: KernelArgs): tf.TensorInfo[] {
  return fewChannelsOutputs(CONV2D_RELU_PRODUCT_KERNEL, fewChannelsReluProduct(nhwc(args)), args);
}

/** productKernel's product alone, y made one output row at a time in scratch. */
function productValueKernel(args: KernelArgs): tf.TensorInfo {
  return fewChannelsOutputs(CONV2D_RELU_PRODUCT_VALUE_KERNEL, fewChannelsReluProductValue(nhwc(args)), args);
}

const nhwc = (args: KernelArgs): KernelArgs => ({ ...args, attrs: { ...args.attrs, dataFormat: 'NHWC', dilations: [1, 1] } as unknown as tf.NamedAttrMap });

function fewChannelsOutputs<T>(kernel: string, outputs: T | null, args: KernelArgs): T {
  if (outputs == null) throw new Error(`${kernel}: the few-channels kernel does not take x [${args.inputs.x!.shape}], filter [${args.inputs.filter!.shape}]`);
  return outputs;
}

/** inputs x, y (the convolution's relu output), dy (the product's gradient [batch, 1]), weights [n, 1]: [dFilter, dBias, dWeights]. */
function productGradsKernel(args: KernelArgs): tf.TensorInfo[] {
  const { x, y, dy, weights } = args.inputs as unknown as Record<'x' | 'y' | 'dy' | 'weights', tf.TensorInfo>;
  const { strides, pad, filterShape } = args.attrs as unknown as Conv2dReluAttrs & { filterShape: [number, number, number, number] };
  const backend = args.backend;
  const kernels = isWasmHeapBackend(backend) ? simdKernels(backend) : null;
  if (kernels == null) throw new Error(`${CONV2D_RELU_PRODUCT_GRADS_KERNEL}: the wasm backend's heap or SIMD kernels are not available`);
  const heap = backend as WasmHeapBackend;
  const info = tf.backend_util.computeConv2DInfo(x.shape as [number, number, number, number], filterShape, strides, 1, pad);
  const dFilter = heap.makeOutput(filterShape, 'float32');
  const dBias = heap.makeOutput([info.outChannels], 'float32');
  const dWeights = heap.makeOutput(weights.shape, 'float32');
  const scratch = heap.makeOutput([info.outHeight, info.outWidth, info.outChannels], 'float32');
  try {
    kernels.conv2dReluProductGrads(
      heapOffset(heap, x), heapOffset(heap, y), heapOffset(heap, dy), heapOffset(heap, weights), heapOffset(heap, scratch),
      heapOffset(heap, dFilter), heapOffset(heap, dBias), heapOffset(heap, dWeights),
      info.batchSize, info.inHeight, info.inWidth, info.inChannels, info.outHeight, info.outWidth, info.outChannels,
      info.filterHeight, info.filterWidth, info.strideHeight, info.strideWidth, info.padInfo.top, info.padInfo.left,
    );
  } finally {
    heap.disposeData(scratch.dataId);
  }
  return [dFilter, dBias, dWeights];
}

let registered = false;

function registerProductKernels(): void {
  if (registered) return;
  registered = true;
  if (tf.getKernel(CONV2D_RELU_PRODUCT_KERNEL, 'wasm') == null) {
    tf.registerKernel({ kernelName: CONV2D_RELU_PRODUCT_KERNEL, backendName: 'wasm', kernelFunc: productKernel as unknown as tf.KernelFunc });
  }
  if (tf.getKernel(CONV2D_RELU_PRODUCT_VALUE_KERNEL, 'wasm') == null) {
    tf.registerKernel({ kernelName: CONV2D_RELU_PRODUCT_VALUE_KERNEL, backendName: 'wasm', kernelFunc: productValueKernel as unknown as tf.KernelFunc });
  }
  if (tf.getKernel(CONV2D_RELU_PRODUCT_GRADS_KERNEL, 'wasm') == null) {
    tf.registerKernel({ kernelName: CONV2D_RELU_PRODUCT_GRADS_KERNEL, backendName: 'wasm', kernelFunc: productGradsKernel as unknown as tf.KernelFunc });
  }
}

/** y = relu(conv2d(x, f) + b) and flatten(y) . v: in one kernel where the few-channels kernel takes the convolution. */
function forward(x: tf.Tensor4D, f: tf.Tensor4D, b: tf.Tensor1D, v: tf.Tensor2D, attrs: Conv2dReluAttrs): [tf.Tensor4D, tf.Tensor2D] {
  if (takesFewChannelsProduct(x.shape, f.shape, attrs.strides, attrs.pad)) {
    return tf.engine().runKernel(CONV2D_RELU_PRODUCT_KERNEL, { x, filter: f, bias: b, weights: v }, attrs as unknown as tf.NamedAttrMap) as unknown as [tf.Tensor4D, tf.Tensor2D];
  }
  const y = tf.engine().runKernel(CONV2D_RELU_KERNEL, { x, filter: f, bias: b }, attrs as unknown as tf.NamedAttrMap) as tf.Tensor4D;
  return [y, tf.matMul(flat(y), v)];
}

const flat = (y: tf.Tensor4D) => tf.reshape(y, [y.shape[0], -1]) as tf.Tensor2D;

/**
 * Whether tfjs is recording ops for a gradient (inside tf.grad, variableGrads, model.fit's step). Engine.isTapeOn is
 * not in tfjs's types; where a tfjs release lacks it, every call counts as recorded, which keeps y as before.
 */
function recordsGradients(): boolean {
  const engine = tf.engine() as unknown as { isTapeOn?: () => boolean };
  return typeof engine.isTapeOn !== 'function' || engine.isTapeOn();
}

export function conv2dReluProduct(x: tf.Tensor4D, filter: tf.Tensor4D, bias: tf.Tensor1D, weights: tf.Tensor2D, attrs: Conv2dReluAttrs): tf.Tensor2D {
  if (x.rank !== 4 || weights.rank !== 2) throw new Error(`conv2dReluProduct: x [batch, h, w, c] and weights [n, units] expected; got [${x.shape}], [${weights.shape}]`);
  if (!takesOneKernel(x, filter, weights, attrs)) return tf.tidy(() => tf.matMul(flat(conv2dRelu(x, filter, bias, attrs)), weights));
  if (!recordsGradients() && takesFewChannelsProduct(x.shape, filter.shape, attrs.strides, attrs.pad)) {
    return tf.engine().runKernel(CONV2D_RELU_PRODUCT_VALUE_KERNEL, { x, filter, bias, weights }, attrs as unknown as tf.NamedAttrMap) as tf.Tensor2D;
  }
  const product = tf.customGrad((...args: unknown[]) => {
    const [f, b, v, save] = args as [tf.Tensor4D, tf.Tensor1D, tf.Tensor2D, tf.GradSaveFunc];
    const [y, value] = forward(x, f, b, v, attrs);
    save([y, v]);
    const gradFunc = (dy: tf.Tensor, saved: tf.Tensor[]) => {
      const [ys, vs] = saved as [tf.Tensor4D, tf.Tensor2D];
      return tf.engine().runKernel(CONV2D_RELU_PRODUCT_GRADS_KERNEL, { x, y: ys, dy, weights: vs }, { ...attrs, filterShape: f.shape } as unknown as tf.NamedAttrMap) as tf.Tensor[];
    };
    return { value, gradFunc };
  }) as (f: tf.Tensor4D, b: tf.Tensor1D, v: tf.Tensor2D) => tf.Tensor2D;
  return product(filter, bias, weights);
}
