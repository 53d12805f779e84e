/**
 * Helpers shared by this folder's tests: seeded data, running one kernel on a named backend with
 * identical inputs, and tolerant comparison. Not part of the public surface.
 */
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';

import { keptBatchMatMul } from '../batch-mat-mul.js';
import { registerWasmTrainingKernels } from '../training-kernels.js';

/** Initialises wasm, registers the training kernels and leaves 'wasm' active. Returns what was registered. */
export async function setUpWasm(): Promise<string[]> {
  const ok = await tf.setBackend('wasm');
  assert.equal(ok, true, 'the wasm backend failed to initialise');
  await tf.ready();
  return registerWasmTrainingKernels();
}

/** Deterministic PRNG (mulberry32) so that every run sees the same data. */
export function seeded(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export function randomArray(rand: () => number, size: number): Float32Array {
  const out = new Float32Array(size);
  for (let i = 0; i < size; i++) out[i] = rand() * 2 - 1;
  return out;
}

export interface HostTensor {
  values: Float32Array | Int32Array;
  shape: number[];
  dtype: 'float32' | 'int32';
}

export function host(values: Float32Array | Int32Array, shape: number[]): HostTensor {
  return { values, shape, dtype: values instanceof Int32Array ? 'int32' : 'float32' };
}

/** Runs one kernel through the engine on `backend` with fresh tensors built from host arrays. */
export async function runKernelOn(
  backend: 'cpu' | 'wasm',
  kernelName: string,
  inputs: Record<string, HostTensor>,
  attrs: Record<string, unknown>,
): Promise<{ values: Float32Array | Int32Array; shape: number[]; dtype: string }> {
  await tf.setBackend(backend);
  assert.equal(tf.getBackend(), backend);
  const tensors: tf.NamedTensorMap = {};
  for (const [name, t] of Object.entries(inputs)) tensors[name] = tf.tensor(t.values, t.shape, t.dtype);
  const out = tf.engine().runKernel(kernelName, tensors, attrs as tf.NamedAttrMap) as tf.Tensor;
  const result = { values: out.dataSync().slice() as Float32Array | Int32Array, shape: out.shape.slice(), dtype: out.dtype };
  out.dispose();
  tf.dispose(Object.values(tensors));
  await tf.setBackend('wasm');
  return result;
}

/**
 * Asserts element-wise closeness with a tolerance relative to the magnitude of the reference:
 * |a - b| <= rtol * (|b| + mean|b|) (+ a tiny absolute floor for all-zero references).
 */
export function assertClose(actual: ArrayLike<number>, expected: ArrayLike<number>, rtol = 1e-4, what = ''): void {
  assert.equal(actual.length, expected.length, `${what}: length ${actual.length} vs ${expected.length}`);
  let meanAbs = 0;
  for (let i = 0; i < expected.length; i++) meanAbs += Math.abs(expected[i]);
  meanAbs = expected.length ? meanAbs / expected.length : 0;
  for (let i = 0; i < expected.length; i++) {
    const tol = rtol * (Math.abs(expected[i]) + meanAbs) + 1e-7;
    if (!(Math.abs(actual[i] - expected[i]) <= tol)) {
      assert.fail(`${what}: element ${i} is ${actual[i]}, expected ${expected[i]} (tolerance ${tol.toExponential(2)})`);
    }
  }
}

/** Counts the calls that reach wasm's own BatchMatMul while `run` runs. */
export async function keptCalls(run: () => Promise<void> | void): Promise<number> {
  const kept = keptBatchMatMul.get()!;
  let calls = 0;
  keptBatchMatMul.set({ ...kept, kernelFunc: (args) => (calls++, kept.kernelFunc(args)) });
  try {
    await run();
  } finally {
    keptBatchMatMul.set(kept);
  }
  return calls;
}

/**
 * Runs `step` (a training step returning its loss) once to warm up, then five times: asserts that the tensor count
 * stays where the warm-up left it and that the loss falls. Returns that count.
 */
export function assertStepsKeepTensors(step: () => tf.Scalar): number {
  tf.dispose(step());
  const tensors = tf.memory().numTensors;
  const losses: number[] = [];
  for (let i = 0; i < 5; i++) {
    const loss = step();
    losses.push(loss.dataSync()[0]!);
    loss.dispose();
  }
  assert.equal(tf.memory().numTensors, tensors);
  assert.ok(losses[4]! < losses[0]!, `the loss falls: ${losses.join(', ')}`);
  return tensors;
}
