import { loadManifest, train, type ManifestOverrides, type TrainedFolder, type TrainingStepCompiler, type TrainResult } from '@polymodal/core';
import type { TrialJob, TrialOutcome } from '../study/run-study.js';
import { crossvalTrial, type TrialCrossval } from './crossval-trial.js';

/** Everything a process needs to train one trial. */
export interface TrialRequest extends TrialJob {
  manifest: string;
  /** train's overrides (--epochs, --batch-size, --backend, --set), applied before the trial's own settings. */
  overrides: ManifestOverrides;
  objective: string;
  allowLocalPlugins?: boolean;
  /** Set for a `cv_<metric>` objective: the trial is a cross-validation, its steps are folds. */
  crossval?: TrialCrossval;
}

/** The overrides a trial trains with: the command's, then the trial's parameters, then its seed. */
export function trialOverrides(request: Pick<TrialRequest, 'overrides' | 'settings' | 'seed'>): ManifestOverrides {
  return { ...request.overrides, set: [...(request.overrides.set ?? []), ...request.settings], seed: request.seed };
}

/**
 * The objective of a trained model: a metric of the validation split (`val_f1` is metrics.validation.f1),
 * or, for values only the epoch logs hold (val_loss), that log at the epoch whose weights the model kept.
 */
export function objectiveOf(result: TrainResult, objective: string): number {
  const metric = objective.replace(/^val_/, '');
  const fromMetrics = result.metrics.validation[metric];
  if (metric !== 'loss' && typeof fromMetrics === 'number') return fromMetrics;
  const history = result.training.history;
  const kept = result.training.restoredEpoch;
  const logs = (kept === undefined ? history.at(-1) : history.find((h) => h.epoch === kept))?.logs ?? {};
  const value = logs[objective];
  return typeof value === 'number' ? value : NaN;
}

/** Trains one trial in this process. The manifest is validated with the trial's values like any manifest. */
export async function runTrial(request: TrialRequest, options: {
  signal?: AbortSignal;
  onEpoch?: (epoch: number, logs: Record<string, number>) => void;
  beforeCommit?: (folder: TrainedFolder) => Promise<void>;
  /** train()'s `compileTrainingStep` (e.g. @polymodal/export's tensorflowTrainingGraph()). */
  compileTrainingStep?: TrainingStepCompiler;
} = {}): Promise<TrialOutcome> {
  if (request.crossval) return crossvalTrial({ ...request, overrides: trialOverrides(request) }, request.crossval, options);
  const loaded = await loadManifest(request.manifest, { overrides: trialOverrides(request), allowLocalPlugins: request.allowLocalPlugins });
  const result = await train({
    manifest: loaded,
    outDir: request.outDir,
    // The folder is this trial's own; a retried trial (its worker died) replaces what the first attempt left.
    overwrite: true,
    signal: options.signal,
    beforeCommit: options.beforeCommit,
    compileTrainingStep: options.compileTrainingStep,
    reporter: { event: (event) => { if (event.type === 'epochEnd') options.onEpoch?.(event.epoch, event.logs); } },
  });
  return {
    value: objectiveOf(result, request.objective),
    outDir: result.outDir,
    epochs: result.training.epochsRun,
    metrics: { validation: result.metrics.validation, test: result.metrics.test },
  };
}
