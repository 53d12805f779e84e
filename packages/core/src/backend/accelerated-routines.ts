/**
 * Routines a backend package provides to plugins without the plugins depending on it: plugins ask core for the
 * routines of the active tfjs backend and use their own JavaScript when there are none. Today:
 * @polymodal/backend-wasm registers, for 'wasm', the per-step products of encoder-text's recurrent loops as
 * direct calls into the wasm backend's XNNPACK routines.
 */
import type { Optimizer, Tensor1D, Tensor2D, Tensor3D, Tensor4D } from '@tensorflow/tfjs';

/**
 * The per-step products of a recurrent layer for one recurrent kernel `U [rows, cols]` and `batch` rows of state.
 * Every returned array is a view valid until the next call of the same method (for `sigmoid`: with the same
 * length) or `dispose`.
 */
export interface RecurrentProductRoutine {
  /** `a [batch, rows] . U`: `[batch, cols]`. */
  forward(a: Float32Array): Float32Array;
  /** `d [batch, cols] . U^T`: `[batch, rows]`. */
  backward(d: Float32Array): Float32Array;
  /** `1 / (1 + exp(-x))` of every entry of `x` (any length), within ~1e-6 of the exact value. */
  sigmoid(x: Float32Array): Float32Array;
  /** Frees what the routine holds. */
  dispose(): void;
}

export interface AcceleratedRoutines {
  /** Who provides them (a package name), for messages. */
  readonly provider: string;
  /**
   * The products for `kernel [rows, cols]` (row-major; copied, so later changes are not seen), or null when they
   * cannot run now (another backend is active, the backend's internals are not as expected, memory ran out).
   */
  recurrentProduct(kernel: Float32Array, batch: number, rows: number, cols: number): RecurrentProductRoutine | null;
  /** A whole LSTM time loop as one native op (tensorflow: BlockLSTMV2), or null when it cannot run now. */
  fusedLstm?(): FusedLstmRoutine | null;
  /** A whole reset-before GRU time loop as native ops (tensorflow: GRUBlockCell per step), or null when it cannot run now. */
  fusedGru?(): FusedGruRoutine | null;
  /**
   * A Conv2D with bias and relu as one differentiable kernel (wasm: applied as the sums are stored, relu's gradient
   * in one pass), where tfjs records a relu Conv2D's training step as three full-size kernels; null when it cannot run now.
   */
  conv2dRelu?(): Conv2dReluRoutine | null;
  /**
   * A relu Conv2D's flattened output times a product's weights, where nothing else reads that output (core's layer
   * graph: Conv2D -> Flatten -> a concatenation's part of a Dense product), so the backend can take the gradients
   * without writing the product's input gradient out; null when it cannot run now.
   */
  conv2dReluProduct?(): Conv2dReluProductRoutine | null;
  /**
   * Adam as the backend's own fused update (tensorflow: ResourceApplyAdam, Keras's arithmetic), with tfjs's class
   * name 'Adam' and getWeights / setWeights format; null when it cannot run now (core then uses tfjs's Adam).
   */
  adamOptimizer?(learningRate: number, beta1: number, beta2: number, epsilon?: number): Optimizer | null;
}

/** Keras's LSTM over time-major `x [T, batch, D]` from a zero state (gates i, f, c, o): every h `[T, batch, u]`; differentiable. */
export interface FusedLstmRoutine {
  lstm(x: Tensor3D, kernel: Tensor2D, recurrentKernel: Tensor2D, bias: Tensor1D): Tensor3D;
}

/** `relu(conv2d(x, filter) + bias)`, NHWC, dilation 1: `x [batch, h, w, c]`, `filter [kh, kw, c, oc]`, `bias [oc]`; differentiable in all three. */
export interface Conv2dReluRoutine {
  conv2dRelu(x: Tensor4D, filter: Tensor4D, bias: Tensor1D, attrs: { strides: [number, number]; pad: 'valid' | 'same' }): Tensor4D;
}

/**
 * `flatten(relu(conv2d(x, filter) + bias)) . weights`, NHWC, dilation 1: `x [batch, h, w, c]`, `filter [kh, kw, c, oc]`,
 * `bias [oc]`, `weights [oh * ow * oc, units]`: `[batch, units]`. Differentiable in filter, bias and weights; x is taken
 * as a constant (its gradient may be left out), so core calls it only where x is a model input.
 */
export interface Conv2dReluProductRoutine {
  conv2dReluProduct(x: Tensor4D, filter: Tensor4D, bias: Tensor1D, weights: Tensor2D, attrs: { strides: [number, number]; pad: 'valid' | 'same' }): Tensor2D;
}

/**
 * Keras's GRU with `reset_after=False` over time-major `x [T, batch, D]` from a zero state: `kernel [D, 3u]`,
 * `recurrentKernel [u, 3u]`, `bias [3u]` (gates z, r, h; hh = tanh(x W_h + (r * h) U_h + b_h)): every h
 * `[T, batch, u]`; differentiable with respect to all four inputs.
 */
export interface FusedGruRoutine {
  gru(x: Tensor3D, kernel: Tensor2D, recurrentKernel: Tensor2D, bias: Tensor1D): Tensor3D;
}

const registered = new Map<string, AcceleratedRoutines>();

/**
 * Makes `routines` the accelerated routines of tfjs backend `backend` (e.g. 'wasm'), replacing any before.
 * @returns a function that puts back what was registered before (for tests).
 */
export function registerAcceleratedRoutines(backend: string, routines: AcceleratedRoutines): () => void {
  const previous = registered.get(backend);
  registered.set(backend, routines);
  return () => {
    if (previous === undefined) registered.delete(backend);
    else registered.set(backend, previous);
  };
}

/** The accelerated routines registered for tfjs backend `backend` (e.g. `tf.getBackend()`), if any. */
export function acceleratedRoutines(backend: string): AcceleratedRoutines | undefined {
  return registered.get(backend);
}
