/**
 * Decision-threshold selection for binary classifiers.
 */
import { binaryClfCurve } from './ranking.js';
import type { Numeric, Scored } from './types.js';

export interface BestThreshold {
  /** Predict positive when `score >= threshold`. One of the distinct score values. */
  threshold: number;
  /** F1 of the positive class at that threshold. */
  f1: number;
  precision: number;
  recall: number;
}

/**
 * The threshold maximizing the positive-class F1, searched over every distinct score (the
 * thresholds of `precision_recall_curve`), predicting positive when `score >= threshold`.
 * F1 is computed from counts, 2 tp / (2 tp + fp + fn), so exact ties are detected exactly;
 * among tied thresholds the lowest is returned (`np.argmax` over scikit-learn's increasing
 * thresholds). With no positive sample in yTrue every F1 is 0: the result is the highest
 * threshold and a warning.
 */
export function bestF1Threshold(yTrue: Numeric, scores: Numeric, options: { posLabel?: number } = {}): Scored<BestThreshold> {
  const { fps, tps, thresholds } = binaryClfCurve(yTrue, scores, options.posLabel ?? 1);
  const positives = tps[tps.length - 1];
  const warnings: string[] = [];
  if (positives === 0) {
    warnings.push('bestF1Threshold: no positive samples in yTrue, F1 is 0 at every threshold');
    return { value: { threshold: thresholds[0], f1: 0, precision: 0, recall: 0 }, warnings };
  }
  // thresholds are descending here; scan from the lowest so the first maximum is the lowest threshold
  let best = -1;
  let bestF1 = -1;
  for (let i = thresholds.length - 1; i >= 0; i--) {
    const f1 = (2 * tps[i]) / (2 * tps[i] + fps[i] + (positives - tps[i]));
    if (f1 > bestF1) {
      bestF1 = f1;
      best = i;
    }
  }
  const tp = tps[best];
  return {
    value: {
      threshold: thresholds[best],
      f1: bestF1,
      precision: tp / (tp + fps[best]),
      recall: tp / positives,
    },
    warnings,
  };
}
