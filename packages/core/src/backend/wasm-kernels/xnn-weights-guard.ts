/**
 * tfjs-backend-wasm 4.22 runs an untransposed, unbatched matrix product as an XNNPACK fully-connected
 * operator cached per (id of b, id of bias, activation), with b packed as weights for the [K, N] it
 * had on that first call. Tensors sharing a buffer share its id, so the same buffer reached again as
 * b with another [K, N] (a reshape of it: Dense's dx = dy . W^T takes W [K, 1] as [1, K]; any tensor
 * passed through the now zero-copy Identity keeps it too) reuses an operator packed for another
 * shape: reads out of bounds, or wrong results. Such a call gets b as a fresh copy (a new id), which
 * is disposed, with its operator, right after.
 */
import * as tf from '@tensorflow/tfjs';
import { isWasmHeapBackend, KeptKernel, type KernelArgs } from './kept-kernel.js';
import { vectorProduct } from './vector-products.js';

/** The [K, N] each buffer first had as b of a cached product, by dataId (entries go with the buffer). */
const packedShape = new WeakMap<object, string>();

function batchOf(shape: number[]): number {
  return tf.util.sizeFromShape(shape.slice(0, -2));
}

/**
 * Runs `kernel` with `inputs.b` replaced by a copy when the wasm kernel would otherwise find an
 * operator cached for b's buffer under another shape.
 */
export function withUnambiguousWeights(
  args: KernelArgs,
  kernel: (args: KernelArgs) => tf.TensorInfo,
): tf.TensorInfo {
  const { a, b } = args.inputs as unknown as { a: tf.TensorInfo; b: tf.TensorInfo };
  const { transposeA, transposeB } = (args.attrs ?? {}) as unknown as tf.BatchMatMulAttrs;
  const backend = args.backend;
  const cached = !transposeA && !transposeB && batchOf(a.shape) === 1 && batchOf(b.shape) === 1 && b.shape.length >= 2;
  if (!cached || b.dtype !== 'float32' || !isWasmHeapBackend(backend)) return kernel(args);
  const shape = b.shape.slice(-2).join('x');
  const first = packedShape.get(b.dataId);
  if (first == null) packedShape.set(b.dataId, shape);
  if (first == null || first === shape) return kernel(args);
  const copy = backend.makeOutput([...b.shape], 'float32');
  try {
    (backend.typedArrayFromHeap(copy) as Float32Array).set(backend.typedArrayFromHeap(b) as Float32Array);
    return kernel({ ...args, inputs: { ...args.inputs, b: copy } as unknown as tf.NamedTensorInfoMap });
  } finally {
    backend.disposeData(copy.dataId);
  }
}

export const keptFusedMatMul = new KeptKernel(tf._FusedMatMul);

/**
 * wasm's _FusedMatMul (Dense layers) with the same guard; a product with one output column and no
 * activation (a one-unit Dense layer's logits) goes to the SIMD kernel, its bias added here.
 */
export function fusedMatMul(args: KernelArgs): tf.TensorInfo {
  const { a, b, bias, preluActivationWeights } = args.inputs as unknown as Record<string, tf.TensorInfo | undefined>;
  const { transposeA, transposeB, activation } = (args.attrs ?? {}) as { transposeA?: boolean; transposeB?: boolean; activation?: string };
  const linear = activation == null || activation === 'linear';
  const backend = args.backend;
  if (linear && preluActivationWeights == null && isWasmHeapBackend(backend) && (bias == null || (bias.dtype === 'float32' && tf.util.sizeFromShape(bias.shape) === 1))) {
    const product = vectorProduct(a!, b!, !!transposeA, !!transposeB, backend);
    if (product != null) {
      if (bias != null) {
        // One bias value, broadcast to every output.
        const values = backend.typedArrayFromHeap(product) as Float32Array;
        const shift = (backend.typedArrayFromHeap(bias) as Float32Array)[0];
        for (let i = 0; i < values.length; i++) values[i] += shift;
      }
      return product;
    }
  }
  return withUnambiguousWeights(args, (guarded) => keptFusedMatMul.call(guarded) as tf.TensorInfo);
}
