import { rename, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { fileSystemHandler } from '../../backend/fs-io-handler.js';
import type { CheckpointConfig } from '../../manifest/types.js';
import { improves, initialBest, resolveMode } from '../monitor.js';
import type { EpochLogs, Reporter } from '../reporter.js';
import { type CallbackState, monitored, stateNumber, type TrainingCallback, type TrainingControl } from './training-callback.js';

/** Keras's ModelCheckpoint: saves the model when the monitored value improves (or every epoch). */
export class BestCheckpoint implements TrainingCallback {
  readonly stateKey = 'checkpoint';
  private readonly mode: 'min' | 'max';
  private best: number;
  bestEpoch = -1;

  constructor(
    private readonly config: CheckpointConfig,
    private readonly dir: string,
    private readonly reporter: Reporter,
    /** Where `dir` will be once the run's model folder is in place, for messages. */
    private readonly publishedDir = dir,
  ) {
    this.mode = resolveMode(config.monitor, config.mode);
    this.best = initialBest(this.mode);
  }

  /** The checkpoint files themselves travel with the backup (see the trainer); this is what decides the next save. */
  saveState(): CallbackState {
    return { values: { best: this.best, bestEpoch: this.bestEpoch } };
  }

  restoreState(state: CallbackState): void {
    this.best = stateNumber(state, 'best');
    this.bestEpoch = stateNumber(state, 'bestEpoch');
  }

  async onEpochEnd(epoch: number, logs: EpochLogs, control: TrainingControl): Promise<void> {
    const current = monitored(logs, this.config.monitor, 'checkpoint');
    const better = improves(this.mode, current, this.best, 0);
    if (better) {
      this.best = current;
      this.bestEpoch = epoch;
    }
    if (!better && this.config.saveBestOnly) return;
    const target = join(this.dir, this.config.saveBestOnly ? 'best' : 'last');
    // Saved beside the target, then swapped in, so a crash leaves the previous checkpoint intact.
    const staging = `${target}.saving`;
    await rm(staging, { recursive: true, force: true });
    await control.model.save(fileSystemHandler(staging));
    await rm(target, { recursive: true, force: true });
    await rename(staging, target);
    const published = join(this.publishedDir, this.config.saveBestOnly ? 'best' : 'last');
    this.reporter.event({ type: 'checkpoint', epoch: epoch + 1, path: published, monitor: this.config.monitor, value: current });
  }
}
