import { PolymodalError } from '@polymodal/core';
import type { Job, Queue, QueueEvents } from 'bullmq';
import { DEFAULT_QUEUE_NAME, loadBullMq, parseRedisUrl } from './connection.js';

/** A coordinator's side of the queue: where it adds jobs and hears of their progress and end. */
export interface OpenQueue {
  readonly name: string;
  readonly queue: Queue;
  readonly events: QueueEvents;
  /** Adds a job and waits for its result; a failed job rejects with its worker's message. */
  runJob<R>(jobName: 'trial' | 'fold', jobId: string, data: object): Promise<{ job: Job; result: Promise<R> }>;
  close(): Promise<void>;
}

/**
 * Connects to the queue a coordinator (tune or crossval) puts its jobs on, or fails with a usage error when
 * Redis cannot be reached. Jobs are tried once by BullMQ (`attempts: 1`); a job whose worker died is handed to
 * another worker by the workers' stalled-job check, once.
 */
export async function openQueue(url: string, queueName?: string): Promise<OpenQueue> {
  const { Queue, QueueEvents } = await loadBullMq();
  const connection = parseRedisUrl(url);
  const name = queueName ?? DEFAULT_QUEUE_NAME;
  const queue = new Queue(name, { connection });
  const events = new QueueEvents(name, { connection });
  try {
    await Promise.all([queue.waitUntilReady(), events.waitUntilReady()]);
  } catch (error) {
    await Promise.allSettled([queue.close(), events.close()]);
    throw new PolymodalError(`--queue ${url}: cannot reach Redis (${(error as Error).message})`, { hint: 'Start redis-server there, or check the address.', exitCode: 2 });
  }
  return {
    name, queue, events,
    async runJob<R>(jobName: 'trial' | 'fold', jobId: string, data: object) {
      const job = await queue.add(jobName, data, { jobId, attempts: 1, removeOnComplete: { age: 86_400 }, removeOnFail: { age: 86_400 } });
      return { job, result: job.waitUntilFinished(events) as Promise<R> };
    },
    async close() {
      await Promise.allSettled([events.close(), queue.close()]);
    },
  };
}
