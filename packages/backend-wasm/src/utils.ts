/**
 * Shared helpers for the userland wasm training kernels.
 *
 * Every kernel in this folder is composed from ops the wasm backend implements natively
 * (Conv2D / DepthwiseConv2dNative via XNNPACK, Transpose, Slice, Reshape, Sum, ScatterNd ...).
 * Ops dispatched from inside a kernelFunc run on the active backend (wasm) and are not recorded
 * on the gradient tape (the engine disables the tape while kernelDepth > 0).
 */
import * as tf from '@tensorflow/tfjs';

/**
 * Views a kernel input as a Tensor. The engine hands kernels the Tensor objects themselves; a bare
 * TensorInfo is wrapped (the wrapper is tracked by the enclosing tidy and released with it).
 */
export function asTensor<R extends tf.Rank = tf.Rank>(info: tf.TensorInfo): tf.Tensor<R> {
  if (info instanceof tf.Tensor) return info as tf.Tensor<R>;
  return tf.engine().makeTensorFromTensorInfo(info) as tf.Tensor<R>;
}

/**
 * Brings the spatial axes (1 and 2) of a rank-4 tensor to the requested padding, where a negative
 * amount means "crop". Cropping is done here with a slice; the remaining non-negative padding is
 * returned as an explicit padding for the conv op that consumes the tensor, so no padded copy is made.
 */
export function cropForExplicitPad(
  t: tf.Tensor4D,
  top: number,
  bottom: number,
  left: number,
  right: number,
): { tensor: tf.Tensor4D; pad: [[0, 0], [number, number], [number, number], [0, 0]] } {
  const cropTop = Math.max(0, -top);
  const cropBottom = Math.max(0, -bottom);
  const cropLeft = Math.max(0, -left);
  const cropRight = Math.max(0, -right);
  let tensor = t;
  if (cropTop + cropBottom + cropLeft + cropRight > 0) {
    const [n, h, w, c] = t.shape;
    tensor = tf.slice(t, [0, cropTop, cropLeft, 0], [n, h - cropTop - cropBottom, w - cropLeft - cropRight, c]);
  }
  return {
    tensor,
    pad: [[0, 0], [Math.max(0, top), Math.max(0, bottom)], [Math.max(0, left), Math.max(0, right)], [0, 0]],
  };
}

/** Normalises a `number | [number, number]` attribute (strides / dilations) to a pair. */
export function pair(v: number | [number, number] | undefined | null, fallback = 1): [number, number] {
  if (v == null) return [fallback, fallback];
  return typeof v === 'number' ? [v, v] : [v[0], v[1]];
}

/**
 * Zero-insertion for transposed convolutions: row i of `dy` [B, OH, OW, C] lands on row i*sh of a
 * [B, OH*sh, OW*sw, C] tensor (and column j on j*sw), zeros between. Unchanged for stride 1.
 */
export function spreadByStride(dy: tf.Tensor4D, sh: number, sw: number): tf.Tensor4D {
  if (sh === 1 && sw === 1) return dy;
  const [b, oh, ow, c] = dy.shape;
  const up = tf.pad(tf.reshape(dy, [b, oh, 1, ow, 1, c]), [[0, 0], [0, 0], [0, sh - 1], [0, 0], [0, sw - 1], [0, 0]]);
  return tf.reshape(up, [b, oh * sh, ow * sw, c]);
}
