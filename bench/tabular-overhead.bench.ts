/**
 * Polymodal's training overhead on a tabular model: the same architecture, data and batch size trained
 * (a) by Polymodal's trainer from a manifest and (b) by hand-written tfjs `model.fit` on the same tensors.
 * Prints each one's training time (median of the repeats) and the ratio, as wall time and as this process's
 * CPU time: wasm runs on this thread, so CPU time stays comparable when other work loads the machine.
 * Target: overhead under 5%.
 *   npm run bench            (runs this file with tsx on the TypeScript sources)
 * Options (env): BENCH_ROWS (20000), BENCH_EPOCHS (5), BENCH_REPEATS (3), BENCH_BACKEND (wasm).
 */
import 'reflect-metadata';
import * as tf from '@tensorflow/tfjs';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DefaultTrainer, TOKENS, loadManifest, readTable, selectBackend, train, type BackendName, type Trainer, type TrainingJob } from '@polymodal/core';
import tabularEncoders, { TabularPreprocessor, type TabularOptions } from '@polymodal/encoder-tabular';
import concatFusionPlugin from '@polymodal/fusion-concat';
import seedrandom from 'seedrandom';

const ROWS = Number(process.env.BENCH_ROWS ?? 20000);
const EPOCHS = Number(process.env.BENCH_EPOCHS ?? 5);
const REPEATS = Number(process.env.BENCH_REPEATS ?? 3);
const BACKEND = (process.env.BENCH_BACKEND ?? 'wasm') as BackendName;
const BATCH = 32;
const UNITS = [64, 32];
const COLUMNS = ['x1', 'x2', 'x3', 'x4', 'x5', 'x6', 'color', 'size'];

function writeData(dir: string): string {
  const random = seedrandom.alea('bench');
  const lines = [`${COLUMNS.join(',')},label`];
  for (let i = 0; i < ROWS; i++) {
    const xs = Array.from({ length: 6 }, () => random() * 2 - 1);
    const color = ['red', 'green', 'blue', 'grey'][Math.floor(random() * 4)];
    const size = ['s', 'm', 'l'][Math.floor(random() * 3)];
    const logit = xs[0] - 2 * xs[1] + xs[2] * xs[3] + (color === 'red' ? 1 : 0) - (size === 's' ? 0.5 : 0);
    lines.push(`${xs.map((x) => x.toFixed(5)).join(',')},${color},${size},${random() < 1 / (1 + Math.exp(-logit)) ? 1 : 0}`);
  }
  const path = join(dir, 'data.csv');
  writeFileSync(path, lines.join('\n') + '\n');
  return path;
}

const manifest = {
  version: 1,
  name: 'bench',
  plugins: ['@polymodal/encoder-tabular', '@polymodal/fusion-concat'],
  data: { source: 'data.csv', split: { validation: 0, test: 0 } },
  inputs: { table: { encoder: 'tabular/mlp', columns: COLUMNS, options: { units: UNITS } } },
  fusion: { type: 'concat' },
  output: { column: 'label', task: 'binary' },
  training: { backend: BACKEND, epochs: EPOCHS, batchSize: BATCH, seed: 1 },
  evaluation: { metrics: ['accuracy'] },
};

interface Timing {
  wall: number;
  cpu: number;
}

async function timed(work: () => Promise<unknown>): Promise<Timing> {
  const wallStart = performance.now();
  const cpuStart = process.cpuUsage();
  await work();
  const cpu = process.cpuUsage(cpuStart);
  return { wall: (performance.now() - wallStart) / 1000, cpu: (cpu.user + cpu.system) / 1e6 };
}

async function polymodalTiming(manifestPath: string, outDir: string): Promise<Timing> {
  let timing: Timing = { wall: 0, cpu: 0 };
  class TimedTrainer implements Trainer {
    constructor(private readonly inner: Trainer) {}
    async train(job: TrainingJob) {
      let result: Awaited<ReturnType<Trainer['train']>> | undefined;
      timing = await timed(async () => (result = await this.inner.train(job)));
      return result!;
    }
  }
  await train({
    manifest: manifestPath,
    outDir,
    plugins: [tabularEncoders(), concatFusionPlugin()],
    configure: (c) => c.register(TOKENS.Trainer, { useFactory: (inner) => new TimedTrainer(inner.resolve(DefaultTrainer)) }),
  });
  return timing;
}

async function handWrittenTiming(dataPath: string): Promise<Timing> {
  const table = await readTable(dataPath);
  const options = (await loadManifest(join(dataPath, '..', 'polymodal.json'), { plugins: [tabularEncoders(), concatFusionPlugin()] })).resolved.manifest.inputs.table.options as unknown as TabularOptions;
  const preprocessor = new TabularPreprocessor({ name: 'table', encoder: 'tabular/mlp', columns: COLUMNS, options, dataDir: '.', manifestDir: '.' });
  preprocessor.inspect(table.rows);
  preprocessor.fit(table.rows);
  const width = preprocessor.features()[0].shape[0];
  const x = tf.tensor2d(preprocessor.transform(table.rows).features as Float32Array, [table.rows.length, width]);
  const y = tf.tensor2d(table.rows.map((r) => Number(r.label)), [table.rows.length, 1]);
  const input = tf.input({ shape: [width] });
  let h = input as tf.SymbolicTensor;
  for (const units of UNITS) h = tf.layers.dense({ units, activation: 'relu' }).apply(h) as tf.SymbolicTensor;
  const model = tf.model({ inputs: input, outputs: tf.layers.dense({ units: 1, activation: 'sigmoid' }).apply(h) as tf.SymbolicTensor });
  model.compile({ optimizer: tf.train.adam(0.001), loss: 'binaryCrossentropy', metrics: ['accuracy'] });
  const timing = await timed(() => model.fit(x, y, { epochs: EPOCHS, batchSize: BATCH, shuffle: true, verbose: 0, yieldEvery: 'never' }));
  tf.dispose([x, y]);
  model.dispose();
  return timing;
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];

const dir = mkdtempSync(join(tmpdir(), 'polymodal-bench-'));
try {
  const dataPath = writeData(dir);
  const manifestPath = join(dir, 'polymodal.json');
  writeFileSync(manifestPath, JSON.stringify(manifest));
  const backend = await selectBackend(BACKEND);
  const hand: Timing[] = [];
  const poly: Timing[] = [];
  await handWrittenTiming(dataPath); // warm-up: kernels compile and caches fill on first use
  for (let i = 0; i < REPEATS; i++) {
    hand.push(await handWrittenTiming(dataPath));
    poly.push(await polymodalTiming(manifestPath, join(dir, `run-${i}`)));
  }
  console.log(`tabular training, ${ROWS} rows x ${EPOCHS} epochs, batch ${BATCH}, MLP ${UNITS.join('-')}, backend ${backend.name}`);
  for (const kind of ['wall', 'cpu'] as const) {
    const h = hand.map((t) => t[kind]);
    const p = poly.map((t) => t[kind]);
    const ratio = median(p) / median(h);
    console.log(`  ${kind} time: hand-written tfjs ${median(h).toFixed(2)} s (${h.map((s) => s.toFixed(2)).join(', ')}); ` +
      `Polymodal ${median(p).toFixed(2)} s (${p.map((s) => s.toFixed(2)).join(', ')}); ratio ${ratio.toFixed(3)} (overhead ${((ratio - 1) * 100).toFixed(1)}%, target < 5%)`);
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}
