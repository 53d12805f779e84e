import assert from 'node:assert/strict';
import { before, test } from 'node:test';
import * as tf from '@tensorflow/tfjs';
import { NativeAdamOptimizer } from './native-adam.js';
import { skipOrFail, useTensorflowBackend } from './test-fixtures/tensorflow-backend.js';

let unavailable: string | null = null;
before(async () => {
  unavailable = await useTensorflowBackend();
});

const SHAPES = [[3, 4], [5], [1]];
const wave = (n: number, k: number, phase = 0) => Array.from({ length: n }, (_, i) => Math.sin((i + 1) * k + phase));

function variables(seed: number): tf.Variable[] {
  return SHAPES.map((shape, i) => tf.variable(tf.tensor(wave(tf.util.sizeFromShape(shape), 0.7 + i, seed), shape)));
}

/** Step `step`'s gradient for variable `i`: varying with the step, negative and positive entries. */
function gradient(i: number, step: number): number[] {
  return wave(tf.util.sizeFromShape(SHAPES[i]!), 1.3 + i, step * 0.9).map((g) => g * (1 + step));
}

function apply(optimizer: tf.Optimizer, vars: tf.Variable[], step: number, only?: number[]): void {
  const grads: tf.NamedTensorMap = {};
  vars.forEach((v, i) => {
    if (!only || only.includes(i)) grads[v.name] = tf.tensor(gradient(i, step), v.shape);
  });
  optimizer.applyGradients(grads);
  tf.dispose(Object.values(grads));
}

function bytes(t: tf.Tensor): string {
  return Buffer.from((t.dataSync() as Float32Array).slice().buffer).toString('hex');
}

/** Keras's / TensorFlow's Adam in float64, the formula ResourceApplyAdam implements. */
function kerasAdam(start: number[][], steps: number, lr: number, b1: number, b2: number, eps: number): number[][] {
  return start.map((w0, i) => {
    const w = [...w0];
    const m = w.map(() => 0);
    const v = w.map(() => 0);
    for (let t = 1; t <= steps; t++) {
      const g = gradient(i, t - 1);
      const lrT = (lr * Math.sqrt(1 - b2 ** t)) / (1 - b1 ** t);
      for (let j = 0; j < w.length; j++) {
        m[j] = b1 * m[j]! + (1 - b1) * g[j]!;
        v[j] = b2 * v[j]! + (1 - b2) * g[j]! * g[j]!;
        w[j] = w[j]! - (lrT * m[j]!) / (Math.sqrt(v[j]!) + eps);
      }
    }
    return w;
  });
}

test('NativeAdamOptimizer runs Keras\'s Adam (ResourceApplyAdam): within float32 rounding of a float64 reference over 6 steps', (t) => {
  if (unavailable) return skipOrFail(t, unavailable);
  const vars = variables(1);
  const start = vars.map((v) => Array.from(v.dataSync()));
  const adam = new NativeAdamOptimizer(0.05, 0.8, 0.95, 1e-3);
  for (let step = 0; step < 6; step++) apply(adam, vars, step);
  const expected = kerasAdam(start, 6, 0.05, 0.8, 0.95, 1e-3);
  vars.forEach((v, i) => {
    const got = Array.from(v.dataSync());
    const worst = Math.max(...got.map((x, j) => Math.abs(x - expected[i]![j]!)));
    assert.ok(worst < 1e-6, `variable ${i} differs from the reference by ${worst}`);
    assert.notDeepEqual(got, start[i], 'the variable did not move');
  });
  assert.equal(adam.getClassName(), 'Adam');
  adam.dispose();
  tf.dispose(vars);
});

