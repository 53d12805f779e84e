import type { FastifyInstance } from 'fastify';
import type { ServeContext } from '../serve-context.js';

/** Liveness (the process answers), readiness (model loaded, warmed up, not shutting down) and Prometheus metrics. */
export function healthRoutes(app: FastifyInstance, context: ServeContext): void {
  app.get('/healthz', async () => (context.workerId === undefined ? { status: 'ok' } : { status: 'ok', worker: context.workerId, pid: process.pid }));
  app.get('/readyz', async (_request, reply) => reply.code(context.ready ? 200 : 503).send({ ready: context.ready, model: context.predictor.name }));
  app.get('/metrics', async (_request, reply) => {
    const text = await context.metricsText();
    return reply.type(context.metrics.registry.contentType).send(text);
  });
}
