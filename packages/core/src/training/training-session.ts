import * as tf from '@tensorflow/tfjs';
import { isCompilerSkip } from '../model/compiled-model.js';
import { TASK_HEADS } from '../model/heads.js';
import { createOptimizer, getLearningRate, setLearningRate } from '../model/optimizer.js';
import type { Random } from '../util/random.js';
import { BestCheckpoint } from './callbacks/best-checkpoint.js';
import { EarlyStopping } from './callbacks/early-stopping.js';
import { FixedSchedule, ReduceOnPlateau } from './callbacks/learning-rate-schedule.js';
import type { TrainingCallback, TrainingControl } from './callbacks/training-callback.js';
import { EpochProgress } from './epoch-progress.js';
import type { CompiledTrainingStep } from './compiled-step.js';
import { trainEpoch, validateEpoch } from './epoch-runner.js';
import { layerGraphStep } from './layer-graph-step.js';
import { assertFiniteLoss } from './finite-loss.js';
import { TrainingInterrupted } from './interrupted.js';
import type { Reporter } from './reporter.js';
import { applyBackup, captureSnapshot, disposeSnapshot, fingerprintOf, type ResumableRun } from './resume.js';
import { readTrainingBackup, removeTrainingBackups, writeTrainingBackup } from './training-backup.js';
import type { EpochRecord, TrainingJob, TrainingResult } from './training-job.js';

interface ConfiguredCallbacks {
  all: TrainingCallback[];
  earlyStopping?: EarlyStopping;
  checkpoint?: BestCheckpoint;
}

function configureCallbacks(job: TrainingJob, reporter: Reporter): ConfiguredCallbacks {
  const { config } = job;
  const earlyStopping = config.earlyStopping && job.validation ? new EarlyStopping(config.earlyStopping) : undefined;
  const checkpoint = config.checkpoint && job.checkpointDir ? new BestCheckpoint(config.checkpoint, job.checkpointDir, reporter, job.publishedCheckpointDir) : undefined;
  const schedule = config.learningRateSchedule;
  const all: TrainingCallback[] = [
    ...(schedule ? [schedule.type === 'reduceOnPlateau' ? new ReduceOnPlateau(schedule) : new FixedSchedule(schedule)] : []),
    ...(checkpoint ? [checkpoint] : []),
    ...(earlyStopping ? [earlyStopping] : []),
    ...(job.callbacks ?? []),
  ];
  return { all, earlyStopping, checkpoint };
}

/** The streams a backup keeps, by purpose: the shuffle order and each split's augmentation. */
function randomStreams(job: TrainingJob, order: Random | undefined): Map<string, Random> {
  const streams = new Map<string, Random>();
  if (order) streams.set('shuffle', order);
  if (job.train.random) streams.set('train', job.train.random);
  if (job.validation?.random) streams.set('validation', job.validation.random);
  return streams;
}

/** One call of DefaultTrainer.train: the compiled model, its optimizer and callbacks, and the epochs so far. */
export class TrainingSession {
  private readonly optimizer: tf.Optimizer;
  private readonly callbacks: ConfiguredCallbacks;
  private readonly control: TrainingControl;
  private readonly order?: Random;
  private readonly run: ResumableRun;
  private readonly batches: number;
  private readonly progress: EpochProgress;
  private readonly history: EpochRecord[] = [];
  private stopReason?: string;
  private resumedAfterEpoch?: number;
  private compiledStep?: CompiledTrainingStep;

  constructor(private readonly job: TrainingJob, private readonly reporter: Reporter, random: Random) {
    const { model, config } = job;
    this.optimizer = createOptimizer(config.optimizer);
    const head = TASK_HEADS[job.task];
    model.compile({ optimizer: this.optimizer, loss: head.loss, metrics: [...head.trainingMetrics] });
    const optimizer = this.optimizer;
    const stop = (reason: string) => void (this.stopReason ??= reason);
    this.control = { model, epochs: config.epochs, learningRate: () => getLearningRate(optimizer), setLearningRate: (rate) => setLearningRate(optimizer, rate), stop };
    this.callbacks = configureCallbacks(job, reporter);
    this.order = config.shuffle ? random.fork('shuffle') : undefined;
    this.run = {
      model,
      optimizer,
      callbacks: this.callbacks.all,
      randoms: randomStreams(job, this.order),
      fingerprint: fingerprintOf(model, config, job.train.rows, job.validation?.rows ?? 0),
      checkpointDir: job.checkpointDir,
    };
    this.batches = Math.ceil(job.train.rows / config.batchSize);
    this.progress = new EpochProgress(this.batches, (batch, logs, seconds) => reporter.event({
      type: 'batchEnd', epoch: this.history.length + 1, epochs: config.epochs, batch, batches: this.batches, loss: logs.loss ?? NaN, logs, seconds,
    }), job.signal);
  }

  async begin(): Promise<void> {
    const { job } = this;
    this.reporter.event({ type: 'trainStart', epochs: job.config.epochs, batchesPerEpoch: this.batches, trainRows: job.train.rows, validationRows: job.validation?.rows ?? 0 });
    this.compiledStep = await this.compileStep();
    for (const callback of this.callbacks.all) await callback.onTrainBegin?.(this.control);
  }

