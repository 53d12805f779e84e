/**
 * UnsortedSegmentSum for the wasm backend. It is the gradient of Gather (GatherV2), i.e. of every
 * Embedding layer, and tfjs-backend-wasm 4.22 does not implement it.
 *
 * out[s, ...] = sum over i with segmentIds[i] == s of x[i, ...]
 *
 * Implemented with the native wasm ScatterNd kernel, which accumulates duplicate indices: one pass
 * over the N x D updates into a zero-initialised [numSegments, D] buffer. Memory is just the
 * output (no [numSegments, N] one-hot matrix: for a 20000-word vocabulary and 3200 tokens that
 * would be 256 MB). Ids outside [0, numSegments) contribute nothing, as in TensorFlow; such rows
 * are filtered out first because ScatterNd does not bounds-check its indices.
 */
import * as tf from '@tensorflow/tfjs';
import type { KernelArgs } from './kept-kernel.js';
import { asTensor } from './utils.js';

function unsortedSegmentSum(args: KernelArgs): tf.TensorInfo {
  const { x: xInfo, segmentIds: idsInfo } = args.inputs as unknown as {
    x: tf.TensorInfo;
    segmentIds: tf.TensorInfo;
  };
  const { numSegments } = args.attrs as unknown as tf.UnsortedSegmentSumAttrs;
  const idsRank = idsInfo.shape.length;
  const n = tf.util.sizeFromShape(idsInfo.shape);
  const innerShape = xInfo.shape.slice(idsRank);
  const d = tf.util.sizeFromShape(innerShape);
  const outShape = [numSegments, ...innerShape];
  const dtype = xInfo.dtype === 'int32' ? 'int32' : 'float32';

  return tf.tidy(() => {
    if (n === 0 || d === 0 || numSegments === 0) return tf.zeros(outShape, dtype);
    let x = tf.reshape(asTensor(xInfo), [n, d]);
    if (x.dtype !== dtype) x = tf.cast(x, dtype);
    const idsTensor = asTensor(idsInfo);
    const ids = idsTensor.dataSync();
    let invalid = 0;
    for (let i = 0; i < n; i++) {
      const id = ids[i];
      if (!(id >= 0 && id < numSegments) || !Number.isInteger(id)) invalid++;
    }
    let indices: tf.Tensor;
    if (invalid === 0) {
      indices = tf.reshape(idsTensor.dtype === 'int32' ? idsTensor : tf.cast(idsTensor, 'int32'), [n, 1]);
    } else {
      if (invalid === n) return tf.zeros(outShape, dtype);
      const keptRows = new Int32Array(n - invalid);
      const keptIds = new Int32Array(n - invalid);
      for (let i = 0, j = 0; i < n; i++) {
        const id = ids[i];
        if (id >= 0 && id < numSegments && Number.isInteger(id)) {
          keptRows[j] = i;
          keptIds[j++] = id;
        }
      }
      x = tf.gather(x, tf.tensor1d(keptRows, 'int32'));
      indices = tf.tensor2d(keptIds, [keptIds.length, 1], 'int32');
    }
    const summed = tf.scatterND(indices, x, [numSegments, d]);
    return tf.reshape(summed, outShape);
  });
}

export const unsortedSegmentSumConfig: tf.KernelConfig = {
  kernelName: tf.UnsortedSegmentSum,
  backendName: 'wasm',
  kernelFunc: unsortedSegmentSum as unknown as tf.KernelFunc,
};
