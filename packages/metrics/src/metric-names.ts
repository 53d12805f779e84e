/**
 * The metric names `computeMetrics` knows per task, the defaults, and the names other libraries use for them
 * (Keras, scikit-learn), so a manifest written with those names gets the right suggestion.
 */
import { closestName } from './closest-name.js';

export type MetricTask = 'binary' | 'multiclass' | 'multilabel' | 'regression';

const F1_FAMILY = ['precision', 'recall', 'f1', 'f1Macro', 'f1Weighted', 'f1Micro'] as const;

export const METRIC_NAMES: Record<MetricTask, readonly string[]> = {
  binary: ['accuracy', 'balancedAccuracy', ...F1_FAMILY, 'rocAuc', 'prAuc', 'logLoss', 'brier'],
  multiclass: ['accuracy', 'balancedAccuracy', ...F1_FAMILY, 'rocAuc', 'prAuc', 'logLoss'],
  multilabel: ['subsetAccuracy', 'hammingLoss', ...F1_FAMILY, 'rocAuc', 'prAuc'],
  regression: ['mae', 'mse', 'rmse', 'r2', 'mape'],
};

export const DEFAULT_METRICS: Record<MetricTask, readonly string[]> = {
  binary: ['accuracy', 'f1', 'rocAuc', 'prAuc', 'logLoss'],
  multiclass: ['accuracy', 'balancedAccuracy', 'f1Macro', 'rocAuc', 'logLoss'],
  multilabel: ['subsetAccuracy', 'hammingLoss', 'f1Micro', 'f1Macro'],
  regression: ['mae', 'rmse', 'r2'],
};

/**
 * Keras and scikit-learn metric names, mapped to the name here that computes the same thing. `computeMetrics`
 * takes only the names of {@link METRIC_NAMES} (each metric has one name in its results) and suggests these;
 * a caller that accepts them rewrites them first with {@link metricAlias}.
 * `auc` is ROC-AUC, as in Keras (`tf.keras.metrics.AUC` defaults to the ROC curve): binary ROC-AUC,
 * one-vs-rest macro for multiclass, macro over labels for multilabel (not prAuc, which an edit distance picks).
 */
export const METRIC_ALIASES: ReadonlyMap<string, string> = new Map([
  ['auc', 'rocAuc'],
  ['roc_auc_score', 'rocAuc'],
  ['average_precision', 'prAuc'],
  ['average_precision_score', 'prAuc'],
  ['binary_accuracy', 'accuracy'],
  ['categorical_accuracy', 'accuracy'],
  ['sparse_categorical_accuracy', 'accuracy'],
  ['accuracy_score', 'accuracy'],
  ['balanced_accuracy_score', 'balancedAccuracy'],
  ['binary_crossentropy', 'logLoss'],
  ['categorical_crossentropy', 'logLoss'],
  ['sparse_categorical_crossentropy', 'logLoss'],
  ['brier_score_loss', 'brier'],
  ['precision_score', 'precision'],
  ['recall_score', 'recall'],
  ['f1_score', 'f1'],
  ['hamming_loss', 'hammingLoss'],
  ['mean_absolute_error', 'mae'],
  ['mean_squared_error', 'mse'],
  ['root_mean_squared_error', 'rmse'],
  ['mean_absolute_percentage_error', 'mape'],
  ['r2_score', 'r2'],
]);

/** Lower case without separators, so `AUC`, `RootMeanSquaredError` and `root_mean_squared_error` meet. */
const normalise = (name: string) => name.toLowerCase().replace(/[\s_-]/g, '');

const ALIAS_INDEX: ReadonlyMap<string, string> = new Map([...METRIC_ALIASES].map(([alias, name]) => [normalise(alias), name]));

/** The metric of `task` an alias stands for, or undefined when `name` is no alias or the task lacks its metric. */
export function metricAlias(name: string, task: MetricTask): string | undefined {
  const target = ALIAS_INDEX.get(normalise(name));
  return target !== undefined && METRIC_NAMES[task].includes(target) ? target : undefined;
}

/**
 * The metric of `task` that an unknown `name` most likely means: what it stands for in Keras or
 * scikit-learn when that metric exists for the task, else the closest name when `name` looks like a typo.
 */
export function suggestMetricName(name: string, task: MetricTask): string | undefined {
  return metricAlias(name, task) ?? closestName(name, METRIC_NAMES[task]);
}
