import type { LearningRateSchedule } from '../../manifest/types.js';
import { improves, initialBest, resolveMode } from '../monitor.js';
import type { EpochLogs } from '../reporter.js';
import { type CallbackState, monitored, stateNumber, type TrainingCallback, type TrainingControl } from './training-callback.js';

/** The rate for `epoch` (0-based) under a fixed schedule. */
export function scheduledRate(schedule: Exclude<LearningRateSchedule, { type: 'reduceOnPlateau' }>, initial: number, epoch: number, epochs: number): number {
  switch (schedule.type) {
    case 'exponential':
      return initial * schedule.decayRate ** Math.floor(epoch / schedule.every);
    case 'step':
      return initial * schedule.factor ** Math.floor(epoch / schedule.every);
    case 'cosine': {
      if (epoch < schedule.warmupEpochs) return (initial * (epoch + 1)) / schedule.warmupEpochs;
      const span = Math.max(1, epochs - schedule.warmupEpochs - 1);
      const progress = Math.min(1, (epoch - schedule.warmupEpochs) / span);
      return schedule.minLearningRate + 0.5 * (initial - schedule.minLearningRate) * (1 + Math.cos(Math.PI * progress));
    }
  }
}

export class FixedSchedule implements TrainingCallback {
  readonly stateKey = 'learningRateSchedule';
  private initial = 0;

  saveState(): CallbackState {
    return { values: { initial: this.initial } };
  }

  restoreState(state: CallbackState): void {
    this.initial = stateNumber(state, 'initial');
  }

  constructor(private readonly schedule: Exclude<LearningRateSchedule, { type: 'reduceOnPlateau' }>) {}

  onTrainBegin(control: TrainingControl): void {
    this.initial = control.learningRate();
  }

  onEpochBegin(epoch: number, control: TrainingControl): void {
    control.setLearningRate(scheduledRate(this.schedule, this.initial, epoch, control.epochs));
  }
}

/** Keras's ReduceLROnPlateau, with its cooldown and minimum rate. */
export class ReduceOnPlateau implements TrainingCallback {
  readonly stateKey = 'learningRateSchedule';
  private readonly mode: 'min' | 'max';
  private best: number;
  private wait = 0;
  private cooldown = 0;

  constructor(private readonly config: Extract<LearningRateSchedule, { type: 'reduceOnPlateau' }>) {
    this.mode = resolveMode(config.monitor, config.mode);
    this.best = initialBest(this.mode);
  }

  saveState(): CallbackState {
    return { values: { best: this.best, wait: this.wait, cooldown: this.cooldown } };
  }

  restoreState(state: CallbackState): void {
    this.best = stateNumber(state, 'best');
    this.wait = stateNumber(state, 'wait');
    this.cooldown = stateNumber(state, 'cooldown');
  }

  onEpochEnd(_epoch: number, logs: EpochLogs, control: TrainingControl): void {
    const current = monitored(logs, this.config.monitor, 'learningRateSchedule');
    if (this.cooldown > 0) {
      this.cooldown--;
      this.wait = 0;
    }
    if (improves(this.mode, current, this.best, this.config.minDelta)) {
      this.best = current;
      this.wait = 0;
    } else if (this.cooldown === 0) {
      this.wait++;
      if (this.wait >= this.config.patience) {
        const rate = control.learningRate();
        if (rate > this.config.minLearningRate) {
          control.setLearningRate(Math.max(rate * this.config.factor, this.config.minLearningRate));
          this.cooldown = this.config.cooldown;
          this.wait = 0;
        }
      }
    }
  }
}
