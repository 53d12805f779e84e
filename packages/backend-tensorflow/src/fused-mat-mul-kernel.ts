/**
 * _FusedMatMul (tfjs's matMul with a bias and an activation: every Dense layer outside training, linear ones in
 * training too) on tfjs-node as TensorFlow's `_FusedMatMul`, one op, where tfjs-node runs a product, a bias Add
 * and the activation as three. Single matrices only (a batch of 1, as Dense layers give), with a bias vector
 * and an activation TensorFlow fuses (fused-ops.ts); anything else goes to tfjs-node's kernel, whose product
 * then reaches this package's BatchMatMul.
 */
import * as tf from '@tensorflow/tfjs';
import { FusedOpAvailability, fusedAttrs, fusedOpsFor } from './fused-ops.js';
import { matMulInputs, matrixProduct, shaped } from './mat-mul-kernel.js';
import { executeOp, nodeBackend } from './native-ops.js';
import { replaceTensorflowKernel } from './replace-kernel.js';

export const FUSED_MAT_MUL_KERNEL = '_FusedMatMul';
const OP = '_FusedMatMul';

const availability = new FusedOpAvailability((backend) => {
  const [a, b] = [tf.ones([1, 1]), tf.ones([1, 1])];
  const { attrs, operands } = matMulInputs(backend, matrixProduct(a, b, false, false)!, a, b);
  return executeOp(backend, OP, [...fusedAttrs(backend, ['BiasAdd', 'Relu'], undefined, false), ...attrs], [...operands, tf.ones([1])], 1)[0]!;
});

export function registerFusedMatMulKernel(): () => void {
  return replaceTensorflowKernel(FUSED_MAT_MUL_KERNEL, (args, original) => {
    const backend = nodeBackend();
    const { a, b, bias } = args.inputs as { a: tf.Tensor; b: tf.Tensor; bias?: tf.Tensor };
    const attrs = args.attrs as unknown as { transposeA: boolean; transposeB: boolean; activation?: string; leakyreluAlpha?: number };
    const fusedOps = fusedOpsFor(attrs.activation);
    const product = matrixProduct(a, b, attrs.transposeA, attrs.transposeB);
    if (!backend || !fusedOps || !product || !bias || bias.rank !== 1 || bias.dtype !== 'float32' || bias.shape[0] !== product.n ||
      !availability.available(backend)) return original.kernelFunc(args);
    return tf.tidy(() => {
      const { attrs: transposes, operands } = matMulInputs(backend, product, a, b);
      const result = executeOp(backend, OP, [...fusedAttrs(backend, fusedOps, attrs.leakyreluAlpha, false), ...transposes], [...operands, bias], 1)[0]!;
      return shaped(result, product.outShape);
    });
  });
}
