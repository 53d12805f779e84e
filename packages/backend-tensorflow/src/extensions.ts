/**
 * What this package adds to tfjs's 'tensorflow' backend when core selects it: a faster Step kernel (every relu
 * gradient) and outer products (BatchMatMul with an inner dimension of 1), and accelerated routines for plugins: the fused LSTM time loop.
 */
import { fusedLstmRoutine, type FusedLstmRoutine } from './fused-lstm.js';
import { BATCH_MAT_MUL_KERNEL, registerOuterProductKernel } from './outer-product-kernel.js';
import { registerStepKernel, STEP_KERNEL } from './step-kernel.js';

/** The shape of core's AcceleratedRoutines (this package does not depend on core). */
export interface TensorflowRoutines {
  readonly provider: string;
  recurrentProduct(kernel: Float32Array, batch: number, rows: number, cols: number): null;
  fusedLstm(): FusedLstmRoutine | null;
}

/** Kernels this package registers for 'tensorflow' (checked against the cpu backend by the backend suite). */
export const TENSORFLOW_KERNELS: readonly string[] = [STEP_KERNEL, BATCH_MAT_MUL_KERNEL];

let registered = false;

/** Registers the kernels (once per process; call with tfjs-node loaded) and returns them with the routines. */
export function registerTensorflowBackendExtensions(): { readonly kernels: readonly string[]; readonly routines: TensorflowRoutines } {
  if (!registered) {
    registerStepKernel();
    registerOuterProductKernel();
    registered = true;
  }
  return {
    kernels: TENSORFLOW_KERNELS,
    routines: {
      provider: '@polymodal/backend-tensorflow',
      // The typed-array loops' per-step products: not used on tensorflow (data stays in TensorFlow).
      recurrentProduct: () => null,
      fusedLstm: fusedLstmRoutine,
    },
  };
}
