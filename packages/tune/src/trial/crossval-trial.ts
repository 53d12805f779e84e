import { crossval, PolymodalError, type FoldResult, type ManifestOverrides, type TrainedFolder, type TrainingStepCompiler } from '@polymodal/core';
import type { TrialOutcome } from '../study/run-study.js';

/** The folds of a `cv_<metric>` objective (resolved: defaults filled in by the command). */
export interface TrialCrossval {
  folds: number;
  stratify: boolean;
}

/** What a cross-validated trial needs: its manifest, every override (the command's, its parameters, its seed), its folder. */
export interface CrossvalTrialRequest {
  manifest: string;
  overrides: ManifestOverrides;
  objective: string;
  outDir: string;
  allowLocalPlugins?: boolean;
}

/** The metric a `cv_<metric>` objective averages over the held-out folds. */
export function crossvalMetric(objective: string): string | undefined {
  return /^cv_(\w+)$/.exec(objective)?.[1];
}

function meanOf(values: readonly number[]): number {
  return values.reduce((sum, v) => sum + v, 0) / values.length;
}

/** Per-metric mean over folds of one kind of fold metrics (held-out or validation). */
function meanMetrics(results: readonly FoldResult[], pick: (r: FoldResult) => Record<string, number>): Record<string, number> {
  const names = [...new Set(results.flatMap((r) => Object.keys(pick(r))))];
  return Object.fromEntries(names.map((name) => [name, meanOf(results.map((r) => pick(r)[name]).filter((v) => Number.isFinite(v)))]));
}

/**
 * A trial whose objective is a metric on cross-validation folds: core's crossval() of the trial's manifest into
 * the trial's folder, folds one after another. After each fold, the running mean of the held-out metric over the
 * folds done so far is reported as the trial's step (fold k is "epoch" k), so the study's pruner compares trials
 * fold by fold and a pruned trial stops before its next fold (or at the next batch of the running one).
 */
export async function crossvalTrial(request: CrossvalTrialRequest, cv: TrialCrossval, options: {
  signal?: AbortSignal;
  onEpoch?: (epoch: number, logs: Record<string, number>) => void;
  beforeCommit?: (folder: TrainedFolder) => Promise<void>;
  compileTrainingStep?: TrainingStepCompiler;
}): Promise<TrialOutcome> {
  const metric = crossvalMetric(request.objective);
  if (metric === undefined) throw new PolymodalError(`objective ${request.objective} is not cv_<metric>`, { exitCode: 70 });
  const heldOut = (done: readonly FoldResult[]) => meanOf(done.map((r) => r.metrics[metric] ?? NaN));
  const result = await crossval({
    manifest: request.manifest,
    folds: cv.folds,
    stratify: cv.stratify,
    overrides: request.overrides,
    allowLocalPlugins: request.allowLocalPlugins,
    outDir: request.outDir,
    // The folder is this trial's own; a retried trial (its worker died) replaces what the first attempt left.
    overwrite: true,
    signal: options.signal,
    beforeFoldCommit: options.beforeCommit,
    compileTrainingStep: options.compileTrainingStep,
    onFold: (_result, done) => options.onEpoch?.(done.length, { [request.objective]: heldOut(done) }),
  });
  return {
    value: heldOut(result.results),
    outDir: result.outDir,
    epochs: result.results.length,
    metrics: { validation: meanMetrics(result.results, (r) => r.validation), test: meanMetrics(result.results, (r) => r.metrics) },
  };
}
