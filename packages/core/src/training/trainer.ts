import 'reflect-metadata';
import * as tf from '@tensorflow/tfjs';
import { inject, injectable } from 'tsyringe';
import type { Task, TrainingConfig } from '../manifest/types.js';
import { TASK_HEADS } from '../model/heads.js';
import { createOptimizer, getLearningRate, setLearningRate } from '../model/optimizer.js';
import { TOKENS } from '../tokens.js';
import type { Random } from '../util/random.js';
import type { BatchSource } from './batch-source.js';
import { BestCheckpoint } from './callbacks/best-checkpoint.js';
import { EarlyStopping } from './callbacks/early-stopping.js';
import { FixedSchedule, ReduceOnPlateau } from './callbacks/learning-rate-schedule.js';
import type { TrainingCallback, TrainingControl } from './callbacks/training-callback.js';
import { BatchProgress, trainEpoch, validateEpoch } from './epoch-runner.js';
import type { EpochLogs, Reporter } from './reporter.js';

export interface TrainingJob {
  readonly model: tf.LayersModel;
  readonly task: Task;
  readonly train: BatchSource;
  readonly validation?: BatchSource;
  readonly config: TrainingConfig;
  /** Loss weight per class index. */
  readonly classWeight?: Record<number, number>;
  /** Where the checkpoint callback writes, when the manifest asks for one. */
  readonly checkpointDir?: string;
  /** Where checkpointDir will be once the model folder is committed (what messages show). */
  readonly publishedCheckpointDir?: string;
  /** Metrics tfjs does not log (e.g. val_f1) that a monitor needs, computed at each epoch's end. */
  readonly epochMetrics?: (model: tf.LayersModel) => Promise<EpochLogs>;
  /** Callbacks beyond those the manifest configures. */
  readonly callbacks?: readonly TrainingCallback[];
}

export interface EpochRecord {
  readonly epoch: number;
  readonly logs: EpochLogs;
  readonly learningRate: number;
  readonly seconds: number;
}

export interface TrainingResult {
  readonly history: EpochRecord[];
  readonly epochsRun: number;
  readonly stopReason?: string;
  /** 1-based epoch whose weights the model ends with, when early stopping restored them. */
  readonly restoredEpoch?: number;
  /** 1-based epoch saved as the best checkpoint. */
  readonly checkpointEpoch?: number;
}

export interface Trainer {
  train(job: TrainingJob): Promise<TrainingResult>;
}

/** Trains epoch by epoch, adding the callbacks tfjs lacks: checkpoints, schedules, early stopping with best-weight restore. */
@injectable()
export class DefaultTrainer implements Trainer {
  constructor(@inject(TOKENS.Reporter) private readonly reporter: Reporter, @inject(TOKENS.Random) private readonly random: Random) {}

  async train(job: TrainingJob): Promise<TrainingResult> {
    const { model, config } = job;
    const optimizer = createOptimizer(config.optimizer);
    const head = TASK_HEADS[job.task];
    model.compile({ optimizer, loss: head.loss, metrics: [...head.trainingMetrics] });

    let stopReason: string | undefined;
    const control: TrainingControl = {
      model,
      epochs: config.epochs,
      learningRate: () => getLearningRate(optimizer),
      setLearningRate: (rate) => setLearningRate(optimizer, rate),
      stop(reason) {
        stopReason ??= reason;
      },
    };
    const earlyStopping = config.earlyStopping && job.validation ? new EarlyStopping(config.earlyStopping) : undefined;
    const checkpoint = config.checkpoint && job.checkpointDir ? new BestCheckpoint(config.checkpoint, job.checkpointDir, this.reporter, job.publishedCheckpointDir) : undefined;
    const schedule = config.learningRateSchedule;
    const callbacks: TrainingCallback[] = [
      ...(schedule ? [schedule.type === 'reduceOnPlateau' ? new ReduceOnPlateau(schedule) : new FixedSchedule(schedule)] : []),
      ...(checkpoint ? [checkpoint] : []),
      ...(earlyStopping ? [earlyStopping] : []),
      ...(job.callbacks ?? []),
    ];

    const batches = Math.ceil(job.train.rows / config.batchSize);
    this.reporter.event({ type: 'trainStart', epochs: config.epochs, batchesPerEpoch: batches, trainRows: job.train.rows, validationRows: job.validation?.rows ?? 0 });
    const history: EpochRecord[] = [];
    const order = config.shuffle ? this.random.fork('shuffle') : undefined;
    let epoch = 0;
    const progress = new BatchProgress(batches, (batch, logs) =>
      this.reporter.event({ type: 'batchEnd', epoch: epoch + 1, epochs: config.epochs, batch, batches, loss: logs.loss ?? NaN, logs }));

    for (const callback of callbacks) await callback.onTrainBegin?.(control);
    try {
      for (; epoch < config.epochs && stopReason === undefined; epoch++) {
        const started = performance.now();
        for (const callback of callbacks) await callback.onEpochBegin?.(epoch, control);
        const learningRate = getLearningRate(optimizer);
        const logs = await trainEpoch(model, job.train, { batchSize: config.batchSize, order, classWeight: job.classWeight, progress });
        if (job.validation) Object.assign(logs, await validateEpoch(model, job.validation, config.batchSize));
        if (job.epochMetrics) Object.assign(logs, await job.epochMetrics(model));
        const seconds = (performance.now() - started) / 1000;
        history.push({ epoch: epoch + 1, logs, learningRate, seconds });
        this.reporter.event({ type: 'epochEnd', epoch: epoch + 1, epochs: config.epochs, logs, learningRate, seconds });
        for (const callback of callbacks) await callback.onEpochEnd?.(epoch, logs, control);
      }
    } finally {
      for (const callback of callbacks) await callback.onTrainEnd?.(control);
      optimizer.dispose();
    }
    if (stopReason) this.reporter.event({ type: 'stopped', epoch: history.length, reason: stopReason });
    const restored = earlyStopping && config.earlyStopping?.restoreBestWeights && earlyStopping.bestEpoch >= 0 ? earlyStopping.bestEpoch + 1 : undefined;
    return {
      history,
      epochsRun: history.length,
      stopReason,
      restoredEpoch: restored,
      checkpointEpoch: checkpoint && checkpoint.bestEpoch >= 0 ? checkpoint.bestEpoch + 1 : undefined,
    };
  }
}
