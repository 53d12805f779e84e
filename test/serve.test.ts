// Serving over real HTTP on 127.0.0.1 (random ports): a quickstart model trained here, served in-process
// (createServer) and by the built CLI (`polymodal serve`), compared with `polymodal predict`'s output.
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { copyFileSync, mkdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { connect } from 'node:net';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { loadPredictor, readTable, type Predictor } from '@polymodal/core';
import sharp from 'sharp';
import { createServer, type PolymodalServer } from '@polymodal/serve';
import { assertSuccess, CLI_BIN, makeWorkspace, QUICKSTART_CSV, QUICKSTART_MANIFEST, removeWorkspace, runCli, subdir, type Json } from './helpers.js';

const ID = 'customer_id';
const FEATURES = ['tenure_months', 'monthly_charges', 'contract', 'region', 'support_calls'];

let root: string;
let project: string;
let model: string;
/** `polymodal predict --id-column customer_id` on the quickstart CSV, by id. */
let expected: Map<string, Json>;
/** The CSV's first rows as the server takes them: the model's columns and the id, as the file's text (null when empty). */
let rows: Record<string, string | null>[];

function withoutRow(prediction: Json): Json {
  const { row: _row, ...rest } = prediction;
  return rest;
}

/**
 * Deep equality where numbers may differ by 2e-6: the server predicts in micro-batches and `polymodal predict` in
 * its own batches, and on the tensorflow backend (auto's choice once it is built) a product's rounding depends on
 * the batch size, which moves a probability's sixth decimal. Everything else must be equal.
 */
function assertCloseDeep(actual: unknown, expected: unknown, message?: string, path = ''): void {
  if (typeof actual === 'number' && typeof expected === 'number') {
    assert.ok(Math.abs(actual - expected) <= 2e-6, `${message ?? ''} ${path}: ${actual} vs ${expected}`);
    return;
  }
  if (actual === null || expected === null || typeof actual !== 'object' || typeof expected !== 'object') {
    assert.deepEqual(actual, expected, `${message ?? ''} ${path}`);
    return;
  }
  assert.equal(Array.isArray(actual), Array.isArray(expected), `${message ?? ''} ${path}: array vs object`);
  assert.deepEqual(Object.keys(actual).sort(), Object.keys(expected).sort(), `${message ?? ''} ${path}: keys`);
  for (const key of Object.keys(expected)) {
    assertCloseDeep((actual as Record<string, unknown>)[key], (expected as Record<string, unknown>)[key], message, `${path}/${key}`);
  }
}

before(async () => {
  root = makeWorkspace();
  project = subdir(root, 'quickstart');
  mkdirSync(join(project, 'data'));
  copyFileSync(QUICKSTART_MANIFEST, join(project, 'polymodal.json'));
  copyFileSync(QUICKSTART_CSV, join(project, 'data/customers.csv'));
  model = join(root, 'model');
  assertSuccess(runCli(['train', 'polymodal.json', '--epochs', '2', '--out', model], project));
  const predicted = runCli(['predict', model, '--input', 'data/customers.csv', '--id-column', ID], project);
  assertSuccess(predicted);
  expected = new Map(predicted.stdout.trim().split('\n').map((line) => JSON.parse(line)).map((p: Json) => [p.id, p]));
  const table = await readTable(join(project, 'data/customers.csv'));
  rows = table.rows.slice(0, 64).map((row) => Object.fromEntries([ID, ...FEATURES].map((c) => [c, row[c] === null ? null : String(row[c])])));
});
after(() => removeWorkspace(root));

async function post(base: string, path: string, body: unknown, headers: Record<string, string> = { 'content-type': 'application/json' }) {
  const response = await fetch(`${base}${path}`, { method: 'POST', headers, body: typeof body === 'string' || body instanceof Uint8Array ? body : JSON.stringify(body) });
  const text = await response.text();
  return { status: response.status, headers: response.headers, text, json: () => JSON.parse(text) as Json };
}

describe('in-process server (createServer) over HTTP', () => {
  let predictor: Predictor;
  let server: PolymodalServer;
  let base: string;

  before(async () => {
    predictor = await loadPredictor(model, { idColumn: ID, pluginSearchDirs: [project] });
    server = createServer(predictor, { maxBatch: 64, maxLatencyMs: 5, maxRows: 100, bodyLimit: 64 * 1024 });
    base = await server.app.listen({ host: '127.0.0.1', port: 0 });
  });
  after(async () => {
    await server?.app.close();
    predictor?.dispose();
  });

  it('answers health, readiness, metadata and metrics routes', async () => {
    for (const path of ['/healthz', '/readyz', '/v2', '/v2/health/live', '/v2/health/ready', '/v2/models/churn', '/v2/models/churn/ready']) {
      const response = await fetch(`${base}${path}`);
      assert.equal(response.status, 200, path);
    }
    const metadata: Json = await (await fetch(`${base}/v2/models/churn`)).json();
    assert.deepEqual(metadata.inputs.map((i: Json) => i.name), FEATURES);
    assert.equal((await fetch(`${base}/v2/models/other`)).status, 404);
    const metrics = await (await fetch(`${base}/metrics`)).text();
    assert.match(metrics, /polymodal_requests_total\{route="\/healthz",status="200"\} 1/);
  });

  it('32 concurrent /predict requests with distinct rows each get their own row\'s prediction, equal to polymodal predict', async () => {
    const answers = await Promise.all(rows.slice(0, 32).map((row) => post(base, '/predict', row)));
    answers.forEach((answer, i) => {
      assert.equal(answer.status, 200, answer.text);
      assertCloseDeep(withoutRow(answer.json()), withoutRow(expected.get(rows[i][ID]!)), `row ${i}`);
    });
    const metrics = await (await fetch(`${base}/metrics`)).text();
    const calls = Number(/polymodal_batch_size_rows_count (\d+)/.exec(metrics)![1]);
    const batchedRows = Number(/polymodal_batch_size_rows_sum (\d+)/.exec(metrics)![1]);
    assert.equal(batchedRows, 32);
    assert.ok(calls <= 32, `${calls} model calls`);
  });

  it('/batch_predict and /v2 infer give the same predictions; numbers may be JSON numbers', async () => {
    const batch = await post(base, '/batch_predict', { rows: rows.slice(0, 10) });
    assert.equal(batch.status, 200, batch.text);
    assertCloseDeep(batch.json().predictions.map(withoutRow), rows.slice(0, 10).map((r) => withoutRow(expected.get(r[ID]!))));
    const typed = rows.slice(0, 3).map((r) => ({ ...r, tenure_months: Number(r.tenure_months), monthly_charges: Number(r.monthly_charges), support_calls: Number(r.support_calls) }));
    assertCloseDeep((await post(base, '/batch_predict', { rows: typed })).json().predictions.map(withoutRow), batch.json().predictions.slice(0, 3).map(withoutRow));

    const inputs = FEATURES.map((name) => {
      const numeric = name !== 'contract' && name !== 'region';
      return { name, shape: [4, 1], datatype: numeric ? 'FP32' : 'BYTES', data: rows.slice(0, 4).map((r) => (numeric ? Number(r[name]) : r[name])) };
    });
    const infer = await post(base, '/v2/models/churn/infer', { id: 'q', inputs });
    assert.equal(infer.status, 200, infer.text);
    const [labels, probabilities] = infer.json().outputs;
    assert.deepEqual(labels.data, rows.slice(0, 4).map((r) => expected.get(r[ID]!).prediction));
    assertCloseDeep(probabilities.data, rows.slice(0, 4).flatMap((r) => probabilities.parameters.classes.map((c: string) => expected.get(r[ID]!).probabilities[c])));
  });

  it('400 with JSON pointers, 413 for rows and bodies, 415, malformed multipart', async () => {
    const bad = await post(base, '/predict', { ...rows[0], tenure_months: 'long' });
    assert.equal(bad.status, 400);
    assert.deepEqual(bad.json().problems, [{ pointer: '/tenure_months', message: '"long" is not a number (the column is numeric)' }]);
    const typo = await post(base, '/batch_predict', { rows: [rows[0], { ...rows[1], regoin: 'x' }] });
    assert.equal(typo.status, 400);
    assert.equal(typo.json().problems[0].pointer, '/rows/1/regoin');
    const badCell = await post(base, '/batch_predict', { rows: [rows[0], { ...rows[1], support_calls: 'many' }] });
    assert.equal(badCell.status, 200);
    assert.equal(badCell.json().predictions[1].error.pointer, '/rows/1/support_calls');
    assert.equal((await post(base, '/batch_predict', { rows: Array.from({ length: 101 }, () => rows[0]) })).status, 413);
    assert.equal((await post(base, '/predict', { ...rows[0], contract: 'x'.repeat(70 * 1024) })).status, 413);
    assert.equal((await post(base, '/predict', '{"tenure_months": ')).status, 400);
    assert.equal((await post(base, '/predict', 'tenure_months=1', { 'content-type': 'text/plain' })).status, 415);
    const malformed = await post(base, '/predict', '--xx\r\nContent-Disposition: form-data; name="tenure_months"\r\n\r\n12\r\n--xx\r\nContent-Disp', { 'content-type': 'multipart/form-data; boundary=xx' });
    assert.equal(malformed.status, 400, malformed.text);
    assert.match(malformed.json().error, /malformed multipart/);
    const form = new FormData();
    for (const column of FEATURES) if (rows[5][column] !== null) form.set(column, rows[5][column]!);
    const multipart = await fetch(`${base}/predict`, { method: 'POST', body: form });
    assert.equal(multipart.status, 200);
    assertCloseDeep(withoutRow(await multipart.json()), { ...withoutRow(expected.get(rows[5][ID]!)), id: null });
  });
});

/**
 * Opens a /predict request whose body never comes: the batcher waits (up to its latency bound) for requests
 * still arriving, so rows sent meanwhile stay queued. Destroy the socket to let them go.
 */
async function stalledRequest(base: string) {
  const socket = connect(Number(new URL(base).port), '127.0.0.1');
  await new Promise((done) => socket.on('connect', done));
  socket.write('POST /predict HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: 500\r\n\r\n{');
  await new Promise((done) => setTimeout(done, 200));
  return socket;
}

it('sheds load with 503 and Retry-After when the queue is full', async () => {
  const predictor = await loadPredictor(model, { pluginSearchDirs: [project] });
  const server = createServer(predictor, { maxBatch: 64, maxQueue: 4, maxLatencyMs: 5000, retryAfterSeconds: 2 });
  const base = await server.app.listen({ host: '127.0.0.1', port: 0 });
  try {
    const features = (row: Record<string, string | null>) => Object.fromEntries(FEATURES.map((c) => [c, row[c]]));
    const stalled = await stalledRequest(base);
    const pending = rows.slice(0, 4).map((row) => post(base, '/predict', features(row)));
    await new Promise((done) => setTimeout(done, 300));
    const shed = await post(base, '/predict', features(rows[4]));
    assert.equal(shed.status, 503, shed.text);
    assert.equal(shed.headers.get('retry-after'), '2');
    assert.match(shed.json().error, /the prediction queue is full \(4 rows waiting, at most 4\)/);
    const started = Date.now();
    stalled.destroy();
    assert.deepEqual((await Promise.all(pending)).map((a) => a.status), [200, 200, 200, 200]);
    assert.ok(Date.now() - started < 2000, 'the queued rows waited for the latency bound after the stalled request went away');
  } finally {
    await server.app.close();
    predictor.dispose();
  }
});

describe('an image model: files as multipart parts or data: URIs; paths only under --allow-paths', () => {
  let pictures: string;
  let imageModel: string;
  /** `polymodal predict` on pictures.csv, in row order. */
  let fromFile: Json[];

  before(async () => {
    pictures = subdir(root, 'pictures');
    mkdirSync(join(pictures, 'images'));
    const lines = ['picture,label'];
    for (let i = 0; i < 30; i++) {
      const pixels = Buffer.alloc(64, (i * 37) % 256).map((v, k) => (v + k * (i % 3)) % 256);
      await sharp(pixels, { raw: { width: 8, height: 8, channels: 1 } }).png().toFile(join(pictures, 'images', `${i}.png`));
      lines.push(`images/${i}.png,${i % 2 ? 'light' : 'dark'}`);
    }
    writeFileSync(join(pictures, 'pictures.csv'), lines.join('\n') + '\n');
    writeFileSync(join(pictures, 'polymodal.json'), JSON.stringify({
      version: 1,
      name: 'pictures',
      plugins: ['@polymodal/encoder-image', '@polymodal/fusion-concat'],
      data: { source: 'pictures.csv', split: { validation: 0.2, test: 0.2, seed: 1 } },
      inputs: { picture: { encoder: 'image/cnn', column: 'picture', options: { size: [8, 8], channels: 1, blocks: [{ filters: 4, kernelSize: 3 }], head: 'flatten' } } },
      fusion: { type: 'concat' },
      output: { column: 'label', task: 'binary' },
      training: { epochs: 1, batchSize: 8, seed: 1 },
    }));
    imageModel = join(root, 'image-model');
    assertSuccess(runCli(['train', 'polymodal.json', '--out', imageModel], pictures));
    const predicted = runCli(['predict', imageModel, '--input', 'pictures.csv'], pictures);
    assertSuccess(predicted);
    fromFile = predicted.stdout.trim().split('\n').map((line) => JSON.parse(line));
  });

  async function serving(allowPathsUnder: string | undefined, check: (base: string) => Promise<void>) {
    const predictor = await loadPredictor(imageModel, { allowPathsUnder, pluginSearchDirs: [pictures] });
    const server = createServer(predictor, { fileLimit: 4096 });
    const base = await server.app.listen({ host: '127.0.0.1', port: 0 });
    try {
      await check(base);
    } finally {
      await server.app.close();
      predictor.dispose();
    }
  }

  it('multipart file parts and data: URIs predict what polymodal predict does for the file; paths are refused', async () => {
    await serving(undefined, async (base) => {
      const png = readFileSync(join(pictures, 'images/3.png'));
      const form = new FormData();
      form.set('picture', new Blob([png], { type: 'image/png' }), '3.png');
      const uploaded = await fetch(`${base}/predict`, { method: 'POST', body: form });
      assert.equal(uploaded.status, 200);
      assertCloseDeep(withoutRow(await uploaded.json()), withoutRow(fromFile[3]));
      const uri = await post(base, '/predict', { picture: `data:image/png;base64,${png.toString('base64')}` });
      assertCloseDeep(withoutRow(uri.json()), withoutRow(fromFile[3]));
      const path = await post(base, '/predict', { picture: join(pictures, 'images/3.png') });
      assert.equal(path.status, 400);
      assert.equal(path.json().problems[0].pointer, '/picture');
      assert.match(path.json().problems[0].message, /file paths are not accepted here/);
      const notImage = new FormData();
      notImage.set('picture', new Blob([Buffer.from('not a picture at all')]), 'x.png');
      const refused = await fetch(`${base}/predict`, { method: 'POST', body: notImage });
      assert.equal(refused.status, 400);
      const big = new FormData();
      big.set('picture', new Blob([Buffer.alloc(5000)]), 'big.png');
      assert.equal((await fetch(`${base}/predict`, { method: 'POST', body: big })).status, 413);
    });
  });

  it('with --allow-paths ROOT: paths under ROOT are read, paths and links outside it are refused', async () => {
    symlinkSync(join(pictures, 'pictures.csv'), join(pictures, 'images', 'link.png'));
    await serving(join(pictures, 'images'), async (base) => {
      const inside = await post(base, '/batch_predict', { rows: [{ picture: '3.png' }, { picture: join(pictures, 'images/4.png') }] });
      assert.equal(inside.status, 200, inside.text);
      assertCloseDeep(inside.json().predictions.map(withoutRow), [withoutRow(fromFile[3]), withoutRow(fromFile[4])]);
      const outside = await post(base, '/batch_predict', { rows: [{ picture: '../pictures.csv' }, { picture: '/etc/passwd' }, { picture: 'link.png' }] });
      assert.equal(outside.status, 200);
      for (const [i, result] of outside.json().predictions.entries()) {
        assert.equal(result.error?.pointer, `/rows/${i}/picture`, JSON.stringify(result));
        assert.match(result.error.problem, /resolves outside the data root/);
      }
    });
  });
});

/** Starts `polymodal serve` on a random port; resolves with its address once it listens. */
function startCli(args: string[]): Promise<{ child: ChildProcess; base: string; stderr: () => string }> {
  const env = { ...process.env };
  delete env.NODE_OPTIONS;
  const child = spawn(process.execPath, [CLI_BIN, 'serve', model, '--port', '0', '--log-level', 'warn', ...args], { cwd: project, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`serve did not start in 60 s:\n${stderr}`)), 60_000);
    child.stderr!.on('data', (chunk) => {
      stderr += chunk;
      const match = /on (http:\/\/127\.0\.0\.1:\d+)/.exec(stderr);
      if (match) {
        clearTimeout(timer);
        resolve({ child, base: match[1], stderr: () => stderr });
      }
    });
    child.on('exit', (code) => reject(new Error(`serve exited ${code}:\n${stderr}`)));
  });
}

