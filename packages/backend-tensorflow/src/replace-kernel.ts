/**
 * Replaces tfjs-node's kernel `kernelName` with `kernelFunc`, which gets the replaced kernel to hand the cases it
 * does not take back to. Returns what puts the original back (for tests). Without the original (tfjs-node not
 * registered), nothing is replaced.
 */
import * as tf from '@tensorflow/tfjs';

export type ReplacementKernel = (args: Parameters<tf.KernelFunc>[0], original: tf.KernelConfig) => tf.TensorInfo | tf.TensorInfo[];

export function replaceTensorflowKernel(kernelName: string, kernelFunc: ReplacementKernel): () => void {
  const original = tf.getKernel(kernelName, 'tensorflow');
  if (!original) return () => {};
  tf.unregisterKernel(kernelName, 'tensorflow');
  tf.registerKernel({ kernelName, backendName: 'tensorflow', kernelFunc: (args) => kernelFunc(args, original) });
  return () => {
    tf.unregisterKernel(kernelName, 'tensorflow');
    tf.registerKernel(original);
  };
}
