import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import {
  hammingLoss,
  multilabelF1,
  multilabelF1PerLabel,
  multilabelPrecisionRecallFscoreSupport,
  multilabelPrfAverage,
  subsetAccuracy,
} from './index.js';
import { assertAllClose, assertClose, assertWarned, fixtures, type Json } from './test-fixtures/load.js';

describe('multilabel metrics vs scikit-learn', () => {
  for (const c of fixtures.multilabel_cases as Json[]) {
    it(c.name, () => {
      assertClose(subsetAccuracy(c.y_true, c.y_pred, c.k), c.subset_accuracy, 'subset accuracy');
      assertClose(hammingLoss(c.y_true, c.y_pred, c.k), c.hamming_loss, 'hamming loss');
      const prfs = multilabelPrecisionRecallFscoreSupport(c.y_true, c.y_pred, c.k);
      assertAllClose(prfs.value.precision, c.prfs.precision, 'precision per label');
      assertAllClose(prfs.value.recall, c.prfs.recall, 'recall per label');
      assertAllClose(prfs.value.fScore, c.prfs.f1, 'f1 per label');
      assert.deepEqual(prfs.value.support, c.prfs.support);
      assertWarned(prfs.warnings, c.prfs.warned, 'prfs');
      assertAllClose(multilabelF1PerLabel(c.y_true, c.y_pred, c.k).value, c.prfs.f1, 'f1 per label');
      for (const average of ['macro', 'micro', 'weighted'] as const) {
        const f1 = multilabelF1(c.y_true, c.y_pred, c.k, average);
        assertClose(f1.value, c[`f1_${average}`].value, `f1 ${average}`);
        assertWarned(f1.warnings, c[`f1_${average}`].warned, `f1 ${average}`);
        const avg = multilabelPrfAverage(c.y_true, c.y_pred, c.k, average);
        assertClose(avg.value.precision, c[`precision_${average}`].value, `precision ${average}`);
        assertClose(avg.value.recall, c[`recall_${average}`].value, `recall ${average}`);
      }
    });
  }

  it('validates shape and values', () => {
    assert.throws(() => hammingLoss([0, 1, 1], [0, 1, 1], 2), /multiple of numClasses/);
    assert.throws(() => subsetAccuracy([0, 2], [0, 1], 2), /0 or 1/);
  });
});
