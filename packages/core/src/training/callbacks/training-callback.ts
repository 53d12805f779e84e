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

export interface TrainingCallback {
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
