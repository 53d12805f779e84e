import * as tf from '@tensorflow/tfjs';
import { rm } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { selectBackend, type BackendInfo } from '../backend/select-backend.js';
import { withSeededTfjsRandom } from '../backend/seeded-tfjs-random.js';
import { fileSystemHandler } from '../backend/fs-io-handler.js';
import { PolymodalError } from '../errors.js';
import { chooseThreshold, splitMetrics, type SplitMetrics } from '../evaluation/split-metrics.js';
import { predictOutputs } from '../evaluation/predict-outputs.js';
import { METRIC_NAMES } from '../metrics/index.js';
import { loadManifest, type LoadedManifest, type ManifestOverrides } from '../manifest/load-manifest.js';
import type { Manifest } from '../manifest/types.js';
import { composeModel } from '../model/compose-model.js';
import { modelInputLayout } from '../model/fitted-input.js';
import { formatSummary, summarizeModel } from '../model/summary.js';
import type { PolymodalPlugin, Row } from '../plugin/contracts.js';
import { prepareTrainingData, splitPrepared, type PreparedData } from '../pipeline/prepare-data.js';
import type { SkippedRows } from '../pipeline/skipped-rows.js';
import { TOKENS } from '../tokens.js';
import { createBatchSource, type BatchSource } from '../training/batch-source.js';
import { type TransformPool, withTransformPool } from '../pipeline/transform-pool.js';
import type { EpochLogs, Reporter } from '../training/reporter.js';
import { silentReporter } from '../training/reporter.js';
import type { Trainer, TrainingResult } from '../training/trainer.js';
import { writeJsonAtomic, writeFileAtomic } from '../util/atomic-write.js';
import { CORE_VERSION } from '../util/core-version.js';
import { createRandom, type Random } from '../util/random.js';
import { ARTIFACT_FILES, ARTIFACT_FORMAT, ARTIFACT_FORMAT_VERSION, type ArtifactMeta, type PreprocessingState } from '../artifacts/artifact.js';
import { commitDirectory, stagingDirectory } from '../artifacts/commit-directory.js';
import { createRunContainer, type ConfigureContainer } from './run-container.js';
import { buildReport } from '../report/build-report.js';
import { kFoldSplit } from '../data/kfold-split.js';
import { loadSharp } from '../report/png.js';
import { PLOTS_DIR, REPORT_FILE } from '../report/read-artifacts.js';
import type { EvaluationData, HistoryFile } from '../report/types.js';
import { writeReport, type PlotFormat } from '../report/write-report.js';

export interface TrainOptions {
  /** A manifest path, or a manifest already loaded with loadManifest(). */
  manifest: string | LoadedManifest;
  /** Model folder to write; default `runs/<name>` beside the manifest. */
  outDir?: string;
  overrides?: ManifestOverrides;
  reporter?: Reporter;
  plugins?: readonly PolymodalPlugin[];
  configure?: ConfigureContainer;
  /** Also write report.html (learning curves, confusion matrix, curves, summary, manifest) into the model folder. */
  report?: boolean;
  /** With `report`: also write each chart as a file under plots/ (PNG needs the optional package sharp). */
  plots?: PlotFormat;
  /** Cross-validation: hold out this fold as the test split (preprocessing is fitted on the fold's train rows only). */
  fold?: TrainFold;
}

export interface TrainFold {
  folds: number;
  /** 0-based fold to hold out. */
  index: number;
  /** Seed of the fold assignment (default data.split.seed; crossval varies it per repeat). */
  seed?: number | string;
  stratify: boolean;
}

export interface MetricsReport {
  task: Manifest['output']['task'];
  threshold: number;
  rows: { train: number; validation: number; test: number };
  train: Record<string, number>;
  validation: Record<string, number>;
  test: Record<string, number>;
  warnings: string[];
  skippedRows: SkippedRows;
}

export interface TrainResult {
  outDir: string;
  backend: BackendInfo;
  metrics: MetricsReport;
  training: TrainingResult;
  /** Line in the data file of each split's rows. */
  splitLines: { train: number[]; validation: number[]; test: number[] };
}

