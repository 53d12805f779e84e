/**
 * Score-based (ranking) metrics: ROC and precision-recall curves, ROC-AUC and average precision
 * (`sklearn.metrics._ranking`).
 *
 * Ties: like scikit-learn, thresholds are the distinct score values; all samples sharing a score
 * enter the curve together (one point per distinct score), so tied scores yield a diagonal ROC
 * segment and a single PR point.
 */
import { pairwiseSum, trapezoid, uniqueSorted } from './numeric.js';
import type { Numeric, Scored } from './types.js';
import { checkClassIndices, checkFinite, checkFlatMatrix, checkNonEmpty, checkSameLength, fmtLabels } from './validate.js';

export interface BinaryClfCurve {
  /** false positives at each distinct threshold (descending thresholds) */
  fps: number[];
  /** true positives at each distinct threshold */
  tps: number[];
  /** distinct score values, descending */
  thresholds: number[];
}

function checkBinaryTarget(fn: string, yTrue: Numeric, yScore: Numeric, posLabel: number): void {
  checkSameLength(fn, yTrue, yScore);
  checkNonEmpty(fn, yTrue);
  checkFinite(fn, 'yTrue', yTrue);
  checkFinite(fn, 'yScore', yScore);
  const present = uniqueSorted(yTrue);
  if (present.length > 2) throw new Error(`${fn}: yTrue must be binary, found labels ${fmtLabels(present)}`);
  if (present.length === 2 && !present.includes(posLabel)) {
    throw new Error(`${fn}: posLabel=${posLabel} is not one of the labels ${fmtLabels(present)}`);
  }
}

/** True/false positive counts per distinct score threshold (scikit-learn's `_binary_clf_curve`). */
export function binaryClfCurve(yTrue: Numeric, yScore: Numeric, posLabel = 1): BinaryClfCurve {
  checkBinaryTarget('binaryClfCurve', yTrue, yScore, posLabel);
  const n = yTrue.length;
  const order = Array.from({ length: n }, (_, i) => i);
  // descending by score; the order inside a tie group does not affect the counts at group ends
  order.sort((a, b) => yScore[b] - yScore[a] || b - a);
  const fps: number[] = [];
  const tps: number[] = [];
  const thresholds: number[] = [];
  let tp = 0;
  for (let r = 0; r < n; r++) {
    const i = order[r];
    if (yTrue[i] === posLabel) tp++;
    if (r === n - 1 || yScore[order[r + 1]] !== yScore[i]) {
      tps.push(tp);
      fps.push(r + 1 - tp);
      thresholds.push(yScore[i]);
    }
  }
  return { fps, tps, thresholds };
}

export interface RocCurve {
  fpr: number[];
  tpr: number[];
  /** Decreasing; `thresholds[0]` is `Infinity` (scikit-learn >= 1.3) so the curve starts at (0, 0). */
  thresholds: number[];
}

/**
 * ROC curve (`roc_curve`). With `dropIntermediate` (default true, like scikit-learn) collinear
 * points that do not change the curve's shape are dropped. If yTrue has no negatives (positives),
 * fpr (tpr) is all NaN and a warning is returned.
 */
export function rocCurve(
  yTrue: Numeric,
  yScore: Numeric,
  options: { posLabel?: number; dropIntermediate?: boolean } = {},
): Scored<RocCurve> {
  const { fps: fps0, tps: tps0, thresholds: th0 } = binaryClfCurve(yTrue, yScore, options.posLabel ?? 1);
  let fps = fps0;
  let tps = tps0;
  let thresholds = th0;
  if ((options.dropIntermediate ?? true) && fps.length > 2) {
    const keep: number[] = [0];
    for (let i = 1; i < fps.length - 1; i++) {
      const d2f = fps[i + 1] - 2 * fps[i] + fps[i - 1];
      const d2t = tps[i + 1] - 2 * tps[i] + tps[i - 1];
      if (d2f !== 0 || d2t !== 0) keep.push(i);
    }
    keep.push(fps.length - 1);
    fps = keep.map((i) => fps0[i]);
    tps = keep.map((i) => tps0[i]);
    thresholds = keep.map((i) => th0[i]);
  }
  fps = [0, ...fps];
  tps = [0, ...tps];
  thresholds = [Infinity, ...thresholds];
  const warnings: string[] = [];
  const lastF = fps[fps.length - 1];
  const lastT = tps[tps.length - 1];
  let fpr: number[];
  let tpr: number[];
  if (lastF <= 0) {
    warnings.push('roc curve: no negative samples in yTrue, false positive rate is undefined (NaN)');
    fpr = fps.map(() => NaN);
  } else fpr = fps.map((f) => f / lastF);
  if (lastT <= 0) {
    warnings.push('roc curve: no positive samples in yTrue, true positive rate is undefined (NaN)');
    tpr = tps.map(() => NaN);
  } else tpr = tps.map((t) => t / lastT);
  return { value: { fpr, tpr, thresholds }, warnings };
}

