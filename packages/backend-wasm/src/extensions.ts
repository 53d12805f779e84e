/**
 * The one entry @polymodal/core calls when it selects the wasm backend (it loads this package by name, as an
 * optional peer): the training kernels, and the routines core hands to plugins through its accelerated-routines
 * registry. This package does not import core (core depends on it), so the routines match core's
 * `AcceleratedRoutines` contract by shape; core's wasm-extensions test checks the two agree.
 */
import { wasmConv2dRelu } from './conv2d-relu.js';
import { wasmConv2dReluProduct } from './conv2d-relu-product.js';
import { wasmFusedLstm } from './fused-lstm.js';
import { wasmRecurrentProduct } from './recurrent-product.js';
import { registerReluGradient } from './relu-gradient.js';
import { type SimdBuildChoice } from './simd/relaxed-simd.js';
import { simdBuild } from './simd/simd-kernels.js';
import { registerWasmTrainingKernels } from './training-kernels.js';
import { wasmAdam } from './wasm-adam.js';

export const PROVIDER = '@polymodal/backend-wasm';

export interface WasmBackendRoutines {
  /** Who provides them, for messages. */
  readonly provider: string;
  recurrentProduct: typeof wasmRecurrentProduct;
  /** A whole LSTM time loop in a few kernel calls (core's FusedLstmRoutine), or null off wasm / without SIMD. */
  fusedLstm: typeof wasmFusedLstm;
  /** A relu Conv2D's training step as one kernel forward and one relu-gradient pass (core's Conv2dReluRoutine), or null off wasm / without SIMD. */
  conv2dRelu: typeof wasmConv2dRelu;
  /** A relu Conv2D's flattened output times a one-unit product, its gradients in one kernel (core's Conv2dReluProductRoutine), or null off wasm / without SIMD. */
  conv2dReluProduct: typeof wasmConv2dReluProduct;
  /** Adam as one SIMD pass per variable, bit for bit tfjs's (core's createOptimizer), or null off wasm / without SIMD. */
  adamOptimizer: typeof wasmAdam;
}

export interface WasmBackendExtensions {
  /** The kernels this call registered or replaced on the 'wasm' backend (none on a second call). */
  readonly kernels: readonly string[];
  /** Routines over the wasm backend's exported functions, for core's accelerated-routines registry ('wasm'). */
  readonly routines: WasmBackendRoutines;
  /** The build of the SIMD kernels behind them: with fused multiply-adds (relaxed SIMD) or SIMD only, and why. */
  readonly simd: SimdBuildChoice;
}

/**
 * Registers the training kernels on tfjs's 'wasm' backend (see training-kernels.ts) and relu's one-pass gradient
 * (relu-gradient.ts), and returns the kernels with the accelerated routines and the SIMD build. Idempotent.
 * Throws when POLYMODAL_WASM_RELAXED_SIMD is invalid or asks for a build this runtime cannot compile.
 */
export function registerWasmBackendExtensions(): WasmBackendExtensions {
  const simd = simdBuild();
  registerReluGradient();
  const routines = { provider: PROVIDER, recurrentProduct: wasmRecurrentProduct, fusedLstm: wasmFusedLstm, conv2dRelu: wasmConv2dRelu, conv2dReluProduct: wasmConv2dReluProduct, adamOptimizer: wasmAdam };
  return { kernels: registerWasmTrainingKernels(), routines, simd };
}
