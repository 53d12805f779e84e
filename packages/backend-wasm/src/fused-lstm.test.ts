// The wasm fused LSTM (fused-lstm.ts, lstm-kernels.ts, assembly/lstm.ts) against Keras's LSTM written as tfjs ops
// on the cpu backend: outputs and the gradients with respect to x, kernel, recurrentKernel and bias. (encoder-text's
// lstm-fused-wasm.test.ts checks it against PolymodalLSTM's own loop.)
import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';

import * as tf from '@tensorflow/tfjs';

import { wasmFusedLstm } from './fused-lstm.js';
import { LSTM_STEPS, LSTM_STEPS_GRAD } from './lstm-kernels.js';
import { randomArray, seeded, setUpWasm } from './test-fixtures/helpers.js';

before(async () => {
  await setUpWasm();
});

/** Keras's LSTM (i, f, c, o) over time-major x from a zero state, as tfjs ops: every step's h. */
function referenceLstm(x: tf.Tensor3D, kernel: tf.Tensor2D, recurrentKernel: tf.Tensor2D, bias: tf.Tensor1D): tf.Tensor3D {
  const [steps, batch, features] = x.shape;
  const units = recurrentKernel.shape[0];
  const xp = tf.reshape(tf.add(tf.matMul(tf.reshape(x, [steps * batch, features]), kernel), bias), [steps, batch, 4 * units]);
  let h: tf.Tensor2D = tf.zeros([batch, units]);
  let c: tf.Tensor2D = tf.zeros([batch, units]);
  const hs: tf.Tensor2D[] = [];
  // Slices, not tf.unstack (whose gradient on cpu fails for a single step).
  for (let t = 0; t < steps; t++) {
    const xt = tf.reshape(tf.slice(xp, [t, 0, 0], [1, batch, 4 * units]), [batch, 4 * units]);
    const [zi, zf, zc, zo] = tf.split(tf.add(xt, tf.matMul(h, recurrentKernel)), 4, 1);
    c = tf.add(tf.mul(tf.sigmoid(zf), c), tf.mul(tf.sigmoid(zi), tf.tanh(zc)));
    h = tf.mul(tf.sigmoid(zo), tf.tanh(c));
    hs.push(h);
  }
  return tf.concat(hs.map((ht) => tf.expandDims(ht, 0)), 0) as tf.Tensor3D;
}

interface Case {
  steps: number;
  batch: number;
  features: number;
  units: number;
}

type Lstm = (x: tf.Tensor3D, k: tf.Tensor2D, u: tf.Tensor2D, b: tf.Tensor1D) => tf.Tensor3D;

/** Output and the four gradients of sum(h * r), as host arrays, for fixed random operands. */
function outputsAndGradients(lstm: Lstm, c: Case, seed: number): Float32Array[] {
  const rand = seeded(seed);
  const values = (shape: number[], scale: number) => randomArray(rand, tf.util.sizeFromShape(shape)).map((v) => v * scale);
  return tf.tidy(() => {
    const x = tf.tensor3d(values([c.steps, c.batch, c.features], 1), [c.steps, c.batch, c.features]);
    const k = tf.tensor2d(values([c.features, 4 * c.units], 0.6), [c.features, 4 * c.units]);
    const u = tf.tensor2d(values([c.units, 4 * c.units], 0.6), [c.units, 4 * c.units]);
    const b = tf.tensor1d(values([4 * c.units], 0.6));
    const r = tf.tensor3d(values([c.steps, c.batch, c.units], 1), [c.steps, c.batch, c.units]);
    const h = lstm(x, k, u, b);
    const grads = tf.grads((...a: tf.Tensor[]) => tf.sum(tf.mul(lstm(...(a as [tf.Tensor3D, tf.Tensor2D, tf.Tensor2D, tf.Tensor1D])), r)))([x, k, u, b]);
    return [h, ...grads].map((t) => t.dataSync().slice() as Float32Array);
  });
}

const maxAbsDiff = (a: Float32Array, b: Float32Array) => a.reduce((m, v, i) => Math.max(m, Math.abs(v - b[i]!)), 0);

/** Counts the runs of the two LSTM kernels while `run` runs (tf.profile lists every kernel call). */
async function lstmKernelCalls(run: () => void): Promise<number> {
  const info = await tf.profile(run);
  return info.kernels.filter((k) => k.name === LSTM_STEPS || k.name === LSTM_STEPS_GRAD).length;
}

