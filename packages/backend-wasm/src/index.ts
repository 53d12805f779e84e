/**
 * @polymodal/backend-wasm: Polymodal's extensions of @tensorflow/tfjs-backend-wasm (4.22): the training kernels it
 * lacks, faster replacements of some of its kernels, the SIMD module behind them, the XNNPACK weights guard, the
 * recurrent routines over its exported functions, and a fused Adam. The only Polymodal code that touches that backend's internals.
 */
export { registerWasmBackendExtensions, type WasmBackendExtensions, type WasmBackendRoutines } from './extensions.js';
export { registerWasmTrainingKernels } from './training-kernels.js';
export { wasmRecurrentProduct, type WasmRecurrentProduct } from './recurrent-product.js';
export { wasmFusedLstm, type WasmFusedLstm } from './fused-lstm.js';
export { WasmAdamOptimizer, wasmAdam } from './wasm-adam.js';
