/**
 * @polymodal/backend-wasm: Polymodal's extensions of @tensorflow/tfjs-backend-wasm (4.22): the training kernels it
 * lacks, faster replacements of some of its kernels, the SIMD module behind them, the XNNPACK weights guard, the
 * recurrent routines over its exported functions, a fused Adam, and tfjs's threaded build in Node (an opt-in, threaded-backend.ts).
 * The only Polymodal code that touches that backend's internals.
 */
export { registerWasmBackendExtensions, type WasmBackendExtensions, type WasmBackendRoutines } from './extensions.js';
export { registerWasmTrainingKernels } from './training-kernels.js';
export { RELAXED_SIMD_ENV, type SimdBuild, type SimdBuildChoice } from './simd/relaxed-simd.js';
export { simdBuild } from './simd/simd-kernels.js';
export { wasmRecurrentProduct, type WasmRecurrentProduct } from './recurrent-product.js';
export { wasmFusedLstm, type WasmFusedLstm } from './fused-lstm.js';
export { wasmConv2dRelu, type WasmConv2dRelu, type Conv2dReluAttrs } from './conv2d-relu.js';
export { wasmConv2dReluProduct, type WasmConv2dReluProduct } from './conv2d-relu-product.js';
export { WasmAdamOptimizer, wasmAdam } from './wasm-adam.js';
export {
  MAX_WASM_THREADS, registerThreadedWasmBackend, restoreSingleThreadedWasmBackend, threadedWasmStartFailure, usefulWasmThreads,
  wasmThreadsInUse, wasmThreadsUnavailable,
} from './threaded-backend.js';
