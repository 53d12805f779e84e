import { join, resolve } from 'node:path';
import { commitDirectory, discardStaging, stagingDirectory } from '../artifacts/commit-directory.js';
import { chooseOutputFolder } from '../artifacts/output-target.js';
import { PolymodalError } from '../errors.js';
import { loadManifest, type ManifestOverrides } from '../manifest/load-manifest.js';
import type { Manifest, Task } from '../manifest/types.js';
import type { PolymodalPlugin } from '../plugin/contracts.js';
import { mean, standardDeviation } from '../evaluation/statistics.js';
import { silentReporter, type Reporter } from '../training/reporter.js';
import { writeJsonAtomic } from '../util/atomic-write.js';
import type { ConfigureContainer } from './run-container.js';
import { train, type TrainedFolder } from './train.js';
import type { TrainingStepCompiler } from '../training/compiled-step.js';

/** One fold of one repeat: everything a fresh process needs to train it. */
export interface FoldJob {
  manifest: string;
  folds: number;
  /** 0-based. */
  fold: number;
  /** 0-based. */
  repeat: number;
  stratify: boolean;
  /** The fold's model folder. */
  outDir: string;
  overrides?: ManifestOverrides;
  /** Plugin entries of the manifest may be file paths (the CLI's --allow-local-plugins). */
  allowLocalPlugins?: boolean;
}

export interface FoldResult {
  repeat: number;
  fold: number;
  outDir: string;
  rows: { train: number; validation: number; test: number };
  /** Lines (in the data file) of the rows held out, and of those the preprocessing was fitted on. */
  lines: { train: number[]; validation: number[]; test: number[] };
  /** Metrics on the held-out fold. */
  metrics: Record<string, number>;
  validation: Record<string, number>;
  epochsRun: number;
  warnings: string[];
}

export interface MetricSummary {
  mean: number;
  /** Sample standard deviation over all folds of all repeats. */
  std: number;
  min: number;
  max: number;
}

export interface CrossvalResult {
  name: string;
  task: Task;
  manifest: string;
  folds: number;
  repeats: number;
  stratify: boolean;
  outDir: string;
  summary: Record<string, MetricSummary>;
  results: FoldResult[];
}

export interface CrossvalOptions {
  manifest: string;
  folds: number;
  /** Stratify the folds by class (classification only); default false. */
  stratify?: boolean;
  /** Repeat the K folds with another assignment each time (default 1). */
  repeats?: number;
  /** How many folds run at once with `runFold` (default 1). Folds in this process always run one at a time. */
  parallel?: number;
  /** Folder for crossval.json and folds/ (default `runs/<name>-crossval` beside the manifest, numbered when taken). */
  outDir?: string;
  /** Replace an existing Polymodal folder at `outDir`. Nothing else is ever replaced. */
  overwrite?: boolean;
  overrides?: ManifestOverrides;
  /** Plugin entries of the manifest may be file paths (the CLI's --allow-local-plugins). */
  allowLocalPlugins?: boolean;
  reporter?: Reporter;
  plugins?: readonly PolymodalPlugin[];
  configure?: ConfigureContainer;
  /** Aborting it stops the cross-validation: no fold starts after it, the running one (in this process) stops at its next batch. */
  signal?: AbortSignal;
  /** Called after each fold, with every fold done so far (in the order they finished); tune prunes on their running mean. */
  onFold?: (result: FoldResult, done: readonly FoldResult[]) => void;
  /** Runs one fold elsewhere (the CLI: a child process running runFold()). Default: in this process. */
  runFold?: (job: FoldJob) => Promise<FoldResult>;
  /** Given to the default (in-process) fold runner: see RunFoldOptions. */
  beforeFoldCommit?: RunFoldOptions['beforeFoldCommit'];
  compileTrainingStep?: RunFoldOptions['compileTrainingStep'];
  /**
   * Called with the staging folder after crossval.json is written and before the folder is renamed into place,
   * so that what it adds (the CLI: report.html through @polymodal/report) is part of a folder that is complete or absent.
   */
  beforeCommit?: (stagingDir: string, result: CrossvalResult, manifest: Manifest) => Promise<void>;
}

export interface RunFoldOptions {
  reporter?: Reporter;
  plugins?: readonly PolymodalPlugin[];
  configure?: ConfigureContainer;
  /** train()'s `beforeCommit` for the fold's model folder, e.g. to add its report. */
  beforeFoldCommit?: (folder: TrainedFolder) => Promise<void>;
  /** Stops the fold's training at its next batch. */
  signal?: AbortSignal;
  /** train()'s `compileTrainingStep` for the fold (e.g. @polymodal/export's tensorflowTrainingGraph()). */
  compileTrainingStep?: TrainingStepCompiler;
}

/** The seed of a repeat's fold assignment: repeat 0 uses data.split.seed itself. */
function repeatSeed(seed: number, repeat: number): number | string {
  return repeat === 0 ? seed : `${seed}/repeat-${repeat}`;
}

/** Trains one fold: train() with the fold held out as its test split, so preprocessing never sees it. */
export async function runFold(job: FoldJob, options: RunFoldOptions = {}): Promise<FoldResult> {
  const loaded = await loadManifest(job.manifest, { overrides: job.overrides, plugins: options.plugins, allowLocalPlugins: job.allowLocalPlugins });
  const seed = loaded.resolved.manifest.data.split.seed;
  const result = await train({
    manifest: loaded,
    outDir: job.outDir,
    // The fold's folder is inside crossval's own staging folder: a fold retried elsewhere (its queue worker died
    // after committing) replaces what the first attempt left.
    overwrite: true,
    signal: options.signal,
    beforeCommit: options.beforeFoldCommit,
    reporter: options.reporter,
    configure: options.configure,
    compileTrainingStep: options.compileTrainingStep,
    fold: { folds: job.folds, index: job.fold, seed: repeatSeed(seed, job.repeat), stratify: job.stratify },
  });
  return {
    repeat: job.repeat,
    fold: job.fold,
    outDir: result.outDir,
    rows: result.metrics.rows,
    lines: result.splitLines,
    metrics: result.metrics.test,
    validation: result.metrics.validation,
    epochsRun: result.training.epochsRun,
    warnings: result.metrics.warnings,
  };
}

