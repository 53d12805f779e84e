/**
 * Label-based classification metrics (scikit-learn `sklearn.metrics._classification`).
 *
 * Labels are numbers (class indices). Unless `labels` is given, the label set is the sorted union
 * of the labels present in `yTrue` and `yPred`, as in scikit-learn.
 *
 * Zero division follows scikit-learn's default (`zero_division="warn"`): the ill-defined value is
 * set to 0 and a warning string is returned naming the metric and the labels that hit it.
 */
import { mean, pairwiseSum, uniqueSorted } from './numeric.js';
import type { Numeric, Scored } from './types.js';
import { checkFinite, checkNonEmpty, checkSameLength, fmtLabels } from './validate.js';

export type Average = 'binary' | 'micro' | 'macro' | 'weighted';

/** Fraction of exact matches (`accuracy_score`). */
export function accuracyScore(yTrue: Numeric, yPred: Numeric): number {
  checkSameLength('accuracyScore', yTrue, yPred);
  checkNonEmpty('accuracyScore', yTrue);
  let hits = 0;
  for (let i = 0; i < yTrue.length; i++) if (yTrue[i] === yPred[i]) hits++;
  return hits / yTrue.length;
}

/**
 * Confusion matrix `C[i][j]` = number of samples with true label `labels[i]` predicted as `labels[j]`
 * (`confusion_matrix`). Samples whose true or predicted label is not in `labels` are ignored.
 */
export function confusionMatrix(
  yTrue: Numeric,
  yPred: Numeric,
  options: { labels?: readonly number[] } = {},
): number[][] {
  checkSameLength('confusionMatrix', yTrue, yPred);
  const labels = options.labels ? [...options.labels] : uniqueSorted(yTrue, yPred);
  if (labels.length === 0) throw new Error('confusionMatrix: no labels');
  const index = new Map<number, number>();
  labels.forEach((l, i) => index.set(l, i));
  const m = labels.map(() => labels.map(() => 0));
  for (let i = 0; i < yTrue.length; i++) {
    const t = index.get(yTrue[i]);
    const p = index.get(yPred[i]);
    if (t !== undefined && p !== undefined) m[t][p]++;
  }
  return m;
}

/**
 * Balanced accuracy: mean per-class recall over the classes present in `yTrue`
 * (`balanced_accuracy_score`). Classes that appear only in `yPred` are dropped with a warning,
 * like scikit-learn. With `adjusted`, chance level maps to 0.
 */
export function balancedAccuracyScore(
  yTrue: Numeric,
  yPred: Numeric,
  options: { adjusted?: boolean } = {},
): Scored {
  checkSameLength('balancedAccuracyScore', yTrue, yPred);
  checkNonEmpty('balancedAccuracyScore', yTrue);
  const labels = uniqueSorted(yTrue, yPred);
  const c = confusionMatrix(yTrue, yPred, { labels });
  const perClass: number[] = [];
  const dropped: number[] = [];
  labels.forEach((label, i) => {
    const support = c[i].reduce((a, b) => a + b, 0);
    if (support === 0) dropped.push(label);
    else perClass.push(c[i][i] / support);
  });
  const warnings: string[] = [];
  if (dropped.length > 0) warnings.push(`balanced accuracy: y_pred contains classes not in y_true: ${fmtLabels(dropped)}`);
  let score = mean(perClass);
  if (options.adjusted) {
    const chance = 1 / perClass.length;
    score = (score - chance) / (1 - chance);
  }
  return { value: score, warnings };
}

/** Per-label counts that precision/recall/F are computed from. */
export interface LabelCounts {
  labels: number[];
  /** true positives per label */
  tp: number[];
  /** predicted positives per label (tp + fp) */
  predSum: number[];
  /** actual positives per label (tp + fn), i.e. the support */
  trueSum: number[];
}

/** One-vs-rest counts for the given labels (scikit-learn's `multilabel_confusion_matrix` on multiclass input). */
export function labelCounts(yTrue: Numeric, yPred: Numeric, labels: readonly number[]): LabelCounts {
  checkSameLength('labelCounts', yTrue, yPred);
  const index = new Map<number, number>();
  labels.forEach((l, i) => index.set(l, i));
  const tp = labels.map(() => 0);
  const predSum = labels.map(() => 0);
  const trueSum = labels.map(() => 0);
  for (let i = 0; i < yTrue.length; i++) {
    const t = index.get(yTrue[i]);
    const p = index.get(yPred[i]);
    if (t !== undefined) trueSum[t]++;
    if (p !== undefined) predSum[p]++;
    if (t !== undefined && yTrue[i] === yPred[i]) tp[t]++;
  }
  return { labels: [...labels], tp, predSum, trueSum };
}

