// PolymodalLSTM on the tensorflow backend runs its time loop as BlockLSTMV2 (from @polymodal/backend-tensorflow,
// through core's accelerated routines): checked equal to the typed-array loops and the per-step ops within 1e-5.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import * as tf from '@tensorflow/tfjs';
import { acceleratedRoutines, selectBackend } from '@polymodal/core';
import { PolymodalLSTM } from './lstm.js';
import { compareWithTfjs } from './test-fixtures/compare.js';
import { countFusedLstmCalls, type FusedLstmCalls } from './test-fixtures/fused-lstm-calls.js';

let unavailable: string | null = null;
let fused: FusedLstmCalls | null = null;

before(async () => {
  try {
    await selectBackend('tensorflow');
  } catch (error) {
    unavailable = `the tensorflow backend is unavailable (${(error as Error).message}); run \`polymodal setup tensorflow\``;
    return;
  }
  const routines = acceleratedRoutines('tensorflow');
  if (!routines?.fusedLstm) {
    unavailable = 'tensorflow is active but no fused LSTM routine is registered (is @polymodal/backend-tensorflow installed?)';
    return;
  }
  fused = countFusedLstmCalls('tensorflow');
});
after(async () => {
  fused?.restore();
  await tf.setBackend('cpu');
});

function skipOrFail(t: { skip(message: string): void }): void {
  if (process.env['POLYMODAL_REQUIRE_REFERENCE'] === '1') throw new Error(`POLYMODAL_REQUIRE_REFERENCE=1: ${unavailable}`);
  t.skip(unavailable!);
}

describe('PolymodalLSTM on tensorflow (fused BlockLSTMV2)', () => {
  for (const [label, options] of [
    ['last output', {}],
    ['sequences', { returnSequences: true }],
    ['backwards sequences', { returnSequences: true, goBackwards: true }],
    ['backwards last output', { goBackwards: true }],
  ] as const) {
    it(`equals the loop implementation within 1e-5 (${label}: outputs, weight and input gradients)`, (t) => {
      if (unavailable) return skipOrFail(t);
      const before = fused!.count();
      const diff = compareWithTfjs({
        ours: new PolymodalLSTM({ units: 5, ...options }),
        theirs: new PolymodalLSTM({ units: 5, implementation: 'loops', ...options }),
        batch: 3, steps: 9, features: 4,
      });
      assert.ok(fused!.count() > before, 'the fused kernel ran');
      assert.ok(diff.output < 1e-5, `output ${diff.output}`);
      assert.ok(diff.gradients < 1e-5, `weight gradients ${diff.gradients}`);
      assert.ok(diff.inputGradient < 1e-5, `input gradient ${diff.inputGradient}`);
    });
  }

  it("'ops' and 'loops' are kept when asked for; recurrentDropout in training falls back to the loop with one note", (t) => {
    if (unavailable) return skipOrFail(t);
    const before = fused!.count();
    const x = tf.randomNormal([2, 4, 3]);
    for (const implementation of ['ops', 'loops'] as const) {
      const layer = new PolymodalLSTM({ units: 2, implementation });
      tf.dispose(layer.apply(x) as tf.Tensor);
      layer.dispose();
    }
    assert.equal(fused!.count(), before);
    const notes: string[] = [];
    const warn = console.warn;
    console.warn = (message: string) => void notes.push(message);
    try {
      const layer = new PolymodalLSTM({ units: 2, recurrentDropout: 0.3 });
      for (let i = 0; i < 3; i++) tf.dispose(layer.apply(x, { training: true }) as tf.Tensor);
      assert.equal(fused!.count(), before, 'no fused call in training with recurrent dropout');
      tf.dispose(layer.apply(x) as tf.Tensor);
      assert.equal(fused!.count(), before + 1, 'inference uses the fused kernel');
      layer.dispose();
    } finally {
      console.warn = warn;
    }
    assert.equal(notes.length, 1, notes.join('\n'));
    assert.match(notes[0]!, /^note: PolymodalLSTM: recurrentDropout has no fused kernel on tensorflow .*per-step loop/);
    x.dispose();
  });

  it('trains: loss falls on a toy task, no tensors leak per step', async (t) => {
    if (unavailable) return skipOrFail(t);
    const xs = tf.randomNormal([64, 6, 3], 0, 1, 'float32', 5);
    const ys = tf.tidy(() => tf.cast(tf.greater(tf.sum(xs, [1, 2]), 0), 'float32').reshape([64, 1]));
    const model = tf.sequential({ layers: [new PolymodalLSTM({ units: 8, inputShape: [6, 3] } as never), tf.layers.dense({ units: 1, activation: 'sigmoid' })] });
    model.compile({ optimizer: tf.train.adam(0.05), loss: 'binaryCrossentropy' });
    const first = await model.fit(xs, ys, { epochs: 1, batchSize: 16, verbose: 0 });
    const tensors = tf.memory().numTensors;
    const later = await model.fit(xs, ys, { epochs: 8, batchSize: 16, verbose: 0 });
    assert.equal(tf.memory().numTensors, tensors);
    assert.ok((later.history['loss']!.at(-1) as number) < (first.history['loss']![0] as number) * 0.8, JSON.stringify(later.history['loss']));
    model.dispose();
    tf.dispose([xs, ys]);
  });
});
