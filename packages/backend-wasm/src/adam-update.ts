/**
 * PolymodalAdamUpdate: one Adam step over one variable as a single SIMD pass (assembly/adam.ts), where tfjs's
 * AdamOptimizer runs ~13 full-size kernels and uploads 5 scalars per variable. The same float32 operations in
 * the same order as tfjs's, with the constants tfjs would upload, so the results are tfjs's bit for bit.
 *   inputs  value, m, v, gradient (float32, one shape); accBeta1, accBeta2 (float32 scalars: beta^t)
 *   attrs   learningRate, beta1, beta2, epsilon (numbers, as tfjs's AdamOptimizer holds them)
 *   outputs new value, new m, new v (fresh buffers: the inputs may share data with tensors held elsewhere)
 * Registered for 'wasm' on first use (wasm-adam.ts); not differentiable.
 */
import * as tf from '@tensorflow/tfjs';
import { isWasmHeapBackend, type KernelArgs } from './kept-kernel.js';
import { heapOffset, simdKernels } from './simd/simd-kernels.js';

export const ADAM_UPDATE_KERNEL = 'PolymodalAdamUpdate';

export interface AdamUpdateAttrs {
  learningRate: number;
  beta1: number;
  beta2: number;
  epsilon: number;
}

interface AdamUpdateInputs {
  value: tf.TensorInfo;
  m: tf.TensorInfo;
  v: tf.TensorInfo;
  gradient: tf.TensorInfo;
  accBeta1: tf.TensorInfo;
  accBeta2: tf.TensorInfo;
}

function checkInputs(inputs: AdamUpdateInputs): void {
  const { value, accBeta1, accBeta2 } = inputs;
  for (const [name, t] of Object.entries(inputs) as [string, tf.TensorInfo][]) {
    if (t.dtype !== 'float32') throw new Error(`${ADAM_UPDATE_KERNEL}: float32 tensors only; ${name} is ${t.dtype}`);
  }
  for (const name of ['m', 'v', 'gradient'] as const) {
    if (!tf.util.arraysEqual(inputs[name].shape, value.shape)) {
      throw new Error(`${ADAM_UPDATE_KERNEL}: ${name} [${inputs[name].shape}] does not have the variable's shape [${value.shape}]`);
    }
  }
  if (tf.util.sizeFromShape(accBeta1.shape) !== 1 || tf.util.sizeFromShape(accBeta2.shape) !== 1) {
    throw new Error(`${ADAM_UPDATE_KERNEL}: accBeta1 and accBeta2 must be scalars; got [${accBeta1.shape}] and [${accBeta2.shape}]`);
  }
}

function adamUpdate(args: KernelArgs): tf.TensorInfo[] {
  const inputs = args.inputs as unknown as AdamUpdateInputs;
  const { learningRate, beta1, beta2, epsilon } = args.attrs as unknown as AdamUpdateAttrs;
  const backend = args.backend;
  const kernels = isWasmHeapBackend(backend) ? simdKernels(backend) : null;
  if (kernels == null || !isWasmHeapBackend(backend)) throw new Error(`${ADAM_UPDATE_KERNEL}: needs the wasm backend with WebAssembly SIMD`);
  checkInputs(inputs);
  const { value, m, v, gradient } = inputs;
  const shape = [...value.shape];
  const outputs = [backend.makeOutput(shape, 'float32'), backend.makeOutput([...shape], 'float32'), backend.makeOutput([...shape], 'float32')];
  const size = tf.util.sizeFromShape(shape);
  if (size === 0) return outputs;
  // tfjs's sub(1, accBeta): a float32 subtraction. Both operands are floats, so the double difference rounded
  // once to float32 is that subtraction's result. JS numbers passed as f32 are rounded to nearest, as tfjs's
  // scalars (Float32Array) are: 1 - beta1 etc. are rounded once from doubles, exactly as tfjs computes them.
  const accBeta1 = backend.typedArrayFromHeap(inputs.accBeta1)[0]!;
  const accBeta2 = backend.typedArrayFromHeap(inputs.accBeta2)[0]!;
  const [newValue, newM, newV] = outputs.map((out) => heapOffset(backend, out)) as [number, number, number];
  kernels.adamUpdate(
    heapOffset(backend, value), heapOffset(backend, m), heapOffset(backend, v), heapOffset(backend, gradient), newValue, newM, newV, size,
    beta1, 1 - beta1, beta2, 1 - beta2, Math.fround(1 - accBeta1), Math.fround(1 - accBeta2), epsilon, -learningRate,
  );
  return outputs;
}

/** Registers the kernel for 'wasm' unless it is registered. */
export function registerAdamUpdateKernel(): void {
  if (tf.getKernel(ADAM_UPDATE_KERNEL, 'wasm') != null) return;
  tf.registerKernel({ kernelName: ADAM_UPDATE_KERNEL, backendName: 'wasm', kernelFunc: adamUpdate as unknown as tf.KernelFunc });
}
