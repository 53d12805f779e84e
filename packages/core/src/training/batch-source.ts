import * as tf from '@tensorflow/tfjs';
import type { FeatureArrays, Row } from '../plugin/contracts.js';
import { type FittedInput, type ModelInputLayout, modelInputLayout } from '../model/fitted-input.js';
import type { TransformPool } from '../pipeline/transform-pool.js';
import type { Random } from '../util/random.js';
import { isOptional, presenceOf } from '../pipeline/presence.js';
import { ModalityDropout } from './modality-dropout.js';

export interface Batch {
  readonly xs: Record<string, tf.Tensor>;
  readonly ys?: tf.Tensor;
}

/** Rows of one split, served as batches of tensors. Data stays in JS memory; only the batch enters the backend. */
export interface BatchSource {
  readonly rows: number;
  /** Input values per row, over all model inputs (sizes chunks). */
  readonly valuesPerRow: number;
  /** Tensors for the rows at `positions`; the caller disposes them. */
  batch(positions: readonly number[], training: boolean): Promise<Batch>;
  /** The stream augmentation draws from; a training backup keeps its state so a resumed run augments alike. */
  readonly random?: Random;
}

type Flat = Float32Array | Int32Array;

function sampleSize(shape: readonly number[]): number {
  return shape.reduce((product, d) => product * d, 1);
}

function gather(source: Flat, width: number, positions: readonly number[]): Flat {
  const out = new (source.constructor as Float32ArrayConstructor | Int32ArrayConstructor)(positions.length * width);
  positions.forEach((position, i) => out.set(source.subarray(position * width, (position + 1) * width), i * width));
  return out;
}

function isContiguous(positions: readonly number[]): boolean {
  for (let i = 1; i < positions.length; i++) if (positions[i] !== positions[i - 1] + 1) return false;
  return true;
}

function slice(source: Flat, width: number, positions: readonly number[]): Flat {
  if (positions.length > 0 && isContiguous(positions)) {
    return source.subarray(positions[0] * width, (positions[positions.length - 1] + 1) * width);
  }
  return gather(source, width, positions);
}

/** The preprocessor's arrays for the rows that have the input; zeros in the rows that lack it (presence 0). */
async function transformPresent(fitted: FittedInput, rows: readonly Row[], present: Float32Array | undefined, training: boolean, random: Random, pool?: TransformPool): Promise<FeatureArrays> {
  const run = (subset: readonly Row[]): Promise<FeatureArrays> | FeatureArrays =>
    // Workers serve the fixed (non-augmented) transform only: augmentation draws from this run's seeded stream.
    pool && !training && pool.accepts(fitted) && subset.length > 0
      ? pool.transform(fitted, subset)
      : fitted.preprocessor.transform(subset, { training, random: () => random.next() });
  if (present === undefined || present.every((p) => p === 1)) return run(rows);
  const positions = rows.flatMap((_, r) => (present[r] === 1 ? [r] : []));
  const partial = positions.length > 0 ? await run(positions.map((r) => rows[r])) : undefined;
  const full: FeatureArrays = {};
  for (const feature of fitted.preprocessor.features()) {
    const width = sampleSize(feature.shape);
    const out = feature.dtype === 'int32' ? new Int32Array(rows.length * width) : new Float32Array(rows.length * width);
    const values = partial?.[feature.key];
    if (values && values.length === positions.length * width) positions.forEach((r, i) => out.set(values.subarray(i * width, (i + 1) * width), r * width));
    else if (partial) continue; // a wrong or missing array: transformAll reports it
    full[feature.key] = out;
  }
  return full;
}

/**
 * Each model input's row-major values for `rows`: encoder features (zeros where an optional input is missing or
 * dropped) and the presence masks of optional inputs.
 */