export interface PrecisionRecallCurve {
  /** length thresholds+1; last element is 1 */
  precision: number[];
  /** decreasing, length thresholds+1; last element is 0 */
  recall: number[];
  /** increasing distinct scores */
  thresholds: number[];
}

/**
 * Precision-recall curve (`precision_recall_curve`, drop_intermediate=False): one point per
 * distinct score, ordered by increasing threshold, plus the final (recall 0, precision 1) point.
 * With no positives in yTrue recall is set to 1 everywhere and a warning is returned.
 */
export function precisionRecallCurve(
  yTrue: Numeric,
  yScore: Numeric,
  options: { posLabel?: number } = {},
): Scored<PrecisionRecallCurve> {
  const { fps, tps, thresholds } = binaryClfCurve(yTrue, yScore, options.posLabel ?? 1);
  const precision = tps.map((t, i) => (t + fps[i] === 0 ? 0 : t / (t + fps[i])));
  const warnings: string[] = [];
  const last = tps[tps.length - 1];
  let recall: number[];
  if (last === 0) {
    warnings.push(
      'precision-recall curve: no positive class found in yTrue, recall is set to one for all thresholds (average precision 0)',
    );
    recall = tps.map(() => 1);
  } else recall = tps.map((t) => t / last);
  return {
    value: {
      precision: [...precision.reverse(), 1],
      recall: [...recall.reverse(), 0],
      thresholds: [...thresholds].reverse(),
    },
    warnings,
  };
}

/** Area under a curve by the trapezoidal rule (`auc`); x must be monotonic. */
export function auc(x: Numeric, y: Numeric): number {
  checkSameLength('auc', x, y);
  if (x.length < 2) throw new Error(`auc: at least 2 points are needed, got ${x.length}`);
  let direction = 1;
  let inc = true;
  let dec = true;
  for (let i = 1; i < x.length; i++) {
    if (x[i] < x[i - 1]) inc = false;
    if (x[i] > x[i - 1]) dec = false;
  }
  if (!inc) {
    if (dec) direction = -1;
    else throw new Error('auc: x is neither increasing nor decreasing');
  }
  return direction * trapezoid(y, x);
}

/**
 * Binary ROC-AUC (`roc_auc_score`). scikit-learn raises when yTrue holds a single class; here the
 * value is NaN and a warning is returned instead, so a training loop can carry on.
 */
export function rocAucScore(yTrue: Numeric, yScore: Numeric, options: { posLabel?: number } = {}): Scored {
  checkBinaryTarget('rocAucScore', yTrue, yScore, options.posLabel ?? 1);
  if (uniqueSorted(yTrue).length !== 2) {
    return { value: NaN, warnings: ['ROC AUC: only one class present in yTrue, ROC AUC is not defined (NaN)'] };
  }
  const { fpr, tpr } = rocCurve(yTrue, yScore, options).value;
  return { value: auc(fpr, tpr), warnings: [] };
}

/**
 * Average precision (`average_precision_score`), the step-wise area under the PR curve:
 * AP = sum_n (R_n - R_{n-1}) P_n, not the trapezoid. With no positives in yTrue it is 0 with a
 * warning, as in scikit-learn.
 */
export function averagePrecisionScore(yTrue: Numeric, yScore: Numeric, options: { posLabel?: number } = {}): Scored {
  const { value, warnings } = precisionRecallCurve(yTrue, yScore, options);
  const { precision, recall } = value;
  const terms = new Float64Array(recall.length - 1);
  for (let i = 0; i < terms.length; i++) terms[i] = (recall[i + 1] - recall[i]) * precision[i];
  return { value: -pairwiseSum(terms), warnings };
}

export type ScoreAverage = 'macro' | 'weighted' | 'micro';

/** Column c of a flat row-major n*k matrix. */
function column(m: Numeric, n: number, k: number, c: number): Float64Array {
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) out[i] = m[i * k + c];
  return out;
}

/**
 * Averages a binary score metric over the columns of a label-indicator matrix (scikit-learn's
 * `_average_binary_score`). Columns whose metric is NaN (undefined) are left out of the average
 * and reported in the warnings; if every column is undefined the result is NaN.
 */
