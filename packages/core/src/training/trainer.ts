import 'reflect-metadata';
import { inject, injectable } from 'tsyringe';
import { TOKENS } from '../tokens.js';
import type { Random } from '../util/random.js';
import type { Reporter } from './reporter.js';
import type { Trainer, TrainingJob, TrainingResult } from './training-job.js';
import { TrainingSession } from './training-session.js';

export type { EpochRecord, Trainer, TrainingJob, TrainingResult } from './training-job.js';

/**
 * Trains epoch by epoch, adding what tfjs lacks: checkpoints, schedules, early stopping with best-weight
 * restore, interrupts after the current batch, a NaN-loss stop, and end-of-epoch backups to resume from.
 */
@injectable()
export class DefaultTrainer implements Trainer {
  constructor(@inject(TOKENS.Reporter) private readonly reporter: Reporter, @inject(TOKENS.Random) private readonly random: Random) {}

  async train(job: TrainingJob): Promise<TrainingResult> {
    if (job.resume && !job.backupDir) throw new Error('TrainingJob.resume needs a backupDir');
    const session = new TrainingSession(job, this.reporter, this.random);
    try {
      await session.begin();
      await session.restoreOrReset();
      while (session.hasEpochsLeft()) await session.runEpoch();
    } finally {
      await session.end();
    }
    return session.result();
  }
}
