/**
 * The small image CNN (cnn-model.ts: 28x28x1 -> Conv 32 + max-pool -> Conv 64 + max-pool -> Flatten ->
 * Dense 128 -> dropout -> Dense 10; batch 64, adam 1e-3) on Polymodal's native tensorflow backend (tfjs-node built
 * by `polymodal setup tensorflow`) against Keras 3 on TensorFlow CPU (the reference venv, keras_cnn.py), both on
 * their default threads, in one run, on the same rows.
 * Polymodal trains as a user's run does: `train()` on a manifest (image/cnn blocks, flatten head, Dense(128) +
 * dropout, multiclass output) over PNG files of cnn-model.ts's synthetic set, through core's DefaultTrainer with
 * the training step `polymodal train` uses there (@polymodal/export's tensorflowTrainingGraph: one TensorFlow graph
 * per step; BENCH_EAGER=1 keeps tfjs's op-by-op step, as `--run-eagerly`). The tensors that trainer batches are exported once and Keras trains on exactly those.
 * Rounds alternate which peer goes first, so both see the same machine state. Per run the rate is the steady state:
 * rows / the median epoch over epochs 2..N, by wall time (the target's clock) and by process CPU time (all threads:
 * samples per CPU-second, steadier on a shared machine); "cores" is CPU / wall time over those epochs.
 * Printed: every round, then min / median / max of each peer and of the per-round ratio (target >= 1.0x).
 *   npm run bench:image-cnn-tensorflow
 * Options (env): BENCH_ROWS (2048), BENCH_EPOCHS (4), BENCH_ROUNDS (3), BENCH_KERAS_PYTHON (default: the reference
 * venv's python, tools/reference-python.mjs), BENCH_EAGER (unset).
 * The wasm and PyTorch one-thread comparison is image-cnn.bench.ts.
 */
import 'reflect-metadata';
import * as tf from '@tensorflow/tfjs';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { DefaultTrainer, TOKENS, train, type Trainer, type TrainingCallback, type TrainingJob } from '@polymodal/core';
import imageEncoders from '@polymodal/encoder-image';
import { tensorflowTrainingGraph } from '@polymodal/export';
import concatFusionPlugin from '@polymodal/fusion-concat';
import sharp from 'sharp';
import { referencePython } from '../../tools/reference-python.mjs';
import { CLASSES, PARAMETERS, SIDE, syntheticImages } from './cnn-model.js';

const ROWS = Number(process.env.BENCH_ROWS ?? 2048);
const EPOCHS = Math.max(2, Number(process.env.BENCH_EPOCHS ?? 4));
const ROUNDS = Math.max(1, Number(process.env.BENCH_ROUNDS ?? 3));
const EAGER = process.env.BENCH_EAGER === '1';
const BATCH = 64;

/** One run's epochs, wall and process CPU seconds each, and its last epoch's loss. */
interface Run {
  wallSeconds: number[];
  cpuSeconds: number[];
  loss: number;
}

type Clock = 'wall' | 'cpu';
const CLOCKS: Clock[] = ['wall', 'cpu'];

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;
const steady = (epochSeconds: number[]) => ROWS / median(epochSeconds.slice(1));
const summary = (values: number[], digits = 0) =>
  `min ${Math.min(...values).toFixed(digits)}, median ${median(values).toFixed(digits)}, max ${Math.max(...values).toFixed(digits)}`;
const rate = (run: Run, clock: Clock) => steady(clock === 'wall' ? run.wallSeconds : run.cpuSeconds);
const cores = (run: Run) => run.cpuSeconds.slice(1).reduce((a, b) => a + b, 0) / run.wallSeconds.slice(1).reduce((a, b) => a + b, 0);
const cpuNow = () => {
  const { user, system } = process.cpuUsage();
  return (user + system) / 1e6;
};

/** cnn-model.ts's synthetic rows as 28x28 grayscale PNGs and a data.csv of `image,label`. */
async function writeImages(dir: string): Promise<void> {
  const set = syntheticImages(ROWS);
  const pixels = SIDE * SIDE;
  mkdirSync(join(dir, 'images'));
  const lines = ['image,label'];
  for (let i = 0; i < ROWS; i++) {
    const bytes = Buffer.from(Array.from(set.images.subarray(i * pixels, (i + 1) * pixels), (v) => Math.round(v * 255)));
    await sharp(bytes, { raw: { width: SIDE, height: SIDE, channels: 1 } }).png().toFile(join(dir, 'images', `${i}.png`));
    lines.push(`images/${i}.png,class_${set.labels[i]}`);
  }
  writeFileSync(join(dir, 'data.csv'), lines.join('\n') + '\n');
}

