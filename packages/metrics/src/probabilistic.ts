/**
 * Metrics over predicted probabilities: log loss and Brier score.
 */
import { mean } from './numeric.js';
import type { Numeric, Scored } from './types.js';
import {
  checkBinaryLabels,
  checkClassIndices,
  checkFinite,
  checkNonEmpty,
  checkProbabilities,
  checkSameLength,
} from './validate.js';

/** float64 machine epsilon, `np.finfo(np.float64).eps`. */
export const FLOAT64_EPS = Number.EPSILON;
/** float32 machine epsilon, `np.finfo(np.float32).eps`. */
export const FLOAT32_EPS = 2 ** -23;

/**
 * Cross-entropy (`log_loss`), following current scikit-learn (>= 1.5): probabilities are clipped
 * to `[eps, 1 - eps]` with `eps = np.finfo(dtype).eps` (≈ 2.22e-16 for float64, 1.19e-7 for a
 * Float32Array) and are NOT renormalized;
 * rows that do not sum to one (np.allclose, rtol = sqrt(eps)) produce a warning.
 *
 * - Binary: `yProb` has one value per sample, P(class 1); `yTrue` is 0/1.
 * - Multiclass: `yProb` is a flat row-major n*k matrix; `yTrue` holds class indices in [0, k).
 *   The label set is always 0..k-1 (as if `labels=range(k)` were passed), so a batch in which
 *   some class is absent is still scored.
 */
export function logLoss(yTrue: Numeric, yProb: Numeric): Scored {
  const n = yTrue.length;
  checkNonEmpty('logLoss', yTrue);
  checkFinite('logLoss', 'yProb', yProb);
  if (yProb.length % n !== 0) {
    throw new Error(`logLoss: yProb length ${yProb.length} is not a multiple of the ${n} samples`);
  }
  const k = yProb.length / n;
  // scikit-learn takes eps from the probabilities' dtype: model outputs are float32.
  const eps = yProb instanceof Float32Array ? FLOAT32_EPS : FLOAT64_EPS;
  const clip = (p: number) => Math.min(Math.max(p, eps), 1 - eps);
  const losses = new Float64Array(n);
  const warnings: string[] = [];
  const tol = 1e-8 + Math.sqrt(eps);
  if (k === 1) {
    checkBinaryLabels('logLoss', 'yTrue', yTrue);
    for (let i = 0; i < n; i++) {
      const p = yProb[i];
      losses[i] = -Math.log(clip(yTrue[i] === 1 ? p : 1 - p));
    }
    // rows are [1 - p, p], which always sum to one: no normalization warning for this form
  } else {
    checkClassIndices('logLoss', 'yTrue', yTrue, k);
    let unnormalized = false;
    for (let i = 0; i < n; i++) {
      let rowSum = 0;
      for (let j = 0; j < k; j++) rowSum += yProb[i * k + j];
      if (Math.abs(rowSum - 1) > tol) unnormalized = true;
      losses[i] = -Math.log(clip(yProb[i * k + yTrue[i]]));
    }
    if (unnormalized) warnings.push('log loss: the yProb values do not sum to one. Make sure to pass probabilities.');
  }
  return { value: mean(losses), warnings };
}

/** Brier score for binary outcomes (`brier_score_loss`): mean((y - p)^2), `yProb` = P(class 1). */
export function brierScoreLoss(yTrue: Numeric, yProb: Numeric): number {
  checkSameLength('brierScoreLoss', yTrue, yProb);
  checkNonEmpty('brierScoreLoss', yTrue);
  checkBinaryLabels('brierScoreLoss', 'yTrue', yTrue);
  checkProbabilities('brierScoreLoss', 'yProb', yProb);
  const sq = new Float64Array(yTrue.length);
  for (let i = 0; i < yTrue.length; i++) sq[i] = (yTrue[i] - yProb[i]) ** 2;
  return mean(sq);
}
