import { kFoldSplit } from '../../data/kfold-split.js';
import type { Split } from '../../data/split.js';
import type { LoadedManifest } from '../../manifest/load-manifest.js';
import { extraMonitoredMetrics } from '../../manifest/monitors.js';
import { prepareTrainingData, splitPrepared, type PreparedData } from '../../pipeline/prepare-data.js';
import { type TransformPool, withTransformPool } from '../../pipeline/transform-pool.js';
import type { Row } from '../../plugin/contracts.js';
import { createBatchSource, type BatchSource } from '../../training/batch-source.js';
import type { Random } from '../../util/random.js';
import { lacksInput } from '../../pipeline/presence.js';
import { PolymodalError } from '../../errors.js';
import { modalityDropoutRates } from '../../training/modality-dropout.js';

/** Cross-validation: hold out one fold as the test split (preprocessing is fitted on the fold's train rows only). */
export interface TrainFold {
  folds: number;
  /** 0-based fold to hold out. */
  index: number;
  /** Seed of the fold assignment (default data.split.seed; crossval varies it per repeat). */
  seed?: number | string;
  stratify: boolean;
}

export interface SplitData {
  rows: Row[];
  targets: Float32Array;
  source: BatchSource;
}

export interface PreparedSplits {
  data: PreparedData;
  split: Split;
  train: SplitData;
  validation: SplitData;
  test: SplitData;
  /** Metrics a monitor needs that tfjs does not log (computed from validation predictions each epoch). */
  extraMetrics: string[];
}

function chooseSplit(loaded: LoadedManifest, data: PreparedData, fold: TrainFold | undefined): Split {
  const { manifest } = loaded.resolved;
  if (!fold) return splitPrepared(manifest, data);
  return kFoldSplit(data.rows.length, {
    folds: fold.folds,
    fold: fold.index,
    seed: fold.seed ?? manifest.data.split.seed,
    validation: manifest.data.split.validation,
    strata: fold.stratify ? data.labels.strata(data.rows) : undefined,
  });
}

async function splitData(data: PreparedData, indices: number[], random: Random, pool: TransformPool | undefined, modalityDropout?: ReadonlyMap<string, number>): Promise<SplitData> {
  const rows = indices.map((i) => data.rows[i]);
  const targets = data.labels.targets(rows);
  const trainingTargets = data.labels.trainingTargets(targets);
  const source = await createBatchSource({
    inputs: data.inputs,
    rows,
    targets: trainingTargets,
    targetWidth: trainingTargets.length / Math.max(1, rows.length),
    random,
    pool,
    modalityDropout,
  });
  return { rows, targets, source };
}

/** Reads the data, splits it, fits preprocessing and labels on the training rows, and transforms every split. */
export async function prepareSplits(
  loaded: LoadedManifest,
  random: Random,
  fold: TrainFold | undefined,
  report: { info(message: string): void; warn(message: string): void },
): Promise<PreparedSplits> {
  const { manifest } = loaded.resolved;
  const data = await prepareTrainingData(loaded.resolved, loaded.registry, report.warn);
  const split = chooseSplit(loaded, data, fold);
  report.info(`rows: ${split.train.length} train, ${split.validation.length} validation, ${split.test.length} test`);
  const trainRows = split.train.map((i) => data.rows[i]);
  // An optional input's preprocessor learns from (and only ever sees) the rows that have it.
  for (const input of data.inputs) {
    const having = trainRows.filter((row) => !lacksInput(input, row));
    if (having.length === 0 && trainRows.length > 0) {
      throw new PolymodalError(`${data.table.source}: input "${input.spec.name}" is missing from every training row (${trainRows.length}), so nothing can be learnt about it`, {
        hint: `Give rows that have its column${input.spec.columns.length === 1 ? '' : 's'} (${input.spec.columns.join(', ')}), or remove the input from the manifest.`,
      });
    }
    await input.preprocessor.fit(having);
  }
  data.labels.fit(trainRows);
  const extraMetrics = extraMonitoredMetrics(manifest, split.validation.length > 0);
  const dropout = modalityDropoutRates(manifest.training, data.inputs);
  const [train, validation, test] = await withTransformPool(manifest.data.workers, data.inputs, data.rows.length, (pool) =>
    Promise.all([split.train, split.validation, split.test].map((indices, i) =>
      splitData(data, indices, random.fork(`augment/${i}`), pool, i === 0 ? dropout : undefined))),
  );
  return { data, split, train, validation, test, extraMetrics };
}
