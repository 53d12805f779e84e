import type * as tf from '@tensorflow/tfjs';
import type { EpochLogs } from '../reporter.js';

/** What a callback may look at and change while the trainer runs. */
export interface TrainingControl {
  readonly model: tf.LayersModel;
  readonly epochs: number;
  learningRate(): number;
  setLearningRate(rate: number): void;
  /** Ends training after the current epoch. */
  stop(reason: string): void;
}

/** A callback's part of a training backup: plain numbers, and tensors (early stopping's best weights). */
export interface CallbackState {
  readonly values: Readonly<Record<string, number>>;
  /** On save, tensors the callback still owns (read, not disposed); on restore, tensors it takes over. */
  readonly tensors?: readonly tf.Tensor[];
}

export interface TrainingCallback {
  /** Names this callback's state in a training backup (unique in a run); a callback without one keeps no state. */
  readonly stateKey?: string;
  /** Everything the callback has learnt so far, so a resumed run continues exactly. */
  saveState?(): CallbackState;
  /** Called after onTrainBegin when a run resumes, with what saveState returned in the interrupted run. */
  restoreState?(state: CallbackState): void;
  onTrainBegin?(control: TrainingControl): void | Promise<void>;
  onEpochBegin?(epoch: number, control: TrainingControl): void | Promise<void>;
  onEpochEnd?(epoch: number, logs: EpochLogs, control: TrainingControl): void | Promise<void>;
  onTrainEnd?(control: TrainingControl): void | Promise<void>;
}

/** A monitored value from the epoch's logs, with a clear error when it is never logged. */
export function monitored(logs: EpochLogs, monitor: string, owner: string): number {
  const value = logs[monitor];
  if (value === undefined) {
    throw new Error(`${owner} monitors "${monitor}", which this run does not log (logged: ${Object.keys(logs).join(', ')})`);
  }
  return value;
}

/** A number from a restored callback state, with a clear error when the backup lacks it. */
export function stateNumber(state: CallbackState, key: string): number {
  const value = state.values[key];
  if (typeof value !== 'number') throw new Error(`the saved state has no number "${key}"`);
  return value;
}
