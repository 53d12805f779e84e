import { predictAllOutputs, predictOutputs } from '../evaluation/predict-outputs.js';
import type { CompiledModel } from '../model/compiled-model.js';
import type { FittedInput } from '../model/fitted-input.js';
import type { Row } from '../plugin/contracts.js';
import { isOptional, lacksInput } from '../pipeline/presence.js';
import type { BatchSource } from '../training/batch-source.js';
import type { LoadedModel } from './load-model.js';

/**
 * Per input name, how much the row relied on it: `presence` (1 when the row had the input, 0 when it lacked it
 * or it was dropped) and whatever the fusion exposes (`attention`, `gates`...).
 */
export type Reliance = Record<string, Record<string, number>>;

/** What a prediction may add beyond the label and probabilities. */
export interface PredictionDetails {
  /** The inputs the row had, in manifest order. */
  modalities: string[];
  /** With `explain` only. */
  reliance?: Reliance;
}

function round(value: number): number {
  return Math.round(value * 1e6) / 1e6;
}

/** Per row, the inputs it has (manifest order); `dropped` inputs count as missing. */
export function modalitiesOf(inputs: readonly FittedInput[], rows: readonly Row[], dropped: ReadonlySet<string> = new Set()): string[][] {
  return rows.map((row) => inputs.filter((input) => !dropped.has(input.spec.name) && !lacksInput(input, row)).map((input) => input.spec.name));
}

/** Whether predictions list their modalities: when rows may lack inputs, or when explaining. */
export function reportsModalities(inputs: readonly FittedInput[], explain: boolean): boolean {
  return explain || inputs.some(isOptional);
}

/**
 * The model's predictions for `source` (built from `rows`) and, where they are reported, each row's details. With
 * `explain`, the fusion's reliance outputs are computed too (the folder's side model: prediction and reliance).
 * `batchSize` rows per model call at most (default the manifest's training batch size).
 */
export async function predictWithDetails(
  model: LoadedModel,
  inputs: readonly FittedInput[],
  source: BatchSource,
  rows: readonly Row[],
  explain: boolean,
  batchSize = model.manifest.training.batchSize,
  compiled?: CompiledModel,
): Promise<{ outputs: Float32Array; details?: PredictionDetails[] }> {
  if (!reportsModalities(inputs, explain)) return { outputs: await predictOutputs(model.model, source, batchSize, compiled) };
  const modalities = modalitiesOf(inputs, rows);
  if (!explain) return { outputs: await predictOutputs(model.model, source, batchSize, compiled), details: modalities.map((m) => ({ modalities: m })) };
  const [outputs, ...relianceOutputs] = await predictAllOutputs(model.explainModel, source, batchSize);
  const described = model.meta.reliance ?? [];
  const names = inputs.map((input) => input.spec.name);
  const details = modalities.map((present, r): PredictionDetails => {
    const reliance: Reliance = { presence: Object.fromEntries(names.map((name) => [name, present.includes(name) ? 1 : 0])) };
    described.forEach((meta, k) => {
      const width = meta.columns.length;
      reliance[meta.name] = Object.fromEntries(meta.columns.map((column, c) => [column, round(relianceOutputs[k][r * width + c])]));
    });
    return { modalities: present, reliance };
  });
  return { outputs, details };
}

/** The predictions with their details appended (`modalities`, then `reliance`), in row order. */
export function withDetails<P extends object>(predictions: P[], details: readonly PredictionDetails[] | undefined): (P & Partial<PredictionDetails>)[] {
  if (!details) return predictions;
  return predictions.map((prediction, r) => ({ ...prediction, ...details[r] }));
}
