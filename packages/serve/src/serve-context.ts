import type { Predictor, PredictorResult, PredictorRow } from '@polymodal/core';
import type { MicroBatcher } from './micro-batcher.js';
import type { ServeMetrics } from './serve-metrics.js';

declare module 'fastify' {
  interface FastifyContextConfig {
    /** The route submits rows to the micro-batcher: while its body arrives, the batcher may wait for it. */
    batched?: boolean;
  }
}

export interface ServeLimits {
  /** Rows one request may hold (/batch_predict rows, v2 batch size). */
  readonly maxRows: number;
  /** Bytes of one uploaded file (multipart). */
  readonly fileBytes: number;
}

/** What every route shares: the model, the batcher in front of it, the metrics, the limits and readiness. */
export interface ServeContext {
  readonly predictor: Predictor;
  readonly batcher: MicroBatcher<PredictorRow, PredictorResult>;
  readonly metrics: ServeMetrics;
  readonly limits: ServeLimits;
  /** The columns a row may name: the model's, then the id column. */
  readonly columnNames: readonly string[];
  /** Loaded and warmed up, and not shutting down. */
  ready: boolean;
  /** `serve --workers N`: this worker's number. */
  readonly workerId?: number;
  /** The text GET /metrics answers. */
  readonly metricsText: () => Promise<string>;
}
