import * as tf from '@tensorflow/tfjs';
import { batchPositions, type BatchSource } from './batch-source.js';
import { type EpochProgress, normaliseLogs } from './epoch-progress.js';
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
 * batch loop a hand-written tfjs program runs). Returns the mean loss and metrics over the epoch's batches,
 * weighted by batch size. Ends early, after the current batch, when `progress` reports a stop request.
 */
export async function trainEpoch(
  model: tf.LayersModel,
  source: BatchSource,
  options: { batchSize: number; order?: Random; classWeight?: Record<number, number>; progress: EpochProgress },
): Promise<EpochLogs> {
  const positions = batchPositions(source.rows, source.rows, options.order)[0] ?? [];
  for (const chunk of chunks(positions, chunkSize(source, options.batchSize))) {
    if (options.progress.stopRequested) break;
    const batch = await source.batch(chunk, true);
    try {
      await model.fit(inputsOf(model, batch.xs), batch.ys!, {
        epochs: 1,
        batchSize: options.batchSize,
        shuffle: false,
        verbose: 0,
        yieldEvery: 'never',
        classWeight: options.classWeight,
        callbacks: [options.progress],
      });
    } finally {
      tf.dispose(batch.xs);
      batch.ys?.dispose();
    }
  }
  return options.progress.means();
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
