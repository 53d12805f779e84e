/**
 * _FusedMatMul (tfjs's matMul with a bias and an activation: every Dense layer outside training, linear ones in
 * training too) on tfjs-node as TensorFlow's `_FusedMatMul`, one op, where tfjs-node runs a product, a bias Add
 * and the activation as three. Single matrices only (a batch of 1, as Dense layers give), with a bias vector
 * and an activation TensorFlow fuses (fused-ops.ts); anything else goes to tfjs-node's kernel, whose product
 * then reaches this package's BatchMatMul.
 */
import * as tf from '@tensorflow/tfjs';
import { executeFused, FusedOpAvailability, fusedAttrs, fusedOpsFor } from './fused-ops.js';
import { shaped, singleMatrix } from './mat-mul-kernel.js';
import { boolAttr, nodeBackend, type NodeBackend, type OpAttr } from './native-ops.js';
import { replaceTensorflowKernel } from './replace-kernel.js';

export const FUSED_MAT_MUL_KERNEL = '_FusedMatMul';
const OP = '_FusedMatMul';

function matMulAttrs(backend: NodeBackend, transposeA: boolean, transposeB: boolean, fusedOps: readonly string[], leakyreluAlpha?: number): OpAttr[] {
  return [...fusedAttrs(backend, fusedOps, leakyreluAlpha, false), boolAttr(backend, 'transpose_a', transposeA), boolAttr(backend, 'transpose_b', transposeB)];
}

const availability = new FusedOpAvailability((backend) =>
  executeFused(backend, OP, matMulAttrs(backend, false, false, ['BiasAdd', 'Relu']), [tf.ones([1, 1]), tf.ones([1, 1]), tf.ones([1])]));

export function registerFusedMatMulKernel(): () => void {
  return replaceTensorflowKernel(FUSED_MAT_MUL_KERNEL, (args, original) => {
    const backend = nodeBackend();
    const { a, b, bias } = args.inputs as { a: tf.Tensor; b: tf.Tensor; bias?: tf.Tensor };
    const attrs = args.attrs as unknown as { transposeA: boolean; transposeB: boolean; activation?: string; leakyreluAlpha?: number };
    const fusedOps = fusedOpsFor(attrs.activation);
    const aMatrix = singleMatrix(a);
    const bMatrix = singleMatrix(b);
    if (!backend || !fusedOps || !bias || !aMatrix || !bMatrix || bias.rank !== 1 || bias.dtype !== 'float32') return original.kernelFunc(args);
    const [m, inner] = attrs.transposeA ? [aMatrix[1], aMatrix[0]] : aMatrix;
    const n = attrs.transposeB ? bMatrix[0] : bMatrix[1];
    if (bias.shape[0] !== n || !availability.available(backend)) return original.kernelFunc(args);
    // A single column [K, 1] is the row [1, K], transposed: TensorFlow runs that as dot products (mat-mul-kernel.ts).
    const oneColumn = n === 1 && !attrs.transposeB;
    return tf.tidy(() => {
      const product = executeFused(backend, OP, matMulAttrs(backend, attrs.transposeA, attrs.transposeB || oneColumn, fusedOps, attrs.leakyreluAlpha),
        [shaped(a, aMatrix), shaped(b, oneColumn ? [1, inner] : bMatrix), bias]);
      return shaped(product, a.rank === 3 || b.rank === 3 ? [1, m, n] : [m, n]);
    });
  });
}
