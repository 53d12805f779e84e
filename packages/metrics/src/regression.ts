/**
 * Regression metrics (`sklearn.metrics._regression`), single output.
 */
import { mean, pairwiseSum } from './numeric.js';
import type { Numeric, Scored } from './types.js';
import { checkFinite, checkNonEmpty, checkSameLength } from './validate.js';

function check(fn: string, yTrue: Numeric, yPred: Numeric): void {
  checkSameLength(fn, yTrue, yPred);
  checkNonEmpty(fn, yTrue);
  checkFinite(fn, 'yTrue', yTrue);
  checkFinite(fn, 'yPred', yPred);
}

function mapPairs(yTrue: Numeric, yPred: Numeric, f: (t: number, p: number) => number): Float64Array {
  const out = new Float64Array(yTrue.length);
  for (let i = 0; i < yTrue.length; i++) out[i] = f(yTrue[i], yPred[i]);
  return out;
}

/** `mean_absolute_error`. */
export function meanAbsoluteError(yTrue: Numeric, yPred: Numeric): number {
  check('meanAbsoluteError', yTrue, yPred);
  return mean(mapPairs(yTrue, yPred, (t, p) => Math.abs(p - t)));
}

/** `mean_squared_error`. */
export function meanSquaredError(yTrue: Numeric, yPred: Numeric): number {
  check('meanSquaredError', yTrue, yPred);
  return mean(mapPairs(yTrue, yPred, (t, p) => (t - p) ** 2));
}

/** `root_mean_squared_error` (= sqrt of MSE). */
export function rootMeanSquaredError(yTrue: Numeric, yPred: Numeric): number {
  return Math.sqrt(meanSquaredError(yTrue, yPred));
}

/**
 * `mean_absolute_percentage_error`: mean(|yPred - yTrue| / max(|yTrue|, eps)) with eps the float64
 * machine epsilon, so a zero target gives a huge (not infinite) error. Returned as a fraction, not %.
 */
export function meanAbsolutePercentageError(yTrue: Numeric, yPred: Numeric): number {
  check('meanAbsolutePercentageError', yTrue, yPred);
  return mean(mapPairs(yTrue, yPred, (t, p) => Math.abs(p - t) / Math.max(Math.abs(t), Number.EPSILON)));
}

/**
 * Coefficient of determination (`r2_score`, `force_finite=True` default): 1 - SS_res / SS_tot.
 * Constant yTrue (SS_tot = 0) gives 1.0 for a perfect prediction and 0.0 otherwise. Fewer than
 * two samples: NaN with a warning, as in scikit-learn.
 */
export function r2Score(yTrue: Numeric, yPred: Numeric): Scored {
  check('r2Score', yTrue, yPred);
  if (yTrue.length < 2) {
    return { value: NaN, warnings: ['R^2 score is not well-defined with less than two samples'] };
  }
  const numerator = pairwiseSum(mapPairs(yTrue, yPred, (t, p) => (t - p) ** 2));
  const yMean = mean(yTrue);
  const denominator = pairwiseSum(mapPairs(yTrue, yTrue, (t) => (t - yMean) ** 2));
  if (denominator === 0) return { value: numerator === 0 ? 1 : 0, warnings: [] };
  if (numerator === 0) return { value: 1, warnings: [] };
  return { value: 1 - numerator / denominator, warnings: [] };
}
