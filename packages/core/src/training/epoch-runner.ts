import * as tf from '@tensorflow/tfjs';
import { batchPositions, type BatchSource } from './batch-source.js';
import type { CompiledTrainingStep } from './compiled-step.js';
import { evaluateOnGraph } from './layer-graph-step.js';
import { LayerGraph } from '../model/layer-graph.js';
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

/** A compiled step and the optimizer that applies its gradients, in place of model.fit's own step. */
export interface CompiledStepRun {
  readonly step: CompiledTrainingStep;
  readonly optimizer: tf.Optimizer;
}

function rowsOf(x: tf.Tensor, start: number, size: number): tf.Tensor {
  return start === 0 && size === x.shape[0] ? x : x.slice(start, size);
}

/**
 * model.fit's batch loop for a compiled step: the chunk's rows in order, batch by batch; the step's gradients go
 * to the optimizer, its loss and metrics to `progress` as fit hands them over (scalars under model.metricsNames).
 */
async function fitCompiled(model: tf.LayersModel, compiled: CompiledStepRun, xs: tf.Tensor[], ys: tf.Tensor, batchSize: number, progress: EpochProgress): Promise<void> {
  const rows = ys.shape[0];
  const names = model.metricsNames;
  progress.setModel(model);
  for (let batch = 0, start = 0; start < rows; batch++, start += batchSize) {
    const size = Math.min(batchSize, rows - start);
    const inputs = xs.map((x) => rowsOf(x, start, size));
    const target = rowsOf(ys, start, size);
    let result;
    try {
      result = compiled.step.run(inputs, target);
    } finally {
      tf.dispose([...inputs.filter((x, i) => x !== xs[i]), ...(target === ys ? [] : [target])]);
    }
    try {
      compiled.optimizer.applyGradients(result.gradients);
      const logs: Record<string, number | tf.Scalar> = { batch, size };
      names.forEach((name, i) => (logs[name] = result.logs[i]));
      await progress.onBatchEnd(batch, logs as tf.Logs);
    } finally {
      tf.dispose([...result.logs, ...Object.values(result.gradients)]);
    }
    // As model.fit: a stop request ends the loop after the batch it arrived in.
    if (progress.stopRequested) break;
  }
}

/**
 * One epoch of training: rows in a seeded order, fed to tfjs's own model.fit chunk by chunk (the same
 * batch loop a hand-written tfjs program runs), or to a compiled step's loop. Returns the mean loss and
 * metrics over the epoch's batches, weighted by batch size. Ends early, after the current batch, when
 * `progress` reports a stop request.
 */
export async function trainEpoch(
  model: tf.LayersModel,
  source: BatchSource,
  options: { batchSize: number; order?: Random; classWeight?: Record<number, number>; progress: EpochProgress; compiled?: CompiledStepRun },
): Promise<EpochLogs> {
  const positions = batchPositions(source.rows, source.rows, options.order)[0] ?? [];
  for (const chunk of chunks(positions, chunkSize(source, options.batchSize))) {
    if (options.progress.stopRequested) break;
    const batch = await source.batch(chunk, true);
    try {
      if (options.compiled) {
        await fitCompiled(model, options.compiled, inputsOf(model, batch.xs), batch.ys!, options.batchSize, options.progress);
        continue;
      }
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

/** The split's loss and compiled metrics for one chunk, in model.metricsNames order. */
function evaluateChunk(model: tf.LayersModel, xs: tf.Tensor[], ys: tf.Tensor, batchSize: number): number[] {
  const graph = LayerGraph.of(model);
  if (graph) return evaluateOnGraph(model, graph, xs, ys, batchSize);
  const result = model.evaluate(xs, ys, { batchSize });
  const scalars = Array.isArray(result) ? result : [result];
  const values = scalars.map((scalar) => scalar.dataSync()[0]);
  tf.dispose(scalars);
  return values;
}

/** Loss and compiled metrics over a split, prefixed `val_` (through the layer graph where it splits a product). */
export async function validateEpoch(model: tf.LayersModel, source: BatchSource, batchSize: number): Promise<EpochLogs> {
  const totals: EpochLogs = {};
  const names = model.metricsNames;
  for (const chunk of batchPositions(source.rows, chunkSize(source, batchSize))) {
    const batch = await source.batch(chunk, false);
    try {
      const values = evaluateChunk(model, inputsOf(model, batch.xs), batch.ys!, batchSize);
      const logs = Object.fromEntries(values.map((value, i) => [`val_${names[i]}`, value]));
      addWeighted(totals, normaliseLogs(logs), chunk.length);
    } finally {
      tf.dispose(batch.xs);
      batch.ys?.dispose();
    }
  }
  return divide(totals, Math.max(1, source.rows));
}
