/**
 * Metric dispatcher used by the trainer: computes named metrics for one task from raw labels and
 * model outputs.
 *
 * Naming (camelCase):
 * - binary: 'precision', 'recall', 'f1' are for the positive class (1); 'f1Macro', 'f1Weighted',
 *   'f1Micro' average over both classes.
 * - multiclass and multilabel: 'precision', 'recall', 'f1' are MACRO averages over the
 *   `numClasses` classes/labels (labels = 0..k-1 always, so a class absent from a batch counts as 0
 *   with a zero-division warning, as scikit-learn does when `labels=range(k)` is passed).
 * - 'rocAuc': binary ROC-AUC; multiclass one-vs-rest macro; multilabel macro over labels.
 * - 'prAuc': average precision (step-wise, scikit-learn's definition); macro over classes/labels.
 *
 * Decisions: binary and multilabel predict 1 when `score >= threshold` (default 0.5), the same
 * convention as the thresholds of `precisionRecallCurve`/`bestF1Threshold`; multiclass predicts the
 * arg-max column (first one on ties, like `np.argmax`).
 */
import { accuracyScore, balancedAccuracyScore, f1Score, precisionScore, recallScore } from './classification.js';
import { METRIC_NAMES, suggestMetricName, type MetricTask } from './metric-names.js';
import { hammingLoss, multilabelF1, multilabelPrfAverage, subsetAccuracy } from './multilabel.js';
import { brierScoreLoss, logLoss } from './probabilistic.js';
import {
  averagePrecisionMultilabel,
  averagePrecisionOneVsRest,
  averagePrecisionScore,
  rocAucMultilabel,
  rocAucOneVsRest,
  rocAucScore,
} from './ranking.js';
import {
  meanAbsoluteError,
  meanAbsolutePercentageError,
  meanSquaredError,
  r2Score,
  rootMeanSquaredError,
} from './regression.js';
import type { Scored } from './types.js';
import {
  checkBinaryLabels,
  checkClassIndices,
  checkFinite,
  checkNonEmpty,
  checkPositiveInt,
  checkSameLength,
} from './validate.js';

export interface MetricInput {
  task: MetricTask;
  /** binary/multiclass: class index per row; regression: value; multilabel: flat n*k of 0/1 */
  yTrue: ArrayLike<number>;
  /** binary: P(positive) per row; multiclass/multilabel: flat n*k probabilities; regression: prediction */
  yScore: ArrayLike<number>;
  /** k (1 for regression, 2 for binary) */
  numClasses: number;
  /** binary/multilabel decision threshold, default 0.5 (positive when score >= threshold) */
  threshold?: number;
}

export interface MetricResult {
  values: Record<string, number>;
  /** Each warning is prefixed with the metric name, e.g. `"f1Macro: F-score is ill-defined ..."`. */
  warnings: string[];
}

type Metric = () => number | Scored;

function plain(v: number): Scored {
  return { value: v, warnings: [] };
}

function binaryMetrics(input: MetricInput, threshold: number): Record<string, Metric> {
  const { yTrue, yScore } = input;
  if (input.numClasses !== 2) throw new Error(`computeMetrics: binary task needs numClasses = 2, got ${input.numClasses}`);
  checkSameLength('computeMetrics(binary)', yTrue, yScore);
  checkBinaryLabels('computeMetrics(binary)', 'yTrue', yTrue);
  const yPred = Array.from(yScore, (s) => (s >= threshold ? 1 : 0));
  const labels = [0, 1];
  return {
    accuracy: () => accuracyScore(yTrue, yPred),
    balancedAccuracy: () => balancedAccuracyScore(yTrue, yPred),
    precision: () => precisionScore(yTrue, yPred, { average: 'binary' }),
    recall: () => recallScore(yTrue, yPred, { average: 'binary' }),
    f1: () => f1Score(yTrue, yPred, { average: 'binary' }),
    f1Macro: () => f1Score(yTrue, yPred, { average: 'macro', labels }),
    f1Weighted: () => f1Score(yTrue, yPred, { average: 'weighted', labels }),
    f1Micro: () => f1Score(yTrue, yPred, { average: 'micro', labels }),
    rocAuc: () => rocAucScore(yTrue, yScore),
    prAuc: () => averagePrecisionScore(yTrue, yScore),
    logLoss: () => logLoss(yTrue, yScore),
    brier: () => brierScoreLoss(yTrue, yScore),
  };
}

