/**
 * Core's FusedLstmRoutine on the wasm backend: a Keras LSTM (gates i, f, c, o; zero initial state) in a handful
 * of kernel calls per batch. Forward: the input projection of all steps (one matMul and a bias add, ordinary
 * differentiable ops), then the whole time loop as one kernel (PolymodalLstmSteps, lstm-kernels.ts). Backward (a
 * tf.customGrad over the loop): BPTT as one kernel giving the projections' gradient dxp, and the recurrent kernel's
 * gradient as one product; tfjs's own gradients of the projection give those of x, kernel and bias.
 * Against the typed-array loop with per-step XNNPACK products (encoder-text), which leaves wasm ~200 times a
 * batch, a training step (forward and backward) of the seed model's LSTM (T 100, batch 32, 64 -> 32) takes ~9 ms
 * instead of ~13 (wasm, 2 shared cores; faster on every shape measured, see the report of issue 11).
 */
import * as tf from '@tensorflow/tfjs';
import { LSTM_STEPS, LSTM_STEPS_GRAD, registerLstmKernels } from './lstm-kernels.js';
import { simdKernels } from './simd/simd-kernels.js';

export interface WasmFusedLstm {
  /**
   * The LSTM over time-major `x [T, batch, D]` with `kernel [D, 4u]`, `recurrentKernel [u, 4u]`, `bias [4u]`:
   * every step's h `[T, batch, u]`. Differentiable with respect to all four inputs.
   */
  lstm(x: tf.Tensor3D, kernel: tf.Tensor2D, recurrentKernel: tf.Tensor2D, bias: tf.Tensor1D): tf.Tensor3D;
}

/** The routine, or null where the active backend is not wasm or has no WebAssembly SIMD. */
export function wasmFusedLstm(): WasmFusedLstm | null {
  if (tf.getBackend() !== 'wasm' || simdKernels(tf.backend()) == null) return null;
  registerLstmKernels();
  return { lstm: fusedLstm };
}

const flat = (t: tf.Tensor, cols: number) => tf.reshape(t, [t.size / cols, cols]) as tf.Tensor2D;

export function fusedLstm(x: tf.Tensor3D, kernel: tf.Tensor2D, recurrentKernel: tf.Tensor2D, bias: tf.Tensor1D): tf.Tensor3D {
  const [steps, batch, features] = x.shape;
  const units = recurrentKernel.shape[0];
  if (kernel.shape[0] !== features || kernel.shape[1] !== 4 * units || recurrentKernel.shape[1] !== 4 * units || bias.shape[0] !== 4 * units) {
    throw new Error(`fusedLstm: x [T, batch, D], kernel [D, 4u], recurrentKernel [u, 4u], bias [4u] expected; ` +
      `got [${x.shape}], [${kernel.shape}], [${recurrentKernel.shape}], [${bias.shape}]`);
  }
  // The projection as ordinary ops: tfjs then computes x's gradient only where it is needed (not for model inputs).
  const xp = tf.reshape(tf.add(tf.matMul(flat(x, features), kernel), bias), [steps, batch, 4 * units]) as tf.Tensor3D;
  return timeLoop(xp, recurrentKernel);
}

/** h [T, batch, u] from the projections xp [T, batch, 4u] and recurrentKernel [u, 4u]; differentiable in both. */
const timeLoop = tf.customGrad((...args: unknown[]) => {
  const [xp, u, save] = args as [tf.Tensor3D, tf.Tensor2D, tf.GradSaveFunc];
  const [steps, batch, width] = xp.shape;
  const units = width / 4;
  const [h, trace] = tf.engine().runKernel(LSTM_STEPS, { xp, recurrentKernel: u }) as tf.Tensor[];
  save([u, h!, trace!]);
  const gradFunc = (dy: tf.Tensor, saved: tf.Tensor[]) => {
    const [us, hs, traces] = saved as [tf.Tensor2D, tf.Tensor3D, tf.Tensor3D];
    const dxp = tf.engine().runKernel(LSTM_STEPS_GRAD, { trace: traces, recurrentKernel: us, dy }) as tf.Tensor3D;
    // dU = sum over t of h_{t-1}^T dz_t, with h_{-1} = 0.
    const dU = steps > 1
      ? tf.matMul(flat(tf.slice(hs, [0, 0, 0], [steps - 1, batch, units]), units), flat(tf.slice(dxp, [1, 0, 0], [steps - 1, batch, width]), width), true, false)
      : tf.zerosLike(us);
    return [dxp, dU];
  };
  return { value: h!, gradFunc };
}) as (xp: tf.Tensor3D, recurrentKernel: tf.Tensor2D) => tf.Tensor3D;
