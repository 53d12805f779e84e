// PolymodalLSTM on the wasm backend runs its time loop as @polymodal/backend-wasm's fused LSTM (two SIMD kernel
// calls for the loop and its back-propagation, through core's accelerated routines): checked equal to the
// typed-array loops (per-step XNNPACK products) within 1e-5, and to itself run after run.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import * as tf from '@tensorflow/tfjs';
import { acceleratedRoutines, selectBackend } from '@polymodal/core';
import { PolymodalLSTM } from './lstm.js';
import { countFusedCalls, type FusedCalls } from './test-fixtures/fused-calls.js';
import { assertMatchesFused, notesOf } from './test-fixtures/fused-kernel-checks.js';

let unavailable: string | null = null;
let fused: FusedCalls | null = null;

before(async () => {
  try {
    await import('@tensorflow/tfjs-backend-wasm');
    await selectBackend('wasm');
  } catch (error) {
    unavailable = `the wasm backend is unavailable (${(error as Error).message})`;
    return;
  }
  const routines = acceleratedRoutines('wasm');
  if (!routines?.fusedLstm?.()) {
    unavailable = 'wasm is active but no fused LSTM routine is registered (is @polymodal/backend-wasm installed, with WebAssembly SIMD?)';
    return;
  }
  fused = countFusedCalls('wasm', 'lstm');
});
after(async () => {
  fused?.restore();
  await tf.setBackend('cpu');
});

describe('PolymodalLSTM on wasm (fused LSTM kernels)', () => {
  for (const [label, options, shape] of [
    ['last output', {}, { batch: 3, steps: 9, features: 4, units: 5 }],
    ['sequences', { returnSequences: true }, { batch: 3, steps: 9, features: 4, units: 5 }],
    ['backwards sequences', { returnSequences: true, goBackwards: true }, { batch: 4, steps: 6, features: 3, units: 8 }],
    ['backwards last output', { goBackwards: true }, { batch: 4, steps: 6, features: 3, units: 8 }],
    ['the seed model\'s units, 40 steps', {}, { batch: 8, steps: 40, features: 16, units: 32 }],
  ] as const) {
    it(`equals the loop implementation within 1e-5 (${label}: outputs, weight and input gradients)`, (t) => {
      if (unavailable) return void t.skip(unavailable);
      const { units, ...sizes } = shape;
      assertMatchesFused(fused!, {
        ours: new PolymodalLSTM({ units, ...options }),
        theirs: new PolymodalLSTM({ units, implementation: 'loops', ...options }),
        ...sizes,
      });
    });
  }

  it('recurrentDropout in training falls back to the loop with one note; inference uses the fused kernel', (t) => {
    if (unavailable) return void t.skip(unavailable);
    const before = fused!.count();
    const x = tf.randomNormal([2, 4, 3]);
    const notes = notesOf(() => {
      const layer = new PolymodalLSTM({ units: 2, recurrentDropout: 0.3 });
      for (let i = 0; i < 3; i++) tf.dispose(layer.apply(x, { training: true }) as tf.Tensor);
      assert.equal(fused!.count(), before, 'no fused call in training with recurrent dropout');
      tf.dispose(layer.apply(x) as tf.Tensor);
      assert.equal(fused!.count(), before + 1, 'inference uses the fused kernel');
      layer.dispose();
    });
    assert.ok(notes.length <= 1, notes.join('\n')); // printed once per process: another test may have printed it
    if (notes.length === 1) assert.match(notes[0]!, /^note: PolymodalLSTM: recurrentDropout has no fused kernel on wasm .*per-step loop/);
    x.dispose();
  });

  it('trains reproducibly: the same seed gives the same losses; loss falls; no tensors leak per step', async (t) => {
    if (unavailable) return void t.skip(unavailable);
    const losses: number[][] = [];
    for (let run = 0; run < 2; run++) {
      const xs = tf.randomNormal([64, 6, 3], 0, 1, 'float32', 5);
      const ys = tf.tidy(() => tf.cast(tf.greater(tf.sum(xs, [1, 2]), 0), 'float32').reshape([64, 1]));
      const lstm = new PolymodalLSTM({ units: 8, inputShape: [6, 3], kernelInitializer: 'glorotUniform', recurrentInitializer: 'glorotUniform' } as never);
      const model = tf.sequential({ layers: [lstm, tf.layers.dense({ units: 1, activation: 'sigmoid', kernelInitializer: tf.initializers.glorotUniform({ seed: 3 }) })] });
      // Same starting weights in both runs.
      model.setWeights(model.getWeights().map((w, i) => tf.tidy(() => tf.randomUniform(w.shape, -0.5, 0.5, 'float32', 11 + i))));
      model.compile({ optimizer: tf.train.adam(0.05), loss: 'binaryCrossentropy' });
      const before = fused!.count();
      const first = await model.fit(xs, ys, { epochs: 1, batchSize: 16, verbose: 0, shuffle: false });
      const tensors = tf.memory().numTensors;
      const later = await model.fit(xs, ys, { epochs: 8, batchSize: 16, verbose: 0, shuffle: false });
      assert.ok(fused!.count() > before, 'the fused kernel ran');
      assert.equal(tf.memory().numTensors, tensors);
      const all = [...(first.history['loss'] as number[]), ...(later.history['loss'] as number[])];
      assert.ok(all.at(-1)! < all[0]! * 0.8, JSON.stringify(all));
      losses.push(all);
      model.dispose();
      tf.dispose([xs, ys]);
    }
    assert.deepEqual(losses[1], losses[0]);
  });
});
