/**
 * Two kernels of Polymodal's own for the wasm backend, the time loop of a Keras LSTM and its back-propagation
 * through time, each one call into the SIMD module (assembly/lstm.ts): the per-step recurrent products, gates and
 * cell updates of all T steps without returning to JavaScript. fused-lstm.ts builds the differentiable LSTM on
 * them. Registered for 'wasm' on first use; not gradient-registered (the routine's tf.customGrad is the gradient).
 *   PolymodalLstmSteps      xp [T, batch, 4u] (input projections, bias included), recurrentKernel [u, 4u]
 *                           -> h [T, batch, u], trace [T, batch, 6u] (gates i, f, g, o, then c, tanh(c))
 *   PolymodalLstmStepsGrad  trace, recurrentKernel, dy [T, batch, u] -> dxp [T, batch, 4u]
 */
import * as tf from '@tensorflow/tfjs';
import { isWasmHeapBackend, type KernelArgs } from './kept-kernel.js';
import { heapOffset, simdKernels } from './simd/simd-kernels.js';

export const LSTM_STEPS = 'PolymodalLstmSteps';
export const LSTM_STEPS_GRAD = 'PolymodalLstmStepsGrad';

/** The trace's floats per unit and batch row at each step: 4 gates, c and tanh(c). */
export const TRACE_WIDTH = 6;

function kernelsOf(backend: unknown, inputs: tf.TensorInfo[], who: string) {
  const kernels = isWasmHeapBackend(backend) ? simdKernels(backend) : null;
  if (kernels == null || !isWasmHeapBackend(backend)) throw new Error(`${who}: needs the wasm backend with WebAssembly SIMD`);
  for (const t of inputs) if (t.dtype !== 'float32') throw new Error(`${who}: float32 tensors only; got ${t.dtype}`);
  return { kernels, backend };
}

function lstmSteps(args: KernelArgs): tf.TensorInfo[] {
  const { xp, recurrentKernel } = args.inputs as unknown as { xp: tf.TensorInfo; recurrentKernel: tf.TensorInfo };
  const { kernels, backend } = kernelsOf(args.backend, [xp, recurrentKernel], LSTM_STEPS);
  const [steps, batch, width] = xp.shape;
  const units = recurrentKernel.shape[0];
  if (xp.shape.length !== 3 || width !== 4 * units || recurrentKernel.shape[1] !== width) {
    throw new Error(`${LSTM_STEPS}: xp [T, batch, 4u] and recurrentKernel [u, 4u] expected; got [${xp.shape}] and [${recurrentKernel.shape}]`);
  }
  const h = backend.makeOutput([steps, batch, units], 'float32');
  const trace = backend.makeOutput([steps, batch, TRACE_WIDTH * units], 'float32');
  if (steps * batch * units > 0) {
    kernels.lstmForward(heapOffset(backend, xp), heapOffset(backend, recurrentKernel), heapOffset(backend, h), heapOffset(backend, trace), steps, batch, units);
  }
  return [h, trace];
}

function lstmStepsGrad(args: KernelArgs): tf.TensorInfo {
  const { trace, recurrentKernel, dy } = args.inputs as unknown as { trace: tf.TensorInfo; recurrentKernel: tf.TensorInfo; dy: tf.TensorInfo };
  const { kernels, backend } = kernelsOf(args.backend, [trace, recurrentKernel, dy], LSTM_STEPS_GRAD);
  const [steps, batch, units] = dy.shape;
  if (dy.shape.length !== 3 || !tf.util.arraysEqual(trace.shape, [steps, batch, TRACE_WIDTH * units])) {
    throw new Error(`${LSTM_STEPS_GRAD}: trace [T, batch, 6u] and dy [T, batch, u] expected; got [${trace.shape}] and [${dy.shape}]`);
  }
  const dxp = backend.makeOutput([steps, batch, 4 * units], 'float32');
  if (steps * batch * units === 0) return dxp;
  const state = backend.makeOutput([2, batch, units], 'float32');
  try {
    kernels.lstmBackward(
      heapOffset(backend, trace), heapOffset(backend, recurrentKernel), heapOffset(backend, dy), heapOffset(backend, dxp), heapOffset(backend, state),
      steps, batch, units,
    );
  } finally {
    backend.disposeData(state.dataId);
  }
  return dxp;
}

const configs: readonly tf.KernelConfig[] = [
  { kernelName: LSTM_STEPS, backendName: 'wasm', kernelFunc: lstmSteps as unknown as tf.KernelFunc },
  { kernelName: LSTM_STEPS_GRAD, backendName: 'wasm', kernelFunc: lstmStepsGrad as unknown as tf.KernelFunc },
];

/** Registers both kernels for 'wasm' unless they are registered. */
export function registerLstmKernels(): void {
  for (const config of configs) if (tf.getKernel(config.kernelName, 'wasm') == null) tf.registerKernel(config);
}
