// PolymodalGRU({ resetAfter: false }) on the tensorflow backend runs its time loop as GRUBlockCell / GRUBlockCellGrad
// (from @polymodal/backend-tensorflow, through core's accelerated routines): checked equal to the typed-array loops
// and the per-step ops within 1e-5. The reset_after=True GRU keeps its own loop there and says so once.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { PolymodalGRU } from './gru.js';
import { compareWithTfjs } from './test-fixtures/compare.js';
import { assertDropoutFallback, assertMatchesFused, assertTrains, FUSED_LAYOUTS, notesOf, useFusedTensorflow } from './test-fixtures/fused-kernel-checks.js';

const tensorflow = useFusedTensorflow('gru');

describe('PolymodalGRU on tensorflow (fused GRUBlockCell for resetAfter: false)', () => {
  for (const [label, options] of FUSED_LAYOUTS) {
    for (const implementation of ['loops', 'ops'] as const) {
      it(`equals the ${implementation} implementation within 1e-5 (${label}: outputs, weight and input gradients)`, (t) => {
        if (tensorflow.unavailable) return tensorflow.skipOrFail(t);
        assertMatchesFused(tensorflow.calls, {
          ours: new PolymodalGRU({ units: 5, resetAfter: false, ...options }),
          theirs: new PolymodalGRU({ units: 5, resetAfter: false, implementation, ...options }),
          batch: 3, steps: 9, features: 4,
        });
      });
    }
  }

  it("'ops' and 'loops' are kept when asked for; recurrentDropout in training falls back to the loop with one note", (t) => {
    if (tensorflow.unavailable) return tensorflow.skipOrFail(t);
    assertDropoutFallback(tensorflow.calls, (args) => new PolymodalGRU({ ...args, resetAfter: false }),
      /^note: PolymodalGRU: recurrentDropout has no fused kernel on tensorflow .*per-step loop/);
  });

  it('resetAfter: true keeps its own loop (GRUBlockCell is the reset-before GRU) and says once that resetAfter: false runs fused', (t) => {
    if (tensorflow.unavailable) return tensorflow.skipOrFail(t);
    const before = tensorflow.calls.count();
    const notes = notesOf(() => {
      const diff = compareWithTfjs({ ours: new PolymodalGRU({ units: 3 }), theirs: new PolymodalGRU({ units: 3, implementation: 'loops' }), batch: 2, steps: 5, features: 3 });
      assert.ok(diff.output < 1e-5 && diff.gradients < 1e-5 && diff.inputGradient < 1e-5, JSON.stringify(diff));
    });
    assert.equal(tensorflow.calls.count(), before);
    assert.equal(notes.length, 1, notes.join('\n'));
    assert.match(notes[0]!, /GRUBlockCell is the reset-before GRU .*resetAfter: false .*runs fused/);
  });

  it('trains: loss falls on a toy task, no tensors leak per step', async (t) => {
    if (tensorflow.unavailable) return tensorflow.skipOrFail(t);
    await assertTrains(new PolymodalGRU({ units: 8, resetAfter: false, inputShape: [6, 3] } as never), tensorflow.calls);
  });
});