/** The CNN as a Polymodal manifest: every row trains (no validation or test split), on tensorflow. */
function writeManifest(dir: string): string {
  const block = (filters: number) => ({ filters, kernelSize: 3, padding: 'same', activation: 'relu', pooling: 'max', poolSize: 2 });
  const manifest = {
    version: 1,
    name: 'image-cnn-bench',
    plugins: ['@polymodal/encoder-image', '@polymodal/fusion-concat'],
    data: { source: 'data.csv', split: { validation: 0, test: 0 } },
    inputs: {
      image: {
        encoder: 'image/cnn',
        column: 'image',
        options: { size: [SIDE, SIDE], channels: 1, blocks: [block(32), block(64)], head: 'flatten', units: [128], activation: 'relu', dropout: 0.5 },
      },
    },
    fusion: { type: 'concat' },
    output: { column: 'label', task: 'multiclass' },
    training: { backend: 'tensorflow', epochs: EPOCHS, batchSize: BATCH, seed: 1, optimizer: { type: 'adam', learningRate: 0.001 } },
  };
  const path = join(dir, 'polymodal.json');
  writeFileSync(path, JSON.stringify(manifest));
  return path;
}

/** Writes the trainer's exact training tensors (all rows, as it batches them) for Keras, once; checks the model is the issue's. */
async function exportTensors(dir: string, job: TrainingJob): Promise<void> {
  if (job.model.countParams() !== PARAMETERS) throw new Error(`the manifest's model has ${job.model.countParams()} parameters, expected ${PARAMETERS}`);
  if (existsSync(join(dir, 'shape.json'))) return;
  const all = await job.train.batch(Array.from({ length: job.train.rows }, (_, i) => i), false);
  if (all.ys!.shape[1] !== CLASSES) throw new Error(`expected ${CLASSES} one-hot classes, got labels of shape [${all.ys!.shape}]`);
  writeFileSync(join(dir, 'images.f32'), Buffer.from((await all.xs['image']!.data()).buffer));
  writeFileSync(join(dir, 'labels.f32'), Buffer.from((await all.ys!.data()).buffer));
  writeFileSync(join(dir, 'shape.json'), JSON.stringify({ rows: job.train.rows }));
  tf.dispose([...Object.values(all.xs), all.ys!]);
}

async function polymodalRun(dir: string, manifest: string, round: number): Promise<Run> {
  const run: Run = { wallSeconds: [], cpuSeconds: [], loss: NaN };
  let cpuStart = 0;
  // A callback, so that the CPU clock spans the epoch the trainer times and not the backup it writes after it.
  const cpuClock: TrainingCallback = {
    onEpochBegin: () => void (cpuStart = cpuNow()),
    onEpochEnd: () => void run.cpuSeconds.push(cpuNow() - cpuStart),
  };
  class ExportingTrainer implements Trainer {
    constructor(private readonly inner: Trainer) {}
    async train(job: TrainingJob) {
      await exportTensors(dir, job);
      return this.inner.train({ ...job, callbacks: [...(job.callbacks ?? []), cpuClock] });
    }
  }
  const result = await train({
    manifest,
    outDir: join(dir, `out-${round}`),
    plugins: [imageEncoders(), concatFusionPlugin()],
    configure: (c) => c.register(TOKENS.Trainer, { useFactory: (inner) => new ExportingTrainer(inner.resolve(DefaultTrainer)) }),
    compileTrainingStep: EAGER ? undefined : tensorflowTrainingGraph(),
    reporter: {
      event: (event) => {
        if (event.type === 'info' && round === 0) console.log(`  ${event.message}`);
        if (event.type !== 'epochEnd') return;
        run.wallSeconds.push(event.seconds);
        run.loss = event.logs['loss'] ?? NaN;
      },
    },
  });
  if (result.backend.tfjsBackend !== 'tensorflow') throw new Error(`Polymodal trained on ${result.backend.tfjsBackend}, not tensorflow`);
  if (run.wallSeconds.length !== EPOCHS || run.cpuSeconds.length !== EPOCHS) throw new Error(`expected ${EPOCHS} epochs, got ${run.wallSeconds.length}`);
  return run;
}

