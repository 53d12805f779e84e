/**
 * Reliability (calibration) bins, as in `sklearn.calibration.calibration_curve(strategy='uniform')`.
 */
import type { Numeric } from './types.js';
import { checkBinaryLabels, checkNonEmpty, checkPositiveInt, checkProbabilities, checkSameLength } from './validate.js';

export interface CalibrationBin {
  /** index of the bin among the nBins uniform bins */
  bin: number;
  /** bin edges: values in (lower, upper] fall here (the first bin also takes 0) */
  lower: number;
  upper: number;
  /** number of samples in the bin */
  count: number;
  /** mean predicted probability (scikit-learn's `prob_pred`) */
  meanPredicted: number;
  /** fraction of positives (scikit-learn's `prob_true`) */
  fractionPositive: number;
}

export interface CalibrationCurve {
  /** Non-empty bins only, in increasing order, like scikit-learn. */
  bins: CalibrationBin[];
  /** `prob_true` of `calibration_curve` */
  probTrue: number[];
  /** `prob_pred` of `calibration_curve` */
  probPred: number[];
}

/**
 * Uniform-width calibration bins over [0, 1]. Edges are `np.linspace(0, 1, nBins + 1)` and a
 * probability exactly on an inner edge goes to the lower bin (`np.searchsorted(edges[1:-1], p)`),
 * matching scikit-learn >= 1.1. Empty bins are omitted.
 */
export function calibrationCurve(yTrue: Numeric, yProb: Numeric, options: { nBins?: number } = {}): CalibrationCurve {
  const nBins = options.nBins ?? 5;
  checkSameLength('calibrationCurve', yTrue, yProb);
  checkNonEmpty('calibrationCurve', yTrue);
  checkPositiveInt('calibrationCurve', 'nBins', nBins);
  checkBinaryLabels('calibrationCurve', 'yTrue', yTrue);
  checkProbabilities('calibrationCurve', 'yProb', yProb);
  // np.linspace(0, 1, nBins + 1): i * step, last edge exactly 1
  const step = 1 / nBins;
  const edges = Array.from({ length: nBins + 1 }, (_, i) => (i === nBins ? 1 : i * step));
  const sums = new Array<number>(nBins).fill(0);
  const trues = new Array<number>(nBins).fill(0);
  const counts = new Array<number>(nBins).fill(0);
  for (let i = 0; i < yProb.length; i++) {
    const p = yProb[i];
    let b = 0;
    while (b < nBins - 1 && edges[b + 1] < p) b++;
    sums[b] += p;
    trues[b] += yTrue[i];
    counts[b]++;
  }
  const bins: CalibrationBin[] = [];
  for (let b = 0; b < nBins; b++) {
    if (counts[b] === 0) continue;
    bins.push({
      bin: b,
      lower: edges[b],
      upper: edges[b + 1],
      count: counts[b],
      meanPredicted: sums[b] / counts[b],
      fractionPositive: trues[b] / counts[b],
    });
  }
  return { bins, probTrue: bins.map((b) => b.fractionPositive), probPred: bins.map((b) => b.meanPredicted) };
}
