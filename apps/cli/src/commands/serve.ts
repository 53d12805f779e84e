import { loadPredictor, PolymodalError } from '@polymodal/core';
import { choiceFlag, integerFlag, parseCommandArgs, type ParsedArgs } from '../args.js';
import type { Output } from '../render/reporters.js';
import type { Command } from './command.js';
import { BACKENDS, reporterFor } from './reporter-for.js';
import { predictionCompiler } from '../graph-compilers.js';
import { importOptionalPackage } from '../optional-package.js';

/** The server (fastify, prom-client) is its own package, loaded only here: the CLI works without it. */
type ServeModule = typeof import('@polymodal/serve');
type ServeOptions = import('@polymodal/serve').ServeOptions;

const usage = 'polymodal serve <model-dir> [--host 127.0.0.1] [--port 8080] [--workers N] [--max-batch 64] [--max-latency-ms 5] [--max-queue N] [--max-rows N] '
  + '[--body-limit BYTES] [--allow-paths ROOT] [--id-column COL] [--backend B] [--allow-local-plugins] [--log-level info|warn|error|silent]';

const LOG_LEVELS = ['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent'] as const;

function requireServeModule(): Promise<ServeModule> {
  return importOptionalPackage<ServeModule>('@polymodal/serve', '`polymodal serve`');
}

/**
 * On the tensorflow backend predictions run as one TensorFlow graph when @polymodal/export is installed (its
 * tensorflowGraph compiler; one row of the seed model 1.57 -> 0.53 ms); without it, or elsewhere, on tfjs.
 */
function waitForAbort(signal: AbortSignal): Promise<void> {
  return new Promise((done) => (signal.aborted ? done() : signal.addEventListener('abort', () => done(), { once: true })));
}

async function listenOrExplain(listen: () => Promise<string>, host: string, port: number): Promise<string> {
  try {
    return await listen();
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'EADDRINUSE') throw new PolymodalError(`${host}:${port} is already in use`, { hint: 'Stop the other server or pass another --port.', exitCode: 1 });
    if (code === 'EACCES') throw new PolymodalError(`not allowed to listen on ${host}:${port}`, { hint: 'Ports below 1024 need privileges; pass --port 8080, or run behind a reverse proxy.', exitCode: 1 });
    if (code === 'EADDRNOTAVAIL' || code === 'ENOTFOUND') throw new PolymodalError(`--host ${host} is not an address of this machine`, { exitCode: 2 });
    throw error;
  }
}

function announce(output: Output, name: string, address: string, batch: string, engine: string): void {
  output.err(`polymodal serve: serving model "${name}" on ${address} (${engine}; ${batch}; SIGTERM or Ctrl-C drains and stops)\n`);
  output.err(`  POST ${address}/predict  POST ${address}/batch_predict  POST ${address}/v2/models/${name}/infer  GET ${address}/readyz  GET ${address}/metrics\n`);
}

export const serveCommand: Command = {
  name: 'serve',
  summary: 'serve a model over HTTP (micro-batching, Open Inference Protocol v2, /metrics)',
  usage,
  interrupts: 'graceful',
  async run(argv, output, context) {
    const { positionals, values } = parseCommandArgs(argv, {
      host: { type: 'string' },
      port: { type: 'string' },
      'max-batch': { type: 'string' },
      'max-latency-ms': { type: 'string' },
      'max-queue': { type: 'string' },
      'max-rows': { type: 'string' },
      'body-limit': { type: 'string' },
      'allow-paths': { type: 'string' },
      'id-column': { type: 'string' },
      backend: { type: 'string' },
      'allow-local-plugins': { type: 'boolean' },
      'log-level': { type: 'string' },
      workers: { type: 'string' },
    }, ['model-dir'], usage);
    const host = (values.host as string | undefined) ?? '127.0.0.1';
    const port = integerFlag(values, 'port', usage, 0) ?? 8080;
    const maxBatch = integerFlag(values, 'max-batch', usage);
    const serveOptions = {
      maxBatch,
      maxLatencyMs: integerFlag(values, 'max-latency-ms', usage, 0),
      maxQueue: integerFlag(values, 'max-queue', usage),
      maxRows: integerFlag(values, 'max-rows', usage),
      bodyLimit: integerFlag(values, 'body-limit', usage),
      logger: { level: choiceFlag(values, 'log-level', LOG_LEVELS, usage) ?? 'info' },
    };
    const serve = await requireServeModule();
    const workers = integerFlag(values, 'workers', usage) ?? 1;
    if (workers > 1 && !serve.isServeWorker()) {
      // The primary (node:cluster) loads no model: it forks this command line N times and supervises them.
      return serve.superviseWorkers({ workers, signal: context.signal, log: (line) => output.err(`polymodal serve: ${line}\n`) });
    }
    try {
      return await serveHere(serve, positionals[0], values, serveOptions, { host, port, maxBatch }, output, context.signal);
    } finally {
      serve.leaveCluster();
    }
  },
};

/** One server in this process: the only one, or one worker of `--workers N`. */
async function serveHere(
  serve: ServeModule, modelDir: string, values: ParsedArgs['values'], serveOptions: ServeOptions,
  where: { host: string; port: number; maxBatch: number | undefined }, output: Output, signal: AbortSignal,
): Promise<number> {
  const { host, port, maxBatch } = where;
  const workerId = serve.serveWorkerId();
  // A worker stops on its own signal (Ctrl-C reaches the whole process group) or when the primary asks it to drain.
  const stopping = new AbortController();
  if (signal.aborted) stopping.abort();
  signal.addEventListener('abort', () => stopping.abort(), { once: true });
  if (workerId !== undefined) void serve.drainRequested().then(() => stopping.abort());
  const predictor = await loadPredictor(modelDir, {
    backend: choiceFlag(values, 'backend', BACKENDS, usage),
    allowPathsUnder: values['allow-paths'] as string | undefined,
    idColumn: values['id-column'] as string | undefined,
    allowLocalPlugins: values['allow-local-plugins'] === true,
    reporter: reporterFor({ ...output, out: output.err, tty: false }, false),
    compile: await predictionCompiler(),
  });
  for (const note of predictor.notes) output.err(`polymodal serve: note: ${note}\n`);
  try {
    // A worker of `--workers N` answers /metrics with every worker's metrics, which the primary aggregates.
    let clusterMetrics: (() => Promise<string>) | undefined;
    const { app, context: served } = serve.createServer(predictor, { ...serveOptions, workerId, metricsText: workerId === undefined ? undefined : () => clusterMetrics!() });
    if (workerId !== undefined) clusterMetrics = serve.clusterMetrics(served.metrics.registry);
    if (stopping.signal.aborted) return 0;
    const address = await listenOrExplain(() => app.listen({ host, port }), host, port);
    const batch = (maxBatch ?? serve.SERVE_DEFAULTS.maxBatch) === 1 ? 'no micro-batching' : `micro-batches of up to ${maxBatch ?? serve.SERVE_DEFAULTS.maxBatch} rows`;
    if (workerId === undefined) announce(output, predictor.name, address, batch, predictor.engine);
    else serve.reportReady(address, predictor.name);
    await waitForAbort(stopping.signal);
    // Stops accepting, answers what is in flight (queued rows included), then closes.
    await app.close();
    output.err(`polymodal serve: ${workerId === undefined ? '' : `worker ${workerId} `}stopped (every request in flight was answered)\n`);
    return 0;
  } finally {
    predictor.dispose();
  }
}
