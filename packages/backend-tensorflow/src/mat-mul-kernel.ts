/**
 * BatchMatMul for tfjs-node when the batch is 1 (tfjs's matMul reaches the kernel with a batch dimension even for
 * two matrices): TensorFlow's 2-D MatMul instead of BatchMatMulV2, which costs ~0.1 ms more per call and runs
 * skinny products far below MatMul's rate. Measured here (idle, 2 cores): the seed model's Dense(1) weight
 * gradient [32, 123040]^T . [32, 1] 3.1 -> 0.4 ms, its forward 1.35 -> 0.5 ms, a [32, 32] . [32, 128] product
 * 0.11 -> 0.02 ms. An inner dimension of 1 is an outer product (Dense(1)'s input gradient dy [32, 1] . W^T):
 * a broadcasting Mul, which TensorFlow runs faster than either product op. A product with one output column
 * (Dense(1), x [m, K] . w [K, 1]) multiplies by w viewed as the row [1, K], transposed: the same values in the same
 * order, but TensorFlow then runs it as dot products instead of a general product (measured here: the seed
 * model's single-row predict, [1, 123040] . [123040, 1], 0.34 -> 0.07 ms; with 32 rows equal). Batched
 * products stay with tfjs-node.
 */
import * as tf from '@tensorflow/tfjs';
import { boolAttr, executeOp, float32TypeAttr, nodeBackend } from './native-ops.js';
import { replaceTensorflowKernel } from './replace-kernel.js';

export const BATCH_MAT_MUL_KERNEL = 'BatchMatMul';

/** [rows, cols] of a matrix given as rank 2, or rank 3 with a batch of 1; null otherwise. */
export function singleMatrix(tensor: tf.Tensor): [number, number] | null {
  if (tensor.dtype !== 'float32') return null;
  if (tensor.rank === 2) return [tensor.shape[0]!, tensor.shape[1]!];
  if (tensor.rank === 3 && tensor.shape[0] === 1) return [tensor.shape[1]!, tensor.shape[2]!];
  return null;
}

/** `tensor` in `shape` (the same tensor when it has it already: every reshape is an op on tfjs-node). */
export function shaped(tensor: tf.Tensor, shape: number[]): tf.Tensor {
  return tf.util.arraysEqual(tensor.shape, shape) ? tensor : tf.reshape(tensor, shape);
}

export function registerMatMulKernel(): () => void {
  return replaceTensorflowKernel(BATCH_MAT_MUL_KERNEL, (args, original) => {
    const backend = nodeBackend();
    const a = args.inputs['a'] as tf.Tensor;
    const b = args.inputs['b'] as tf.Tensor;
    const aMatrix = singleMatrix(a);
    const bMatrix = singleMatrix(b);
    if (!backend || !aMatrix || !bMatrix) return original.kernelFunc(args);
    const transposeA = args.attrs?.['transposeA'] === true;
    const transposeB = args.attrs?.['transposeB'] === true;
    const [m, inner] = transposeA ? [aMatrix[1], aMatrix[0]] : aMatrix;
    const n = transposeB ? bMatrix[0] : bMatrix[1];
    const outShape = a.rank === 3 || b.rank === 3 ? [1, m, n] : [m, n];
    const type = float32TypeAttr(backend);
    return tf.tidy(() => {
      // With an inner dimension of 1, [m, 1] and [1, m] hold the same values in the same order: reshapes, not transposes.
      // Likewise a single column [K, 1] is the row [1, K].
      const oneColumn = n === 1 && !transposeB;
      const product = inner === 1
        ? executeOp(backend, 'Mul', [type], [shaped(a, [m, 1]), shaped(b, [1, n])], 1)[0]!
        : executeOp(backend, 'MatMul', [type, boolAttr(backend, 'transpose_a', transposeA), boolAttr(backend, 'transpose_b', transposeB || oneColumn)],
          [shaped(a, aMatrix), shaped(b, oneColumn ? [1, inner] : bMatrix)], 1)[0]!;
      return shaped(product, outShape);
    });
  });
}
