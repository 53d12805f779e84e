import type { Task } from '../manifest/types.js';
import type { SkippedRows } from '../pipeline/skipped-rows.js';

/** Predictions on labelled rows, for the confusion matrix and curves of a report. */
export interface EvaluationData {
  /** Where the rows came from, e.g. "test split of data.csv". */
  title: string;
  task: Task;
  classes: readonly string[];
  threshold: number;
  rows: number;
  /** binary/multiclass: class index per row; multilabel: flat rows*k 0/1; regression: value. */
  targets: ArrayLike<number>;
  /** binary: P(positive class); multiclass/multilabel: flat rows*k probabilities; regression: prediction. */
  scores: ArrayLike<number>;
  metrics: Record<string, number>;
  warnings: readonly string[];
  skippedRows?: SkippedRows;
}
