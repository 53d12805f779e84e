import * as tf from '@tensorflow/tfjs';
import { batchPositions, type BatchSource } from './batch-source.js';
import type { EpochLogs } from './reporter.js';
import type { Random } from '../util/random.js';

/**
 * Rows per model.fit call: the whole split when it fits in about 64 MB of values, else chunks of whole
 * batches, so a large dataset never sits in the backend's memory at once (wasm's heap stops at 4 GB).
 */
const CHUNK_VALUES = 16 * 1024 * 1024;

function chunkSize(source: BatchSource, batchSize: number): number {
  const rows = Math.floor(CHUNK_VALUES / Math.max(1, source.valuesPerRow));
  return Math.max(batchSize, rows - (rows % batchSize));
}

function chunks(positions: number[], size: number): number[][] {
  const out: number[][] = [];
  for (let start = 0; start < positions.length; start += size) out.push(positions.slice(start, start + size));
  return out;
}

/** Keras 2 logs `acc`; people write `accuracy` (Keras 2.3+), so logs use that name. */
export function normaliseLogs(logs: Record<string, unknown> | undefined): EpochLogs {
  const out: EpochLogs = {};
  for (const [key, value] of Object.entries(logs ?? {})) {
    if (typeof value === 'number') out[key.replace(/(^|_)acc$/, '$1accuracy')] = value;
  }
  return out;
}

/** Reports batch progress without a device sync per batch: the loss is read at most every 100 ms. */
export class BatchProgress extends tf.Callback {
  private lastReport = 0;
  /** Batches of the epoch done before the current chunk. */
  offset = 0;

  constructor(private readonly batches: number, private readonly report: (batch: number, logs: EpochLogs) => void) {
    super();
  }

  override async onBatchEnd(batch: number, logs?: tf.Logs): Promise<void> {
    const index = this.offset + batch + 1;
    const now = performance.now();
    if (now - this.lastReport < 100 && index !== this.batches) return;
    this.lastReport = now;
    const values: Record<string, number> = {};
    for (const [key, value] of Object.entries((logs ?? {}) as Record<string, number | tf.Scalar>)) {
      if (key !== 'batch' && key !== 'size') values[key] = typeof value === 'number' ? value : value.dataSync()[0];
    }
    this.report(index, normaliseLogs(values));
  }
}

function inputsOf(model: tf.LayersModel, xs: Record<string, tf.Tensor>): tf.Tensor[] {
  return model.inputNames.map((name) => xs[name]);
}

function addWeighted(totals: EpochLogs, logs: EpochLogs, rows: number): void {
  for (const [key, value] of Object.entries(logs)) totals[key] = (totals[key] ?? 0) + value * rows;
}

function divide(totals: EpochLogs, rows: number): EpochLogs {
  return Object.fromEntries(Object.entries(totals).map(([key, value]) => [key, value / rows]));
}

/**
 * One epoch of training: rows in a seeded order, fed to tfjs's own model.fit chunk by chunk (the same
 * batch loop a hand-written tfjs program runs). Returns the row-weighted mean loss and metrics.
 */
export async function trainEpoch(
  model: tf.LayersModel,
  source: BatchSource,
  options: { batchSize: number; order?: Random; classWeight?: Record<number, number>; progress: BatchProgress },
): Promise<EpochLogs> {
  const totals: EpochLogs = {};
  const positions = batchPositions(source.rows, source.rows, options.order)[0] ?? [];
  options.progress.offset = 0;
  for (const chunk of chunks(positions, chunkSize(source, options.batchSize))) {
    const batch = await source.batch(chunk, true);
    try {
      const history = await model.fit(inputsOf(model, batch.xs), batch.ys!, {
        epochs: 1,
        batchSize: options.batchSize,
        shuffle: false,
        verbose: 0,
        yieldEvery: 'never',
        classWeight: options.classWeight,
        callbacks: [options.progress],
      });
      addWeighted(totals, normaliseLogs(Object.fromEntries(Object.entries(history.history).map(([k, v]) => [k, v[0]]))), chunk.length);
    } finally {
      tf.dispose(batch.xs);
      batch.ys?.dispose();
    }
    options.progress.offset += Math.ceil(chunk.length / options.batchSize);
  }
  return divide(totals, Math.max(1, positions.length));
}

/** Loss and compiled metrics over a split, prefixed `val_`. */
export async function validateEpoch(model: tf.LayersModel, source: BatchSource, batchSize: number): Promise<EpochLogs> {
  const totals: EpochLogs = {};
  const names = model.metricsNames;
  for (const chunk of batchPositions(source.rows, chunkSize(source, batchSize))) {
    const batch = await source.batch(chunk, false);
    try {
      const result = model.evaluate(inputsOf(model, batch.xs), batch.ys!, { batchSize });
      const scalars = Array.isArray(result) ? result : [result];
      const logs = Object.fromEntries(scalars.map((s, i) => [`val_${names[i]}`, s.dataSync()[0]]));
      tf.dispose(scalars);
      addWeighted(totals, normaliseLogs(logs), chunk.length);
    } finally {
      tf.dispose(batch.xs);
      batch.ys?.dispose();
    }
  }
  return divide(totals, Math.max(1, source.rows));
}
