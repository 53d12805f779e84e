/**
 * A Keras LSTM's whole time loop as one TensorFlow op, BlockLSTMV2, with its fused gradient BlockLSTMGradV2 as the
 * custom gradient: two native calls per batch instead of a dozen tfjs ops per time step.
 *
 * BlockLSTMV2 is the layout Keras uses (gates i, f, c, o in the weights' columns; BlockLSTM v1 took i, c, f, o and
 * added a forget_bias), with no forget bias and, for cell_clip 0, no clipping: checked against the loop
 * implementation in fused-lstm.test.ts. Zero initial state, no peepholes.
 */
import * as tf from '@tensorflow/tfjs';
import { boolAttr, executeOp, float32TypeAttr, floatAttr, nodeBackend } from './native-ops.js';

export interface FusedLstmRoutine {
  /**
   * The LSTM over time-major `x [T, batch, D]` with `kernel [D, 4u]`, `recurrentKernel [u, 4u]`, `bias [4u]`
   * (Keras gate order i, f, c, o; sigmoid gates, tanh activation), from a zero state: every step's h
   * `[T, batch, u]`. Differentiable (a tf.customGrad) with respect to all four inputs.
   */
  lstm(x: tf.Tensor3D, kernel: tf.Tensor2D, recurrentKernel: tf.Tensor2D, bias: tf.Tensor1D): tf.Tensor3D;
}

/** The routine, or null when the active backend is not a tfjs-node one that can run it. */
export function fusedLstmRoutine(): FusedLstmRoutine | null {
  return nodeBackend() ? { lstm: fusedLstm } : null;
}

export function fusedLstm(x: tf.Tensor3D, kernel: tf.Tensor2D, recurrentKernel: tf.Tensor2D, bias: tf.Tensor1D): tf.Tensor3D {
  const backend = nodeBackend();
  if (!backend) throw new Error(`fusedLstm needs the tensorflow backend (active: ${tf.getBackend()})`);
  const [steps, batch, features] = x.shape;
  const units = recurrentKernel.shape[0];
  const type = float32TypeAttr(backend);
  const run = tf.customGrad((...args: unknown[]) => {
    const [input, k, u, b, save] = args as [tf.Tensor3D, tf.Tensor2D, tf.Tensor2D, tf.Tensor1D, tf.GradSaveFunc];
    const w = tf.concat([k, u], 0);
    const state = tf.zeros([batch, units]);
    const peephole = tf.zeros([units]);
    const seqLen = { int64: steps };
    const forwardInputs = [seqLen, input, state, state, w, peephole, peephole, peephole, b];
    const outputs = executeOp(backend, 'BlockLSTMV2', [floatAttr(backend, 'cell_clip', 0), boolAttr(backend, 'use_peephole', false), type], forwardInputs, 7);
    // i, cs, f, o, ci, co, h: all of them are inputs of the gradient op.
    save([input, w, b, ...outputs]);
    const h = outputs[6] as tf.Tensor3D;
    const gradFunc = (dy: tf.Tensor, saved: tf.Tensor[]) => {
      const [xs, ws, bs, ...gates] = saved as [tf.Tensor, tf.Tensor, tf.Tensor, ...tf.Tensor[]];
      const zeroState = tf.zeros([batch, units]);
      const zeroPeephole = tf.zeros([units]);
      const csGrad = tf.zeros([steps, batch, units]);
      const grads = executeOp(backend, 'BlockLSTMGradV2', [boolAttr(backend, 'use_peephole', false), type],
        [seqLen, xs, zeroState, zeroState, ws, zeroPeephole, zeroPeephole, zeroPeephole, bs, ...gates, csGrad, dy], 8);
      // x, cs_prev, h_prev, w, wci, wcf, wco, b
      const wGrad = grads[3]!;
      return [grads[0]!, tf.slice(wGrad, [0, 0], [features, 4 * units]), tf.slice(wGrad, [features, 0], [units, 4 * units]), grads[7]!];
    };
    return { value: h, gradFunc };
  });
  return run(x, kernel, recurrentKernel, bias) as tf.Tensor3D;
}