function multiclassMetrics(input: MetricInput): Record<string, Metric> {
  const { yTrue, yScore, numClasses: k } = input;
  checkPositiveInt('computeMetrics(multiclass)', 'numClasses', k, 2);
  if (yScore.length !== yTrue.length * k) {
    throw new Error(`computeMetrics(multiclass): yScore must have n*k = ${yTrue.length * k} values, got ${yScore.length}`);
  }
  checkClassIndices('computeMetrics(multiclass)', 'yTrue', yTrue, k);
  const yPred = new Array<number>(yTrue.length);
  for (let i = 0; i < yTrue.length; i++) {
    let best = 0;
    for (let j = 1; j < k; j++) if (yScore[i * k + j] > yScore[i * k + best]) best = j;
    yPred[i] = best;
  }
  const labels = Array.from({ length: k }, (_, j) => j);
  return {
    accuracy: () => accuracyScore(yTrue, yPred),
    balancedAccuracy: () => balancedAccuracyScore(yTrue, yPred),
    precision: () => precisionScore(yTrue, yPred, { average: 'macro', labels }),
    recall: () => recallScore(yTrue, yPred, { average: 'macro', labels }),
    f1: () => f1Score(yTrue, yPred, { average: 'macro', labels }),
    f1Macro: () => f1Score(yTrue, yPred, { average: 'macro', labels }),
    f1Weighted: () => f1Score(yTrue, yPred, { average: 'weighted', labels }),
    f1Micro: () => f1Score(yTrue, yPred, { average: 'micro', labels }),
    rocAuc: () => rocAucOneVsRest(yTrue, yScore, k, { average: 'macro' }),
    prAuc: () => averagePrecisionOneVsRest(yTrue, yScore, k, { average: 'macro' }),
    logLoss: () => logLoss(yTrue, yScore),
  };
}

function multilabelMetrics(input: MetricInput, threshold: number): Record<string, Metric> {
  const { yTrue, yScore, numClasses: k } = input;
  checkPositiveInt('computeMetrics(multilabel)', 'numClasses', k);
  checkSameLength('computeMetrics(multilabel)', yTrue, yScore);
  checkBinaryLabels('computeMetrics(multilabel)', 'yTrue', yTrue);
  const yPred = Array.from(yScore, (s) => (s >= threshold ? 1 : 0));
  const prf = (m: 'precision' | 'recall'): Scored => {
    const r = multilabelPrfAverage(yTrue, yPred, k, 'macro');
    return {
      value: r.value[m],
      // only the warnings about the requested metric
      warnings: r.warnings.filter((w) => w.toLowerCase().startsWith(m)),
    };
  };
  return {
    subsetAccuracy: () => subsetAccuracy(yTrue, yPred, k),
    hammingLoss: () => hammingLoss(yTrue, yPred, k),
    precision: () => prf('precision'),
    recall: () => prf('recall'),
    f1: () => multilabelF1(yTrue, yPred, k, 'macro'),
    f1Macro: () => multilabelF1(yTrue, yPred, k, 'macro'),
    f1Weighted: () => multilabelF1(yTrue, yPred, k, 'weighted'),
    f1Micro: () => multilabelF1(yTrue, yPred, k, 'micro'),
    rocAuc: () => rocAucMultilabel(yTrue, yScore, k, { average: 'macro' }),
    prAuc: () => averagePrecisionMultilabel(yTrue, yScore, k, { average: 'macro' }),
  };
}

function regressionMetrics(input: MetricInput): Record<string, Metric> {
  const { yTrue, yScore } = input;
  if (input.numClasses !== 1) throw new Error(`computeMetrics: regression task needs numClasses = 1, got ${input.numClasses}`);
  checkSameLength('computeMetrics(regression)', yTrue, yScore);
  return {
    mae: () => meanAbsoluteError(yTrue, yScore),
    mse: () => meanSquaredError(yTrue, yScore),
    rmse: () => rootMeanSquaredError(yTrue, yScore),
    r2: () => r2Score(yTrue, yScore),
    mape: () => meanAbsolutePercentageError(yTrue, yScore),
  };
}

function suggestion(name: string, task: MetricTask): string {
  const match = suggestMetricName(name, task);
  return match === undefined ? '' : ` Did you mean "${match}"?`;
}

/**
 * Computes the named metrics (see `METRIC_NAMES[task]`). Throws on an unknown name (listing the
 * valid ones) and on malformed input. Undefined cases do not throw: the value follows
 * scikit-learn's default (0 for zero division, NaN where it raises) and a warning is added.
 */
export function computeMetrics(input: MetricInput, names: readonly string[]): MetricResult {
  const valid = METRIC_NAMES[input.task];
  if (!valid) {
    throw new Error(`computeMetrics: unknown task "${String(input.task)}"; valid tasks: ${Object.keys(METRIC_NAMES).join(', ')}`);
  }
  for (const name of names) {
    if (!valid.includes(name)) {
      throw new Error(
        `computeMetrics: unknown metric "${name}" for task "${input.task}".${suggestion(name, input.task)} Valid metrics: ${valid.join(', ')}`,
      );
    }
  }
  const threshold = input.threshold ?? 0.5;
  if (!Number.isFinite(threshold)) throw new Error(`computeMetrics: threshold must be finite, got ${threshold}`);
  checkNonEmpty(`computeMetrics(${input.task})`, input.yTrue);
  checkFinite(`computeMetrics(${input.task})`, 'yTrue', input.yTrue);
  checkFinite(`computeMetrics(${input.task})`, 'yScore', input.yScore);
  const table =
    input.task === 'binary'
      ? binaryMetrics(input, threshold)
      : input.task === 'multiclass'
        ? multiclassMetrics(input)
        : input.task === 'multilabel'
          ? multilabelMetrics(input, threshold)
          : regressionMetrics(input);
  const values: Record<string, number> = {};
  const warnings: string[] = [];
  for (const name of names) {
    const out = table[name]();
    const scored = typeof out === 'number' ? plain(out) : out;
    values[name] = scored.value;
    for (const w of scored.warnings) warnings.push(`${name}: ${w}`);
  }
  return { values, warnings };
}
