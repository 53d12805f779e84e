/**
 * Multilabel metrics over flat row-major n*k 0/1 indicator matrices.
 */
import { averagePrf, prfFromCounts, type LabelCounts, type PrfAverage, type PrfPerLabel } from './classification.js';
import type { Numeric, Scored } from './types.js';
import { checkBinaryLabels, checkFlatMatrix, checkNonEmpty, checkSameLength } from './validate.js';

function check(fn: string, yTrue: Numeric, yPred: Numeric, k: number): number {
  checkSameLength(fn, yTrue, yPred);
  checkNonEmpty(fn, yTrue);
  const n = checkFlatMatrix(fn, 'yTrue', yTrue, k);
  checkBinaryLabels(fn, 'yTrue', yTrue);
  checkBinaryLabels(fn, 'yPred', yPred);
  return n;
}

/** Fraction of samples whose whole label set is predicted exactly (`accuracy_score` on indicators). */
export function subsetAccuracy(yTrue: Numeric, yPred: Numeric, numLabels: number): number {
  const n = check('subsetAccuracy', yTrue, yPred, numLabels);
  let hits = 0;
  for (let i = 0; i < n; i++) {
    let ok = true;
    for (let j = 0; j < numLabels && ok; j++) ok = yTrue[i * numLabels + j] === yPred[i * numLabels + j];
    if (ok) hits++;
  }
  return hits / n;
}

/** Fraction of wrong label assignments (`hamming_loss`). */
export function hammingLoss(yTrue: Numeric, yPred: Numeric, numLabels: number): number {
  check('hammingLoss', yTrue, yPred, numLabels);
  let wrong = 0;
  for (let i = 0; i < yTrue.length; i++) if (yTrue[i] !== yPred[i]) wrong++;
  return wrong / yTrue.length;
}

/** Per-label counts (scikit-learn's `multilabel_confusion_matrix`); labels are the column indices. */
export function multilabelCounts(yTrue: Numeric, yPred: Numeric, numLabels: number): LabelCounts {
  check('multilabelCounts', yTrue, yPred, numLabels);
  const labels = Array.from({ length: numLabels }, (_, j) => j);
  const tp = labels.map(() => 0);
  const predSum = labels.map(() => 0);
  const trueSum = labels.map(() => 0);
  for (let i = 0; i < yTrue.length; i++) {
    const j = i % numLabels;
    if (yTrue[i] === 1) trueSum[j]++;
    if (yPred[i] === 1) predSum[j]++;
    if (yTrue[i] === 1 && yPred[i] === 1) tp[j]++;
  }
  return { labels, tp, predSum, trueSum };
}

/** Per-label precision, recall, F-beta and support (`precision_recall_fscore_support(average=None)`). */
export function multilabelPrecisionRecallFscoreSupport(
  yTrue: Numeric,
  yPred: Numeric,
  numLabels: number,
  options: { beta?: number } = {},
): Scored<PrfPerLabel> {
  return prfFromCounts(multilabelCounts(yTrue, yPred, numLabels), options.beta ?? 1);
}

/** Averaged multilabel precision, recall and F-beta ('micro' pools all label decisions). */
export function multilabelPrfAverage(
  yTrue: Numeric,
  yPred: Numeric,
  numLabels: number,
  average: 'micro' | 'macro' | 'weighted',
  options: { beta?: number } = {},
): Scored<PrfAverage> {
  return averagePrf(multilabelCounts(yTrue, yPred, numLabels), average, options.beta ?? 1);
}

/** Per-label F1 (`f1_score(average=None)` on indicators). */
export function multilabelF1PerLabel(yTrue: Numeric, yPred: Numeric, numLabels: number): Scored<number[]> {
  const r = prfFromCounts(multilabelCounts(yTrue, yPred, numLabels), 1, ['f-score']);
  return { value: r.value.fScore, warnings: r.warnings };
}

/** Averaged multilabel F1 (`f1_score(average=...)` on indicators). */
export function multilabelF1(
  yTrue: Numeric,
  yPred: Numeric,
  numLabels: number,
  average: 'micro' | 'macro' | 'weighted',
): Scored {
  const r = averagePrf(multilabelCounts(yTrue, yPred, numLabels), average, 1, ['f-score']);
  return { value: r.value.fScore, warnings: r.warnings };
}
