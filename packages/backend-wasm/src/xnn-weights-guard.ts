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
import { isWasmHeapBackend, type KernelArgs } from './kept-kernel.js';

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
