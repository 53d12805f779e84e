import * as tf from '@tensorflow/tfjs';
import type { EpochLogs } from './reporter.js';

/** Keras 2 logs `acc`; people write `accuracy` (Keras 2.3+), so logs use that name. */
export function normaliseLogs(logs: Record<string, unknown> | undefined): EpochLogs {
  const out: EpochLogs = {};
  for (const [key, value] of Object.entries(logs ?? {})) {
    if (typeof value === 'number') out[key.replace(/(^|_)acc$/, '$1accuracy')] = value;
  }
  return out;
}

/** What the progress callback reports: the batch reached, the running means so far, seconds since the epoch began. */
export type BatchReport = (batch: number, logs: EpochLogs, seconds: number) => void;

/**
 * Follows an epoch across model.fit calls: running means of the loss and metrics over the batches so far
 * (as Keras's progress bar shows them), the batches done, and a stop request (an abort signal).
 *
 * tfjs hands each batch's values over as scalars on the device; they are summed there, weighted by batch size,
 * with the same operations as tfjs's own BaseLogger, and read back at most every 100 ms (a read waits for the
 * device), so the bar costs no sync per batch. The epoch's logs are read from the same sums, so the last
 * batch's figures are the epoch line's.
 */
export class EpochProgress extends tf.Callback {
  private totals = new Map<string, tf.Scalar>();
  private seen = 0;
  private started = 0;
  private lastReport = 0;
  /** Batches of the epoch done so far. */
  batchesDone = 0;

  constructor(
    private readonly batches: number,
    private readonly report: BatchReport,
    private readonly signal?: AbortSignal,
  ) {
    super();
  }

  /** Starts a new epoch; `started` is performance.now() when the epoch really began (before its first batch was made). */
  begin(started: number): void {
    this.release();
    this.seen = 0;
    this.batchesDone = 0;
    this.started = started;
    this.lastReport = started;
  }

  get stopRequested(): boolean {
    return this.signal?.aborted === true;
  }

  override async onBatchEnd(_batch: number, logs?: tf.Logs): Promise<void> {
    const values = (logs ?? {}) as Record<string, number | tf.Scalar>;
    const size = typeof values.size === 'number' ? values.size : 0;
    this.seen += size;
    this.batchesDone++;
    for (const [key, value] of Object.entries(values)) {
      if (key === 'batch' || key === 'size') continue;
      const previous = this.totals.get(key);
      this.totals.set(key, tf.tidy(() => tf.add(previous ?? 0, tf.mul(value, size))));
      previous?.dispose();
    }
    const now = performance.now();
    if (now - this.lastReport >= 100 || this.batchesDone === this.batches) {
      this.lastReport = now;
      this.report(this.batchesDone, this.means(), (now - this.started) / 1000);
      // model.fit never yields to the event loop by itself (yieldEvery 'never'), so a signal handler that
      // aborts would wait for the whole chunk: let it run here, at most every 100 ms.
      await new Promise((resolve) => setImmediate(resolve));
    }
    // Checked here so model.fit ends after this batch, not after its whole chunk.
    if (this.stopRequested) this.model.stopTraining = true;
  }

  /** Mean of each value over the batches so far, weighted by batch size (one read from the device). */
  means(): EpochLogs {
    const keys = [...this.totals.keys()];
    if (keys.length === 0) return {};
    const seen = this.seen;
    const stacked = tf.tidy(() => tf.stack(keys.map((key) => tf.mul(tf.div(1, seen), this.totals.get(key)!))));
    const values = stacked.dataSync();
    stacked.dispose();
    return normaliseLogs(Object.fromEntries(keys.map((key, i) => [key, values[i]])));
  }

  /** Frees the sums (also on error paths). */
  release(): void {
    tf.dispose([...this.totals.values()]);
    this.totals.clear();
  }
}
