import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import {
  meanAbsoluteError,
  meanAbsolutePercentageError,
  meanSquaredError,
  r2Score,
  rootMeanSquaredError,
} from './index.js';
import { assertClose, assertWarned, fixtures, type Json } from './test-fixtures/load.js';

describe('regression metrics vs scikit-learn', () => {
  for (const c of fixtures.regression_cases as Json[]) {
    it(c.name, () => {
      assertClose(meanAbsoluteError(c.y_true, c.y_pred), c.mae, 'mae');
      assertClose(meanSquaredError(c.y_true, c.y_pred), c.mse, 'mse');
      assertClose(rootMeanSquaredError(c.y_true, c.y_pred), c.rmse, 'rmse');
      assertClose(meanAbsolutePercentageError(c.y_true, c.y_pred), c.mape, 'mape');
      const r2 = r2Score(c.y_true, c.y_pred);
      assertClose(r2.value, c.r2.value, 'r2');
      assertWarned(r2.warnings, c.r2.warned, 'r2');
    });
  }

  it('rejects mismatched or empty input', () => {
    assert.throws(() => meanAbsoluteError([1, 2], [1]), /inconsistent lengths/);
    assert.throws(() => meanSquaredError([], []), /empty/);
    assert.throws(() => r2Score([1, NaN], [1, 2]), /not finite/);
  });
});