/** Mean, standard deviation, min and max of every metric over the folds. */
export function summarizeFolds(results: readonly FoldResult[]): Record<string, MetricSummary> {
  const names = [...new Set(results.flatMap((r) => Object.keys(r.metrics)))];
  return Object.fromEntries(names.map((name) => {
    const values = results.map((r) => r.metrics[name]).filter((v) => v !== undefined && Number.isFinite(v));
    return [name, { mean: mean(values), std: standardDeviation(values), min: Math.min(...values), max: Math.max(...values) }];
  }));
}

async function runLimited<T, R>(items: readonly T[], limit: number, work: (item: T) => Promise<R>, signal?: AbortSignal): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  let failed = false;
  const worker = async () => {
    while (!failed && next < items.length) {
      if (signal?.aborted) throw signal.reason ?? new Error('stopped');
      const index = next++;
      try {
        results[index] = await work(items[index]);
      } catch (error) {
        failed = true;
        throw error;
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}

/**
 * K-fold cross-validation (repeated R times): each fold is an independent train() whose test split is the
 * held-out fold and whose preprocessing is fitted on the fold's training rows only. Writes crossval.json and
 * every fold's model folder under folds/ (plus what `beforeCommit` adds), as one folder that is complete or absent.
 */
export async function crossval(options: CrossvalOptions): Promise<CrossvalResult> {
  const reporter = options.reporter ?? silentReporter;
  const repeats = options.repeats ?? 1;
  const parallel = options.parallel ?? 1;
  for (const [flag, value] of [['folds', options.folds], ['repeats', repeats], ['parallel', parallel]] as const) {
    if (!Number.isInteger(value) || value < (flag === 'folds' ? 2 : 1)) {
      throw new PolymodalError(`${flag} must be an integer >= ${flag === 'folds' ? 2 : 1}, got ${value}`, { exitCode: 2 });
    }
  }
  const manifestPath = resolve(options.manifest);
  const loaded = await loadManifest(manifestPath, { overrides: options.overrides, plugins: options.plugins, allowLocalPlugins: options.allowLocalPlugins });
  const { manifest, dir } = loaded.resolved;
  const stratify = options.stratify ?? false;
  if (stratify && manifest.output.task !== 'binary' && manifest.output.task !== 'multiclass') {
    throw new PolymodalError(`--stratify needs a binary or multiclass task; this manifest's task is ${manifest.output.task}`, { hint: 'Leave out --stratify.', exitCode: 2 });
  }
  const outDir = await chooseOutputFolder({
    requested: options.outDir,
    defaultDir: join(dir, 'runs', `${manifest.name}-crossval`),
    overwrite: options.overwrite ?? false,
    protect: [
      { path: manifestPath, what: 'the manifest' },
      { path: loaded.resolved.dataPath, what: 'the training data' },
      { path: process.cwd(), what: 'the current folder' },
    ],
  });
  const staging = await stagingDirectory(outDir);
  try {
    const jobs: FoldJob[] = [];
    for (let repeat = 0; repeat < repeats; repeat++) {
      for (let fold = 0; fold < options.folds; fold++) {
        jobs.push({
          manifest: manifestPath, folds: options.folds, fold, repeat, stratify, overrides: options.overrides,
          ...(options.allowLocalPlugins ? { allowLocalPlugins: true } : {}),
          outDir: join(staging, 'folds', `repeat-${repeat + 1}-fold-${fold + 1}`),
        });
      }
    }
    const run = options.runFold ?? ((job: FoldJob) => runFold(job, {
      plugins: options.plugins, configure: options.configure, beforeFoldCommit: options.beforeFoldCommit, signal: options.signal, compileTrainingStep: options.compileTrainingStep,
    }));
    const done: FoldResult[] = [];
    const results = await runLimited(jobs, options.runFold ? parallel : 1, async (job) => {
      reporter.event({ type: 'info', message: `crossval: repeat ${job.repeat + 1}/${repeats}, fold ${job.fold + 1}/${job.folds} started` });
      const result = await run(job);
      reporter.event({ type: 'info', message: `crossval: repeat ${job.repeat + 1}/${repeats}, fold ${job.fold + 1}/${job.folds} done (${result.rows.test} held out)` });
      // Paths as they will be once the folder is committed.
      const committed = { ...result, outDir: join(outDir, 'folds', `repeat-${job.repeat + 1}-fold-${job.fold + 1}`) };
      done.push(committed);
      options.onFold?.(committed, done);
      return committed;
    }, options.signal);
    const result: CrossvalResult = {
      name: manifest.name, task: manifest.output.task, manifest: manifestPath, folds: options.folds, repeats, stratify, outDir,
      summary: summarizeFolds(results), results,
    };
    await writeJsonAtomic(join(staging, 'crossval.json'), result);
    await options.beforeCommit?.(staging, result, manifest);
    await commitDirectory(staging, outDir, { replace: options.overwrite ? 'polymodal' : 'never' });
    return result;
  } catch (error) {
    await discardStaging(staging);
    throw error;
  }
}
