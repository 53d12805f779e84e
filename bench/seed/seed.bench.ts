/**
 * The Keras article's model (examples/seed: image Conv2D(32) + Flatten, text Embedding(1000, 64) + LSTM(32),
 * concat, Dense(1)) trained through Polymodal on wasm and the same architecture in PyTorch on CPU, on the
 * same tensors, batch 32. Prints each one's training samples/s and the ratio. Target: Polymodal >= 0.5x.
 * The compared rate is the steady state: rows / the median epoch time over epochs 2..N, for both (the
 * first epoch carries one-off costs on both sides: XNNPACK operator set-up, PyTorch's allocator); the
 * whole run, first epoch included, is printed beside it.
 *   npm run bench:seed    (installs Debian's python3-torch first when it is missing)
 * Options (env): BENCH_ROWS (640), BENCH_EPOCHS (4), BENCH_PYTHON (/usr/bin/python3).
 */
import 'reflect-metadata';
import * as tf from '@tensorflow/tfjs';
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DefaultTrainer, TOKENS, train, type Trainer, type TrainingJob } from '@polymodal/core';
import imageEncoders from '@polymodal/encoder-image';
import textEncoders from '@polymodal/encoder-text';
import concatFusionPlugin from '@polymodal/fusion-concat';
import sharp from 'sharp';
import seedrandom from 'seedrandom';

const ROWS = Number(process.env.BENCH_ROWS ?? 640);
const EPOCHS = Math.max(2, Number(process.env.BENCH_EPOCHS ?? 4));
const PYTHON = process.env.BENCH_PYTHON ?? '/usr/bin/python3';
const BATCH = 32;

function ensureTorch(): void {
  if (spawnSync(PYTHON, ['-c', 'import torch'], { stdio: 'ignore' }).status === 0) return;
  console.log('installing Debian python3-torch for the comparison...');
  execFileSync('apt-get', ['install', '-y', '--no-install-recommends', 'python3-torch'], { stdio: 'inherit', env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' } });
}

async function writeData(dir: string): Promise<void> {
  const random = seedrandom.alea('seed-bench');
  mkdirSync(join(dir, 'images'));
  const lines = ['image,text,label'];
  for (let i = 0; i < ROWS; i++) {
    const pixels = Buffer.from(Array.from({ length: 64 * 64 * 3 }, () => Math.floor(random() * 256)));
    await sharp(pixels, { raw: { width: 64, height: 64, channels: 3 } }).png().toFile(join(dir, 'images', `${i}.png`));
    const words = Array.from({ length: 100 }, () => `w${Math.floor(random() * 999)}`);
    lines.push(`images/${i}.png,${words.join(' ')},${random() < 0.5 ? 1 : 0}`);
  }
  writeFileSync(join(dir, 'data.csv'), lines.join('\n') + '\n');
  const manifest = JSON.parse(await import('node:fs/promises').then((fs) => fs.readFile(new URL('../../examples/seed/polymodal.json', import.meta.url), 'utf8')));
  manifest.data = { source: 'data.csv', split: { validation: 0, test: 0 } };
  manifest.training = { backend: 'wasm', epochs: EPOCHS, batchSize: BATCH, seed: 1 };
  delete manifest.$schema;
  writeFileSync(join(dir, 'polymodal.json'), JSON.stringify(manifest));
}

interface Rates {
  /** rows / median epoch seconds over epochs 2..N */
  steady: number;
  /** rows * epochs / total seconds */
  whole: number;
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];

function rates(epochSeconds: number[]): Rates {
  const total = epochSeconds.reduce((a, b) => a + b, 0);
  return { steady: ROWS / median(epochSeconds.slice(1)), whole: (ROWS * epochSeconds.length) / total };
}

/** Trains through Polymodal, timing the trainer's epochs, and exports the exact training tensors for PyTorch. */
async function polymodal(dir: string): Promise<Rates> {
  const epochSeconds: number[] = [];
  class ExportingTrainer implements Trainer {
    constructor(private readonly inner: Trainer) {}
    async train(job: TrainingJob) {
      const all = await job.train.batch(Array.from({ length: job.train.rows }, (_, i) => i), false);
      writeFileSync(join(dir, 'images.f32'), Buffer.from((await all.xs.image.data()).buffer));
      writeFileSync(join(dir, 'tokens.i32'), Buffer.from((await all.xs.text.data()).buffer));
      writeFileSync(join(dir, 'labels.f32'), Buffer.from((await all.ys!.data()).buffer));
      writeFileSync(join(dir, 'shape.json'), JSON.stringify({ rows: job.train.rows }));
      tf.dispose([...Object.values(all.xs), all.ys!]);
      return this.inner.train(job);
    }
  }
  await train({
    manifest: join(dir, 'polymodal.json'),
    outDir: join(dir, 'out'),
    plugins: [imageEncoders(), textEncoders(), concatFusionPlugin()],
    configure: (c) => c.register(TOKENS.Trainer, { useFactory: (inner) => new ExportingTrainer(inner.resolve(DefaultTrainer)) }),
    reporter: { event: (event) => void (event.type === 'epochEnd' && epochSeconds.push(event.seconds)) },
  });
  if (epochSeconds.length !== EPOCHS) throw new Error(`expected ${EPOCHS} epochs, got ${epochSeconds.length}`);
  return rates(epochSeconds);
}

ensureTorch();
const dir = mkdtempSync(join(tmpdir(), 'polymodal-seed-bench-'));
try {
  await writeData(dir);
  const ours = await polymodal(dir);
  const torchRun = JSON.parse(execFileSync(PYTHON, [new URL('./torch_seed.py', import.meta.url).pathname, dir, String(EPOCHS), String(BATCH)], { encoding: 'utf8' }).trim());
  const torch = rates(torchRun.epoch_seconds);
  console.log(`seed model (200,353 parameters), ${ROWS} rows x ${EPOCHS} epochs, batch ${BATCH}; training samples/s`);
  console.log(`                       steady (median of epochs 2-${EPOCHS})   whole run`);
  console.log(`  Polymodal on wasm:   ${ours.steady.toFixed(1).padStart(8)}                    ${ours.whole.toFixed(1).padStart(8)}`);
  console.log(`  PyTorch on CPU:      ${torch.steady.toFixed(1).padStart(8)}                    ${torch.whole.toFixed(1).padStart(8)}   (${torchRun.threads} thread(s))`);
  console.log(`  ratio: ${(ours.steady / torch.steady).toFixed(2)}x steady (target >= 0.5x), ${(ours.whole / torch.whole).toFixed(2)}x whole run`);
} finally {
  rmSync(dir, { recursive: true, force: true });
}
