/**
 * What the primary of `serve --workers N` and its workers (node:cluster) say to each other over IPC. Workers
 * share the listening port (the primary hands out connections round-robin); each holds its own predictor.
 */
export type WorkerMessage =
  /** The worker's server listens and its model is warmed up. */
  | { type: 'polymodal:ready'; address: string; model: string }
  /** A worker asks for the metrics of all workers, aggregated, to answer GET /metrics. */
  | { type: 'polymodal:metrics'; id: number }
  /** A worker's own metrics, answering the primary's collect request. */
  | { type: 'polymodal:collected'; id: number; metrics: unknown[] };

export type PrimaryMessage =
  /** Stop accepting, answer what is in flight, exit 0. */
  | { type: 'polymodal:drain' }
  /** The aggregated metrics text a worker asked for. */
  | { type: 'polymodal:metrics'; id: number; text: string }
  /** Collect request: send your registry's metrics as JSON. */
  | { type: 'polymodal:collect'; id: number };

export function isMessage<T extends { type: string }>(value: unknown): value is T {
  return typeof value === 'object' && value !== null && typeof (value as { type?: unknown }).type === 'string' && (value as { type: string }).type.startsWith('polymodal:');
}