function exitOf(child: ChildProcess): Promise<number | null> {
  return new Promise((resolve) => (child.exitCode !== null ? resolve(child.exitCode) : child.on('exit', (code) => resolve(code))));
}

it('polymodal serve: predictions equal polymodal predict\'s; SIGTERM drains the requests in flight, then exits 0', async () => {
  const { child, base, stderr } = await startCli(['--id-column', ID, '--max-latency-ms', '3000']);
  try {
    const one = await post(base, '/predict', rows[7]);
    assertCloseDeep(withoutRow(one.json()), withoutRow(expected.get(rows[7][ID]!)));
    // A request whose body never comes keeps the batcher waiting (up to --max-latency-ms) for it...
    const stalled = await stalledRequest(base);
    // ...so these are queued, in flight, when SIGTERM arrives.
    const inFlight = rows.slice(10, 20).map((row) => post(base, '/predict', row));
    await new Promise((done) => setTimeout(done, 300));
    child.kill('SIGTERM');
    const signalled = Date.now();
    const answers = await Promise.all(inFlight);
    answers.forEach((answer, i) => {
      assert.equal(answer.status, 200, answer.text);
      assertCloseDeep(withoutRow(answer.json()), withoutRow(expected.get(rows[10 + i][ID]!)));
    });
    stalled.destroy();
    assert.equal(await exitOf(child), 0, stderr());
    // Well under the keep-alive timeout (72 s) that the answered connections would otherwise hold it for.
    assert.ok(Date.now() - signalled < 15_000, `exited ${Date.now() - signalled} ms after SIGTERM`);
    assert.match(stderr(), /stopped \(every request in flight was answered\)/);
  } finally {
    if (child.exitCode === null) child.kill('SIGKILL');
  }
});

