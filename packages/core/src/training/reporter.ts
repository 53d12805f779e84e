export type EpochLogs = Record<string, number>;

/** What a run tells the outside world; the CLI renders it as a progress bar, plain lines or JSON lines. */
export type RunEvent =
  | { type: 'info'; message: string }
  | { type: 'warning'; message: string }
  | { type: 'trainStart'; epochs: number; batchesPerEpoch: number; trainRows: number; validationRows: number }
  /**
   * `logs` are running means over the epoch's batches so far (Keras's progress bar shows the same), so the last
   * batch's equal the epoch's training logs; `seconds` have passed since the epoch began (before its first batch).
   */
  | { type: 'batchEnd'; epoch: number; epochs: number; batch: number; batches: number; loss: number; logs: EpochLogs; seconds: number }
  | { type: 'epochEnd'; epoch: number; epochs: number; logs: EpochLogs; learningRate: number; seconds: number }
  | { type: 'stopped'; epoch: number; reason: string }
  /** Training continues after `epoch` (1-based, complete) from the backup at `path`. */
  | { type: 'resumed'; epoch: number; path: string }
  /** `epoch` counts from 1; `path` is where the checkpoint is once the run's model folder is in place. */
  | { type: 'checkpoint'; epoch: number; path: string; monitor: string; value: number };

export interface Reporter {
  event(event: RunEvent): void;
}

export const silentReporter: Reporter = { event() {} };
