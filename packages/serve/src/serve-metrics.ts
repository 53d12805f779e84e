import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client';
import type { ErrorKind } from './http-errors.js';

/** The server's Prometheus metrics, on a registry of its own (two servers in one process do not collide). */
export class ServeMetrics {
  readonly registry = new Registry();
  readonly requests = new Counter({ name: 'polymodal_requests_total', help: 'HTTP requests answered, by route and status code', labelNames: ['route', 'status'], registers: [this.registry] });
  readonly latency = new Histogram({
    name: 'polymodal_request_duration_seconds',
    help: 'Time from request to answer, by route',
    labelNames: ['route'],
    buckets: [0.0005, 0.001, 0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
    registers: [this.registry],
  });
  readonly batchSize = new Histogram({ name: 'polymodal_batch_size_rows', help: 'Rows per model call', buckets: [1, 2, 4, 8, 16, 32, 64, 128, 256, 512], registers: [this.registry] });
  readonly rows = new Counter({ name: 'polymodal_rows_total', help: 'Rows predicted (or refused per row)', labelNames: ['outcome'], registers: [this.registry] });
  readonly errors = new Counter({ name: 'polymodal_errors_total', help: 'Error answers, by kind (refused rows of a batch answer are in polymodal_rows_total)', labelNames: ['kind'], registers: [this.registry] });
  readonly queueDepth: Gauge;
  /** Always 1: which model runs on which engine (`tfjs on wasm`, `TensorFlow graph (...)`), as Prometheus info metrics do. */
  readonly modelInfo: Gauge;

  constructor(queued: () => number, model: { readonly name: string; readonly engine: string }) {
    this.modelInfo = new Gauge({
      name: 'polymodal_model_info', help: 'The served model and the engine that runs it (value 1)', labelNames: ['model', 'engine'], registers: [this.registry],
      // Every worker serves the same model: aggregated, one series, not a sum.
      aggregator: 'first',
    });
    this.modelInfo.set({ model: model.name, engine: model.engine }, 1);
    this.queueDepth = new Gauge({
      name: 'polymodal_queue_depth_rows',
      help: 'Rows waiting for a model call',
      registers: [this.registry],
      collect() {
        this.set(queued());
      },
    });
    collectDefaultMetrics({ register: this.registry, prefix: 'polymodal_process_' });
  }

  error(kind: ErrorKind, count = 1): void {
    this.errors.inc({ kind }, count);
  }
}
