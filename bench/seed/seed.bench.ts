/**
 * The Keras article's model (examples/seed: image Conv2D(32) + Flatten, text Embedding(1000, 64) + LSTM(32),
 * concat, Dense(1)) trained through Polymodal on wasm and the same architecture in PyTorch on CPU, on the
 * same tensors, batch 32. Prints each one's training samples/s and the ratio. Target: Polymodal >= 0.5x.
 *   npm run bench:seed    (installs Debian's python3-torch first when it is missing)
 * Options (env): BENCH_ROWS (320), BENCH_EPOCHS (2), BENCH_PYTHON (/usr/bin/python3).
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

const ROWS = Number(process.env.BENCH_ROWS ?? 320);
const EPOCHS = Number(process.env.BENCH_EPOCHS ?? 2);
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

/** Trains through Polymodal, timing the trainer alone, and exports the exact training tensors for PyTorch. */
async function polymodal(dir: string): Promise<number> {
  let seconds = 0;
  class TimedTrainer implements Trainer {
    constructor(private readonly inner: Trainer) {}
    async train(job: TrainingJob) {
      const all = await job.train.batch(Array.from({ length: job.train.rows }, (_, i) => i), false);
      writeFileSync(join(dir, 'images.f32'), Buffer.from((await all.xs.image.data()).buffer));
      writeFileSync(join(dir, 'tokens.i32'), Buffer.from((await all.xs.text.data()).buffer));
      writeFileSync(join(dir, 'labels.f32'), Buffer.from((await all.ys!.data()).buffer));
      writeFileSync(join(dir, 'shape.json'), JSON.stringify({ rows: job.train.rows }));
      tf.dispose([...Object.values(all.xs), all.ys!]);
      const start = performance.now();
      const result = await this.inner.train(job);
      seconds = (performance.now() - start) / 1000;
      return result;
    }
  }
  await train({
    manifest: join(dir, 'polymodal.json'),
    outDir: join(dir, 'out'),
    plugins: [imageEncoders(), textEncoders(), concatFusionPlugin()],
    configure: (c) => c.register(TOKENS.Trainer, { useFactory: (inner) => new TimedTrainer(inner.resolve(DefaultTrainer)) }),
  });
  return (ROWS * EPOCHS) / seconds;
}

ensureTorch();
const dir = mkdtempSync(join(tmpdir(), 'polymodal-seed-bench-'));
try {
  await writeData(dir);
  const ours = await polymodal(dir);
  const torch = JSON.parse(execFileSync(PYTHON, [new URL('./torch_seed.py', import.meta.url).pathname, dir, String(EPOCHS), String(BATCH)], { encoding: 'utf8' }).trim());
  console.log(`seed model (200,353 parameters), ${ROWS} rows x ${EPOCHS} epochs, batch ${BATCH}`);
  console.log(`  Polymodal on wasm:   ${ours.toFixed(1)} samples/s`);
  console.log(`  PyTorch on CPU:      ${torch.samples_per_second.toFixed(1)} samples/s (${torch.threads} thread(s))`);
  console.log(`  ratio: ${(ours / torch.samples_per_second).toFixed(2)}x (target >= 0.5x)`);
} finally {
  rmSync(dir, { recursive: true, force: true });
}
