import type * as tf from '@tensorflow/tfjs';
import type { DependencyContainer } from 'tsyringe';
import { withSeededTfjsRandom } from '../../backend/seeded-tfjs-random.js';
import { PolymodalError } from '../../errors.js';
import { predictOutputs } from '../../evaluation/predict-outputs.js';
import { splitMetrics } from '../../evaluation/split-metrics.js';
import type { LoadedManifest } from '../../manifest/load-manifest.js';
import { composeWithinBudget } from '../../model/model-budget.js';
import type { RelianceOutput } from '../../model/compose-model.js';
import { TOKENS } from '../../tokens.js';
import type { EpochLogs } from '../../training/reporter.js';
import type { Trainer, TrainingResult } from '../../training/trainer.js';
import type { TrainingStepCompiler } from '../../training/compiled-step.js';
import type { BackendInfo } from '../../backend/select-backend.js';
import type { PreparedData } from '../../pipeline/prepare-data.js';
import type { PreparedSplits } from './prepare-splits.js';

export interface FitOptions {
  /** Where checkpoints go while training runs, and where they will be once the model folder is in place. */
  checkpointDir: string;
  publishedCheckpointDir: string;
  /** The trainer backs up its state here after every epoch, so an interrupted run can be resumed. */
  backupDir: string;
  resume: boolean;
  signal?: AbortSignal;
  /** Compiles the training step for the run's backend (TrainOptions.compileTrainingStep). */
  compileTrainingStep?: TrainingStepCompiler;
}

export interface FittedModel {
  model: tf.LayersModel;
  training: TrainingResult;
  /** The fusion's reliance tensors, in the model's graph (saved as extra outputs; see writeModelFolder). */
  reliance: readonly RelianceOutput[];
}

function resolveClassWeight(loaded: LoadedManifest, data: PreparedData, trainTargets: Float32Array): Record<number, number> | undefined {
  const setting = loaded.resolved.manifest.training.classWeight;
  if (setting === undefined) return undefined;
  const classes = data.labels.classes;
  if (loaded.resolved.manifest.output.task === 'multilabel') {
    throw new PolymodalError('/training/classWeight: class weights are not supported for multilabel tasks', { exitCode: 2 });
  }
  if (setting === 'balanced') {
    const counts = new Array<number>(classes.length).fill(0);
    trainTargets.forEach((c) => counts[c]++);
    return Object.fromEntries(counts.map((count, c) => [c, count === 0 ? 1 : trainTargets.length / (classes.length * count)]));
  }
  // Class names are user strings: look them up in a Map, never as object keys.
  const byName = new Map(Object.entries(setting));
  const unknown = [...byName.keys()].filter((name) => !classes.includes(name));
  if (unknown.length > 0) {
    throw new PolymodalError(`/training/classWeight/${unknown[0]}: "${unknown[0]}" is not a class (${classes.join(', ')})`, { exitCode: 2 });
  }
  return Object.fromEntries(classes.map((name, c) => [c, byName.get(name) ?? 1]));
}

/** Validation metrics a monitor needs that tfjs does not log (val_f1 ...), computed from predictions each epoch. */
function epochMetricsOf(splits: PreparedSplits, batchSize: number) {
  if (splits.extraMetrics.length === 0) return undefined;
  return async (m: tf.LayersModel): Promise<EpochLogs> => {
    const outputs = await predictOutputs(m, splits.validation.source, batchSize);
    const { values } = splitMetrics(splits.data.labels, splits.validation.targets, outputs, splits.extraMetrics, 0.5);
    return Object.fromEntries(Object.entries(values).map(([k, v]) => [`val_${k}`, v]));
  };
}

/** Builds the model from the manifest and trains it with the run's trainer. The caller disposes the model. */
export async function fitModel(loaded: LoadedManifest, run: DependencyContainer, splits: PreparedSplits, options: FitOptions): Promise<FittedModel> {
  const { manifest } = loaded.resolved;
  return withSeededTfjsRandom(manifest.training.seed, async () => {
    const { model, reliance } = composeWithinBudget(manifest, loaded.registry, splits.data.inputs, splits.data.labels);
    try {
      const trainer = run.resolve<Trainer>(TOKENS.Trainer);
      const training = await trainer.train({
        model,
        task: manifest.output.task,
        train: splits.train.source,
        validation: splits.validation.rows.length > 0 ? splits.validation.source : undefined,
        config: manifest.training,
        classWeight: resolveClassWeight(loaded, splits.data, splits.train.targets),
        checkpointDir: options.checkpointDir,
        publishedCheckpointDir: options.publishedCheckpointDir,
        epochMetrics: epochMetricsOf(splits, manifest.training.batchSize),
        backupDir: options.backupDir,
        resume: options.resume,
        signal: options.signal,
        stepCompiler: options.compileTrainingStep ? { compiler: options.compileTrainingStep, backend: run.resolve<BackendInfo>(TOKENS.Backend) } : undefined,
      });
      return { model, training, reliance };
    } catch (error) {
      model.dispose();
      throw error;
    }
  });
}
