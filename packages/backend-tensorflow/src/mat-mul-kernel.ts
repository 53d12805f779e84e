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
import { boolAttr, executeOp, float32TypeAttr, nodeBackend, type NodeBackend, type OpAttr } from './native-ops.js';
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

/**
 * A product of two single matrices as TensorFlow's 2-D ops take it: the operands' [rows, cols] and transposes, and
 * the result's shape in tfjs (rank 3 with a batch of 1 when either side was). A single column [K, 1] is passed as
 * the row [1, K], transposed: the same values in the same order, which TensorFlow runs as dot products.
 */
export interface MatrixProduct {
  readonly m: number;
  readonly inner: number;
  readonly n: number;
  readonly aShape: [number, number];
  readonly bShape: [number, number];
  readonly transposeA: boolean;
  readonly transposeB: boolean;
  readonly outShape: number[];
}

/** The product `a . b` (each optionally transposed) when both are single matrices; else null. */
export function matrixProduct(a: tf.Tensor, b: tf.Tensor, transposeA: boolean, transposeB: boolean): MatrixProduct | null {
  const aShape = singleMatrix(a);
  const bShape = singleMatrix(b);
  if (!aShape || !bShape) return null;
  const [m, inner] = transposeA ? [aShape[1], aShape[0]] : aShape;
  const n = transposeB ? bShape[0] : bShape[1];
  const oneColumn = n === 1 && !transposeB;
  return {
    m, inner, n, aShape, transposeA,
    bShape: oneColumn ? [1, inner] : bShape,
    transposeB: transposeB || oneColumn,
    outShape: a.rank === 3 || b.rank === 3 ? [1, m, n] : [m, n],
  };
}

/** The operands and transpose attributes of `product` for TensorFlow's MatMul (and _FusedMatMul). */
export function matMulInputs(backend: NodeBackend, product: MatrixProduct, a: tf.Tensor, b: tf.Tensor): { attrs: OpAttr[]; operands: tf.Tensor[] } {
  return {
    attrs: [boolAttr(backend, 'transpose_a', product.transposeA), boolAttr(backend, 'transpose_b', product.transposeB)],
    operands: [shaped(a, product.aShape), shaped(b, product.bShape)],
  };
}

export function registerMatMulKernel(): () => void {
  return replaceTensorflowKernel(BATCH_MAT_MUL_KERNEL, (args, original) => {
    const backend = nodeBackend();
    const a = args.inputs['a'] as tf.Tensor;
    const b = args.inputs['b'] as tf.Tensor;
    const product = matrixProduct(a, b, args.attrs?.['transposeA'] === true, args.attrs?.['transposeB'] === true);
    if (!backend || !product) return original.kernelFunc(args);
    const type = float32TypeAttr(backend);
    return tf.tidy(() => {
      // With an inner dimension of 1, [m, 1] and [1, m] hold the same values in the same order: reshapes, not transposes.
      let result: tf.Tensor;
      if (product.inner === 1) {
        result = executeOp(backend, 'Mul', [type], [shaped(a, [product.m, 1]), shaped(b, [1, product.n])], 1)[0]!;
      } else {
        const { attrs, operands } = matMulInputs(backend, product, a, b);
        result = executeOp(backend, 'MatMul', [type, ...attrs], operands, 1)[0]!;
      }
      return shaped(result, product.outShape);
    });
  });
}
