import type { MetricsReport } from '../api/train.js';
import type { ArtifactMeta } from '../artifacts/artifact.js';
import type { Manifest, Task } from '../manifest/types.js';
import type { SkippedRows } from '../pipeline/skipped-rows.js';
import type { EpochRecord } from '../training/trainer.js';
import type { VegaLiteSpec } from './render-svg.js';

/** history.json as train() writes it. */
export interface HistoryFile {
  epochs: EpochRecord[];
  epochsRun: number;
  stopReason: string | null;
  restoredEpoch: number | null;
  checkpointEpoch: number | null;
}

/** metrics.json as train() writes it. */
export type MetricsFile = MetricsReport;

/** One metric's drop when one input is permuted: mean over repeats and a 95% confidence interval. */
export interface ContributionEstimate {
  /** Baseline value minus permuted value, sign-flipped for lower-is-better metrics: positive = the input helps. */
  drop: number;
  /** Student-t 95% interval of the mean drop; null with a single repeat. */
  ci95: [number, number] | null;
  /** The drop of each repeat. */
  drops: number[];
}

/** explanation.json: per-input permutation importance (written by explain()). */
export interface Explanation {
  dataSource: string;
  rowsUsed: 'test split' | 'all rows';
  rows: number;
  repeats: number;
  seed: number;
  baseline: Record<string, number>;
  /** Which metrics are better when lower (their drop is permuted - baseline). */
  lowerIsBetter: string[];
  inputs: { name: string; columns: string[]; metrics: Record<string, ContributionEstimate> }[];
}

/** What a model folder holds, as read by readArtifacts(). Optional parts are absent in older folders. */
export interface ArtifactContents {
  dir?: string;
  meta: ArtifactMeta;
  manifest: Manifest;
  history?: HistoryFile;
  metrics?: MetricsFile;
  summary?: string;
  explanation?: Explanation;
}

/** Predictions on labelled rows, for the confusion matrix and curves. */
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

export interface ReportInput {
  artifacts: ArtifactContents;
  evaluation?: EvaluationData;
  /** Shown in the header, e.g. "polymodal train". */
  generatedBy?: string;
}

export interface Chart {
  /** File-name-safe id, unique in the report (e.g. "learning-curve-loss", "roc"). */
  id: string;
  title: string;
  spec: VegaLiteSpec;
}

export interface RenderedChart extends Chart {
  svg: string;
}

export interface Report {
  html: string;
  charts: RenderedChart[];
}
