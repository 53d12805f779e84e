/**
 * Serving: autocannon against `createServer` on 127.0.0.1 (the server in a child process, so the load generator
 * does not share its event loop), with the quickstart model and the seed model (examples/seed: image + text),
 * both trained here for a few epochs on wasm, then served on each backend of BENCH_BACKENDS. For each model and
 * backend, with micro-batching (max batch 64) and without (max batch 1), at 1, 16 and 64 connections: p50/p99
 * latency, rows/s (one row per request), the server's CPU per row and its rows per model call, with the load
 * average (the machine is shared: compare figures of one run). On tensorflow the predictor runs as one TensorFlow
 * graph (tensorflowGraph(), as `polymodal serve` does). Also the
 * in-process `predictor.predict` of one row, and a precise single-connection latency (autocannon's histogram has
 * 1 ms resolution). Requests cycle through 64 distinct rows of the example's data (distinct images for the seed
 * model), so no cache of any kind can answer a repeated row.
 *   TSX_TSCONFIG_PATH=tsconfig.base.json node --conditions=@polymodal/source --import tsx bench/serve/serve.bench.ts
 * Options (env): BENCH_SECONDS (5 per run), BENCH_MODELS (quickstart,seed), BENCH_BACKENDS (wasm,tensorflow: the
 * backend the server and the in-process predictor run on; each line names the backend that actually served, as
 * tfjs reports it), BENCH_CONNECTIONS (1,16,64),
 * BENCH_WORKERS (1; e.g. 1,2: also with that many server processes sharing the port, as `serve --workers N`),
 * BENCH_MODES (batching,no batching), BENCH_DIR (/tmp/polymodal-serve-bench), BENCH_OUT (a JSON file for the figures).
 * Targets: quickstart single-row p50 <= 5 ms over HTTP; batching at 64 connections >= 5x the rows/s of 1.
 */
import 'reflect-metadata';
import { spawn } from 'node:child_process';
import cluster from 'node:cluster';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { request, Agent } from 'node:http';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import autocannon from 'autocannon';
import * as tf from '@tensorflow/tfjs';
import { tensorflowGraph } from '@polymodal/export';
import { loadPredictor, train, type BackendName, type PolymodalPlugin, type PredictorRow } from '@polymodal/core';
import imageEncoders from '@polymodal/encoder-image';
import tabularEncoders from '@polymodal/encoder-tabular';
import textEncoders from '@polymodal/encoder-text';
import concatFusionPlugin from '@polymodal/fusion-concat';
import { createServer } from '@polymodal/serve';

const SECONDS = Number(process.env.BENCH_SECONDS ?? 5);
const MODELS = (process.env.BENCH_MODELS ?? 'quickstart,seed').split(',') as ModelName[];
const CONNECTIONS = (process.env.BENCH_CONNECTIONS ?? '1,16,64').split(',').map(Number);
const WORKERS = (process.env.BENCH_WORKERS ?? '1').split(',').map(Number);
const MODES = (process.env.BENCH_MODES ?? 'batching,no batching').split(',');
const BACKENDS = (process.env.BENCH_BACKENDS ?? 'wasm,tensorflow').split(',') as BackendName[];
const DIR = process.env.BENCH_DIR ?? '/tmp/polymodal-serve-bench';
const EXAMPLES = fileURLToPath(new URL('../../examples/', import.meta.url));
const PLUGINS: PolymodalPlugin[] = [tabularEncoders(), imageEncoders(), textEncoders(), concatFusionPlugin()];

type ModelName = 'quickstart' | 'seed';

const EPOCHS: Record<ModelName, number> = { quickstart: 5, seed: 2 };

/** Trains the example into DIR/<name> once (kept between runs); the manifest's data paths point at examples/. */
async function trainedModel(name: ModelName): Promise<string> {
  const out = join(DIR, name);
  if (existsSync(join(out, 'polymodal.json'))) return out;
  mkdirSync(DIR, { recursive: true });
  const manifest = JSON.parse(readFileSync(join(EXAMPLES, name, 'polymodal.json'), 'utf8'));
  delete manifest.$schema;
  manifest.data.source = join(EXAMPLES, name, manifest.data.source);
  manifest.training = { ...manifest.training, backend: 'wasm', epochs: EPOCHS[name] };
  delete manifest.training.earlyStopping;
  const manifestPath = join(DIR, `${name}.json`);
  writeFileSync(manifestPath, JSON.stringify(manifest));
  await train({ manifest: manifestPath, plugins: PLUGINS, outDir: out });
  return out;
}