it('polymodal serve refuses a port in use and a missing --allow-paths folder clearly', async () => {
  const { child, base } = await startCli([]);
  try {
    const port = new URL(base).port;
    const taken = runCli(['serve', model, '--port', port, '--host', '127.0.0.1'], project);
    assert.equal(taken.status, 1, taken.stderr);
    assert.match(taken.stderr, /already in use/);
    const noRoot = runCli(['serve', model, '--port', '0', '--allow-paths', join(root, 'nope')], project);
    assert.equal(noRoot.status, 2, noRoot.stderr);
    assert.match(noRoot.stderr, /does not exist/);
  } finally {
    child.kill('SIGTERM');
    await exitOf(child);
  }
});

/** A request on a connection of its own (no keep-alive), so the cluster's round-robin hands it to the next worker. */
function freshRequest(base: string, path: string, body?: unknown): Promise<{ status: number; worker: string | undefined; json: Json }> {
  return new Promise((resolve, reject) => {
    const payload = body === undefined ? undefined : JSON.stringify(body);
    const req = httpRequest(`${base}${path}`, {
      method: payload === undefined ? 'GET' : 'POST', agent: false,
      headers: payload === undefined ? {} : { 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload) },
    }, (res) => {
      let text = '';
      res.setEncoding('utf8').on('data', (chunk) => (text += chunk)).on('end', () => {
        resolve({ status: res.statusCode!, worker: res.headers['x-polymodal-worker'] as string | undefined, json: text.startsWith('{') ? JSON.parse(text) : text });
      });
    });
    req.on('error', reject);
    req.end(payload);
  });
}