interface SplitData {
  rows: Row[];
  targets: Float32Array;
  source: BatchSource;
}

const TFJS_LOGGED = new Set(['loss', 'val_loss', 'accuracy', 'val_accuracy']);

function monitors(manifest: Manifest): { name: string; pointer: string }[] {
  const { earlyStopping, checkpoint, learningRateSchedule } = manifest.training;
  const list: { name: string; pointer: string }[] = [];
  if (earlyStopping) list.push({ name: earlyStopping.monitor, pointer: '/training/earlyStopping/monitor' });
  if (checkpoint) list.push({ name: checkpoint.monitor, pointer: '/training/checkpoint/monitor' });
  if (learningRateSchedule?.type === 'reduceOnPlateau') list.push({ name: learningRateSchedule.monitor, pointer: '/training/learningRateSchedule/monitor' });
  return list;
}

/** Monitors must name something each epoch logs; val_<metric> is computed from validation predictions when tfjs does not log it. */
function extraMonitoredMetrics(manifest: Manifest, hasValidation: boolean): string[] {
  const task = manifest.output.task;
  const extra = new Set<string>();
  const problems: string[] = [];
  for (const { name, pointer } of monitors(manifest)) {
    if (name.startsWith('val_') && !hasValidation) {
      problems.push(`${pointer}: "${name}" needs a validation split, but data.split.validation gives no rows`);
      continue;
    }
    if (TFJS_LOGGED.has(name) && !(name.endsWith('accuracy') && task === 'regression')) continue;
    const metric = name.replace(/^val_/, '');
    if (name.startsWith('val_') && METRIC_NAMES[task].includes(metric)) {
      extra.add(metric);
      continue;
    }
    problems.push(`${pointer}: cannot monitor "${name}"; use loss, val_loss${task === 'regression' ? '' : ', accuracy, val_accuracy'} or val_<metric> with a ${task} metric (${METRIC_NAMES[task].join(', ')})`);
  }
  if (problems.length > 0) throw new PolymodalError('the manifest monitors values that are never logged', { problems, exitCode: 2 });
  return [...extra];
}

function resolveClassWeight(manifest: Manifest, data: PreparedData, trainTargets: Float32Array): Record<number, number> | undefined {
  const setting = manifest.training.classWeight;
  if (setting === undefined) return undefined;
  const classes = data.labels.classes;
  if (manifest.output.task === 'multilabel') {
    throw new PolymodalError('/training/classWeight: class weights are not supported for multilabel tasks', { exitCode: 2 });
  }
  if (setting === 'balanced') {
    const counts = new Array<number>(classes.length).fill(0);
    trainTargets.forEach((c) => counts[c]++);
    return Object.fromEntries(counts.map((count, c) => [c, count === 0 ? 1 : trainTargets.length / (classes.length * count)]));
  }
  const weights: Record<number, number> = {};
  for (const [name, weight] of Object.entries(setting)) {
    const index = classes.indexOf(name);
    if (index < 0) throw new PolymodalError(`/training/classWeight/${name}: "${name}" is not a class (${classes.join(', ')})`, { exitCode: 2 });
    weights[index] = weight;
  }
  classes.forEach((_, c) => (weights[c] ??= 1));
  return weights;
}

async function splitData(data: PreparedData, indices: number[], random: Random, pool: TransformPool | undefined): Promise<SplitData> {
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
  });
  return { rows, targets, source };
}

