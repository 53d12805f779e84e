import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import {
  accuracyScore,
  balancedAccuracyScore,
  confusionMatrix,
  f1Score,
  fbetaScore,
  precisionRecallFscoreSupport,
  precisionScore,
  recallScore,
  type Average,
} from './index.js';
import { assertAllClose, assertClose, assertWarned, fixtures, type Json } from './test-fixtures/load.js';

describe('label-based classification metrics vs scikit-learn', () => {
  for (const c of fixtures.label_cases as Json[]) {
    const labels: number[] | undefined = c.labels ?? undefined;
    it(c.name, () => {
      assertClose(accuracyScore(c.y_true, c.y_pred), c.accuracy, 'accuracy');

      const ba = balancedAccuracyScore(c.y_true, c.y_pred);
      assertClose(ba.value, c.balanced_accuracy.value, 'balanced accuracy');
      assertWarned(ba.warnings, c.balanced_accuracy.warned, 'balanced accuracy');
      assertClose(balancedAccuracyScore(c.y_true, c.y_pred, { adjusted: true }).value, c.balanced_accuracy_adjusted.value, 'adjusted');

      assert.deepEqual(confusionMatrix(c.y_true, c.y_pred, { labels: c.confusion_matrix.labels }), c.confusion_matrix.matrix);
      if (!labels) assert.deepEqual(confusionMatrix(c.y_true, c.y_pred), c.confusion_matrix.matrix);

      const prfs = precisionRecallFscoreSupport(c.y_true, c.y_pred, { labels });
      assert.deepEqual(prfs.value.labels, c.prfs.labels);
      assertAllClose(prfs.value.precision, c.prfs.precision, 'precision per class');
      assertAllClose(prfs.value.recall, c.prfs.recall, 'recall per class');
      assertAllClose(prfs.value.fScore, c.prfs.f1, 'f1 per class');
      assert.deepEqual(prfs.value.support, c.prfs.support);
      assertWarned(prfs.warnings, c.prfs.warned, 'prfs');
      const half = precisionRecallFscoreSupport(c.y_true, c.y_pred, { labels, beta: 0.5 });
      assertAllClose(half.value.fScore, c.prfs_beta_half.fscore, 'f0.5 per class');

      for (const [average, exp] of Object.entries(c.averaged as Record<string, Json>)) {
        const opts = { average: average as Average, labels };
        const p = precisionScore(c.y_true, c.y_pred, opts);
        const r = recallScore(c.y_true, c.y_pred, opts);
        const f = f1Score(c.y_true, c.y_pred, opts);
        assertClose(p.value, exp.precision.value, `precision ${average}`);
        assertClose(r.value, exp.recall.value, `recall ${average}`);
        assertClose(f.value, exp.f1.value, `f1 ${average}`);
        assertWarned(p.warnings, exp.precision.warned, `precision ${average}`);
        assertWarned(r.warnings, exp.recall.warned, `recall ${average}`);
        assertWarned(f.warnings, exp.f1.warned, `f1 ${average}`);
      }
    });
  }
});

describe('classification metric details', () => {
  it('names the labels that hit zero division', () => {
    const r = precisionRecallFscoreSupport([0, 1, 1, 0], [0, 0, 0, 0], { labels: [0, 1, 2] });
    assert.deepEqual(r.value.precision.slice(1), [0, 0]);
    assert.ok(r.warnings.some((w) => w.startsWith('Precision is ill-defined') && w.endsWith('[1, 2]')), r.warnings.join('\n'));
    assert.ok(r.warnings.some((w) => w.startsWith('Recall is ill-defined') && w.endsWith('[2]')), r.warnings.join('\n'));
    assert.ok(r.warnings.some((w) => w.startsWith('F-score is ill-defined') && w.endsWith('[2]')), r.warnings.join('\n'));
  });

  it('f1 equals fbeta with beta 1', () => {
    const yt = [0, 1, 2, 2, 1];
    const yp = [0, 2, 2, 1, 1];
    assert.equal(f1Score(yt, yp, { average: 'macro' }).value, fbetaScore(yt, yp, 1, { average: 'macro' }).value);
  });

  it('rejects average=binary on multiclass targets and an absent posLabel', () => {
    assert.throws(() => f1Score([0, 1, 2], [0, 1, 2]), /multiclass/);
    assert.throws(() => f1Score([0, 2, 2], [0, 2, 0]), /posLabel=1/);
    assert.throws(() => accuracyScore([0, 1], [0]), /inconsistent lengths/);
  });

  it('accepts typed arrays', () => {
    assert.equal(accuracyScore(new Float32Array([0, 1, 1]), Int32Array.from([0, 1, 0])), 2 / 3);
  });
});