const DISTINCT_ROWS = 64;

/** Distinct rows of the example's data as a client sends them: images as base64 data: URIs. */
function sampleRows(name: ModelName): PredictorRow[] {
  if (name === 'quickstart') {
    const [header, ...lines] = readFileSync(join(EXAMPLES, 'quickstart/data/customers.csv'), 'utf8').trim().split('\n');
    const columns = header.split(',');
    const wanted = ['tenure_months', 'monthly_charges', 'contract', 'region', 'support_calls'];
    return lines.slice(0, DISTINCT_ROWS).map((line) => {
      const cells = line.split(',');
      return Object.fromEntries(wanted.map((c) => [c, cells[columns.indexOf(c)]]));
    });
  }
  const lines = readFileSync(join(EXAMPLES, 'seed/data/seed.csv'), 'utf8').trim().split('\n').slice(1, 1 + DISTINCT_ROWS);
  return lines.map((line) => {
    const [image, text] = [line.slice(0, line.indexOf(',')), line.slice(line.indexOf(',') + 2, line.lastIndexOf('"'))];
    const png = readFileSync(join(EXAMPLES, 'seed/data', image));
    return { image: `data:image/png;base64,${png.toString('base64')}`, text };
  });
}

/**
 * The server side, run in a child process: prints its address, serves until killed. With several workers it is
 * the primary of a node:cluster (as `serve --workers N`): the workers share one port, the primary prints it.
 */
async function serveChild(model: string, backend: BackendName, maxBatch: number, workers: number): Promise<void> {
  if (workers > 1 && cluster.isPrimary) {
    const forked = Array.from({ length: workers }, () => cluster.fork());
    const addresses = await Promise.all(forked.map((worker) => new Promise<string>((resolve) => worker.on('message', (m: string) => resolve(m)))));
    process.stdout.write(`LISTENING ${addresses[0]}\n`);
    process.on('SIGTERM', () => forked.forEach((worker) => worker.kill('SIGTERM')));
    return;
  }
  const predictor = await loadPredictor(model, { backend, plugins: PLUGINS, compile: tensorflowGraph() });
  const { app } = createServer(predictor, { maxBatch, maxLatencyMs: 5, maxQueue: 4096 });
  // Workers listen on the port the first one got (node:cluster shares a port 0 among its workers).
  const address = `${await app.listen({ host: '127.0.0.1', port: 0 })} ${tf.getBackend()}`;
  if (cluster.isWorker) process.send!(address);
  else process.stdout.write(`LISTENING ${address}\n`);
  process.on('SIGTERM', () => void app.close().then(() => process.exit(0)));
}

/** The server in a child process: its URL and the tfjs backend it serves on (what loadPredictor picked). */
function startServer(model: string, backend: BackendName, maxBatch: number, workers: number): Promise<{ url: string; backend: string; stop: () => Promise<void> }> {
  const child = spawn(process.execPath, [...process.execArgv, fileURLToPath(import.meta.url), '--serve', model, backend, String(maxBatch), String(workers)], { stdio: ['ignore', 'pipe', 'inherit'] });
  return new Promise((resolve, reject) => {
    let out = '';
    child.stdout!.on('data', (chunk) => {
      out += chunk;
      const match = /LISTENING (\S+) (\S+)/.exec(out);
      if (match) resolve({ url: match[1], backend: match[2], stop: () => new Promise((done) => { child.on('exit', () => done()); child.kill('SIGTERM'); }) });
    });
    child.on('exit', (code) => reject(new Error(`server exited ${code}`)));
  });
}