test('NativeAdamOptimizer: its state (getWeights, running beta products) put into a fresh optimizer continues the run bit for bit', async (t) => {
  if (unavailable) return skipOrFail(t, unavailable);
  const straight = variables(2);
  const resumed = variables(2);
  const first = new NativeAdamOptimizer(0.02, 0.9, 0.999);
  for (let step = 0; step < 4; step++) apply(first, straight, step);
  resumed.forEach((v, i) => v.assign(straight[i]!));
  // What core's optimizer-state capture keeps: getWeights, plus tfjs Adam's running products.
  const saved = (await first.getWeights()).map((w) => ({ name: w.name, tensor: w.tensor.clone() }));
  const second = new NativeAdamOptimizer(0.02, 0.9, 0.999);
  await second.setWeights(saved);
  second.accBeta1.assign(first.accBeta1);
  second.accBeta2.assign(first.accBeta2);
  assert.equal((await second.getWeights()).length, 1 + 2 * SHAPES.length, 'restored state reads back before a step');
  for (let step = 4; step < 7; step++) {
    apply(first, straight, step);
    apply(second, resumed, step);
  }
  straight.forEach((v, i) => assert.equal(bytes(resumed[i]!), bytes(v), `variable ${i}`));
  const [a, b] = [await first.getWeights(), await second.getWeights()];
  a.slice(1).forEach((slot, i) => assert.equal(bytes(b[i + 1]!.tensor), bytes(slot.tensor), `moment ${slot.name}`));
  tf.dispose([...saved.map((s) => s.tensor), a[0]!.tensor, b[0]!.tensor]);
  first.dispose();
  second.dispose();
  tf.dispose([...straight, ...resumed]);
});

test('NativeAdamOptimizer keeps the moments of the variables still trained when the trained set changes', (t) => {
  if (unavailable) return skipOrFail(t, unavailable);
  const all = variables(3);
  const alone = variables(3);
  const shared = new NativeAdamOptimizer(0.03, 0.9, 0.999);
  const single = new NativeAdamOptimizer(0.03, 0.9, 0.999);
  for (let step = 0; step < 3; step++) {
    apply(shared, all, step);
    apply(single, alone, step, [1]);
  }
  for (let step = 3; step < 6; step++) {
    apply(shared, all, step, [1]);
    apply(single, alone, step, [1]);
  }
  assert.equal(bytes(all[1]!), bytes(alone[1]!));
  shared.dispose();
  single.dispose();
  tf.dispose([...all, ...alone]);
});

test('NativeAdamOptimizer trains a compiled model through model.fit, holds a fixed number of tensors, and frees them (and TensorFlow\'s handles) on dispose', async (t) => {
  if (unavailable) return skipOrFail(t, unavailable);
  const binding = (tf.backend() as unknown as { binding: { getNumOfTensors(): number } }).binding;
  const [tensorsBefore, handlesBefore] = [tf.memory().numTensors, binding.getNumOfTensors()];
  const model = tf.sequential({ layers: [tf.layers.dense({ units: 4, inputShape: [3], activation: 'relu' }), tf.layers.dense({ units: 1 })] });
  const adam = new NativeAdamOptimizer(0.01, 0.9, 0.999);
  model.compile({ optimizer: adam, loss: 'meanSquaredError' });
  const x = tf.tensor2d(wave(24, 0.4), [8, 3]);
  const y = tf.tensor2d(wave(8, 1.1), [8, 1]);
  const first = await model.fit(x, y, { epochs: 1, batchSize: 4, verbose: 0 });
  const afterOne = tf.memory().numTensors;
  const more = await model.fit(x, y, { epochs: 20, batchSize: 4, verbose: 0 });
  assert.equal(tf.memory().numTensors, afterOne, 'tensors grew across epochs');
  assert.ok((more.history['loss']!.at(-1) as number) < (first.history['loss']![0] as number), 'the loss did not fall');
  adam.dispose();
  model.dispose();
  tf.dispose([x, y]);
  assert.equal(tf.memory().numTensors, tensorsBefore, 'tensors left behind');
  assert.equal(binding.getNumOfTensors(), handlesBefore, 'TensorFlow handles left behind');
});
