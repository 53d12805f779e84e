import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import {
  auc,
  averagePrecisionMultilabel,
  averagePrecisionOneVsRest,
  averagePrecisionScore,
  precisionRecallCurve,
  rocAucMultilabel,
  rocAucOneVsRest,
  rocAucScore,
  rocCurve,
  type ScoreAverage,
} from './index.js';
import { assertAllClose, assertClose, assertWarned, fixtures, type Json } from './test-fixtures/load.js';

describe('binary ranking metrics vs scikit-learn', () => {
  for (const c of fixtures.score_cases as Json[]) {
    it(c.name, () => {
      for (const [key, drop] of [['roc_curve', true], ['roc_curve_all', false]] as const) {
        const roc = rocCurve(c.y_true, c.y_score, { dropIntermediate: drop });
        assertAllClose(roc.value.fpr, c[key].fpr, `${key} fpr`);
        assertAllClose(roc.value.tpr, c[key].tpr, `${key} tpr`);
        assertAllClose(roc.value.thresholds, c[key].thresholds, `${key} thresholds`);
        assertWarned(roc.warnings, c[key].warned, key);
      }
      const pr = precisionRecallCurve(c.y_true, c.y_score);
      assertAllClose(pr.value.precision, c.pr_curve.precision, 'pr precision');
      assertAllClose(pr.value.recall, c.pr_curve.recall, 'pr recall');
      assertAllClose(pr.value.thresholds, c.pr_curve.thresholds, 'pr thresholds');
      assertWarned(pr.warnings, c.pr_curve.warned, 'pr curve');

      const rocAuc = rocAucScore(c.y_true, c.y_score);
      assertClose(rocAuc.value, c.roc_auc.value, 'roc auc');
      assertWarned(rocAuc.warnings, c.roc_auc.warned, 'roc auc');

      const ap = averagePrecisionScore(c.y_true, c.y_score);
      assertClose(ap.value, c.average_precision.value, 'average precision');
      assertWarned(ap.warnings, c.average_precision.warned, 'average precision');
    });
  }

  it('single-class yTrue: ROC-AUC is NaN with a warning (scikit-learn raises)', () => {
    const r = rocAucScore([1, 1, 1], [0.2, 0.5, 0.9]);
    assert.ok(Number.isNaN(r.value));
    assert.match(r.warnings[0], /only one class/);
  });

  it('average precision is the step-wise sum, not the trapezoid', () => {
    const c = (fixtures.score_cases as Json[]).find((x) => x.name === 'ties');
    const { precision, recall } = precisionRecallCurve(c.y_true, c.y_score).value;
    const trapezoid = auc(recall, precision);
    const ap = averagePrecisionScore(c.y_true, c.y_score).value;
    assert.notEqual(ap, trapezoid);
    assertClose(ap, c.average_precision.value, 'ap');
  });

  it('auc rejects non-monotonic x', () => {
    assert.throws(() => auc([0, 1, 0.5], [0, 1, 1]), /neither increasing nor decreasing/);
    assert.equal(auc([1, 0], [1, 1]), 1);
  });

  it('rejects non-binary yTrue', () => {
    assert.throws(() => rocCurve([0, 1, 2], [0.1, 0.2, 0.3]), /binary/);
  });
});

describe('multiclass one-vs-rest ranking metrics vs scikit-learn', () => {
  for (const c of fixtures.multiclass_score_cases as Json[]) {
    it(c.name, () => {
      const flat = (c.y_score as number[][]).flat();
      for (const average of ['macro', 'weighted', 'micro'] as ScoreAverage[]) {
        if (`roc_auc_${average}` in c) {
          const r = rocAucOneVsRest(c.y_true, flat, c.k, { average });
          assertClose(r.value, c[`roc_auc_${average}`], `roc auc ${average}`);
          assert.deepEqual(r.warnings, [], 'no warnings when every class is present');
        }
        const ap = averagePrecisionOneVsRest(c.y_true, flat, c.k, { average });
        assertClose(ap.value, c[`average_precision_${average}`].value, `ap ${average}`);
        assertWarned(ap.warnings, c[`average_precision_${average}`].warned, `ap ${average}`);
      }
      const macro = rocAucOneVsRest(c.y_true, flat, c.k);
      assertClose(macro.value, c.roc_auc_macro_skip_undefined, 'roc auc macro (undefined classes skipped)');
      const undefinedClasses = (c.per_class_roc_auc as number[]).some(Number.isNaN);
      assert.equal(macro.warnings.length > 0, undefinedClasses);
    });
  }

  it('rejects a score matrix of the wrong shape', () => {
    assert.throws(() => rocAucOneVsRest([0, 1], [0.5, 0.5, 0.5], 2), /multiple of numClasses|rows/);
  });
});

describe('multilabel ranking metrics vs scikit-learn', () => {
  for (const c of fixtures.multilabel_cases as Json[]) {
    it(c.name, () => {
      for (const average of ['macro', 'weighted', 'micro'] as ScoreAverage[]) {
        const ap = averagePrecisionMultilabel(c.y_true, c.y_score, c.k, { average });
        assertClose(ap.value, c[`average_precision_${average}`].value, `ap ${average}`);
        assertWarned(ap.warnings, c[`average_precision_${average}`].warned, `ap ${average}`);
      }
      assertClose(rocAucMultilabel(c.y_true, c.y_score, c.k).value, c.roc_auc_macro_skip_undefined, 'roc auc macro');
      assertClose(rocAucMultilabel(c.y_true, c.y_score, c.k, { average: 'micro' }).value, c.roc_auc_micro, 'roc auc micro');
    });
  }
});