interface LoadResult {
  connections: number;
  p50: number;
  p99: number;
  rowsPerSecond: number;
  errors: number;
  /**
   * CPU time the server process spent per row (its prom-client process_cpu_seconds_total over the run): on a
   * busy shared machine wall-clock rows/s swing with other load, CPU per row much less; 1000 / it is the
   * rows/s one otherwise idle core would give. NaN with several workers (each has its own process).
   */
  serverCpuMsPerRow: number;
  /** Rows per model call over the run, on average (from /metrics; NaN with several workers). */
  meanBatch: number;
}

/** The server's CPU seconds, model calls and rows in them so far, from its /metrics. */
async function serverCounters(url: string): Promise<{ cpu: number; calls: number; rows: number }> {
  const text = await (await fetch(`${url}/metrics`)).text();
  const value = (name: string) => {
    const match = new RegExp(`^${name} (\\S+)$`, 'm').exec(text);
    return match ? Number(match[1]) : NaN;
  };
  return { cpu: value('polymodal_process_process_cpu_seconds_total'), calls: value('polymodal_batch_size_rows_count'), rows: value('polymodal_batch_size_rows_sum') };
}

const NO_COUNTERS = { cpu: NaN, calls: NaN, rows: NaN };

async function load(url: string, bodies: string[], connections: number, workers: number): Promise<LoadResult> {
  const before = workers > 1 ? NO_COUNTERS : await serverCounters(url);
  const result = await autocannon({
    url: `${url}/predict`,
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    // Each connection cycles through the distinct rows.
    requests: bodies.map((body) => ({ method: 'POST', path: '/predict', headers: { 'content-type': 'application/json' }, body })),
    connections,
    duration: SECONDS,
  });
  const after = workers > 1 ? NO_COUNTERS : await serverCounters(url);
  return {
    connections, p50: result.latency.p50, p99: result.latency.p99, rowsPerSecond: result.requests.average, errors: result.errors + result.non2xx,
    serverCpuMsPerRow: ((after.cpu - before.cpu) * 1000) / result.requests.total,
    meanBatch: (after.rows - before.rows) / (after.calls - before.calls),
  };
}

const percentile = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))];

/** Sequential requests on one keep-alive connection, timed with hrtime: p50 and p99 in ms. */
async function preciseSingle(url: string, bodies: string[], count = 1000): Promise<{ p50: number; p99: number }> {
  const agent = new Agent({ keepAlive: true, maxSockets: 1 });
  const { hostname, port } = new URL(url);
  let sent = 0;
  const once = () => new Promise<number>((resolve, reject) => {
    const body = bodies[sent++ % bodies.length];
    const started = process.hrtime.bigint();
    const req = request({ hostname, port, path: '/predict', method: 'POST', agent, headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) } }, (res) => {
      res.resume();
      res.on('end', () => (res.statusCode === 200 ? resolve(Number(process.hrtime.bigint() - started) / 1e6) : reject(new Error(`status ${res.statusCode}`))));
    });
    req.on('error', reject);
    req.end(body);
  });
  for (let i = 0; i < 50; i++) await once();
  const times: number[] = [];
  for (let i = 0; i < count; i++) times.push(await once());
  agent.destroy();
  times.sort((a, b) => a - b);
  return { p50: percentile(times, 0.5), p99: percentile(times, 0.99) };
}

/** Milliseconds of each of `count` calls of `predictor.predict` on `rows`, sorted. */
async function timeCalls(predict: () => Promise<unknown>, count: number): Promise<number[]> {
  const times: number[] = [];
  for (let i = 0; i < count; i++) {
    const started = process.hrtime.bigint();
    await predict();
    times.push(Number(process.hrtime.bigint() - started) / 1e6);
  }
  return times.sort((a, b) => a - b);
}

/**
 * In-process `predictor.predict`: one row (p50, p99), and the p50 per row of a 64-row call, which is the most
 * micro-batching can get out of the model itself (the rest of a request's time is HTTP, JSON and validation).
 */
