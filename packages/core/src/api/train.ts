import { rename, rm, stat } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { ARTIFACT_FILES } from '../artifacts/artifact.js';
import { commitDirectory, discardStaging, stagingDirectory } from '../artifacts/commit-directory.js';
import { sealModelFolder } from '../artifacts/model-integrity.js';
import { chooseOutputFolder, firstFreeRunFolder } from '../artifacts/output-target.js';
import {
  checkResumable, manifestFingerprint, newestResumeFolder, resumeFolderFor, resumeFolderOf, writeRunRecord,
} from '../artifacts/resume-folder.js';
import { selectBackend, type BackendInfo } from '../backend/select-backend.js';
import { loadManifest, type LoadedManifest, type ManifestOverrides } from '../manifest/load-manifest.js';
import type { PolymodalPlugin } from '../plugin/contracts.js';
import { silentReporter, type Reporter } from '../training/reporter.js';
import type { TrainingResult } from '../training/trainer.js';
import type { TrainingStepCompiler } from '../training/compiled-step.js';
import { createRandom } from '../util/random.js';
import type { MetricsReport } from '../artifacts/run-records.js';
import { fitModel } from './train/fit-model.js';
import { prepareSplits, type TrainFold } from './train/prepare-splits.js';
import { scoreSplits } from './train/score-splits.js';
import { writeModelFolder, type TrainedFolder } from './train/write-model-folder.js';
import { createRunContainer, type ConfigureContainer } from './run-container.js';
import { isTrainingInterrupted, throwIfInterrupted } from '../training/interrupted.js';
import { hasTrainingBackup } from '../training/training-backup.js';

export type { TrainFold } from './train/prepare-splits.js';
export type { TrainedFolder } from './train/write-model-folder.js';
export type { MetricsReport } from '../artifacts/run-records.js';

export interface TrainOptions {
  /** A manifest path, or a manifest already loaded with loadManifest(). */
  manifest: string | LoadedManifest;
  /** Model folder to write; default `runs/<name>` beside the manifest (numbered `_2`, `_3` ... when taken). */
  outDir?: string;
  /** Replace an existing Polymodal model folder at the target. Nothing else is ever replaced. */
  overwrite?: boolean;
  /** Continue the interrupted run of this target (or of the newest numbered default run). */
  resume?: boolean;
  /** Aborting it stops training after the current batch; the run can then be resumed. */
  signal?: AbortSignal;
  overrides?: ManifestOverrides;
  reporter?: Reporter;
  plugins?: readonly PolymodalPlugin[];
  /** Let manifest `plugins` entries be local paths (they run code from those files). */
  allowLocalPlugins?: boolean;
  configure?: ConfigureContainer;
  /** Called once every artifact is written in the staging folder, before it is committed: add files (a report) there. */
  beforeCommit?: (folder: TrainedFolder) => Promise<void>;
  /** Cross-validation: hold out this fold as the test split. */
  fold?: TrainFold;
  /**
   * Runs each training step through a faster engine where it serves the backend and accepts the model
   * (`tensorflowTrainingGraph()` from @polymodal/export: one TensorFlow graph per step on tensorflow); otherwise,
   * and by default, tfjs's own step. An info event says which step ran and, when the compiler declined, why.
   */
  compileTrainingStep?: TrainingStepCompiler;
}

export interface TrainResult {
  outDir: string;
  backend: BackendInfo;
  metrics: MetricsReport;
  training: TrainingResult;
  /** Line in the data file of each split's rows. */
  splitLines: { train: number[]; validation: number[]; test: number[] };
}

interface OutputPlan {
  target: string;
  resumeDir: string;
  resuming: boolean;
}

async function findResume(options: TrainOptions, defaultDir: string) {
  if (options.outDir !== undefined) return resumeFolderOf(resolve(options.outDir));
  return newestResumeFolder(resolve(defaultDir));
}

/** Where the model goes, and where the trainer backs up its state so that an interruption can be resumed. */
async function planOutput(loaded: LoadedManifest, options: TrainOptions, warn: (m: string) => void): Promise<OutputPlan> {
  const { manifest, dir, path, dataPath } = loaded.resolved;
  const defaultDir = join(dir, 'runs', manifest.name);
  const protect = [
    { path, what: 'the manifest' },
    { path: dataPath, what: 'the training data' },
    { path: process.cwd(), what: 'the current folder' },
  ];
  if (options.resume) {
    const found = checkResumable(await findResume(options, defaultDir), manifest, options.outDir ?? defaultDir);
    const requested = found.record.target;
    // The numbered default folder may have been taken since: move on to the next free one.
    const target = options.outDir === undefined && !options.overwrite ? await firstFreeRunFolder(requested) : requested;
    await chooseOutputFolder({ requested: target, defaultDir, overwrite: options.overwrite ?? false, protect });
    return { target, resumeDir: found.dir, resuming: true };
  }
  const target = await chooseOutputFolder({ requested: options.outDir, defaultDir, overwrite: options.overwrite ?? false, protect });
  const resumeDir = resumeFolderFor(target);
  if (await resumeFolderOf(target)) warn(`an interrupted run of ${target} is being replaced by this new run (continue it instead with --resume)`);
  await rm(resumeDir, { recursive: true, force: true });
  await writeRunRecord(resumeDir, { target, manifest: manifestFingerprint(manifest), startedAt: new Date().toISOString() });
  return { target, resumeDir, resuming: false };
}

