// Polymodal's SIMD kernels for the wasm backend, compiled with AssemblyScript into a module that
// imports the tfjs wasm backend's memory: every pointer is a byte offset in that heap. This entry file
// lists the module's exports; each kernel lives in its own file beside it.
export { adamUpdate } from './adam';
export { conv2dFilterGrad, conv2dReluProductGrads } from './conv2d-filter-grad';
export { conv2dFewChannels, conv2dFewChannelsProduct } from './conv2d-few-channels';
export { gemm, gemmTransposedA, gemmTransposedB } from './gemm';
export { lstmBackward, lstmForward } from './lstm';
export { maxPoolGrad } from './max-pool-grad';
export { addRowVector, gemv, outerProduct, reluGrad, reluGradChannelSums, weightedRowSum } from './vector-kernels';
export { winogradFilter, winogradInput, winogradOutput, winogradProducts } from './winograd';
