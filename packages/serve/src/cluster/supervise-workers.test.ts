import assert from 'node:assert/strict';
import cluster from 'node:cluster';
import { get } from 'node:http';
import { createServer as createNetServer } from 'node:net';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { superviseWorkers } from './supervise-workers.js';

const WORKER = fileURLToPath(new URL('./test-fixtures/counting-worker.ts', import.meta.url));

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const server = createNetServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

function fetchText(port: number, path: string): Promise<string> {
  return new Promise((resolve, reject) => {
    get({ host: '127.0.0.1', port, path, agent: false }, (response) => {
      let text = '';
      response.setEncoding('utf8').on('data', (chunk) => (text += chunk)).on('end', () => resolve(text));
    }).on('error', reject);
  });
}

async function until(what: string, check: () => boolean): Promise<void> {
  const deadline = Date.now() + 30_000;
  while (!check()) {
    assert.ok(Date.now() < deadline, `timed out waiting for ${what}`);
    await new Promise((done) => setTimeout(done, 50));
  }
}

test('workers share the port, a dead worker is restarted and counted, metrics are summed, abort drains all', async () => {
  const port = await freePort();
  cluster.setupPrimary({ exec: WORKER, args: [] });
  const lines: string[] = [];
  const controller = new AbortController();
  process.env.FIXTURE_PORT = String(port);
  const done = superviseWorkers({ workers: 2, signal: controller.signal, log: (line) => lines.push(line) });
  await until('both workers', () => lines.some((l) => l.startsWith('serving model "fixture"')));
  assert.match(lines.join('\n'), /on http:\/\/127\.0\.0\.1:\d+ with 2 workers/);
  const answers = await Promise.all(Array.from({ length: 10 }, () => fetchText(port, '/')));
  const seen = answers.map((a) => JSON.parse(a) as { worker: number; pid: number });
  assert.deepEqual(new Set(seen.map((a) => a.worker)), new Set([1, 2]), 'round-robin reached both workers');
  const metrics = await fetchText(port, '/metrics');
  assert.match(metrics, /^fixture_requests_total 10$/m, 'summed over both workers');
  assert.match(metrics, /^polymodal_workers_ready 2$/m);
  assert.match(metrics, /^polymodal_worker_restarts_total 0$/m);

  process.kill(seen[0].pid, 'SIGKILL');
  await until('the replacement', () => lines.some((l) => /^worker 3 \(pid \d+\) ready$/.test(l)));
  assert.ok(lines.includes(`worker ${seen[0].worker} (pid ${seen[0].pid}) was killed by SIGKILL; restarting it`), lines.join('\n'));
  assert.match(await fetchText(port, '/metrics'), /^polymodal_worker_restarts_total 1$/m);

  controller.abort();
  assert.equal(await done, 0);
  assert.ok(lines.includes('draining 2 workers'), lines.join('\n'));
  assert.equal(Object.keys(cluster.workers ?? {}).length, 0, 'every worker exited');
});

test('a worker that dies before it is ready stops the server with its exit code', async () => {
  cluster.setupPrimary({ exec: WORKER, args: [] });
  process.env.FAIL_BEFORE_READY = '1';
  const lines: string[] = [];
  try {
    const code = await superviseWorkers({ workers: 2, signal: new AbortController().signal, log: (line) => lines.push(line) });
    assert.equal(code, 3);
    assert.match(lines.join('\n'), /worker \d+ exited with code 3 before it was ready; stopping/);
  } finally {
    delete process.env.FAIL_BEFORE_READY;
  }
});
