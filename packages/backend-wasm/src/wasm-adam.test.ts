import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';

import * as tf from '@tensorflow/tfjs';

import { ADAM_UPDATE_KERNEL } from './adam-update.js';
import { setUpWasm } from './test-fixtures/helpers.js';
import { wasmAdam, WasmAdamOptimizer } from './wasm-adam.js';

before(async () => {
  await setUpWasm();
});

/** Sizes 12, 5, 1, 21, 130 and 1073: most not a multiple of 4 (the SIMD loop's tail), one a single float. */
const SHAPES = [[3, 4], [5], [1], [7, 3], [130], [37, 29]];
const wave = (n: number, k: number, phase = 0) => Array.from({ length: n }, (_, i) => Math.sin((i + 1) * k + phase));

function variables(seed: number): tf.Variable[] {
  return SHAPES.map((shape, i) => tf.variable(tf.tensor(wave(tf.util.sizeFromShape(shape), 0.7 + i, seed), shape)));
}

/** Step `step`'s gradient for variable `i`: varying with the step, of both signs, exact zeros and a wide range of magnitudes. */
function gradient(i: number, step: number): number[] {
  return wave(tf.util.sizeFromShape(SHAPES[i]!), 1.3 + i, step * 0.9).map((g, j) => (j % 11 === 3 ? 0 : g * (1 + step) * 10 ** ((j % 7) - 3)));
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

async function assertSameState(actual: tf.Optimizer, expected: tf.Optimizer, what: string): Promise<void> {
  const [a, e] = [await actual.getWeights(), await expected.getWeights()];
  assert.equal(a.length, e.length, `${what}: getWeights lengths`);
  a.forEach((slot, i) => {
    assert.deepEqual(slot.tensor.shape, e[i]!.tensor.shape, `${what}: slot ${i} shape`);
    assert.equal(bytes(slot.tensor), bytes(e[i]!.tensor), `${what}: slot ${i} (${e[i]!.name})`);
  });
  tf.dispose([a[0]!.tensor, e[0]!.tensor]);
  for (const field of ['accBeta1', 'accBeta2'] as const) {
    const read = (o: tf.Optimizer) => bytes((o as unknown as Record<string, tf.Variable>)[field]!);
    assert.equal(read(actual), read(expected), `${what}: ${field}`);
  }
}

describe('WasmAdamOptimizer: Adam as one SIMD pass per variable on wasm', () => {
  for (const [lr, b1, b2, eps] of [[0.05, 0.8, 0.95, 1e-3], [1e-3, 0.9, 0.999, undefined], [0.3, 0.5, 0.7, 1e-12]] as const) {
    it(`trains weights and moments bit for bit as tf.train.adam(${lr}, ${b1}, ${b2}, ${eps}) over 10 steps (rate changed at step 5)`, async () => {
      const [ours, theirs] = [variables(1), variables(1)];
      const fused = wasmAdam(lr, b1, b2, eps)!;
      assert.ok(fused instanceof WasmAdamOptimizer, 'wasmAdam gives the fused optimizer on wasm');
      const reference = tf.train.adam(lr, b1, b2, eps);
      for (let step = 0; step < 10; step++) {
        if (step === 5) for (const o of [fused, reference] as unknown as { learningRate: number }[]) o.learningRate = lr / 3;
        apply(fused, ours, step);
        apply(reference, theirs, step);
      }
      ours.forEach((v, i) => {
        assert.equal(bytes(v), bytes(theirs[i]!), `variable ${i} [${SHAPES[i]}]`);
        assert.notEqual(bytes(v), bytes(tf.tensor(wave(v.size, 0.7 + i, 1), v.shape)), `variable ${i} did not move`);
      });
      await assertSameState(fused, reference, 'after 10 steps');
      const names = async (o: tf.Optimizer, vars: tf.Variable[]) => {
        const weights = await o.getWeights();
        weights[0]!.tensor.dispose();
        return weights.map((w) => vars.reduce((name, v, i) => name.replace(new RegExp(`^${v.name}/`), `${i}/`), w.name));
      };
      assert.deepEqual(await names(fused, ours), await names(reference, theirs), "tfjs's getWeights names and order");
      fused.dispose();
      reference.dispose();
      tf.dispose([...ours, ...theirs]);
    });
  }

  it('runs one kernel per variable, plus the two running-product updates', async () => {
    const vars = variables(2);
    const adam = wasmAdam(0.01, 0.9, 0.999)!;
    apply(adam, vars, 0); // makes the moments
    const info = await tf.profile(() => apply(adam, vars, 1));
    const kernels = info.kernels.map((k) => k.name).filter((name) => name !== 'Reshape'); // tf.tensor() of the gradients adds none
    assert.deepEqual(kernels, [...SHAPES.map(() => ADAM_UPDATE_KERNEL), 'Multiply', 'Multiply'], kernels.join(' '));
    adam.dispose();
    tf.dispose(vars);
  });

  it('continues bit for bit from its state (getWeights, running beta products) put into a fresh optimizer', async () => {
    const straight = variables(3);
    const resumed = variables(3);
    const first = wasmAdam(0.02, 0.9, 0.999) as WasmAdamOptimizer;
    for (let step = 0; step < 4; step++) apply(first, straight, step);
    resumed.forEach((v, i) => v.assign(straight[i]!));
    // What core's optimizer-state capture keeps: getWeights, plus the running products.
    const saved = (await first.getWeights()).map((w) => ({ name: w.name, tensor: w.tensor.clone() }));
    const second = new WasmAdamOptimizer(0.02, 0.9, 0.999);
    await second.setWeights(saved);
    second.accBeta1.assign(first.accBeta1);
    second.accBeta2.assign(first.accBeta2);
    await assertSameState(second, first, 'restored, before a step');
    tf.dispose(saved.map((s) => s.tensor)); // the optimizer's variables keep their own reference to the data
    for (let step = 4; step < 8; step++) {
      apply(first, straight, step);
      apply(second, resumed, step);
    }
    straight.forEach((v, i) => assert.equal(bytes(resumed[i]!), bytes(v), `variable ${i}`));
    await assertSameState(second, first, 'after 4 more steps');
    first.dispose();
    second.dispose();
    tf.dispose([...straight, ...resumed]);
  });

  it('restores state saved by tf.train.adam and continues as tf.train.adam does', async () => {
    const [ours, theirs] = [variables(4), variables(4)];
    const reference = tf.train.adam(0.02, 0.9, 0.999);
    for (let step = 0; step < 3; step++) apply(reference, theirs, step);
    ours.forEach((v, i) => v.assign(theirs[i]!));
    const saved = (await reference.getWeights()).map((w) => ({ name: w.name, tensor: w.tensor.clone() }));
    const fused = new WasmAdamOptimizer(0.02, 0.9, 0.999);
    await fused.setWeights(saved);
    fused.accBeta1.assign((reference as unknown as WasmAdamOptimizer).accBeta1);
    fused.accBeta2.assign((reference as unknown as WasmAdamOptimizer).accBeta2);
    tf.dispose(saved.map((s) => s.tensor));
    for (let step = 3; step < 6; step++) {
      apply(fused, ours, step);
      apply(reference, theirs, step);
    }
    ours.forEach((v, i) => assert.equal(bytes(v), bytes(theirs[i]!), `variable ${i}`));
    await assertSameState(fused, reference, 'after resuming');
    fused.dispose();
    reference.dispose();
    tf.dispose([...ours, ...theirs]);
  });

  it('refuses restored state for another number of variables, naming both counts', async () => {
    const vars = variables(5);
    const adam = new WasmAdamOptimizer(0.01, 0.9, 0.999);
    const zeros = [tf.zeros([5]), tf.zeros([5])];
    await adam.setWeights([{ name: 'iter', tensor: tf.scalar(2, 'int32') }, { name: 'a/m', tensor: zeros[0]! }, { name: 'a/v', tensor: zeros[1]! }]);
    assert.throws(() => apply(adam, vars, 0), /holds moments for 1 variables, but 6 are trained/);
    adam.dispose();
    tf.dispose([...zeros, ...vars]);
  });

  it('keeps the moments of the variables still trained when the trained set changes', () => {
    const all = variables(6);
    const alone = variables(6);
    const shared = new WasmAdamOptimizer(0.03, 0.9, 0.999);
    const single = new WasmAdamOptimizer(0.03, 0.9, 0.999);
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

  it('trains a compiled model through model.fit as tf.train.adam does, with a fixed number of tensors, all freed on dispose', async () => {
    const before = tf.memory().numTensors;
    const build = () => {
      const model = tf.sequential({ layers: [tf.layers.dense({ units: 5, inputShape: [3], activation: 'relu' }), tf.layers.dense({ units: 1 })] });
      const weights = model.getWeights().map((w, i) => tf.tensor(wave(w.size, 0.37 + i), w.shape));
      model.setWeights(weights);
      tf.dispose(weights);
      return model;
    };
    const [model, reference] = [build(), build()];
    const adam = wasmAdam(0.01, 0.9, 0.999)!;
    const tfjsAdam = tf.train.adam(0.01, 0.9, 0.999);
    model.compile({ optimizer: adam, loss: 'meanSquaredError' });
    reference.compile({ optimizer: tfjsAdam, loss: 'meanSquaredError' });
    const x = tf.tensor2d(wave(30, 0.4), [10, 3]);
    const y = tf.tensor2d(wave(10, 1.1), [10, 1]);
    const options = { batchSize: 4, verbose: 0, shuffle: false } as const;
    const first = await model.fit(x, y, { ...options, epochs: 1 });
    const afterOne = tf.memory().numTensors;
    const more = await model.fit(x, y, { ...options, epochs: 20 });
    assert.equal(tf.memory().numTensors, afterOne, 'tensors grew across epochs');
    assert.ok((more.history['loss']!.at(-1) as number) < (first.history['loss']![0] as number), 'the loss did not fall');
    await reference.fit(x, y, { ...options, epochs: 21 });
    model.getWeights().forEach((w, i) => assert.equal(bytes(w), bytes(reference.getWeights()[i]!), `weight ${i}`));
    for (const m of [model, reference]) m.dispose();
    for (const o of [adam, tfjsAdam]) o.dispose();
    tf.dispose([x, y]);
    assert.equal(tf.memory().numTensors, before, 'tensors left behind');
  });

  it('is not offered off wasm, and refuses to step there', async () => {
    const adam = wasmAdam(0.01, 0.9, 0.999)!;
    await tf.setBackend('cpu');
    try {
      assert.equal(wasmAdam(0.01, 0.9, 0.999), null);
      const v = tf.variable(tf.zeros([2]));
      assert.throws(() => adam.applyGradients({ [v.name]: tf.ones([2]) }), /needs the wasm backend \(active: cpu\)/);
      v.dispose();
    } finally {
      await tf.setBackend('wasm');
    }
    adam.dispose();
  });

  it('names the mismatch when a gradient does not have its variable\'s shape', () => {
    const v = tf.variable(tf.zeros([2, 3]));
    const adam = wasmAdam(0.01, 0.9, 0.999)!;
    const g = tf.ones([3, 2]);
    assert.throws(() => adam.applyGradients({ [v.name]: g }), /gradient \[3,2\] does not have the variable's shape \[2,3\]/);
    adam.dispose();
    tf.dispose([v, g]);
  });
});
