import Fastify, { type FastifyInstance, type FastifyRequest, type FastifyServerOptions } from 'fastify';
import multipart from '@fastify/multipart';
import type { Predictor, PredictorResult, PredictorRow } from '@polymodal/core';
import { HttpError, toHttpError } from './http-errors.js';
import { MicroBatcher } from './micro-batcher.js';
import { healthRoutes } from './routes/health-routes.js';
import { inferenceProtocolRoutes } from './routes/inference-protocol.js';
import { predictRoutes } from './routes/predict-routes.js';
import type { ServeContext } from './serve-context.js';
import { ServeMetrics } from './serve-metrics.js';

export interface ServeOptions {
  /** Rows per model call at most (1: no micro-batching). Default 64. */
  maxBatch?: number;
  /** How long rows wait for requests already arriving. Default 5. */
  maxLatencyMs?: number;
  /** Rows waiting for the model at most; beyond it requests get 503 with Retry-After. Default 16 x maxBatch. */
  maxQueue?: number;
  /** Rows in one request at most (413 beyond). Default: maxQueue. */
  maxRows?: number;
  /** Bytes of a request body (413 beyond). Default 10 MiB. */
  bodyLimit?: number;
  /** Bytes of one uploaded file. Default: bodyLimit. */
  fileLimit?: number;
  /** Seconds a shed request is told to wait (Retry-After). Default 1. */
  retryAfterSeconds?: number;
  /** Fastify's logger (pino): true, pino options or an instance. Default false. */
  logger?: FastifyServerOptions['logger'];
  /** `serve --workers N`: this worker's number, sent as `x-polymodal-worker` on every answer and in /healthz. */
  workerId?: number;
  /** What GET /metrics answers (`serve --workers N`: every worker's metrics, aggregated). Default: this server's registry. */
  metricsText?: () => Promise<string>;
}

export const SERVE_DEFAULTS = { maxBatch: 64, maxLatencyMs: 5, bodyLimit: 10 * 1024 * 1024, retryAfterSeconds: 1 } as const;

/** The fastify app and what it serves; `app.listen()` warms the model up first, `app.close()` drains. */
export interface PolymodalServer {
  readonly app: FastifyInstance;
  readonly context: ServeContext;
}

function positiveInteger(name: string, value: number): number {
  if (!Number.isInteger(value) || value < 1) throw new RangeError(`${name} must be a positive integer, got ${value}`);
  return value;
}

/**
 * Serves a loaded predictor over HTTP: /predict, /batch_predict, the Open Inference Protocol v2 routes, health
 * and /metrics. Concurrent rows are micro-batched into one model call; the bounded queue sheds load with 503.
 */
export function createServer(predictor: Predictor, options: ServeOptions = {}): PolymodalServer {
  const maxBatch = positiveInteger('maxBatch', options.maxBatch ?? SERVE_DEFAULTS.maxBatch);
  const maxQueue = positiveInteger('maxQueue', options.maxQueue ?? maxBatch * 16);
  const maxRows = Math.min(positiveInteger('maxRows', options.maxRows ?? maxQueue), maxQueue);
  const bodyLimit = positiveInteger('bodyLimit', options.bodyLimit ?? SERVE_DEFAULTS.bodyLimit);
  const retryAfter = options.retryAfterSeconds ?? SERVE_DEFAULTS.retryAfterSeconds;
  const arriving = new Set<FastifyRequest>();
  const metrics = new ServeMetrics(() => batcher.queued, predictor);
  // The gathered rows go through the model as one call, not in chunks of the manifest's training batch size.
  const batcher = new MicroBatcher<PredictorRow, PredictorResult>((rows) => predictor.predict(rows, { batchSize: maxBatch }), {
    maxBatch,
    maxLatencyMs: options.maxLatencyMs ?? SERVE_DEFAULTS.maxLatencyMs,
    maxQueue,
    arriving: () => arriving.size,
    onBatch: (rows) => metrics.batchSize.observe(rows),
  });
  const columnNames = [...new Set([...predictor.inputs.map((c) => c.name), ...(predictor.idColumn === undefined ? [] : [predictor.idColumn])])];
  const context: ServeContext = {
    predictor, batcher, metrics, limits: { maxRows, fileBytes: options.fileLimit ?? bodyLimit }, columnNames, ready: false,
    workerId: options.workerId, metricsText: options.metricsText ?? (() => metrics.registry.metrics()),
  };

  const app = Fastify({
    logger: options.logger ?? false,
    bodyLimit,
    ajv: { customOptions: { allowUnionTypes: true, coerceTypes: false, removeAdditional: false, useDefaults: false, allErrors: true } },
  });
  const stopArriving = (request: FastifyRequest) => {
    if (arriving.delete(request)) batcher.poke();
  };
  app.register(multipart, { limits: { fileSize: context.limits.fileBytes } });
  app.addHook('onRequest', async (request) => {
    if (request.routeOptions.config.batched) arriving.add(request);
  });
  app.addHook('onResponse', async (request, reply) => {
    stopArriving(request);
    const route = request.routeOptions.url ?? 'unmatched';
    metrics.requests.inc({ route, status: String(reply.statusCode) });
    metrics.latency.observe({ route }, reply.elapsedTime / 1000);
  });
  app.addHook('onRequestAbort', async (request) => stopArriving(request));
  app.addHook('onReady', async () => {
    predictor.warmUp();
    context.ready = true;
  });
  let closing = false;
  app.addHook('preClose', async () => {
    closing = true;
    context.ready = false;
  });
  // Answers given while draining close their connection: a client's idle keep-alive connection would otherwise
  // hold the shutdown until its timeout (72 s in fastify).
  app.addHook('onSend', async (_request, reply) => {
    if (closing) reply.header('connection', 'close');
    if (options.workerId !== undefined) reply.header('x-polymodal-worker', String(options.workerId));
  });
  app.setErrorHandler((error, request, reply) => {
    const answer = toHttpError(error, columnNames, retryAfter);
    metrics.error(answer.kind);
    if (answer.statusCode >= 500 && answer.kind === 'internal') request.log.error({ err: error }, 'internal error');
    return reply.code(answer.statusCode).headers(answer.headers).send(answer.body());
  });
  app.setNotFoundHandler((request) => {
    throw new HttpError(404, 'not_found', `no route ${request.method} ${request.url.split('?')[0]}`);
  });
  app.register(async (scope) => {
    healthRoutes(scope, context);
    predictRoutes(scope, context, stopArriving);
    inferenceProtocolRoutes(scope, context, stopArriving);
  });
  return { app, context };
}
