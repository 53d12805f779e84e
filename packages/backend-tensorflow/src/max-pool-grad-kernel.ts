/**
 * Max pooling's gradient on tfjs-node as oneDNN's: tfjs-node runs TensorFlow's MaxPoolGrad, whose CPU kernel (Eigen,
 * re-finding every window's maximum) is what TensorFlow's eager mode runs too, while Keras's graph runs
 * _MklNativeMaxPoolGrad (the oneDNN rewrite). oneDNN's gradient reads the forward pass's workspace (where each
 * window's maximum was), so this kernel pools again with _MklNativeMaxPool to get it: two small ops instead of one
 * slow one. Measured here on the image CNN's pooling (batch 64, 2x2, loaded 2-core machine): [64,28,28,32]
 * 8.55 -> 0.74 ms, [64,14,14,64] 4.89 -> 0.59 ms; the CNN's epoch 1,440 -> 1,880 samples/s.
 * Both choose the first maximum of a window, as tfjs's cpu backend does (equal on inputs full of ties).
 * The oneDNN kernels exist where TensorFlow was built with oneDNN (the x86-64 Linux wheels; registered with the
 * label MklNameChangeOp, hence the _kernel attribute) even with TF_ENABLE_ONEDNN_OPTS=0; elsewhere the first call
 * fails and tfjs-node's own kernel serves from then on.
 */
import * as tf from '@tensorflow/tfjs';
import { boolAttr, executeOp, float32TypeAttr, intListAttr, nodeBackend, stringAttr } from './native-ops.js';
import { replaceTensorflowKernel } from './replace-kernel.js';

export const MAX_POOL_GRAD_KERNEL = 'MaxPoolGrad';

let oneDnnMissing = false;

export function registerMaxPoolGradKernel(): () => void {
  return replaceTensorflowKernel(MAX_POOL_GRAD_KERNEL, (args, original) => {
    const backend = nodeBackend();
    const { dy, input, output } = args.inputs as { dy: tf.Tensor; input: tf.Tensor; output: tf.Tensor };
    const { filterSize, strides, pad, dimRoundingMode } = args.attrs as unknown as tf.MaxPoolGradAttrs;
    const info = tf.backend_util.computePool2DInfo(input.shape as [number, number, number, number], filterSize, strides, 1, pad, dimRoundingMode);
    const padding = info.padInfo.type;
    if (!backend || oneDnnMissing || input.dtype !== 'float32' || (padding !== 'VALID' && padding !== 'SAME')) return original.kernelFunc(args);
    const attrs = [
      float32TypeAttr(backend),
      intListAttr(backend, 'ksize', [1, info.filterHeight, info.filterWidth, 1]),
      intListAttr(backend, 'strides', [1, info.strideHeight, info.strideWidth, 1]),
      stringAttr(backend, 'padding', padding),
      stringAttr(backend, 'data_format', 'NHWC'),
      boolAttr(backend, 'workspace_enabled', true),
      stringAttr(backend, '_kernel', 'MklNameChangeOp'),
    ];
    let pooled: tf.Tensor[];
    try {
      pooled = executeOp(backend, '_MklNativeMaxPool', attrs, [input], 2);
    } catch {
      oneDnnMissing = true;
      return original.kernelFunc(args);
    }
    try {
      return executeOp(backend, '_MklNativeMaxPoolGrad', attrs, [input, output, dy, pooled[1]!], 1)[0]!;
    } finally {
      tf.dispose(pooled);
    }
  });
}
