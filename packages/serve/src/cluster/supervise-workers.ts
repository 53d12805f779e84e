import cluster, { type Worker } from 'node:cluster';
import { AggregatorRegistry, Counter, Gauge, Registry } from 'prom-client';
import { isMessage, type PrimaryMessage, type WorkerMessage } from './messages.js';

export interface SuperviseOptions {
  /** Worker processes, each holding a loaded predictor and serving the shared port. */
  workers: number;
  /** Aborting it drains every worker (each answers what it has received), then the primary returns 0. */
  signal: AbortSignal;
  /** Human-readable lines (the CLI: stderr), for starts, readiness, crashes and restarts. */
  log: (line: string) => void;
  /** Restarts allowed within `crashWindowMs` before the primary gives up (a crash loop). Default 10 in 60 s. */
  maxRestarts?: number;
  crashWindowMs?: number;
}

interface Tracked {
  readonly worker: Worker;
  ready: boolean;
}

function exitReason(code: number | null, signal: string | null): string {
  return signal ? `was killed by ${signal}` : `exited with code ${code}`;
}

/**
 * The primary of `serve --workers N` (node:cluster): forks N workers (this same command line again; each
 * loads the model and listens on the shared port), restarts a worker that dies after it was ready (logged,
 * and counted in `polymodal_worker_restarts_total` on /metrics), answers the workers' requests for the
 * aggregated metrics of all workers, and on `signal` asks every worker to drain and waits for them.
 * A worker that dies before it was ever ready (the model does not load) stops the whole server: its error is
 * on stderr already; the primary returns its exit code.
 */
export function superviseWorkers(options: SuperviseOptions): Promise<number> {
  const registry = new Registry();
  const restarts = new Counter({ name: 'polymodal_worker_restarts_total', help: 'Workers restarted after they died (serve --workers)', registers: [registry] });
  const tracked = new Map<number, Tracked>();
  new Gauge({
    name: 'polymodal_workers_ready', help: 'Worker processes serving (serve --workers)', registers: [registry],
    collect() { this.set([...tracked.values()].filter((t) => t.ready).length); },
  });
  const maxRestarts = options.maxRestarts ?? 10;
  const window = options.crashWindowMs ?? 60_000;
  const recentRestarts: number[] = [];
  let draining = false;
  let announced = false;
  let collectId = 0;
  const collecting = new Map<number, { pending: number; results: unknown[][]; done: () => void }>();

  const fork = () => {
    const worker = cluster.fork();
    tracked.set(worker.id, { worker, ready: false });
    worker.on('message', (message: unknown) => onMessage(worker, message));
  };

  const aggregatedMetrics = async (): Promise<string> => {
    const ready = [...tracked.values()].filter((t) => t.ready && t.worker.isConnected());
    const id = collectId++;
    const results: unknown[][] = [];
    await new Promise<void>((done) => {
      const timer = setTimeout(done, 2000);
      collecting.set(id, { pending: ready.length, results, done: () => { clearTimeout(timer); done(); } });
      if (ready.length === 0) collecting.get(id)!.done();
      for (const t of ready) t.worker.send({ type: 'polymodal:collect', id } satisfies PrimaryMessage);
    });
    collecting.delete(id);
    const workers = AggregatorRegistry.aggregate(results as Parameters<typeof AggregatorRegistry.aggregate>[0]);
    return (await workers.metrics()) + (await registry.metrics());
  };

  const onMessage = (worker: Worker, message: unknown) => {
    if (!isMessage<WorkerMessage>(message)) return;
    if (message.type === 'polymodal:ready') {
      tracked.get(worker.id)!.ready = true;
      options.log(`worker ${worker.id} (pid ${worker.process.pid}) ready`);
      if (!announced && [...tracked.values()].every((t) => t.ready)) {
        announced = true;
        options.log(`serving model "${message.model}" on ${message.address} with ${options.workers} workers (SIGTERM or Ctrl-C drains them all and stops)`);
      }
    } else if (message.type === 'polymodal:metrics') {
      void aggregatedMetrics().then((text) => { if (worker.isConnected()) worker.send({ type: 'polymodal:metrics', id: message.id, text } satisfies PrimaryMessage); });
    } else if (message.type === 'polymodal:collected') {
      const collect = collecting.get(message.id);
      if (!collect) return;
      collect.results.push(message.metrics);
      if (--collect.pending === 0) collect.done();
    }
  };

  return new Promise<number>((resolve) => {
    let exitCode = 0;
    const finishIfDone = () => {
      if (tracked.size > 0) return;
      cluster.off('exit', onExit);
      options.signal.removeEventListener('abort', drainAll);
      resolve(exitCode);
    };
    const drainAll = () => {
      if (draining) return;
      draining = true;
      options.log(`draining ${tracked.size} worker${tracked.size === 1 ? '' : 's'}`);
      for (const { worker } of tracked.values()) if (worker.isConnected()) worker.send({ type: 'polymodal:drain' } satisfies PrimaryMessage);
      finishIfDone();
    };
    const onExit = (worker: Worker, code: number | null, signal: string | null) => {
      const was = tracked.get(worker.id);
      tracked.delete(worker.id);
      if (!was) return;
      if (draining) {
        // The first failure names the exit code: a worker stopped while draining after it must not replace it.
        if (code !== 0 && exitCode === 0) exitCode = code ?? 1;
        finishIfDone();
        return;
      }
      if (!was.ready) {
        options.log(`worker ${worker.id} ${exitReason(code, signal)} before it was ready; stopping`);
        exitCode = code || 1;
        drainAll();
        return;
      }
      const now = Date.now();
      recentRestarts.push(now);
      while (recentRestarts.length > 0 && recentRestarts[0] < now - window) recentRestarts.shift();
      if (recentRestarts.length > maxRestarts) {
        options.log(`worker ${worker.id} ${exitReason(code, signal)}; ${recentRestarts.length} restarts within ${window / 1000} s, giving up`);
        exitCode = 1;
        drainAll();
        return;
      }
      restarts.inc();
      options.log(`worker ${worker.id} (pid ${worker.process.pid}) ${exitReason(code, signal)}; restarting it`);
      fork();
    };
    cluster.on('exit', onExit);
    if (options.signal.aborted) {
      finishIfDone();
      return;
    }
    options.signal.addEventListener('abort', drainAll, { once: true });
    for (let i = 0; i < options.workers; i++) fork();
  });
}
