import { randomBytes } from 'node:crypto';
import { PolymodalError, type ManifestOverrides } from '@polymodal/core';
import type { TrialExecutor, TrialOutcome } from '../study/run-study.js';
import type { TrialRequest } from '../trial/run-trial.js';
import type { TrialCrossval } from '../trial/crossval-trial.js';
import { parseRedisUrl, stopKey, stopKeyClient } from './connection.js';
import { openQueue } from './open-queue.js';

export interface QueueExecutorOptions {
  url: string;
  queueName?: string;
  manifest: string;
  overrides: ManifestOverrides;
  objective: string;
  allowLocalPlugins?: boolean;
  /** Set for a `cv_<metric>` objective: each trial cross-validates. */
  crossval?: TrialCrossval;
}

export interface QueueExecutor extends TrialExecutor {
  close(): Promise<void>;
}

/** Progress a worker reports after each epoch. */
export interface EpochProgress {
  epoch: number;
  logs: Record<string, number>;
}

/**
 * Puts each trial on a BullMQ queue for `polymodal worker` processes and waits for its result; epochs come
 * back as job progress, pruning sets a stop key the worker reads after each epoch. Job ids are unique to
 * this coordinator run, so a trial rerun after a crash is a new job.
 */
export async function queueExecutor(options: QueueExecutorOptions): Promise<QueueExecutor> {
  const opened = await openQueue(options.url, options.queueName);
  const { name, events } = opened;
  const redis = await stopKeyClient(parseRedisUrl(options.url));
  const run = randomBytes(4).toString('hex');
  const listeners = new Map<string, (progress: EpochProgress) => void>();
  events.on('progress', ({ jobId, data }) => {
    if (typeof data === 'object' && data !== null) listeners.get(jobId)?.(data as unknown as EpochProgress);
  });
  return {
    async run(job, onEpoch, signal): Promise<TrialOutcome> {
      const request: TrialRequest = {
        ...job, manifest: options.manifest, overrides: options.overrides, objective: options.objective, allowLocalPlugins: options.allowLocalPlugins,
        ...(options.crossval ? { crossval: options.crossval } : {}),
      };
      const jobId = `${run}-trial-${job.number}`;
      let lastEpoch = 0;
      listeners.set(jobId, (progress) => {
        // A job retried after its worker died starts again at epoch 1; its epochs replace the lost ones.
        lastEpoch = progress.epoch;
        onEpoch(progress.epoch, progress.logs);
      });
      const stop = () => void redis.set(stopKey(name, jobId), '1', 'EX', 86_400);
      signal.addEventListener('abort', stop, { once: true });
      try {
        const { result } = await opened.runJob<TrialOutcome>('trial', jobId, request);
        if (signal.aborted) stop();
        return await result;
      } catch (error) {
        if (error instanceof PolymodalError) throw error;
        throw new PolymodalError(String((error as Error).message ?? error) + (lastEpoch ? ` (after epoch ${lastEpoch})` : ''), { exitCode: 1 });
      } finally {
        listeners.delete(jobId);
        signal.removeEventListener('abort', stop);
      }
    },
    async close() {
      await Promise.allSettled([opened.close(), redis.quit()]);
    },
  };
}
