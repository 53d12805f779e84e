import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { bestF1Threshold, f1Score } from './index.js';
import { assertClose, fixtures, type Json } from './test-fixtures/load.js';

describe('bestF1Threshold vs scikit-learn', () => {
  for (const c of (fixtures.score_cases as Json[]).filter((x) => x.best_f1)) {
    it(c.name, () => {
      const best = bestF1Threshold(c.y_true, c.y_score);
      assert.equal(best.value.threshold, c.best_f1.threshold);
      assertClose(best.value.f1, c.best_f1.f1, 'f1');
      assertClose(best.value.f1, c.best_f1.f1_sklearn, 'f1 (sklearn f1_score at that threshold)');
      assertClose(best.value.precision, c.best_f1.precision, 'precision');
      assertClose(best.value.recall, c.best_f1.recall, 'recall');
      assert.deepEqual(best.warnings, []);
      const pred = (c.y_score as number[]).map((s) => (s >= best.value.threshold ? 1 : 0));
      assertClose(f1Score(c.y_true, pred).value, best.value.f1, 'f1 at the returned threshold');
    });
  }

  it('no positives: F1 0 and a warning', () => {
    const best = bestF1Threshold([0, 0, 0], [0.1, 0.4, 0.3]);
    assert.equal(best.value.f1, 0);
    assert.equal(best.value.threshold, 0.4);
    assert.match(best.warnings[0], /no positive/);
  });
});