function averageOverColumns(
  name: string,
  metric: (y: Numeric, s: Numeric) => Scored,
  yIndicator: Numeric,
  yScore: Numeric,
  k: number,
  average: ScoreAverage,
): Scored {
  const n = yIndicator.length / k;
  if (average === 'micro') {
    const r = metric(yIndicator, yScore);
    return { value: r.value, warnings: r.warnings.map((w) => `${name} (micro): ${w}`) };
  }
  const scores: number[] = [];
  const weights: number[] = [];
  const undefinedCols: number[] = [];
  const warnings: string[] = [];
  for (let c = 0; c < k; c++) {
    const y = column(yIndicator, n, k, c);
    const r = metric(y, column(yScore, n, k, c));
    for (const w of r.warnings) warnings.push(`${name} (class ${c}): ${w}`);
    if (Number.isNaN(r.value)) {
      undefinedCols.push(c);
      continue;
    }
    scores.push(r.value);
    weights.push(pairwiseSum(y));
  }
  if (undefinedCols.length > 0) {
    warnings.push(`${name}: classes ${fmtLabels(undefinedCols)} are undefined and left out of the ${average} average`);
  }
  if (scores.length === 0) return { value: NaN, warnings };
  if (average === 'macro') return { value: pairwiseSum(scores) / scores.length, warnings };
  const total = pairwiseSum(weights);
  if (total === 0) return { value: 0, warnings };
  return { value: pairwiseSum(scores.map((s, i) => (weights[i] === 0 ? 0 : s * weights[i]))) / total, warnings };
}

/** One-hot encodes class indices into a flat n*k indicator matrix (`label_binarize(classes=range(k))`). */
export function oneHot(yTrue: Numeric, k: number): Float64Array {
  checkClassIndices('oneHot', 'yTrue', yTrue, k);
  const out = new Float64Array(yTrue.length * k);
  for (let i = 0; i < yTrue.length; i++) out[i * k + yTrue[i]] = 1;
  return out;
}

function checkScoreMatrix(fn: string, yTrueLen: number, yScore: Numeric, k: number): void {
  const n = checkFlatMatrix(fn, 'yScore', yScore, k);
  if (n !== yTrueLen) throw new Error(`${fn}: yScore has ${n} rows for ${yTrueLen} samples`);
  checkFinite(fn, 'yScore', yScore);
}

/**
 * Multiclass one-vs-rest ROC-AUC (`roc_auc_score(multi_class='ovr', labels=range(k))`).
 * `yScore` is a flat n*k probability matrix. Deviation: scikit-learn raises when a class has no
 * positive (or no negative) sample and when rows do not sum to one; here such classes are left out
 * of the average with a warning, and unnormalized rows only warn.
 */
export function rocAucOneVsRest(
  yTrue: Numeric,
  yScore: Numeric,
  numClasses: number,
  options: { average?: ScoreAverage } = {},
): Scored {
  checkScoreMatrix('rocAucOneVsRest', yTrue.length, yScore, numClasses);
  const r = averageOverColumns('ROC AUC', rocAucScore, oneHot(yTrue, numClasses), yScore, numClasses, options.average ?? 'macro');
  for (let i = 0; i < yTrue.length; i++) {
    let s = 0;
    for (let j = 0; j < numClasses; j++) s += yScore[i * numClasses + j];
    if (!(Math.abs(s - 1) <= 1e-8 + 1e-5)) {
      r.warnings.push('ROC AUC: yScore rows do not sum to 1 (scikit-learn requires probabilities for multiclass ROC AUC)');
      break;
    }
  }
  return r;
}

/** Multilabel ROC-AUC over the k label columns (`roc_auc_score` on an indicator matrix). Undefined columns are skipped with a warning. */
export function rocAucMultilabel(
  yTrue: Numeric,
  yScore: Numeric,
  numLabels: number,
  options: { average?: ScoreAverage } = {},
): Scored {
  checkSameLength('rocAucMultilabel', yTrue, yScore);
  checkFlatMatrix('rocAucMultilabel', 'yTrue', yTrue, numLabels);
  return averageOverColumns('ROC AUC', rocAucScore, yTrue, yScore, numLabels, options.average ?? 'macro');
}

/**
 * Multiclass one-vs-rest average precision: `average_precision_score(label_binarize(y, range(k)), yScore)`.
 * A class without positives scores 0 with a warning (and counts in the macro average), as in scikit-learn.
 */
export function averagePrecisionOneVsRest(
  yTrue: Numeric,
  yScore: Numeric,
  numClasses: number,
  options: { average?: ScoreAverage } = {},
): Scored {
  checkScoreMatrix('averagePrecisionOneVsRest', yTrue.length, yScore, numClasses);
  return averageOverColumns(
    'average precision',
    averagePrecisionScore,
    oneHot(yTrue, numClasses),
    yScore,
    numClasses,
    options.average ?? 'macro',
  );
}

/** Multilabel average precision over the k label columns (`average_precision_score` on an indicator matrix). */
export function averagePrecisionMultilabel(
  yTrue: Numeric,
  yScore: Numeric,
  numLabels: number,
  options: { average?: ScoreAverage } = {},
): Scored {
  checkSameLength('averagePrecisionMultilabel', yTrue, yScore);
  checkFlatMatrix('averagePrecisionMultilabel', 'yTrue', yTrue, numLabels);
  return averageOverColumns('average precision', averagePrecisionScore, yTrue, yScore, numLabels, options.average ?? 'macro');
}