export type PrfMetric = 'precision' | 'recall' | 'f-score';

export interface PrfPerLabel {
  labels: number[];
  precision: number[];
  recall: number[];
  fScore: number[];
  support: number[];
}

export interface PrfAverage {
  precision: number;
  recall: number;
  fScore: number;
}

const ALL_PRF: readonly PrfMetric[] = ['precision', 'recall', 'f-score'];

function divide(
  num: number[],
  den: number[],
  metric: PrfMetric,
  modifier: string,
  labels: readonly number[] | null,
  warnFor: readonly PrfMetric[],
  warnings: string[],
): number[] {
  const hit: number[] = [];
  const out = num.map((n, i) => {
    if (den[i] === 0) {
      hit.push(i);
      return 0;
    }
    return n / den[i];
  });
  if (hit.length > 0 && warnFor.includes(metric)) {
    const name = metric === 'f-score' ? 'F-score' : metric[0].toUpperCase() + metric.slice(1);
    warnings.push(
      labels
        ? `${name} is ill-defined and being set to 0.0 in labels with no ${modifier} samples: ${fmtLabels(hit.map((i) => labels[i]))}`
        : `${name} is ill-defined and being set to 0.0 due to no ${modifier} samples`,
    );
  }
  return out;
}

/** Precision, recall and F-beta per label from counts (scikit-learn >= 1.3 formulas). */
export function prfFromCounts(
  counts: LabelCounts,
  beta = 1,
  warnFor: readonly PrfMetric[] = ALL_PRF,
  pooled = false,
): Scored<PrfPerLabel> {
  if (!(beta >= 0)) throw new Error(`beta should be >= 0, got ${beta}`);
  const warnings: string[] = [];
  const labels = pooled ? null : counts.labels;
  const { tp, predSum, trueSum } = counts;
  const precision = divide(tp, predSum, 'precision', 'predicted', labels, warnFor, warnings);
  const recall = divide(tp, trueSum, 'recall', 'true', labels, warnFor, warnings);
  let fScore: number[];
  if (beta === Infinity) fScore = recall;
  else if (beta === 0) fScore = precision;
  else {
    const b2 = beta * beta;
    fScore = divide(
      tp.map((t) => (1 + b2) * t),
      trueSum.map((t, i) => b2 * t + predSum[i]),
      'f-score',
      'true nor predicted',
      labels,
      warnFor,
      warnings,
    );
  }
  return {
    value: { labels: [...counts.labels], precision, recall, fScore, support: [...trueSum] },
    warnings,
  };
}

function weightedMean(values: number[], weights: number[] | null): number {
  if (values.length === 0) return NaN;
  if (!weights) return mean(values);
  const total = weights.reduce((a, b) => a + b, 0);
  if (total === 0) return mean(values); // scikit-learn's _nanaverage falls back to the plain mean
  return pairwiseSum(values.map((v, i) => v * weights[i])) / pairwiseSum(weights);
}

/** Averages per-label counts the way `precision_recall_fscore_support(average=...)` does. */
export function averagePrf(
  counts: LabelCounts,
  average: 'micro' | 'macro' | 'weighted',
  beta = 1,
  warnFor: readonly PrfMetric[] = ALL_PRF,
): Scored<PrfAverage> {
  if (average === 'micro') {
    const sum = (a: number[]) => a.reduce((x, y) => x + y, 0);
    const pooled: LabelCounts = {
      labels: [NaN],
      tp: [sum(counts.tp)],
      predSum: [sum(counts.predSum)],
      trueSum: [sum(counts.trueSum)],
    };
    const r = prfFromCounts(pooled, beta, warnFor, true);
    return {
      value: { precision: r.value.precision[0], recall: r.value.recall[0], fScore: r.value.fScore[0] },
      warnings: r.warnings,
    };
  }
  const r = prfFromCounts(counts, beta, warnFor);
  const weights = average === 'weighted' ? counts.trueSum : null;
  return {
    value: {
      precision: weightedMean(r.value.precision, weights),
      recall: weightedMean(r.value.recall, weights),
      fScore: weightedMean(r.value.fScore, weights),
    },
    warnings: r.warnings,
  };
}

