import * as tf from '@tensorflow/tfjs';
import type { EarlyStoppingConfig } from '../../manifest/types.js';
import { improves, initialBest, resolveMode } from '../monitor.js';
import type { EpochLogs } from '../reporter.js';
import { type CallbackState, monitored, stateNumber, type TrainingCallback, type TrainingControl } from './training-callback.js';

/** Keras's EarlyStopping: stop after `patience` epochs without improvement; optionally end on the best weights. */
export class EarlyStopping implements TrainingCallback {
  readonly stateKey = 'earlyStopping';
  private readonly mode: 'min' | 'max';
  private best: number;
  private wait = 0;
  private bestWeights: tf.Tensor[] | undefined;
  bestEpoch = -1;

  constructor(private readonly config: EarlyStoppingConfig) {
    this.mode = resolveMode(config.monitor, config.mode);
    this.best = config.baseline ?? initialBest(this.mode);
  }

  saveState(): CallbackState {
    return { values: { best: this.best, wait: this.wait, bestEpoch: this.bestEpoch }, tensors: this.bestWeights };
  }

  restoreState(state: CallbackState): void {
    this.best = stateNumber(state, 'best');
    this.wait = stateNumber(state, 'wait');
    this.bestEpoch = stateNumber(state, 'bestEpoch');
    if (this.bestWeights) tf.dispose(this.bestWeights);
    this.bestWeights = state.tensors && state.tensors.length > 0 ? [...state.tensors] : undefined;
  }

  onEpochEnd(epoch: number, logs: EpochLogs, control: TrainingControl): void {
    if (epoch < this.config.startFromEpoch) return;
    const current = monitored(logs, this.config.monitor, 'earlyStopping');
    this.wait++;
    if (improves(this.mode, current, this.best, this.config.minDelta)) {
      this.best = current;
      this.bestEpoch = epoch;
      this.wait = 0;
      if (this.config.restoreBestWeights) this.keepWeights(control.model);
      return;
    }
    if (this.wait >= this.config.patience && epoch > 0) {
      control.stop(`earlyStopping: ${this.config.monitor} has not improved for ${this.wait} epochs (best ${this.best.toFixed(4)} at epoch ${this.bestEpoch + 1})`);
    }
  }

  onTrainEnd(control: TrainingControl): void {
    if (this.bestWeights) {
      control.model.setWeights(this.bestWeights);
      tf.dispose(this.bestWeights);
      this.bestWeights = undefined;
    }
  }

  private keepWeights(model: tf.LayersModel): void {
    if (this.bestWeights) tf.dispose(this.bestWeights);
    this.bestWeights = model.getWeights().map((weight) => weight.clone());
  }
}
