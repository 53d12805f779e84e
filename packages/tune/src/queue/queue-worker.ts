import { access, constants } from 'node:fs/promises';
import { hostname } from 'node:os';
import { dirname } from 'node:path';
import { PolymodalError } from '@polymodal/core';
import type { TrialOutcome } from '../study/run-study.js';
import { childProcessExecutor } from '../trial/child-executor.js';
import type { TrialRequest } from '../trial/run-trial.js';
import { DEFAULT_QUEUE_NAME, loadBullMq, parseRedisUrl, stopKey, stopKeyClient } from './connection.js';
import type { EpochProgress } from './queue-executor.js';

export interface QueueWorkerOptions {
  url: string;
  queueName?: string;
  /** Trials run at once by this worker (default 1). */
  concurrency?: number;
  /** The trial process for a manifest (the CLI: `polymodal tune <manifest> --run-trial`). */
  trialCommand: (manifest: string) => string[];
  /** Seconds a job's lock lasts without renewal: a dead worker's trial is retried after about this long (default 30). */
  lockSeconds?: number;
  signal?: AbortSignal;
  log?: (line: string) => void;
}

/** Workers may run on other machines: the manifest, data and study folder must be at the same paths there. */
async function checkReachable(request: TrialRequest): Promise<void> {
  const where = hostname();
  try {
    await access(request.manifest, constants.R_OK);
  } catch {
    throw new PolymodalError(`worker on ${where} cannot read the manifest ${request.manifest}; the manifest, its data and the study folder must be reachable at the same paths on every worker`);
  }
  const studyDir = dirname(dirname(dirname(request.outDir)));
  try {
    await access(studyDir, constants.W_OK);
  } catch {
    throw new PolymodalError(`worker on ${where} cannot write to the study folder ${studyDir}; mount it at the same path on every worker`);
  }
}

/**
 * Takes trials from the queue until `signal` aborts, each in a child process, then finishes the running ones. A worker that dies mid-trial
 * stops renewing its job's lock; BullMQ's stalled-job check then hands the job to another worker once
 * (maxStalledCount 1) and fails it the second time.
 */
export async function runQueueWorker(options: QueueWorkerOptions): Promise<void> {
  const { Worker } = await loadBullMq();
  const connection = parseRedisUrl(options.url);
  const name = options.queueName ?? DEFAULT_QUEUE_NAME;
  const log = options.log ?? (() => {});
  const lockDuration = (options.lockSeconds ?? 30) * 1000;
  const client = await stopKeyClient(connection);
  const worker = new Worker<TrialRequest, TrialOutcome>(name, async (job) => {
    const request = job.data;
    await checkReachable(request);
    log(`trial ${request.number} started (job ${job.id}, attempt ${job.attemptsStarted})`);
    const controller = new AbortController();
    const executor = childProcessExecutor({
      command: options.trialCommand(request.manifest), manifest: request.manifest, overrides: request.overrides,
      objective: request.objective, allowLocalPlugins: request.allowLocalPlugins,
    });
    try {
      const outcome = await executor.run(request, (epoch, logs) => {
        void job.updateProgress({ epoch, logs } satisfies EpochProgress as unknown as object);
        void client.get(stopKey(name, job.id!)).then((value) => { if (value) controller.abort(); });
      }, controller.signal);
      log(`trial ${request.number} complete`);
      return outcome;
    } catch (error) {
      log(`trial ${request.number} ${controller.signal.aborted ? 'stopped' : 'failed'}: ${(error as Error).message.split('\n')[0]}`);
      throw error;
    }
  }, { connection, concurrency: options.concurrency ?? 1, lockDuration, stalledInterval: Math.max(1000, lockDuration / 2), maxStalledCount: 1 });
  await worker.waitUntilReady();
  log(`worker ready: queue ${name} on ${connection.host}:${connection.port}, ${options.concurrency ?? 1} at a time`);
  await new Promise<void>((resolvePromise) => {
    if (options.signal?.aborted) resolvePromise();
    options.signal?.addEventListener('abort', () => resolvePromise(), { once: true });
  });
  // A stopped worker finishes its running trials first (closing waits for them); a second signal ends it at once.
  log('stopping: finishing the running trials first');
  await worker.close();
  await client.quit();
}