export interface PrfOptions {
  /** Labels to score, in output order. Default: sorted union of labels in yTrue and yPred. */
  labels?: readonly number[];
  /** F-beta's beta (default 1). */
  beta?: number;
}

export interface AveragedPrfOptions extends PrfOptions {
  /** Default 'binary' (scores `posLabel` only), as in scikit-learn. */
  average?: Average;
  /** Positive label for average='binary' (default 1). */
  posLabel?: number;
}

/** Per-label precision, recall, F-beta and support (`precision_recall_fscore_support(average=None)`). */
export function precisionRecallFscoreSupport(
  yTrue: Numeric,
  yPred: Numeric,
  options: PrfOptions = {},
): Scored<PrfPerLabel> {
  checkSameLength('precisionRecallFscoreSupport', yTrue, yPred);
  checkFinite('precisionRecallFscoreSupport', 'yTrue', yTrue);
  checkFinite('precisionRecallFscoreSupport', 'yPred', yPred);
  const labels = options.labels ? [...options.labels] : uniqueSorted(yTrue, yPred);
  return prfFromCounts(labelCounts(yTrue, yPred, labels), options.beta ?? 1);
}

function averagedPrf(
  fn: string,
  yTrue: Numeric,
  yPred: Numeric,
  options: AveragedPrfOptions,
  warnFor: readonly PrfMetric[],
): Scored<PrfAverage> {
  checkSameLength(fn, yTrue, yPred);
  checkFinite(fn, 'yTrue', yTrue);
  checkFinite(fn, 'yPred', yPred);
  const average = options.average ?? 'binary';
  const beta = options.beta ?? 1;
  const present = uniqueSorted(yTrue, yPred);
  if (average === 'binary') {
    const posLabel = options.posLabel ?? 1;
    if (present.length > 2) {
      throw new Error(`${fn}: target is multiclass but average='binary'; choose 'micro', 'macro' or 'weighted'`);
    }
    if (!present.includes(posLabel) && present.length >= 2) {
      throw new Error(`${fn}: posLabel=${posLabel} is not a valid label, it should be one of ${fmtLabels(present)}`);
    }
    const r = prfFromCounts(labelCounts(yTrue, yPred, [posLabel]), beta, warnFor);
    return {
      value: { precision: r.value.precision[0], recall: r.value.recall[0], fScore: r.value.fScore[0] },
      warnings: r.warnings,
    };
  }
  const labels = options.labels ? [...options.labels] : present;
  return averagePrf(labelCounts(yTrue, yPred, labels), average, beta, warnFor);
}

/** `precision_score`: tp / (tp + fp). */
export function precisionScore(yTrue: Numeric, yPred: Numeric, options: AveragedPrfOptions = {}): Scored {
  const r = averagedPrf('precisionScore', yTrue, yPred, options, ['precision']);
  return { value: r.value.precision, warnings: r.warnings };
}

/** `recall_score`: tp / (tp + fn). */
export function recallScore(yTrue: Numeric, yPred: Numeric, options: AveragedPrfOptions = {}): Scored {
  const r = averagedPrf('recallScore', yTrue, yPred, options, ['recall']);
  return { value: r.value.recall, warnings: r.warnings };
}

/** `fbeta_score`: (1 + b^2) tp / ((1 + b^2) tp + b^2 fn + fp). */
export function fbetaScore(
  yTrue: Numeric,
  yPred: Numeric,
  beta: number,
  options: Omit<AveragedPrfOptions, 'beta'> = {},
): Scored {
  const r = averagedPrf('fbetaScore', yTrue, yPred, { ...options, beta }, ['f-score']);
  return { value: r.value.fScore, warnings: r.warnings };
}

/** `f1_score`: 2 tp / (2 tp + fp + fn). */
export function f1Score(yTrue: Numeric, yPred: Numeric, options: Omit<AveragedPrfOptions, 'beta'> = {}): Scored {
  return fbetaScore(yTrue, yPred, 1, options);
}