async function transformAll(inputs: readonly FittedInput[], rows: readonly Row[], presence: ReadonlyMap<string, Float32Array>, training: boolean, random: Random, pool?: TransformPool): Promise<Map<string, Flat>> {
  const arrays = new Map<string, Flat>();
  const layout = modelInputLayout(inputs);
  for (const fitted of inputs) {
    const present = presence.get(fitted.spec.name);
    const result = await transformPresent(fitted, rows, present, training, random, pool);
    for (const entry of layout.filter((e) => e.input === fitted.spec.name)) {
      if (entry.presence) {
        arrays.set(entry.name, present!);
        continue;
      }
      const array = result[entry.feature.key];
      const expected = rows.length * sampleSize(entry.feature.shape);
      if (!array || array.length !== expected) {
        throw new Error(`encoder ${fitted.encoder.type} returned ${array?.length ?? 'no'} values for feature "${entry.feature.key}" of input "${fitted.spec.name}", expected ${expected}`);
      }
      arrays.set(entry.name, array);
    }
  }
  return arrays;
}

/** Presence per optional input over `rows`: 0 where the row lacks it, and everywhere for a dropped input. */
function presenceMasks(inputs: readonly FittedInput[], rows: readonly Row[], drop: ReadonlySet<string>): Map<string, Float32Array> {
  return new Map(inputs.filter(isOptional).map((input) => [
    input.spec.name,
    drop.has(input.spec.name) ? new Float32Array(rows.length) : presenceOf(input, rows),
  ]));
}

function toTensors(layout: readonly ModelInputLayout[], arrays: Map<string, Flat>, count: number): Record<string, tf.Tensor> {
  const xs: Record<string, tf.Tensor> = {};
  for (const entry of layout) {
    xs[entry.name] = tf.tensor(arrays.get(entry.name)!, [count, ...entry.feature.shape], entry.feature.dtype);
  }
  return xs;
}

export interface BatchSourceOptions {
  inputs: readonly FittedInput[];
  rows: readonly Row[];
  /** Row-major training targets, `targetWidth` values per row. */
  targets?: Float32Array;
  targetWidth: number;
  random: Random;
  /** Worker threads for the one-off transform of the split. */
  pool?: TransformPool;
  /** Optional inputs treated as missing in every row (`evaluate --drop`). */
  drop?: ReadonlySet<string>;
  /** Training batches only: per optional input, the probability that a present row's input is dropped. */
  modalityDropout?: ReadonlyMap<string, number>;
}

/** Transforms the split once (no augmentation) or per batch (augmenting preprocessors, training batches only). */
export async function createBatchSource(options: BatchSourceOptions): Promise<BatchSource> {
  const { inputs, rows, targets, targetWidth, random, pool } = options;
  const layout = modelInputLayout(inputs);
  const augments = inputs.some((input) => input.preprocessor.augments);
  const presence = presenceMasks(inputs, rows, options.drop ?? new Set());
  const fixed = await transformAll(inputs, rows, presence, false, random, pool);
  const dropout = new ModalityDropout(inputs, options.modalityDropout);
  const targetTensor = (positions: readonly number[]) =>
    targets ? tf.tensor2d(slice(targets, targetWidth, positions) as Float32Array, [positions.length, targetWidth]) : undefined;
  const presenceOfBatch = (positions: readonly number[]) => new Map([...presence].map(([name, values]) => [name, slice(values, 1, positions) as Float32Array]));
  return {
    rows: rows.length,
    random,
    valuesPerRow: layout.reduce((sum, entry) => sum + sampleSize(entry.feature.shape), 0),
    async batch(positions, training) {
      let arrays: Map<string, Flat>;
      if (training && augments) {
        arrays = await transformAll(inputs, positions.map((p) => rows[p]), presenceOfBatch(positions), true, random);
      } else {
        arrays = new Map([...fixed].map(([name, array]) => {
          const entry = layout.find((e) => e.name === name)!;
          return [name, slice(array, sampleSize(entry.feature.shape), positions)];
        }));
      }
      if (training) dropout.apply(arrays, positions.length, random);
      return { xs: toTensors(layout, arrays, positions.length), ys: targetTensor(positions) };
    },
  };
}

/** Consecutive batches of positions 0..rows-1, in a seeded random order when `order` is given. */
export function batchPositions(rows: number, batchSize: number, order?: Random): number[][] {
  const positions = Array.from({ length: rows }, (_, i) => i);
  if (order) order.shuffle(positions);
  const batches: number[][] = [];
  for (let start = 0; start < rows; start += batchSize) batches.push(positions.slice(start, start + batchSize));
  return batches;
}
