// PolymodalLSTM on the tensorflow backend runs its time loop as BlockLSTMV2 (from @polymodal/backend-tensorflow,
// through core's accelerated routines): checked equal to the typed-array loops and the per-step ops within 1e-5.
import { describe, it } from 'node:test';
import { PolymodalLSTM } from './lstm.js';
import { assertDropoutFallback, assertMatchesFused, assertTrains, FUSED_LAYOUTS, useFusedTensorflow } from './test-fixtures/fused-kernel-checks.js';

const tensorflow = useFusedTensorflow('lstm');

describe('PolymodalLSTM on tensorflow (fused BlockLSTMV2)', () => {
  for (const [label, options] of FUSED_LAYOUTS) {
    it(`equals the loop implementation within 1e-5 (${label}: outputs, weight and input gradients)`, (t) => {
      if (tensorflow.unavailable) return tensorflow.skipOrFail(t);
      assertMatchesFused(tensorflow.calls, {
        ours: new PolymodalLSTM({ units: 5, ...options }),
        theirs: new PolymodalLSTM({ units: 5, implementation: 'loops', ...options }),
        batch: 3, steps: 9, features: 4,
      });
    });
  }

  it("'ops' and 'loops' are kept when asked for; recurrentDropout in training falls back to the loop with one note", (t) => {
    if (tensorflow.unavailable) return tensorflow.skipOrFail(t);
    assertDropoutFallback(tensorflow.calls, (args) => new PolymodalLSTM(args),
      /^note: PolymodalLSTM: recurrentDropout has no fused kernel on tensorflow .*per-step loop/);
  });

  it('trains: loss falls on a toy task, no tensors leak per step', async (t) => {
    if (tensorflow.unavailable) return tensorflow.skipOrFail(t);
    await assertTrains(new PolymodalLSTM({ units: 8, inputShape: [6, 3] } as never));
  });
});
