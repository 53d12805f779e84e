import { randomBytes } from 'node:crypto';
import { PolymodalError, type FoldJob, type FoldResult } from '@polymodal/core';
import { openQueue } from './open-queue.js';

export interface QueueFoldRunner {
  /** core's crossval() `runFold`: puts the fold on the queue and waits for a worker's result. */
  runFold(job: FoldJob): Promise<FoldResult>;
  close(): Promise<void>;
}

/** The job id of a fold: unique to this crossval run, so a rerun of the command never meets an old result. */
export function foldJobId(run: string, job: Pick<FoldJob, 'repeat' | 'fold'>): string {
  return `${run}-crossval-r${job.repeat + 1}-f${job.fold + 1}`;
}

/**
 * Runs `polymodal crossval --queue` folds on the BullMQ queue that `polymodal tune --queue` uses: any
 * `polymodal worker` takes them (job name `fold`), trains the fold into the crossval's staging folder (which
 * must be at the same path on every worker) and returns its FoldResult; the coordinator writes crossval.json.
 */
export async function queueFoldRunner(options: { url: string; queueName?: string }): Promise<QueueFoldRunner> {
  const opened = await openQueue(options.url, options.queueName);
  const run = randomBytes(4).toString('hex');
  return {
    async runFold(job) {
      try {
        const { result } = await opened.runJob<FoldResult>('fold', foldJobId(run, job), job);
        return await result;
      } catch (error) {
        if (error instanceof PolymodalError) throw error;
        throw new PolymodalError(`fold ${job.fold + 1} of repeat ${job.repeat + 1} failed on the queue: ${(error as Error).message ?? error}`, { exitCode: 1 });
      }
    },
    close: () => opened.close(),
  };
}
