export { NativeBackendError, isNativeBackendError } from './errors.js';
export { setupTensorflow, type SetupOptions, type SetupResult } from './build.js';
export { verifyBuild, type BackendFacts } from './facts.js';
export { loadTfjsNode, quietTensorflowLogs, type LoadedNative } from './load.js';
export { buildFolderName, cacheRoot, cachedBuilds, NATIVE_PACKAGE, TFJS_NODE_VERSION, type BuildRecord, type NativeFlavour } from './paths.js';
export { checkArchitecture, choosePython, probePythonTensorflow, type PythonTensorflow } from './probe-python.js';
export { probeToolchain, type Toolchain } from './probe-toolchain.js';
export { registerTensorflowBackendExtensions, TENSORFLOW_KERNELS, type TensorflowRoutines } from './extensions.js';
export { fusedLstm, fusedLstmRoutine, type FusedLstmRoutine } from './fused-lstm.js';
