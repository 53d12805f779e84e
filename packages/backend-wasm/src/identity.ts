/**
 * Identity, and Cast to the tensor's own dtype, without copying: the output shares the input's buffer
 * (reference counted, as the cpu backend and wasm's own Reshape do). tfjs-backend-wasm 4.22 copies the
 * whole buffer for both, and training calls them on activation-sized tensors: Relu's gradient casts
 * its input to float32, Concat's and Reshape's gradients pass dy through Identity (about 12 ms of a
 * 32-image step of the seed model went to these copies).
 */
import * as tf from '@tensorflow/tfjs';
import { isWasmHeapBackend, KeptKernel, type KernelArgs } from './kept-kernel.js';

export const keptIdentity = new KeptKernel(tf.Identity);
export const keptCast = new KeptKernel(tf.Cast);

function share(x: tf.TensorInfo, backend: { incRef(dataId: tf.DataId): void }): tf.TensorInfo {
  backend.incRef(x.dataId);
  return { dataId: x.dataId, shape: [...x.shape], dtype: x.dtype };
}

export function identity(args: KernelArgs): tf.TensorInfo {
  const { x } = args.inputs as unknown as { x: tf.TensorInfo };
  if (x.dtype === 'string' || !isWasmHeapBackend(args.backend)) return keptIdentity.call(args) as tf.TensorInfo;
  return share(x, args.backend);
}

export function cast(args: KernelArgs): tf.TensorInfo {
  const { x } = args.inputs as unknown as { x: tf.TensorInfo };
  const { dtype } = args.attrs as unknown as tf.CastAttrs;
  if (dtype !== x.dtype || x.dtype === 'string' || !isWasmHeapBackend(args.backend)) return keptCast.call(args) as tf.TensorInfo;
  return share(x, args.backend);
}
