/**
 * Data at scale: reads, prepares and trains (1 epoch) a tabular/mlp on CSVs of 100k and 1M rows x 20 numeric
 * columns (plus a binary label), with the default split, and prints rows/s per phase and the peak RSS.
 * Each measurement runs in a fresh process, so one size's peak does not hide another's.
 *   TSX_TSCONFIG_PATH=tsconfig.base.json node --conditions=@polymodal/source --import tsx bench/data-scale.bench.ts
 * Options (env): BENCH_SIZES (100000,1000000), BENCH_COLUMNS (20), BENCH_BATCH (256), BENCH_BACKEND (wasm),
 * BENCH_DIR (/tmp/polymodal-data-scale: the generated CSVs are kept there and reused).
 * Target: the 1M-row file (about 160 MB) trains at <= 1.5 GB peak RSS.
 */
import 'reflect-metadata';
import { spawnSync } from 'node:child_process';
import { createWriteStream, existsSync, mkdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { once } from 'node:events';
import { readTable, train, type BackendName, type RunEvent } from '@polymodal/core';
import tabularEncoders from '@polymodal/encoder-tabular';
import concatFusionPlugin from '@polymodal/fusion-concat';
import seedrandom from 'seedrandom';

const SIZES = (process.env.BENCH_SIZES ?? '100000,1000000').split(',').map(Number);
const COLUMNS = Number(process.env.BENCH_COLUMNS ?? 20);
const BATCH = Number(process.env.BENCH_BATCH ?? 256);
const BACKEND = (process.env.BENCH_BACKEND ?? 'wasm') as BackendName;
const DIR = process.env.BENCH_DIR ?? '/tmp/polymodal-data-scale';
const names = Array.from({ length: COLUMNS }, (_, i) => `x${i + 1}`);

/** Peak resident set size of this process so far, in MB. */
function peakRssMb(): number {
  return process.resourceUsage().maxRSS / 1024;
}

async function writeCsv(path: string, rows: number): Promise<void> {
  const random = seedrandom.alea(`data-scale-${rows}`);
  const out = createWriteStream(path);
  out.write(`${names.join(',')},label\n`);
  for (let i = 0; i < rows; i++) {
    const xs = names.map(() => random() * 200 - 100);
    const logit = (xs[0] - xs[1] + 0.5 * xs[2]) / 50;
    const line = `${xs.map((x) => x.toFixed(3)).join(',')},${random() < 1 / (1 + Math.exp(-logit)) ? 1 : 0}\n`;
    if (!out.write(line)) await once(out, 'drain');
  }
  out.end();
  await once(out, 'finish');
}

function manifestFor(dataPath: string): object {
  return {
    version: 1,
    name: 'data-scale',
    plugins: ['@polymodal/encoder-tabular', '@polymodal/fusion-concat'],
    data: { source: dataPath },
    inputs: { table: { encoder: 'tabular/mlp', columns: names, options: { units: [32] } } },
    fusion: { type: 'concat' },
    output: { column: 'label', task: 'binary' },
    training: { backend: BACKEND, epochs: 1, batchSize: BATCH, seed: 1 },
    evaluation: { metrics: ['accuracy'] },
  };
}

/** Child: read the table only. */
async function measureRead(dataPath: string): Promise<object> {
  const started = performance.now();
  const table = await readTable(dataPath);
  const seconds = (performance.now() - started) / 1000;
  return { rows: table.rows.length, readSeconds: seconds, peakRssMb: peakRssMb() };
}

/** Child: a whole train run; read + prepare ends at the trainer's first event, training at its epoch's end. */
async function measureTrain(dataPath: string): Promise<object> {
  // Its own folder: train writes the model and its resume state beside it.
  const runDir = join(DIR, `run-${process.pid}`);
  mkdirSync(runDir, { recursive: true });
  const manifestPath = join(runDir, 'polymodal.json');
  const outDir = join(runDir, 'model');
  writeFileSync(manifestPath, JSON.stringify(manifestFor(dataPath)));
  const started = performance.now();
  let trainStart = 0;
  let epochEnd = 0;
  let trainRows = 0;
  const reporter = {
    event(event: RunEvent) {
      if (event.type === 'trainStart') {
        trainStart = performance.now();
        trainRows = event.trainRows;
      }
      if (event.type === 'epochEnd') epochEnd = performance.now();
    },
  };
  try {
    await train({ manifest: manifestPath, outDir, reporter, plugins: [tabularEncoders(), concatFusionPlugin()] });
  } finally {
    rmSync(runDir, { recursive: true, force: true });
  }
  return {
    trainRows,
    prepareSeconds: (trainStart - started) / 1000,
    trainSeconds: (epochEnd - trainStart) / 1000,
    totalSeconds: (performance.now() - started) / 1000,
    peakRssMb: peakRssMb(),
  };
}

function child(mode: 'read' | 'train', dataPath: string): Record<string, number> {
  const result = spawnSync(process.execPath, [...process.execArgv, fileURLToPath(import.meta.url)], {
    env: { ...process.env, BENCH_CHILD: mode, BENCH_DATA: dataPath },
    encoding: 'utf8',
    maxBuffer: 1 << 26,
  });
  const line = result.stdout.trim().split('\n').pop() ?? '';
  if (result.status !== 0 || !line.startsWith('{')) throw new Error(`bench child (${mode}) failed:\n${result.stdout}\n${result.stderr}`);
  return JSON.parse(line);
}

const perSecond = (rows: number, seconds: number) => `${Math.round(rows / seconds).toLocaleString('en-US')} rows/s`;

if (process.env.BENCH_CHILD) {
  const dataPath = process.env.BENCH_DATA!;
  const result = process.env.BENCH_CHILD === 'read' ? await measureRead(dataPath) : await measureTrain(dataPath);
  console.log(JSON.stringify(result));
} else {
  mkdirSync(DIR, { recursive: true });
  console.log(`data at scale: ${COLUMNS} numeric columns + binary label, tabular/mlp [32], default split, 1 epoch, batch ${BATCH}, backend ${BACKEND}`);
  for (const rows of SIZES) {
    const dataPath = join(DIR, `rows-${rows}-cols-${COLUMNS}.csv`);
    if (!existsSync(dataPath)) await writeCsv(dataPath, rows);
    const megabytes = statSync(dataPath).size / 2 ** 20;
    const read = child('read', dataPath);
    const trained = child('train', dataPath);
    console.log(`  ${rows.toLocaleString('en-US')} rows (${megabytes.toFixed(0)} MB CSV):`);
    console.log(`    read only      ${read.readSeconds.toFixed(1)} s, ${perSecond(rows, read.readSeconds)}, peak RSS ${read.peakRssMb.toFixed(0)} MB`);
    console.log(`    read + prepare ${trained.prepareSeconds.toFixed(1)} s, ${perSecond(rows, trained.prepareSeconds)} (split, fit, transform included)`);
    console.log(`    train 1 epoch  ${trained.trainSeconds.toFixed(1)} s, ${perSecond(trained.trainRows, trained.trainSeconds)} (${trained.trainRows.toLocaleString('en-US')} training rows)`);
    console.log(`    whole run      ${trained.totalSeconds.toFixed(1)} s, peak RSS ${trained.peakRssMb.toFixed(0)} MB${rows >= 1_000_000 ? ' (target <= 1536 MB)' : ''}`);
  }
}
