/**
 * BatchMatMul for tfjs-node, replaced where its inner dimension is 1: an outer product, which TensorFlow's matMul
 * runs far below its usual rate. The seed model meets it in every step: Dense(1)'s input gradient dy [32, 1] .
 * W^T [1, 123040] took 13-21 ms, a broadcasting Mul of the same two vectors a few ms. Other shapes, and batched
 * (rank > 2) products, go to tfjs-node's own kernel.
 */
import * as tf from '@tensorflow/tfjs';
import { executeOp, float32TypeAttr, nodeBackend } from './native-ops.js';

export const BATCH_MAT_MUL_KERNEL = 'BatchMatMul';

export function registerOuterProductKernel(): () => void {
  const original = tf.getKernel(BATCH_MAT_MUL_KERNEL, 'tensorflow');
  if (!original) return () => {};
  tf.unregisterKernel(BATCH_MAT_MUL_KERNEL, 'tensorflow');
  tf.registerKernel({
    kernelName: BATCH_MAT_MUL_KERNEL,
    backendName: 'tensorflow',
    kernelFunc: (args) => {
      const backend = nodeBackend();
      const a = args.inputs['a'] as tf.Tensor;
      const b = args.inputs['b'] as tf.Tensor;
      const transposeA = args.attrs?.['transposeA'] === true;
      const transposeB = args.attrs?.['transposeB'] === true;
      const inner = a.rank === 2 ? a.shape[transposeA ? 0 : 1] : -1;
      if (!backend || a.rank !== 2 || b.rank !== 2 || inner !== 1 || a.dtype !== 'float32' || b.dtype !== 'float32') return original.kernelFunc(args);
      const m = a.size;
      const n = b.size;
      // With an inner dimension of 1, [m, 1] and [1, m] hold the same values in the same order: reshapes, not transposes.
      return tf.tidy(() => executeOp(backend, 'Mul', [float32TypeAttr(backend)], [tf.reshape(a, [m, 1]), tf.reshape(b, [1, n])], 1)[0]!);
    },
  });
  return () => {
    tf.unregisterKernel(BATCH_MAT_MUL_KERNEL, 'tensorflow');
    tf.registerKernel(original);
  };
}
