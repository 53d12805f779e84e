/**
 * GatherV2 copying whole slices: tfjs-backend-wasm 4.22 computes the source of every output element
 * through index vectors allocated per element (~50 ns an element), which made an Embedding lookup of
 * 32 x 100 tokens of width 64 cost ~10 ms, and model.fit's batch selection from the training tensors
 * ~20 ms per batch of 32 64x64x3 images. Indices are checked as wasm's kernel checks them.
 */
import * as tf from '@tensorflow/tfjs';
import { isWasmHeapBackend, KeptKernel, type KernelArgs } from './kept-kernel.js';

export const keptGatherV2 = new KeptKernel(tf.GatherV2);

/** Below this slice length a plain loop beats subarray + set. */
const SET_MIN_RUN = 16;

export function gatherV2(args: KernelArgs): tf.TensorInfo {
  const { x, indices } = args.inputs as unknown as { x: tf.TensorInfo; indices: tf.TensorInfo };
  const backend = args.backend;
  if (x.dtype === 'string' || x.dtype === 'complex64' || indices.dtype !== 'int32' || !isWasmHeapBackend(backend)) {
    return keptGatherV2.call(args) as tf.TensorInfo;
  }
  const { axis, batchDims } = args.attrs as unknown as tf.GatherV2Attrs;
  const parsedAxis = tf.util.parseAxisParam(axis, x.shape)[0];
  const info = tf.backend_util.segment_util.collectGatherOpShapeInfo(x as tf.Tensor, indices as tf.Tensor, parsedAxis, batchDims);
  const { batchSize, outerSize, dimSize, sliceSize } = info;
  const out = backend.makeOutput(info.outputShape, x.dtype);
  const ids = backend.typedArrayFromHeap(indices) as Int32Array;
  for (let i = 0; i < ids.length; i++) {
    const index = ids[i];
    tf.util.assert(index <= dimSize - 1 && index >= 0, () => `GatherV2: the index value ${index} is not in [0, ${dimSize - 1}]`);
  }
  if (tf.util.sizeFromShape(info.outputShape) === 0) return out;
  const xv = backend.typedArrayFromHeap(x);
  const ov = backend.typedArrayFromHeap(out);
  const perBatch = ids.length / batchSize;
  let dst = 0;
  for (let b = 0; b < batchSize; b++) {
    for (let o = 0; o < outerSize; o++) {
      const plane = (b * outerSize + o) * dimSize;
      for (let j = 0; j < perBatch; j++, dst += sliceSize) {
        const src = (plane + ids[b * perBatch + j]) * sliceSize;
        if (sliceSize >= SET_MIN_RUN) ov.set(xv.subarray(src, src + sliceSize), dst);
        else for (let e = 0; e < sliceSize; e++) ov[dst + e] = xv[src + e];
      }
    }
  }
  return out;
}
