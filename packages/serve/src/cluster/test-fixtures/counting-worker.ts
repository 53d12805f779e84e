// A worker for supervise-workers.test.ts: no model, a plain HTTP server on the shared port that counts its
// requests in a prom-client registry, answers with its worker number, and drains when the primary asks.
// FAIL_BEFORE_READY=1 makes it exit 3 before it is ready (a model that does not load).
import { createServer } from 'node:http';
import { Counter, Registry } from 'prom-client';
import { clusterMetrics, drainRequested, leaveCluster, reportReady, serveWorkerId } from '../cluster-worker.js';

if (process.env.FAIL_BEFORE_READY === '1') process.exit(3);
const registry = new Registry();
const requests = new Counter({ name: 'fixture_requests_total', help: 'requests', registers: [registry] });
const metrics = clusterMetrics(registry);
const server = createServer((request, response) => {
  if (request.url === '/metrics') {
    void metrics().then((text) => response.end(text));
    return;
  }
  requests.inc();
  response.setHeader('connection', 'close');
  response.end(JSON.stringify({ worker: serveWorkerId(), pid: process.pid }));
});
server.listen(Number(process.env.FIXTURE_PORT), '127.0.0.1', () => reportReady(`http://127.0.0.1:${process.env.FIXTURE_PORT}`, 'fixture'));
await drainRequested();
server.close(() => leaveCluster());