async function until(what: string, check: () => boolean | Promise<boolean>, ms = 60_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await check())) {
    assert.ok(Date.now() < deadline, `timed out waiting for ${what}`);
    await new Promise((done) => setTimeout(done, 100));
  }
}

it('polymodal serve --workers 2: requests spread over both, a killed worker is restarted and counted, SIGTERM drains all', async () => {
  const { child, base, stderr } = await startCli(['--workers', '2', '--id-column', ID, '--max-latency-ms', '3000']);
  try {
    const answers = await Promise.all(rows.slice(0, 12).map((row) => freshRequest(base, '/predict', row)));
    answers.forEach((answer, i) => assertCloseDeep(withoutRow(answer.json), withoutRow(expected.get(rows[i][ID]!))));
    assert.deepEqual(new Set(answers.map((a) => a.worker)), new Set(['1', '2']), 'both workers answered');
    // Metrics are every worker's, aggregated by the primary, whichever worker a scrape reaches.
    const metrics = (await freshRequest(base, '/metrics')).json as string;
    assert.match(metrics, /polymodal_rows_total\{outcome="predicted"\} 12\b/);
    assert.match(metrics, /polymodal_workers_ready 2\b/);

    const health = (await freshRequest(base, '/healthz')).json;
    process.kill(health.pid, 'SIGKILL');
    await until('the restart', () => /worker 3 \(pid \d+\) ready/.test(stderr()));
    assert.match(stderr(), new RegExp(`worker ${health.worker} \\(pid ${health.pid}\\) was killed by SIGKILL; restarting it`));
    const after = (await freshRequest(base, '/metrics')).json as string;
    assert.match(after, /polymodal_worker_restarts_total 1\b/);
    assert.match(after, /polymodal_workers_ready 2\b/);

    // One stalled request per worker keeps both batchers waiting, so these are in flight on both at SIGTERM.
    const stalled = [await stalledRequest(base), await stalledRequest(base)];
    const inFlight = rows.slice(20, 30).map((row) => freshRequest(base, '/predict', row));
    await new Promise((done) => setTimeout(done, 300));
    child.kill('SIGTERM');
    const drained = await Promise.all(inFlight);
    drained.forEach((answer, i) => {
      assert.equal(answer.status, 200);
      assertCloseDeep(withoutRow(answer.json), withoutRow(expected.get(rows[20 + i][ID]!)));
    });
    assert.equal(new Set(drained.map((a) => a.worker)).size, 2, 'both workers drained requests');
    stalled.forEach((socket) => socket.destroy());
    assert.equal(await exitOf(child), 0, stderr());
    assert.equal((stderr().match(/worker \d+ stopped \(every request in flight was answered\)/g) ?? []).length, 2, stderr());
  } finally {
    if (child.exitCode === null) child.kill('SIGKILL');
  }
});
