import type * as tf from '@tensorflow/tfjs';
import type { BackendInfo } from '../backend/select-backend.js';
import type { Task, TrainingConfig } from '../manifest/types.js';
import type { BatchSource } from './batch-source.js';
import type { TrainingCallback } from './callbacks/training-callback.js';
import type { TrainingStepCompiler } from './compiled-step.js';
import type { EpochLogs } from './reporter.js';

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
  /**
   * When it aborts, training stops after the current batch and train() rejects with TrainingInterrupted
   * ("interrupted after epoch E, batch B"); the backup of the last complete epoch stays for resume.
   */
  readonly signal?: AbortSignal;
  /**
   * Folder for a backup written at the end of every epoch (Keras's BackupAndRestore), from which `resume`
   * continues. It must survive the process: not inside a folder a failed run removes. A run without `resume`
   * first removes the backups an earlier run left there.
   */
  readonly backupDir?: string;
  /**
   * Continue from the newest backup in backupDir: the model must be built as for the interrupted run (same
   * manifest and seed, inside withSeededTfjsRandom); its weights, the optimizer, callbacks, random streams and
   * history are then overwritten from the backup, and training goes on with the next epoch.
   */
  readonly resume?: boolean;
  /**
   * Compiles the training step for the backend the run is on (e.g. @polymodal/export's tensorflowTrainingGraph()):
   * used when the compiler serves that backend and accepts the model; otherwise tfjs's own step runs, and a
   * compiler that declined says why in an info event.
   */
  readonly stepCompiler?: { readonly compiler: TrainingStepCompiler; readonly backend: BackendInfo };
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
  /** When the run resumed: the last epoch (1-based) the backup held, which this run did not train again. */
  readonly resumedAfterEpoch?: number;
}

export interface Trainer {
  train(job: TrainingJob): Promise<TrainingResult>;
}
