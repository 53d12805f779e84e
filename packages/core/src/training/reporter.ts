export type EpochLogs = Record<string, number>;

/** What a run tells the outside world; the CLI renders it as a progress bar, plain lines or JSON lines. */
export type RunEvent =
  | { type: 'info'; message: string }
  | { type: 'warning'; message: string }
  | { type: 'trainStart'; epochs: number; batchesPerEpoch: number; trainRows: number; validationRows: number }
  | { type: 'batchEnd'; epoch: number; epochs: number; batch: number; batches: number; loss: number; logs: EpochLogs }
  | { type: 'epochEnd'; epoch: number; epochs: number; logs: EpochLogs; learningRate: number; seconds: number }
  | { type: 'stopped'; epoch: number; reason: string }
  /** `epoch` counts from 1; `path` is where the checkpoint is once the run's model folder is in place. */
  | { type: 'checkpoint'; epoch: number; path: string; monitor: string; value: number };

export interface Reporter {
  event(event: RunEvent): void;
}

export const silentReporter: Reporter = { event() {} };
