// PolymodalGRU({ resetAfter: false }) on the tensorflow backend runs its time loop as GRUBlockCell / GRUBlockCellGrad
// (from @polymodal/backend-tensorflow, through core's accelerated routines): checked equal to the typed-array loops
// and the per-step ops within 1e-5. The reset_after=True GRU keeps its own loop there and says so once.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import * as tf from '@tensorflow/tfjs';
import { acceleratedRoutines, selectBackend } from '@polymodal/core';
import { PolymodalGRU } from './gru.js';
import { compareWithTfjs } from './test-fixtures/compare.js';
import { countFusedGruCalls, type FusedGruCalls } from './test-fixtures/fused-gru-calls.js';

let unavailable: string | null = null;
let fused: FusedGruCalls | null = null;

before(async () => {
  try {
    await selectBackend('tensorflow');
  } catch (error) {
    unavailable = `the tensorflow backend is unavailable (${(error as Error).message}); run \`polymodal setup tensorflow\``;
    return;
  }
  if (!acceleratedRoutines('tensorflow')?.fusedGru) {
    unavailable = 'tensorflow is active but no fused GRU routine is registered (is @polymodal/backend-tensorflow installed?)';
    return;
  }
  fused = countFusedGruCalls('tensorflow');
});
after(async () => {
  fused?.restore();
  await tf.setBackend('cpu');
});

function skipOrFail(t: { skip(message: string): void }): void {
  if (process.env['POLYMODAL_REQUIRE_REFERENCE'] === '1') throw new Error(`POLYMODAL_REQUIRE_REFERENCE=1: ${unavailable}`);
  t.skip(unavailable!);
}

/** Runs `work` with console.warn collected; returns the notes. */
function notesOf(work: () => void): string[] {
  const notes: string[] = [];
  const warn = console.warn;
  console.warn = (message: string) => void notes.push(message);
  try {
    work();
  } finally {
    console.warn = warn;
  }
  return notes;
}

describe('PolymodalGRU on tensorflow (fused GRUBlockCell for resetAfter: false)', () => {
  for (const [label, options] of [
    ['last output', {}],
    ['sequences', { returnSequences: true }],
    ['backwards sequences', { returnSequences: true, goBackwards: true }],
    ['backwards last output', { goBackwards: true }],
  ] as const) {
    for (const implementation of ['loops', 'ops'] as const) {
      it(`equals the ${implementation} implementation within 1e-5 (${label}: outputs, weight and input gradients)`, (t) => {
        if (unavailable) return skipOrFail(t);
        const before = fused!.count();
        const diff = compareWithTfjs({
          ours: new PolymodalGRU({ units: 5, resetAfter: false, ...options }),
          theirs: new PolymodalGRU({ units: 5, resetAfter: false, implementation, ...options }),
          batch: 3, steps: 9, features: 4,
        });
        assert.ok(fused!.count() > before, 'the fused kernel ran');
        assert.ok(diff.output < 1e-5, `output ${diff.output}`);
        assert.ok(diff.gradients < 1e-5, `weight gradients ${diff.gradients}`);
        assert.ok(diff.inputGradient < 1e-5, `input gradient ${diff.inputGradient}`);
      });
    }
  }

  it("'ops' and 'loops' are kept when asked for; recurrentDropout in training falls back to the loop with one note", (t) => {
    if (unavailable) return skipOrFail(t);
    const before = fused!.count();
    const x = tf.randomNormal([2, 4, 3]);
    for (const implementation of ['ops', 'loops'] as const) {
      const layer = new PolymodalGRU({ units: 2, resetAfter: false, implementation });
      tf.dispose(layer.apply(x) as tf.Tensor);
      layer.dispose();
    }
    assert.equal(fused!.count(), before);
    const notes = notesOf(() => {
      const layer = new PolymodalGRU({ units: 2, resetAfter: false, recurrentDropout: 0.3 });
      for (let i = 0; i < 3; i++) tf.dispose(layer.apply(x, { training: true }) as tf.Tensor);
      assert.equal(fused!.count(), before, 'no fused call in training with recurrent dropout');
      tf.dispose(layer.apply(x) as tf.Tensor);
      assert.equal(fused!.count(), before + 1, 'inference uses the fused kernel');
      layer.dispose();
    });
    assert.equal(notes.length, 1, notes.join('\n'));
    assert.match(notes[0]!, /^note: PolymodalGRU: recurrentDropout has no fused kernel on tensorflow .*per-step loop/);
    x.dispose();
  });

  it('resetAfter: true keeps its own loop (GRUBlockCell is the reset-before GRU) and says once that resetAfter: false runs fused', (t) => {
    if (unavailable) return skipOrFail(t);
    const before = fused!.count();
    const notes = notesOf(() => {
      const diff = compareWithTfjs({ ours: new PolymodalGRU({ units: 3 }), theirs: new PolymodalGRU({ units: 3, implementation: 'loops' }), batch: 2, steps: 5, features: 3 });
      assert.ok(diff.output < 1e-5 && diff.gradients < 1e-5 && diff.inputGradient < 1e-5, JSON.stringify(diff));
    });
    assert.equal(fused!.count(), before);
    assert.equal(notes.length, 1, notes.join('\n'));
    assert.match(notes[0]!, /GRUBlockCell is the reset-before GRU .*resetAfter: false .*runs fused/);
  });

  it('trains: loss falls on a toy task, no tensors leak per step', async (t) => {
    if (unavailable) return skipOrFail(t);
    const before = fused!.count();
    const xs = tf.randomNormal([64, 6, 3], 0, 1, 'float32', 5);
    const ys = tf.tidy(() => tf.cast(tf.greater(tf.sum(xs, [1, 2]), 0), 'float32').reshape([64, 1]));
    const model = tf.sequential({ layers: [new PolymodalGRU({ units: 8, resetAfter: false, inputShape: [6, 3] } as never), tf.layers.dense({ units: 1, activation: 'sigmoid' })] });
    model.compile({ optimizer: tf.train.adam(0.05), loss: 'binaryCrossentropy' });
    const first = await model.fit(xs, ys, { epochs: 1, batchSize: 16, verbose: 0 });
    const tensors = tf.memory().numTensors;
    const later = await model.fit(xs, ys, { epochs: 8, batchSize: 16, verbose: 0 });
    assert.equal(tf.memory().numTensors, tensors);
    assert.ok(fused!.count() > before, 'the fused kernel trained');
    assert.ok((later.history['loss']!.at(-1) as number) < (first.history['loss']![0] as number) * 0.8, JSON.stringify(later.history['loss']));
    model.dispose();
    tf.dispose([xs, ys]);
  });
});
