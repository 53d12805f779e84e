import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { brierScoreLoss, calibrationCurve, logLoss } from './index.js';
import { assertAllClose, assertClose, fixtures, type Json } from './test-fixtures/load.js';

describe('log loss, Brier score and calibration vs scikit-learn', () => {
  for (const c of fixtures.score_cases as Json[]) {
    it(c.name, () => {
      const ll = logLoss(c.y_true, c.y_score);
      assertClose(ll.value, c.log_loss, 'log loss');
      assert.deepEqual(ll.warnings, []);
      assertClose(brierScoreLoss(c.y_true, c.y_score), c.brier, 'brier');
      for (const [nBins, exp] of Object.entries(c.calibration as Record<string, Json>)) {
        const cal = calibrationCurve(c.y_true, c.y_score, { nBins: Number(nBins) });
        assertAllClose(cal.probTrue, exp.prob_true, `prob_true n_bins=${nBins}`);
        assertAllClose(cal.probPred, exp.prob_pred, `prob_pred n_bins=${nBins}`);
        assert.equal(cal.bins.reduce((s, b) => s + b.count, 0), c.y_true.length, 'counts cover every sample');
        for (const b of cal.bins) assert.ok(b.count > 0 && b.lower < b.upper);
      }
    });
  }

  for (const c of fixtures.multiclass_score_cases as Json[]) {
    it(`multiclass log loss: ${c.name}`, () => {
      const ll = logLoss(c.y_true, (c.y_score as number[][]).flat());
      assertClose(ll.value, c.log_loss, 'log loss');
      assert.deepEqual(ll.warnings, []);
    });
  }

  it('clips with float64 machine epsilon', () => {
    assertClose(logLoss([1, 0], [0, 1]).value, -Math.log(Number.EPSILON), 'fully wrong');
    assert.equal(logLoss([1, 0], [1, 0]).value, -Math.log(1 - Number.EPSILON));
  });

  it('warns when probability rows do not sum to one', () => {
    const r = logLoss([0, 1], [0.5, 0.4, 0.2, 0.8]);
    assert.match(r.warnings[0], /do not sum to one/);
  });

  it('calibration bins: counts, edges, and edge values going to the lower bin', () => {
    const cal = calibrationCurve([0, 1, 1, 0, 1], [0.1, 0.2, 0.25, 0.9, 1], { nBins: 5 });
    assert.deepEqual(
      cal.bins.map((b) => [b.bin, b.count]),
      [[0, 2], [1, 1], [4, 2]],
    );
    assert.throws(() => calibrationCurve([0, 1], [0.5, 1.5]), /probability/);
  });
});

it('float32 probabilities use float32 eps, as scikit-learn does for a float32 array', () => {
  // float32 thirds sum to 0.99999994: within float32 tolerance, outside float64's.
  const thirds = [1 / 3, 1 / 3, 1 / 3, 0.25, 0.25, 0.5];
  assert.deepEqual(logLoss([2, 2], new Float32Array(thirds)).warnings, []);
  assert.equal(logLoss([2, 2], Array.from(new Float32Array(thirds))).warnings.length, 1);
});
