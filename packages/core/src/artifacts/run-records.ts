import type { Manifest } from '../manifest/types.js';
import type { SkippedRows } from '../pipeline/skipped-rows.js';
import type { EpochRecord } from '../training/trainer.js';

/** history.json as train() writes it. */
export interface HistoryFile {
  epochs: EpochRecord[];
  epochsRun: number;
  stopReason: string | null;
  restoredEpoch: number | null;
  checkpointEpoch: number | null;
  /** Epochs done before the run was interrupted and resumed, when it was. */
  resumedAfterEpoch?: number | null;
}

/** metrics.json as train() writes it: every split's metrics, split sizes and skipped rows. */
export interface MetricsReport {
  task: Manifest['output']['task'];
  threshold: number;
  rows: { train: number; validation: number; test: number };
  train: Record<string, number>;
  validation: Record<string, number>;
  test: Record<string, number>;
  warnings: string[];
  skippedRows: SkippedRows;
}

/** metrics.json as read back from a model folder. */
export type MetricsFile = MetricsReport;
