import 'reflect-metadata';
import * as tf from '@tensorflow/tfjs';
import { inject, injectable } from 'tsyringe';
import type { Task, TrainingConfig } from '../manifest/types.js';
import { TASK_HEADS } from '../model/heads.js';
import { createOptimizer, getLearningRate, setLearningRate } from '../model/optimizer.js';
import { TOKENS } from '../tokens.js';
import type { Random } from '../util/random.js';
import { type BatchSource, batchPositions } from './batch-source.js';
import { BestCheckpoint } from './callbacks/best-checkpoint.js';
import { EarlyStopping } from './callbacks/early-stopping.js';
import { FixedSchedule, ReduceOnPlateau } from './callbacks/learning-rate-schedule.js';
import type { TrainingCallback, TrainingControl } from './callbacks/training-callback.js';
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

/** Keras 2 logs `acc`; people write `accuracy` (Keras 2.3+), so logs use that name. */
function normaliseLogs(logs: tf.Logs | undefined): EpochLogs {
  const out: EpochLogs = {};
  for (const [key, value] of Object.entries(logs ?? {})) {
    if (typeof value !== 'number') continue;
    out[key.replace(/(^|_)acc$/, '$1accuracy')] = value;
  }
  return out;
}

function dataset(source: BatchSource, batchSize: number, training: boolean, random?: Random): tf.data.Dataset<tf.TensorContainer> {
  return tf.data.generator(async function* () {
    for (const positions of batchPositions(source.rows, batchSize, random)) {
      const batch = await source.batch(positions, training);
      yield { xs: batch.xs, ys: batch.ys! } as unknown as tf.TensorContainer;
    }
  });
}

/** Trains with tfjs's fitDataset, adding the callbacks tfjs lacks (checkpoint, schedules, best-weight restore). */
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
        model.stopTraining = true;
      },
    };
    const earlyStopping = config.earlyStopping && job.validation ? new EarlyStopping(config.earlyStopping) : undefined;
    const checkpoint = config.checkpoint && job.checkpointDir ? new BestCheckpoint(config.checkpoint, job.checkpointDir, this.reporter) : undefined;
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
    const shuffle = config.shuffle ? this.random.fork('shuffle') : undefined;
    let epochStarted = 0;
    let currentEpoch = 0;
    let rateThisEpoch = getLearningRate(optimizer);

    for (const callback of callbacks) await callback.onTrainBegin?.(control);
    try {
      await model.fitDataset(dataset(job.train, config.batchSize, true, shuffle), {
        epochs: config.epochs,
        validationData: job.validation ? dataset(job.validation, config.batchSize, false) : undefined,
        classWeight: job.classWeight,
        yieldEvery: 'never',
        callbacks: {
          onEpochBegin: async (epoch) => {
            currentEpoch = epoch;
            epochStarted = performance.now();
            for (const callback of callbacks) await callback.onEpochBegin?.(epoch, control);
            rateThisEpoch = getLearningRate(optimizer);
          },
          onBatchEnd: async (batch, logs) => {
            const normalised = normaliseLogs(logs);
            this.reporter.event({ type: 'batchEnd', epoch: currentEpoch + 1, epochs: config.epochs, batch: batch + 1, batches, loss: normalised.loss ?? NaN, logs: normalised });
          },
          onEpochEnd: async (epoch, logs) => {
            const normalised = normaliseLogs(logs);
            if (job.epochMetrics) Object.assign(normalised, await job.epochMetrics(model));
            const seconds = (performance.now() - epochStarted) / 1000;
            history.push({ epoch: epoch + 1, logs: normalised, learningRate: rateThisEpoch, seconds });
            this.reporter.event({ type: 'epochEnd', epoch: epoch + 1, epochs: config.epochs, logs: normalised, learningRate: rateThisEpoch, seconds });
            for (const callback of callbacks) await callback.onEpochEnd?.(epoch, normalised, control);
          },
        },
      });
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