function kerasRun(python: string, dir: string): Run & { label: string } {
  const script = new URL('./keras_cnn.py', import.meta.url).pathname;
  let out: string;
  try {
    out = execFileSync(python, [script, dir, String(EPOCHS), String(BATCH)], {
      encoding: 'utf8', maxBuffer: 16 * 1024 * 1024, env: { ...process.env, TF_CPP_MIN_LOG_LEVEL: '2' }, stdio: ['ignore', 'pipe', 'pipe'],
    });
  } catch (error) {
    const stderr = String((error as { stderr?: string }).stderr ?? '').trim().split('\n').slice(-5).join('\n');
    throw new Error(`keras_cnn.py failed: ${stderr || (error as Error).message}`);
  }
  const r = JSON.parse(out.trim().split('\n').at(-1)!);
  return {
    wallSeconds: r.epoch_seconds,
    cpuSeconds: r.epoch_cpu_seconds,
    loss: r.final_loss,
    label: `Keras ${r.versions.keras} on TensorFlow ${r.versions.tensorflow} CPU (intra-op ${r.threads.intra_op || 'default'}, ${r.threads.cpus} CPUs)`,
  };
}

const reference = referencePython();
const kerasPython = process.env.BENCH_KERAS_PYTHON ?? reference.python;
if (!kerasPython) {
  console.error(`image-cnn tensorflow bench: no Keras peer: ${reference.skip}`);
  process.exit(1);
}
const dir = mkdtempSync(join(tmpdir(), 'polymodal-image-cnn-tf-bench-'));
try {
  await writeImages(dir);
  const manifest = writeManifest(dir);
  console.log(`image CNN (${PARAMETERS.toLocaleString('en')} parameters), ${ROWS} synthetic 28x28x1 rows x ${EPOCHS} epochs, batch ${BATCH}, adam;` +
    ` steady-state training samples/s (median epoch of 2-${EPOCHS}) by wall and by CPU time, default threads; load average ${loadavg().map((l) => l.toFixed(2)).join(' ')}`);
  const ours: Record<Clock, number[]> = { wall: [], cpu: [] };
  const theirs: Record<Clock, number[]> = { wall: [], cpu: [] };
  const ratios: Record<Clock, number[]> = { wall: [], cpu: [] };
  let kerasLabel = '';
  for (let round = 0; round < ROUNDS; round++) {
    // The first round must start with Polymodal: its trainer exports the tensors Keras reads.
    const runs = new Map<'tensorflow' | 'keras', Run>();
    for (const peer of round % 2 === 0 ? (['tensorflow', 'keras'] as const) : (['keras', 'tensorflow'] as const)) {
      if (peer === 'tensorflow') runs.set(peer, await polymodalRun(dir, manifest, round));
      else {
        const keras = kerasRun(kerasPython, dir);
        kerasLabel = keras.label;
        runs.set(peer, keras);
      }
    }
    const tfRun = runs.get('tensorflow')!;
    const kerasResult = runs.get('keras')!;
    for (const clock of CLOCKS) {
      ours[clock].push(rate(tfRun, clock));
      theirs[clock].push(rate(kerasResult, clock));
      ratios[clock].push(ours[clock].at(-1)! / theirs[clock].at(-1)!);
    }
    const describe = (run: Run) => `${rate(run, 'wall').toFixed(0)} wall / ${rate(run, 'cpu').toFixed(0)} cpu (${cores(run).toFixed(1)} cores, loss ${run.loss.toFixed(3)})`;
    console.log(`  round ${round + 1} (load ${loadavg()[0]!.toFixed(2)}): Polymodal on tensorflow ${describe(tfRun)}; Keras ${describe(kerasResult)}: ` +
      `${ratios.wall.at(-1)!.toFixed(2)}x wall, ${ratios.cpu.at(-1)!.toFixed(2)}x cpu`);
  }
  for (const clock of CLOCKS) {
    console.log(`${clock} time, samples/s: Polymodal on tensorflow ${summary(ours[clock])}; ${kerasLabel} ${summary(theirs[clock])};` +
      ` tensorflow / Keras per round ${summary(ratios[clock], 2)} (target >= 1.0x)`);
  }
  console.log(`load average at the end: ${loadavg().map((l) => l.toFixed(2)).join(' ')}`);
} catch (error) {
  console.error(`image-cnn tensorflow bench failed: ${(error as Error).message}`);
  process.exitCode = 1;
} finally {
  rmSync(dir, { recursive: true, force: true });
}