  /**
   * The job's compiled step, when its compiler serves this backend and accepts the model (an info event either
   * way); else tfjs's step through the layer graph where it splits a wide concatenation's product; else model.fit.
   */
  private async compileStep(): Promise<CompiledTrainingStep | undefined> {
    const compiled = await this.compileJobStep();
    if (compiled) return compiled;
    const step = layerGraphStep(this.job.model, this.job.classWeight);
    if (step) this.reporter.event({ type: 'info', message: `training step: ${step.description}` });
    return step;
  }

  private async compileJobStep(): Promise<CompiledTrainingStep | undefined> {
    const { stepCompiler, model, classWeight } = this.job;
    if (!stepCompiler || !stepCompiler.compiler.backends.includes(stepCompiler.backend.name)) return undefined;
    const name = stepCompiler.compiler.name;
    const info = (message: string) => this.reporter.event({ type: 'info', message: `[${name}] ${message}` });
    const compiled = await stepCompiler.compiler.compile(model, stepCompiler.backend, { classWeight });
    if (isCompilerSkip(compiled)) {
      info(`training runs op by op: ${compiled.skipped}`);
      return undefined;
    }
    info(`training step: ${compiled.description}`);
    return compiled;
  }

  /** With `resume`, takes everything from the newest backup; otherwise clears old backups so none can be mistaken for this run's. */
  async restoreOrReset(): Promise<void> {
    const dir = this.job.backupDir;
    if (!dir) return;
    if (!this.job.resume) return removeTrainingBackups(dir);
    const backup = await readTrainingBackup(dir);
    await applyBackup(this.run, backup);
    const { snapshot } = backup;
    setLearningRate(this.optimizer, snapshot.learningRate);
    this.history.push(...snapshot.history);
    this.stopReason = snapshot.stopReason;
    this.resumedAfterEpoch = snapshot.epochs;
    this.reporter.event({ type: 'resumed', epoch: snapshot.epochs, path: backup.path });
  }

  hasEpochsLeft(): boolean {
    return this.history.length < this.job.config.epochs && this.stopReason === undefined;
  }

  /** The next epoch: train, check the loss, validate, report, callbacks, then the backup. */
  async runEpoch(): Promise<void> {
    const { job, progress, control } = this;
    const epoch = this.history.length;
    if (job.signal?.aborted) throw this.interrupted(0);
    const started = performance.now();
    progress.begin(started);
    for (const callback of this.callbacks.all) await callback.onEpochBegin?.(epoch, control);
    const learningRate = getLearningRate(this.optimizer);
    const compiled = this.compiledStep ? { step: this.compiledStep, optimizer: this.optimizer } : undefined;
    const logs = await trainEpoch(job.model, job.train, { batchSize: job.config.batchSize, order: this.order, classWeight: job.classWeight, progress, compiled });
    if (progress.stopRequested) throw this.interrupted(progress.batchesDone);
    assertFiniteLoss(epoch + 1, logs, learningRate);
    if (job.validation) Object.assign(logs, await validateEpoch(job.model, job.validation, job.config.batchSize));
    if (job.epochMetrics) Object.assign(logs, await job.epochMetrics(job.model));
    const seconds = (performance.now() - started) / 1000;
    this.history.push({ epoch: epoch + 1, logs, learningRate, seconds });
    this.reporter.event({ type: 'epochEnd', epoch: epoch + 1, epochs: job.config.epochs, logs, learningRate, seconds });
    for (const callback of this.callbacks.all) await callback.onEpochEnd?.(epoch, logs, control);
    if (job.backupDir) await this.backUp(job.backupDir);
  }

  /** Frees everything the session holds; runs on every path, errors and interrupts included. */
  async end(): Promise<void> {
    this.progress.release();
    try {
      for (const callback of this.callbacks.all) await callback.onTrainEnd?.(this.control);
    } finally {
      this.optimizer.dispose();
      this.compiledStep?.dispose();
    }
  }

  result(): TrainingResult {
    const { history, stopReason } = this;
    if (stopReason) this.reporter.event({ type: 'stopped', epoch: history.length, reason: stopReason });
    const { earlyStopping, checkpoint } = this.callbacks;
    const restored = earlyStopping && this.job.config.earlyStopping?.restoreBestWeights && earlyStopping.bestEpoch >= 0 ? earlyStopping.bestEpoch + 1 : undefined;
    return {
      history,
      epochsRun: history.length,
      stopReason,
      restoredEpoch: restored,
      checkpointEpoch: checkpoint && checkpoint.bestEpoch >= 0 ? checkpoint.bestEpoch + 1 : undefined,
      resumedAfterEpoch: this.resumedAfterEpoch,
    };
  }

  private interrupted(batch: number): TrainingInterrupted {
    return new TrainingInterrupted(`after epoch ${this.history.length + 1}, batch ${batch}`, this.job.signal?.reason);
  }

  private async backUp(dir: string): Promise<void> {
    const snapshot = await captureSnapshot(this.run, { history: this.history, learningRate: getLearningRate(this.optimizer), stopReason: this.stopReason });
    try {
      await writeTrainingBackup(dir, snapshot, this.job.checkpointDir);
    } finally {
      disposeSnapshot(snapshot);
    }
  }
}
