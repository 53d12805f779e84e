/**
 * What this package adds to tfjs's 'tensorflow' backend when core selects it: kernels that map tfjs's ops onto the
 * TensorFlow ops made for them (a Step of two ops instead of six; single matrix products as MatMul, outer products
 * as Mul; bias additions and their gradients as BiasAdd / BiasAddGrad; max pooling's gradient as oneDNN's; relu's
 * gradient as ReluGrad; convolutions and products with a bias and an activation as TensorFlow's fused ops), and accelerated routines: the fused LSTM and GRU time loops (for plugins) and Adam as ResourceApplyAdam (for core's trainer).
 */
import type * as tf from '@tensorflow/tfjs';
import { ADD_KERNEL, registerBiasAddKernel, registerBiasGradientKernel, SUM_KERNEL } from './bias-kernels.js';
import { FUSED_CONV2D_KERNEL, registerFusedConv2DKernel } from './fused-conv2d-kernel.js';
import { fusedGruRoutine, type FusedGruRoutine } from './fused-gru.js';
import { fusedLstmRoutine, type FusedLstmRoutine } from './fused-lstm.js';
import { FUSED_MAT_MUL_KERNEL, registerFusedMatMulKernel } from './fused-mat-mul-kernel.js';
import { BATCH_MAT_MUL_KERNEL, registerMatMulKernel } from './mat-mul-kernel.js';
import { MAX_POOL_GRAD_KERNEL, registerMaxPoolGradKernel } from './max-pool-grad-kernel.js';
import { nativeAdam } from './native-adam.js';
import { registerReluGradient, RELU_GRAD_KERNEL, RELU_GRADIENT } from './relu-gradient.js';
import { registerStepKernel, STEP_KERNEL } from './step-kernel.js';

/** The shape of core's AcceleratedRoutines (this package does not depend on core). */
export interface TensorflowRoutines {
  readonly provider: string;
  recurrentProduct(kernel: Float32Array, batch: number, rows: number, cols: number): null;
  fusedLstm(): FusedLstmRoutine | null;
  fusedGru(): FusedGruRoutine | null;
  adamOptimizer(learningRate: number, beta1: number, beta2: number, epsilon?: number): tf.Optimizer | null;
}

/** Kernels this package registers for 'tensorflow' (checked against the cpu backend by the backend suite). */
export const TENSORFLOW_KERNELS: readonly string[] = [
  STEP_KERNEL, BATCH_MAT_MUL_KERNEL, ADD_KERNEL, SUM_KERNEL, RELU_GRAD_KERNEL, MAX_POOL_GRAD_KERNEL, FUSED_CONV2D_KERNEL, FUSED_MAT_MUL_KERNEL,
];

/** Gradients this package replaces (they run its kernels while 'tensorflow' is active; checked against the cpu backend likewise). */
export const TENSORFLOW_GRADIENTS: readonly string[] = [RELU_GRADIENT];

let registered = false;

/** Registers the kernels (once per process; call with tfjs-node loaded) and returns them with the routines. */
export function registerTensorflowBackendExtensions(): { readonly kernels: readonly string[]; readonly routines: TensorflowRoutines } {
  if (!registered) {
    registerStepKernel();
    registerMatMulKernel();
    registerBiasAddKernel();
    registerBiasGradientKernel();
    registerReluGradient();
    registerMaxPoolGradKernel();
    registerFusedConv2DKernel();
    registerFusedMatMulKernel();
    registered = true;
  }
  return {
    kernels: TENSORFLOW_KERNELS,
    routines: {
      provider: '@polymodal/backend-tensorflow',
      // The typed-array loops' per-step products: not used on tensorflow (data stays in TensorFlow).
      recurrentProduct: () => null,
      fusedLstm: fusedLstmRoutine,
      fusedGru: fusedGruRoutine,
      adamOptimizer: nativeAdam,
    },
  };
}