async function inProcess(model: string, backend: BackendName, rows: PredictorRow[], count = 300): Promise<{ backend: string; p50: number; p99: number; perRowIn64: number }> {
  const predictor = await loadPredictor(model, { backend, plugins: PLUGINS, compile: tensorflowGraph() });
  try {
    predictor.warmUp();
    let next = 0;
    const one = () => predictor.predict([rows[next++ % rows.length]]);
    await timeCalls(one, 20);
    const single = await timeCalls(one, count);
    const batch = Array.from({ length: 64 }, (_, i) => rows[i % rows.length]);
    const batched = await timeCalls(() => predictor.predict(batch), Math.max(5, Math.round(count / 20)));
    return { backend: `${tf.getBackend()}, ${predictor.engine}`, p50: percentile(single, 0.5), p99: percentile(single, 0.99), perRowIn64: percentile(batched, 0.5) / 64 };
  } finally {
    predictor.dispose();
  }
}

const ms = (value: number) => value.toFixed(value < 10 ? 2 : 1);

async function main(): Promise<void> {
  const figures: Record<string, Record<string, unknown>> = {};
  for (const name of MODELS) {
    const model = await trainedModel(name);
    const rows = sampleRows(name);
    const bodies = rows.map((row) => JSON.stringify(row));
    figures[name] = {};
    for (const backend of BACKENDS) figures[name][backend] = await benchBackend(name, model, backend, rows, bodies);
  }
  if (process.env.BENCH_OUT) writeFileSync(process.env.BENCH_OUT, JSON.stringify(figures, null, 2) + '\n');
}

/** One model on one backend: in-process, then the server in each mode at each concurrency. */
async function benchBackend(name: ModelName, model: string, backend: BackendName, rows: PredictorRow[], bodies: string[]): Promise<Record<string, unknown>> {
  const local = await inProcess(model, backend, rows);
  console.log(`\n${name} on ${local.backend}: in-process predictor.predict of one row: p50 ${ms(local.p50)} ms, p99 ${ms(local.p99)} ms; in a 64-row call ${ms(local.perRowIn64)} ms per row (load ${loadAverage()})`);
  const modes: Record<string, unknown> = { inProcess: local };
  const configurations = WORKERS.flatMap((workers) => ([['batching', 64], ['no batching', 1]] as const)
    .filter(([mode]) => MODES.includes(mode))
    .map(([mode, maxBatch]) => ({ mode: workers > 1 ? `${mode}, ${workers} workers` : mode, maxBatch, workers })));
  for (const { mode, maxBatch, workers } of configurations) {
    const server = await startServer(model, backend, maxBatch, workers);
    const label = `${name} on ${server.backend}, ${mode}`;
    try {
      const single = await preciseSingle(server.url, bodies);
      console.log(`${label}: 1 connection, sequential (hrtime): p50 ${ms(single.p50)} ms, p99 ${ms(single.p99)} ms`);
      const runs: LoadResult[] = [];
      for (const connections of CONNECTIONS) {
        const result = await load(server.url, bodies, connections, workers);
        runs.push(result);
        const cpu = Number.isNaN(result.serverCpuMsPerRow) ? '' : `; server CPU ${ms(result.serverCpuMsPerRow)} ms per row (${(1000 / result.serverCpuMsPerRow).toFixed(0)} rows per CPU-second)`;
        console.log(`${label}: ${String(connections).padStart(2)} connections: p50 ${result.p50} ms, p99 ${result.p99} ms, ${result.rowsPerSecond.toFixed(0)} rows/s${result.errors ? `, ${result.errors} errors` : ''}${cpu}${Number.isNaN(result.meanBatch) ? '' : `; ${result.meanBatch.toFixed(1)} rows per model call`} (load ${loadAverage()})`);
      }
      const base = runs.find((r) => r.connections === 1);
      const top = runs.find((r) => r.connections === 64);
      if (base && top) console.log(`${label}: rows/s at 64 connections / at 1: ${(top.rowsPerSecond / base.rowsPerSecond).toFixed(2)}x (server CPU per row: ${(base.serverCpuMsPerRow / top.serverCpuMsPerRow).toFixed(2)}x)`);
      modes[mode] = { backend: server.backend, single, runs };
    } finally {
      await server.stop();
    }
  }
  return modes;
}

/** The 1-minute load average: this 2-core machine is shared, so each figure says how busy it was. */
const loadAverage = () => loadavg()[0].toFixed(2);

if (process.argv[2] === '--serve') await serveChild(process.argv[3], process.argv[4] as BackendName, Number(process.argv[5]), Number(process.argv[6] ?? 1));
else await main();
