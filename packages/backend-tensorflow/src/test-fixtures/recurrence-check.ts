/**
 * For the fused recurrence tests (fused-lstm.test.ts, fused-gru.test.ts): runs a fused time loop on tensorflow and
 * its reference equations on the cpu backend with the same seeded inputs, and compares outputs and gradients.
 */
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';

/** A recurrent layer's time loop over time-major `x [T, batch, D]` with Keras's weights: every step's h. */
export type Recurrence = (x: tf.Tensor3D, kernel: tf.Tensor2D, recurrentKernel: tf.Tensor2D, bias: tf.Tensor1D) => tf.Tensor3D;

type Inputs = [tf.Tensor3D, tf.Tensor2D, tf.Tensor2D, tf.Tensor1D];

/** Outputs and the gradients of a weighted sum of them with respect to x, kernel, recurrent kernel, bias. */
function run(recurrence: Recurrence, inputs: tf.Tensor[], weights: tf.Tensor): { h: Float32Array; grads: Float32Array[] } {
  return tf.tidy(() => {
    const h = recurrence(...(inputs as Inputs)).dataSync() as Float32Array;
    const grads = tf.grads((...args: tf.Tensor[]) => tf.sum(tf.mul(recurrence(...(args as Inputs)), weights)))(inputs);
    return { h: Float32Array.from(h), grads: grads.map((g) => Float32Array.from(g.dataSync() as Float32Array)) };
  });
}

function maxDiff(a: Float32Array, b: Float32Array): number {
  assert.equal(a.length, b.length);
  let max = 0;
  for (let i = 0; i < a.length; i++) max = Math.max(max, Math.abs(a[i]! - b[i]!));
  return max;
}

function seeded(seed: number): () => number {
  let state = seed >>> 0;
  return () => ((state = (Math.imul(state, 1664525) + 1013904223) >>> 0) / 2 ** 32) * 2 - 1;
}

export interface ReferenceCheck {
  /** Seed of the inputs. */
  readonly seed: number;
  /** One bias per gate block (their count is the number of gates), distinct so that a wrong gate order cannot pass. */
  readonly gateBiases: readonly number[];
}

/**
 * Runs `fused` on the active tensorflow backend and `reference` on cpu (7 steps, batch 5, 6 features, 4 units) and
 * asserts that outputs and the gradients of all four inputs agree within 1e-5; leaves tensorflow active.
 */
export async function assertEqualsReference(fused: Recurrence, reference: Recurrence, check: ReferenceCheck): Promise<void> {
  const [steps, batch, features, units] = [7, 5, 6, 4];
  const width = check.gateBiases.length * units;
  const random = seeded(check.seed);
  const values = (n: number, scale: number) => Float32Array.from({ length: n }, () => random() * scale);
  const shapes: number[][] = [[steps, batch, features], [features, width], [units, width], [width]];
  const data = shapes.map((shape) => values(shape.reduce((a, b) => a * b, 1), 0.8));
  data[3] = Float32Array.from({ length: width }, (_, i) => check.gateBiases[Math.floor(i / units)]! + 0.05 * (i % units));
  const weightsData = values(steps * batch * units, 1);
  const make = () => ({ inputs: shapes.map((shape, i) => tf.tensor(data[i]!, shape)), weights: tf.tensor(weightsData, [steps, batch, units]) });

  const fusedInputs = make();
  const result = run(fused, fusedInputs.inputs, fusedInputs.weights);
  tf.dispose([...fusedInputs.inputs, fusedInputs.weights]);
  await tf.setBackend('cpu');
  try {
    const cpuInputs = make();
    const expected = run(reference, cpuInputs.inputs, cpuInputs.weights);
    tf.dispose([...cpuInputs.inputs, cpuInputs.weights]);
    assert.ok(maxDiff(result.h, expected.h) < 1e-5, `outputs differ by ${maxDiff(result.h, expected.h)}`);
    ['x', 'kernel', 'recurrent kernel', 'bias'].forEach((name, i) => {
      const diff = maxDiff(result.grads[i]!, expected.grads[i]!);
      assert.ok(diff < 1e-5, `gradient of ${name} differs by ${diff}`);
    });
  } finally {
    await tf.setBackend('tensorflow');
  }
}

/** Asserts that `fused` (with `gates` gate blocks) leaves no tensors behind, forward or backward. */
export function assertNoLeaks(fused: Recurrence, gates: number): void {
  const x = tf.randomNormal([4, 3, 2]) as tf.Tensor3D;
  const k = tf.randomNormal([2, 2 * gates]) as tf.Tensor2D;
  const u = tf.randomNormal([2, 2 * gates]) as tf.Tensor2D;
  const b = tf.zeros([2 * gates]) as tf.Tensor1D;
  const before = tf.memory().numTensors;
  tf.dispose(tf.grads((...args: tf.Tensor[]) => tf.sum(fused(...(args as Inputs))))([x, k, u, b]));
  tf.dispose(tf.tidy(() => fused(x, k, u, b)));
  assert.equal(tf.memory().numTensors, before);
  tf.dispose([x, k, u, b]);
}
