/**
 * The one entry @polymodal/core calls when it selects the wasm backend (it loads this package by name, as an
 * optional peer): the training kernels, and the routines core hands to plugins through its accelerated-routines
 * registry. This package does not import core (core depends on it), so the routines match core's
 * `AcceleratedRoutines` contract by shape; core's wasm-extensions test checks the two agree.
 */
import { wasmRecurrentProduct } from './recurrent-product.js';
import { registerWasmTrainingKernels } from './training-kernels.js';

export const PROVIDER = '@polymodal/backend-wasm';

export interface WasmBackendRoutines {
  /** Who provides them, for messages. */
  readonly provider: string;
  recurrentProduct: typeof wasmRecurrentProduct;
}

export interface WasmBackendExtensions {
  /** The kernels this call registered or replaced on the 'wasm' backend (none on a second call). */
  readonly kernels: readonly string[];
  /** Routines over the wasm backend's exported functions, for core's accelerated-routines registry ('wasm'). */
  readonly routines: WasmBackendRoutines;
}

/**
 * Registers the training kernels on tfjs's 'wasm' backend (see training-kernels.ts) and returns them with the
 * accelerated routines. Idempotent.
 */
export function registerWasmBackendExtensions(): WasmBackendExtensions {
  return { kernels: registerWasmTrainingKernels(), routines: { provider: PROVIDER, recurrentProduct: wasmRecurrentProduct } };
}
