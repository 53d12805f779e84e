import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { accuracyScore, classificationReport, classificationReportData, type ReportRow } from './index.js';
import { assertClose, fixtures, type Json } from './test-fixtures/load.js';

function assertRow(actual: ReportRow, expected: Json, what: string): void {
  assertClose(actual.precision, expected.precision, `${what} precision`);
  assertClose(actual.recall, expected.recall, `${what} recall`);
  assertClose(actual.f1Score, expected['f1-score'], `${what} f1`);
  assert.equal(actual.support, expected.support, `${what} support`);
}

describe('classification report vs scikit-learn', () => {
  for (const c of fixtures.report_cases as Json[]) {
    const options = { labels: c.options.labels, targetNames: c.options.target_names, digits: c.options.digits };
    it(`${c.name}: text byte for byte`, () => {
      assert.equal(classificationReport(c.y_true, c.y_pred, options), c.text);
    });
    it(`${c.name}: structured form matches output_dict`, () => {
      const data = classificationReportData(c.y_true, c.y_pred, options);
      for (const row of data.classes) assertRow(row, c.dict[row.name], row.name);
      if (data.accuracy !== undefined) assertClose(data.accuracy, c.dict.accuracy, 'accuracy');
      else assert.equal(c.dict.accuracy, undefined);
      if (data.microAvg) assertRow(data.microAvg, c.dict['micro avg'], 'micro avg');
      else assert.equal(c.dict['micro avg'], undefined);
      assertRow(data.macroAvg, c.dict['macro avg'], 'macro avg');
      assertRow(data.weightedAvg, c.dict['weighted avg'], 'weighted avg');
    });
  }

  it('lists zero-division warnings in the structured form', () => {
    const data = classificationReportData([0, 1, 1, 0], [0, 0, 0, 0], { targetNames: ['neg', 'pos'] });
    assert.ok(data.warnings.some((w) => /Precision is ill-defined.*\[1\]/.test(w)), data.warnings.join('\n'));
  });

  it('labels that cover every present label (a superset) print "accuracy" (scikit-learn >= 1.3 rule)', () => {
    const yt = [0, 1, 1, 2];
    const yp = [0, 1, 2, 2];
    const data = classificationReportData(yt, yp, { labels: [0, 1, 2, 3] });
    assert.equal(data.microAvg, undefined);
    assert.equal(data.accuracy, accuracyScore(yt, yp));
    assert.match(classificationReport(yt, yp, { labels: [0, 1, 2, 3] }), /\n {4}accuracy {27}0\.75 {9}4\n/);
  });

  it('rejects targetNames that do not match labels', () => {
    assert.throws(() => classificationReport([0, 1], [0, 1], { targetNames: ['a'] }), /targetNames/);
  });
});