/** Trains the model a manifest describes and writes its folder: model, preprocessing, manifest, history, metrics. */
export async function train(options: TrainOptions): Promise<TrainResult> {
  const reporter = options.reporter ?? silentReporter;
  const warn = (message: string) => reporter.event({ type: 'warning', message });
  const loaded = typeof options.manifest === 'string'
    ? await loadManifest(options.manifest, { overrides: options.overrides, plugins: options.plugins })
    : options.manifest;
  const { manifest, dir } = loaded.resolved;
  // Fail before training, not after, when PNG plots cannot be made.
  const sharp = options.report && options.plots === 'png' ? await loadSharp() : undefined;
  const backend = await selectBackend(manifest.training.backend);
  reporter.event({ type: 'info', message: `backend: ${backend.name}${backend.gpu ? ' (GPU)' : ''}` });
  backend.notes.forEach(warn);

  const random = createRandom(manifest.training.seed);
  const run = createRunContainer({ loaded, backend, reporter, random }, options.configure);
  const data = await prepareTrainingData(loaded.resolved, loaded.registry, warn);
  const split = options.fold
    ? kFoldSplit(data.rows.length, {
      folds: options.fold.folds,
      fold: options.fold.index,
      seed: options.fold.seed ?? manifest.data.split.seed,
      validation: manifest.data.split.validation,
      strata: options.fold.stratify ? data.labels.strata(data.rows) : undefined,
    })
    : splitPrepared(manifest, data);
  reporter.event({ type: 'info', message: `rows: ${split.train.length} train, ${split.validation.length} validation, ${split.test.length} test` });

  const trainRows = split.train.map((i) => data.rows[i]);
  for (const input of data.inputs) await input.preprocessor.fit(trainRows);
  data.labels.fit(trainRows);
  const extraMetrics = extraMonitoredMetrics(manifest, split.validation.length > 0);

  const [trainSplit, validationSplit, testSplit] = await withTransformPool(manifest.data.workers, data.inputs, data.rows.length, (pool) =>
    Promise.all([split.train, split.validation, split.test].map((indices, i) => splitData(data, indices, random.fork(`augment/${i}`), pool))),
  );
  const batchSize = manifest.training.batchSize;
  const outDir = resolve(options.outDir ?? join(dir, 'runs', manifest.name));
  const staging = await stagingDirectory(outDir);
  try {
    const { model, training } = await withSeededTfjsRandom(manifest.training.seed, async () => {
      const model = composeModel(manifest, loaded.registry, data.inputs, data.labels);
      const epochMetrics = extraMetrics.length === 0 ? undefined : async (m: tf.LayersModel): Promise<EpochLogs> => {
        const outputs = await predictOutputs(m, validationSplit.source, batchSize);
        const { values } = splitMetrics(data.labels, validationSplit.targets, outputs, extraMetrics, 0.5);
        return Object.fromEntries(Object.entries(values).map(([k, v]) => [`val_${k}`, v]));
      };
      const trainer = run.resolve<Trainer>(TOKENS.Trainer);
      const training = await trainer.train({
        model,
        task: manifest.output.task,
        train: trainSplit.source,
        validation: validationSplit.rows.length > 0 ? validationSplit.source : undefined,
        config: manifest.training,
        classWeight: resolveClassWeight(manifest, data, trainSplit.targets),
        checkpointDir: join(staging, ARTIFACT_FILES.checkpoints),
        publishedCheckpointDir: join(outDir, ARTIFACT_FILES.checkpoints),
        epochMetrics,
      });
      return { model, training };
    });

    const outputs = await Promise.all([trainSplit, validationSplit, testSplit].map((s) => predictOutputs(model, s.source, batchSize)));
    let threshold = typeof manifest.evaluation.threshold === 'number' ? manifest.evaluation.threshold : 0.5;
    if (manifest.evaluation.threshold === 'maxF1') {
      if (validationSplit.rows.length === 0) warn('evaluation.threshold "maxF1" needs validation rows; using 0.5');
      else threshold = chooseThreshold(validationSplit.targets, outputs[1]);
    }
    const names = manifest.evaluation.metrics ?? [];
    const [trainMetrics, validationMetrics, testMetrics]: SplitMetrics[] = [trainSplit, validationSplit, testSplit].map((s, i) =>
      splitMetrics(data.labels, s.targets, outputs[i], names, threshold),
    );
    const metrics: MetricsReport = {
      task: manifest.output.task,
      threshold,
      rows: { train: trainSplit.rows.length, validation: validationSplit.rows.length, test: testSplit.rows.length },
      train: trainMetrics.values,
      validation: validationMetrics.values,
      test: testMetrics.values,
      warnings: [...new Set([...trainMetrics.warnings, ...validationMetrics.warnings, ...testMetrics.warnings])],
      skippedRows: data.skipped,
    };

    const preprocessing: PreprocessingState = {
      inputs: Object.fromEntries(data.inputs.map((input) => [input.spec.name, input.preprocessor.state()])),
      labels: data.labels.state(),
    };
    const meta: ArtifactMeta = {
      format: ARTIFACT_FORMAT,
      formatVersion: ARTIFACT_FORMAT_VERSION,
      name: manifest.name,
      createdAt: new Date().toISOString(),
      coreVersion: CORE_VERSION,
      backend: { name: backend.name, tfjsBackend: backend.tfjsBackend, gpu: backend.gpu },
      plugins: loaded.registry.list().map((p) => ({ name: p.name, version: p.version, apiVersion: p.apiVersion })),
      task: manifest.output.task,
      classes: [...data.labels.classes],
      threshold,
      inputs: data.inputs.map((input) => ({ name: input.spec.name, encoder: input.spec.encoder, columns: [...input.spec.columns] })),
      modelInputs: modelInputLayout(data.inputs).map((entry) => entry.name),
      seed: manifest.training.seed,
      trainingData: loaded.resolved.dataPath,
    manifestDir: dir,
    };
    await model.save(fileSystemHandler(join(staging, ARTIFACT_FILES.model)));
    await writeJsonAtomic(join(staging, ARTIFACT_FILES.preprocessing), preprocessing);
    await writeJsonAtomic(join(staging, ARTIFACT_FILES.manifest), manifest);
    const history: HistoryFile = {
      epochs: training.history,
      epochsRun: training.epochsRun,
      stopReason: training.stopReason ?? null,
      restoredEpoch: training.restoredEpoch ?? null,
      checkpointEpoch: training.checkpointEpoch ?? null,
    };
    const summary = formatSummary(summarizeModel(model)) + '\n';
    await writeJsonAtomic(join(staging, ARTIFACT_FILES.history), history);
    await writeJsonAtomic(join(staging, ARTIFACT_FILES.metrics), metrics);
    await writeFileAtomic(join(staging, ARTIFACT_FILES.summary), summary);
    await writeJsonAtomic(join(staging, ARTIFACT_FILES.meta), meta);
    if (options.report) {
      // The curves use the test split, or the validation split when there is no test split.
      const which = testSplit.rows.length > 0 || validationSplit.rows.length === 0 ? 2 : 1;
      const evaluated = [trainSplit, validationSplit, testSplit][which];
      const evaluation: EvaluationData = {
        title: `${which === 2 ? 'test' : 'validation'} split of ${loaded.resolved.dataPath}`,
        task: manifest.output.task,
        classes: data.labels.classes,
        threshold,
        rows: evaluated.rows.length,
        targets: evaluated.targets,
        scores: data.labels.fromModelOutput(outputs[which]),
        metrics: which === 2 ? testMetrics.values : validationMetrics.values,
        warnings: which === 2 ? testMetrics.warnings : validationMetrics.warnings,
      };
      const report = await buildReport({ artifacts: { dir: outDir, meta, manifest, history, metrics, summary }, evaluation, generatedBy: 'polymodal train' });
      await writeReport(report, join(staging, REPORT_FILE), { plots: options.plots, plotsDir: join(staging, PLOTS_DIR), sharp });
    }
    await commitDirectory(staging, outDir);
    model.dispose();
    for (const warning of metrics.warnings) warn(warning);
    const splitLines = { train: split.train.map((i) => data.lines[i]), validation: split.validation.map((i) => data.lines[i]), test: split.test.map((i) => data.lines[i]) };
    return { outDir, backend, metrics, training, splitLines };
  } catch (error) {
    // The model folder is complete or absent: a failed run leaves nothing behind.
    await rm(staging, { recursive: true, force: true });
    throw error;
  }
}
