export { createServer, SERVE_DEFAULTS, type PolymodalServer, type ServeOptions } from './server.js';
export { MicroBatcher, QueueFull, type MicroBatcherOptions } from './micro-batcher.js';
export { rowSchema, batchSchema, INFER_SCHEMA } from './request-schemas.js';
export type { ErrorBody, Problem } from './http-errors.js';
export type { ServeContext, ServeLimits } from './serve-context.js';
export { superviseWorkers, type SuperviseOptions } from './cluster/supervise-workers.js';
export { isServeWorker, serveWorkerId, reportReady, clusterMetrics, drainRequested, leaveCluster } from './cluster/cluster-worker.js';
