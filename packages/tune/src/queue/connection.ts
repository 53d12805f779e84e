import { PolymodalError } from '@polymodal/core';

/** BullMQ is optional: loaded only for --queue, with the install line when it is missing. */
export type BullMq = typeof import('bullmq');

/** A plain Redis client for the stop keys (BullMQ's own clients are internal). */
export interface StopKeyClient {
  set(key: string, value: string, mode: 'EX', seconds: number): Promise<unknown>;
  get(key: string): Promise<string | null>;
  quit(): Promise<unknown>;
}

export async function stopKeyClient(connection: RedisConnection): Promise<StopKeyClient> {
  const { Redis } = await import('ioredis');
  return new Redis(connection) as unknown as StopKeyClient;
}

export async function loadBullMq(): Promise<BullMq> {
  try {
    return (await import('bullmq')) as BullMq;
  } catch (error) {
    const e = error as NodeJS.ErrnoException;
    if (e.code === 'ERR_MODULE_NOT_FOUND' && /Cannot find package '(bullmq|ioredis)'/.test(String(e.message))) {
      throw new PolymodalError('--queue needs the packages bullmq and ioredis, which are not installed', {
        hint: 'Run `npm install bullmq@^6.7.0 ioredis@^5.11.1`.',
        exitCode: 2,
      });
    }
    throw error;
  }
}

export interface RedisConnection {
  host: string;
  port: number;
  db?: number;
  username?: string;
  password?: string;
  /** BullMQ workers need commands that wait for Redis instead of failing after a few retries. */
  maxRetriesPerRequest: null;
}

export const DEFAULT_QUEUE_NAME = 'polymodal-tune';

/** `redis://[user:password@]host[:port][/db]` as BullMQ's connection options; anything else is a usage error. */
export function parseRedisUrl(text: string): RedisConnection {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    url = new URL('invalid://');
  }
  const db = url.pathname.length > 1 ? Number(url.pathname.slice(1)) : undefined;
  if (url.protocol !== 'redis:' || url.hostname === '' || (db !== undefined && !Number.isInteger(db))) {
    throw new PolymodalError(`--queue ${text}: expected redis://HOST:PORT (optionally with user:password@ and /DB)`, { exitCode: 2 });
  }
  return {
    host: url.hostname,
    port: url.port === '' ? 6379 : Number(url.port),
    ...(db !== undefined ? { db } : {}),
    ...(url.username ? { username: decodeURIComponent(url.username) } : {}),
    ...(url.password ? { password: decodeURIComponent(url.password) } : {}),
    maxRetriesPerRequest: null,
  };
}

/** The Redis key a coordinator sets to stop (prune) one job; workers check it after each epoch. */
export function stopKey(queueName: string, jobId: string): string {
  return `polymodal:${queueName}:stop:${jobId}`;
}