describe('the wasm fused LSTM', () => {
  const cases: Case[] = [
    { steps: 9, batch: 3, features: 4, units: 5 }, // a unit past the vectors of 4, gates not a multiple of 8
    { steps: 7, batch: 5, features: 3, units: 8 },
    { steps: 30, batch: 6, features: 16, units: 32 }, // the seed model's units
    { steps: 1, batch: 2, features: 3, units: 4 }, // one step: no recurrent product, dU = 0
  ];
  for (const c of cases) {
    it(`equals Keras's LSTM as cpu ops within 1e-5 (T ${c.steps}, batch ${c.batch}, D ${c.features}, u ${c.units}: h and d x, kernel, recurrentKernel, bias)`, async () => {
      await tf.setBackend('cpu');
      const expected = outputsAndGradients(referenceLstm, c, 40 + c.units);
      await tf.setBackend('wasm');
      const routine = wasmFusedLstm();
      assert.ok(routine, 'the routine is available on wasm');
      let actual: Float32Array[] = [];
      const calls = await lstmKernelCalls(() => void (actual = outputsAndGradients(routine.lstm, c, 40 + c.units)));
      assert.equal(calls, 3, 'one forward call for the value, one forward and one backward for the gradients');
      ['h', 'dx', 'dKernel', 'dRecurrentKernel', 'dBias'].forEach((name, i) => {
        const diff = maxAbsDiff(actual[i]!, expected[i]!);
        assert.ok(diff < 1e-5, `${name}: max difference ${diff}`);
      });
    });
  }

  it('gives the same values on every run (reproducible) and leaves no tensor or buffer behind', async () => {
    await tf.setBackend('wasm');
    const c = { steps: 12, batch: 4, features: 6, units: 8 };
    const routine = wasmFusedLstm()!;
    const first = outputsAndGradients(routine.lstm, c, 3);
    const backend = tf.backend() as unknown as { numDataIds(): number };
    const counts = { tensors: tf.memory().numTensors, ids: backend.numDataIds() };
    const second = outputsAndGradients(routine.lstm, c, 3);
    assert.deepEqual({ tensors: tf.memory().numTensors, ids: backend.numDataIds() }, counts);
    first.forEach((values, i) => assert.deepEqual(Array.from(second[i]!), Array.from(values)));
  });

  it('flushes gradients that fade through time to 0 instead of leaving subnormal floats (wasm computes on them 20-70x slower)', async () => {
    await tf.setBackend('wasm');
    const routine = wasmFusedLstm()!;
    const c = { steps: 120, batch: 4, features: 6, units: 8 };
    const rand = seeded(11);
    const values = (n: number, scale: number) => randomArray(rand, n).map((v) => v * scale);
    const [dxp, reference] = tf.tidy(() => {
      const x = tf.tensor3d(values(c.steps * c.batch * c.features, 1), [c.steps, c.batch, c.features]);
      const k = tf.tensor2d(values(c.features * 4 * c.units, 0.6), [c.features, 4 * c.units]);
      // A strongly negative forget-gate bias: the cell gradient shrinks ~100-fold per step back in time.
      const b = tf.tensor1d(Array.from({ length: 4 * c.units }, (_, i) => (i >= c.units && i < 2 * c.units ? -5 : 0)));
      const u = tf.tensor2d(values(c.units * 4 * c.units, 0.05), [c.units, 4 * c.units]);
      // Only the last step's output is scored, by a small weight: its gradient fades over the 120 steps before it.
      const weight = tf.concat([tf.zeros([c.steps - 1, c.batch, c.units]), tf.fill([1, c.batch, c.units], 1e-6)]);
      const [dx] = tf.grads((input: tf.Tensor) => tf.sum(tf.mul(routine.lstm(input as tf.Tensor3D, k, u, b), weight)))([x]);
      return [dx!.dataSync().slice() as Float32Array, dx!.max().dataSync()[0]!];
    });
    const subnormal = dxp.filter((v) => v !== 0 && Math.abs(v) < 1.1754943508222875e-38).length;
    assert.equal(subnormal, 0, `${subnormal} subnormal gradient values`);
    assert.ok(reference > 1e-9, 'the recent steps still have their gradient');
    assert.ok(dxp.subarray(0, c.batch * c.features).every((v) => v === 0), 'the first step\'s gradient, below 1e-30, is 0');
  });

  it('is null off wasm; refuses mismatched weight shapes with a message naming them', async () => {
    await tf.setBackend('cpu');
    assert.equal(wasmFusedLstm(), null);
    await tf.setBackend('wasm');
    const routine = wasmFusedLstm()!;
    tf.tidy(() => {
      assert.throws(() => routine.lstm(tf.zeros([2, 1, 3]), tf.zeros([3, 8]), tf.zeros([2, 4]), tf.zeros([8])), /recurrentKernel \[u, 4u\].*\[2,4\]/);
    });
  });
});
