import { access, constants, readFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import { dirname, resolve } from 'node:path';
import { PolymodalError, type FoldJob, type FoldResult } from '@polymodal/core';
import type { Job } from 'bullmq';
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
  /** Trains one `crossval --queue` fold in a child process (the CLI: `crossval <manifest> --run-fold JOB`); without it fold jobs fail. */
  runFold?: (job: FoldJob) => Promise<FoldResult>;
  /** Seconds a job's lock lasts without renewal: a dead worker's trial is retried after about this long (default 30). */
  lockSeconds?: number;
  signal?: AbortSignal;
  log?: (line: string) => void;
}

/**
 * Workers may run on other machines: the manifest, data and output folder (the study folder of a trial, the
 * crossval's staging folder of a fold) must be at the same paths there.
 */
async function checkReachable(manifest: string, outputDir: string, what: string): Promise<void> {
  const where = hostname();
  try {
    await access(manifest, constants.R_OK);
  } catch {
    throw new PolymodalError(`worker on ${where} cannot read the manifest ${manifest}; the manifest, its data and the ${what} must be reachable at the same paths on every worker`);
  }
  const data = await dataFileOf(manifest);
  if (data !== undefined) {
    try {
      await access(data, constants.R_OK);
    } catch {
      throw new PolymodalError(`worker on ${where} cannot read the training data ${data} (the manifest's data.source); the manifest, its data and the ${what} must be reachable at the same paths on every worker`);
    }
  }
  try {
    await access(outputDir, constants.W_OK);
  } catch {
    throw new PolymodalError(`worker on ${where} cannot write to the ${what} ${outputDir}; mount it at the same path on every worker`);
  }
}

/** The manifest's data file, resolved as core resolves it (from the manifest's folder); undefined when it says none plainly. */
async function dataFileOf(manifest: string): Promise<string | undefined> {
  try {
    const source = (JSON.parse(await readFile(manifest, 'utf8')) as { data?: { source?: unknown } }).data?.source;
    return typeof source === 'string' && source !== '' ? resolve(dirname(manifest), source) : undefined;
  } catch {
    // An unreadable or invalid manifest is reported by the trial's own validation, with its pointers.
    return undefined;
  }
}

/** A `crossval --queue` fold: trained in a child process into the crossval's staging folder. */
async function runFoldJob(job: Job<FoldJob>, options: QueueWorkerOptions, log: (line: string) => void): Promise<FoldResult> {
  const fold = job.data;
  const label = `fold ${fold.fold + 1} of repeat ${fold.repeat + 1}`;
  if (!options.runFold) throw new PolymodalError(`this worker cannot run crossval folds (${label})`);
  await checkReachable(fold.manifest, dirname(dirname(fold.outDir)), 'crossval folder');
  log(`${label} started (job ${job.id}, attempt ${job.attemptsStarted})`);
  try {
    const result = await options.runFold(fold);
    log(`${label} complete`);
    return result;
  } catch (error) {
    log(`${label} failed: ${(error as Error).message.split('\n')[0]}`);
    throw error;
  }
}

/**
 * Takes trials (and crossval folds) from the queue until `signal` aborts, each in a child process, then finishes the running ones. A worker that dies mid-trial
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
  const worker = new Worker<TrialRequest | FoldJob, TrialOutcome | FoldResult>(name, async (job) => {
    if (job.name === 'fold') return runFoldJob(job as Job<FoldJob>, options, log);
    const request = job.data as TrialRequest;
    await checkReachable(request.manifest, dirname(dirname(dirname(request.outDir))), 'study folder');
    log(`trial ${request.number} started (job ${job.id}, attempt ${job.attemptsStarted})`);
    const controller = new AbortController();
    const executor = childProcessExecutor({
      command: options.trialCommand(request.manifest), manifest: request.manifest, overrides: request.overrides,
      objective: request.objective, allowLocalPlugins: request.allowLocalPlugins, crossval: request.crossval,
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