/** Trains the model a manifest describes and writes its folder: model, preprocessing, manifest, history, metrics. */
export async function train(options: TrainOptions): Promise<TrainResult> {
  const reporter = options.reporter ?? silentReporter;
  const warn = (message: string) => reporter.event({ type: 'warning', message });
  const info = (message: string) => reporter.event({ type: 'info', message });
  const loaded = typeof options.manifest === 'string'
    ? await loadManifest(options.manifest, { overrides: options.overrides, plugins: options.plugins, allowLocalPlugins: options.allowLocalPlugins })
    : options.manifest;
  const { manifest } = loaded.resolved;
  const plan = await planOutput(loaded, options, warn);
  const backend = await selectBackend(manifest.training.backend);
  info(`backend: ${backend.name}${backend.gpu ? ' (GPU)' : ''} (${[backend.reason, backend.wasmKernels].filter(Boolean).join('; ')})`);
  backend.notes.forEach(warn);

  try {
    return await trainInto(plan, loaded, backend, options, { info, warn, reporter });
  } catch (error) {
    // An interrupted run keeps its backup for --resume; a failed fresh run leaves nothing behind.
    if (!isTrainingInterrupted(error) && !plan.resuming) await rm(plan.resumeDir, { recursive: true, force: true });
    throw error;
  }
}

interface RunReport {
  info(message: string): void;
  warn(message: string): void;
  reporter: Reporter;
}

async function trainInto(plan: OutputPlan, loaded: LoadedManifest, backend: BackendInfo, options: TrainOptions, report: RunReport): Promise<TrainResult> {
  const { manifest } = loaded.resolved;
  const random = createRandom(manifest.training.seed);
  const run = createRunContainer({ loaded, backend, reporter: report.reporter, random }, options.configure);
  const splits = await prepareSplits(loaded, random, options.fold, report);
  throwIfInterrupted(options.signal);
  const staging = await stagingDirectory(plan.target);
  try {
    const { model, training, reliance } = await fitModel(loaded, run, splits, {
      checkpointDir: join(plan.resumeDir, ARTIFACT_FILES.checkpoints),
      publishedCheckpointDir: join(plan.target, ARTIFACT_FILES.checkpoints),
      backupDir: join(plan.resumeDir, 'trainer'),
      // A run killed during its first epoch left no backup yet: it starts over.
      resume: plan.resuming && (await hasTrainingBackup(join(plan.resumeDir, 'trainer'))),
      signal: options.signal,
      compileTrainingStep: options.compileTrainingStep,
    });
    let folder: TrainedFolder;
    try {
      const scored = await scoreSplits(model, manifest, splits, loaded.resolved.dataPath, report.warn);
      folder = await writeModelFolder(staging, plan.target, { loaded, backend, splits, model, reliance, training, metrics: scored.metrics, evaluation: scored.evaluation });
    } finally {
      model.dispose();
    }
    await moveCheckpoints(plan.resumeDir, staging);
    await options.beforeCommit?.(folder);
    await sealModelFolder(staging);
    await commitDirectory(staging, plan.target, { replace: options.overwrite ? 'polymodal' : 'never' });
    await rm(plan.resumeDir, { recursive: true, force: true });
    for (const warning of folder.metrics.warnings) report.warn(warning);
    const lines = (indices: number[]) => indices.map((i) => splits.data.lines[i]);
    const splitLines = { train: lines(splits.split.train), validation: lines(splits.split.validation), test: lines(splits.split.test) };
    return { outDir: plan.target, backend, metrics: folder.metrics, training, splitLines };
  } catch (error) {
    // The model folder is complete or absent.
    await discardStaging(staging);
    throw error;
  }
}

/** Checkpoints are written beside the backup while training runs, so they survive an interruption; they ship in the model folder. */
async function moveCheckpoints(resumeDir: string, staging: string): Promise<void> {
  const from = join(resumeDir, ARTIFACT_FILES.checkpoints);
  const exists = await stat(from).then(() => true, () => false);
  if (exists) await rename(from, join(staging, ARTIFACT_FILES.checkpoints));
}
