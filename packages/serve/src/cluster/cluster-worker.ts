import cluster from 'node:cluster';
import type { Registry } from 'prom-client';
import { isMessage, type PrimaryMessage, type WorkerMessage } from './messages.js';

/** This process is a worker of `serve --workers N`. */
export function isServeWorker(): boolean {
  return cluster.isWorker;
}

/** The worker's number (1..N; a restarted worker gets the next one), or undefined outside a cluster. */
export function serveWorkerId(): number | undefined {
  return cluster.isWorker ? cluster.worker!.id : undefined;
}

function send(message: WorkerMessage): void {
  process.send?.(message);
}

/** Tells the primary this worker serves (it prints the address once every worker is ready). */
export function reportReady(address: string, model: string): void {
  send({ type: 'polymodal:ready', address, model });
}

/**
 * Answers the primary's collect requests with `registry`'s metrics, and gives GET /metrics the metrics of every
 * worker, aggregated by the primary (counters and histograms summed): a scrape reaches one worker, and must
 * not show only that worker's share.
 */
export function clusterMetrics(registry: Registry): () => Promise<string> {
  let next = 0;
  const waiting = new Map<number, (text: string) => void>();
  process.on('message', (message: unknown) => {
    if (!isMessage<PrimaryMessage>(message)) return;
    if (message.type === 'polymodal:collect') {
      void registry.getMetricsAsJSON().then((metrics) => send({ type: 'polymodal:collected', id: message.id, metrics }));
    } else if (message.type === 'polymodal:metrics') {
      waiting.get(message.id)?.(message.text);
      waiting.delete(message.id);
    }
  });
  return () => new Promise<string>((resolve) => {
    const id = next++;
    waiting.set(id, resolve);
    send({ type: 'polymodal:metrics', id });
  });
}

/** Resolves when the primary asks this worker to drain, or goes away (the IPC channel closes). */
export function drainRequested(): Promise<void> {
  return new Promise((resolve) => {
    process.on('message', (message: unknown) => {
      if (isMessage<PrimaryMessage>(message) && message.type === 'polymodal:drain') resolve();
    });
    process.once('disconnect', () => resolve());
  });
}

/** Closes the IPC channel to the primary, which would otherwise keep a worker that has stopped serving alive. */
export function leaveCluster(): void {
  if (cluster.isWorker && process.connected) process.disconnect();
}
