/**
 * The small image CNN (cnn-model.ts; batch 64, adam) trained on Polymodal's wasm backend (tfjs layers
 * through core's selectBackend('wasm'), which loads @polymodal/backend-wasm's kernels exactly as training does,
 * and core's epoch loop: a seeded order, then model.fit over the epoch's rows, shuffle off, never yielding) and
 * on PyTorch on CPU with one thread (torch_cnn.py), on the same synthetic 28x28x1 rows.
 * Rounds alternate the peers (wasm, then PyTorch, in each round) so that both see the same machine state. Per
 * run the rate is the steady state: rows / the median epoch over epochs 2..N, in wall time and in process CPU
 * time (both peers run one compute thread, so CPU time is the fairer clock on a shared, loaded machine).
 * Printed: every round, then min / median / max of each peer and of the per-round ratio.
 *   TSX_TSCONFIG_PATH=tsconfig.base.json node --conditions=@polymodal/source --import tsx bench/image-cnn/image-cnn.bench.ts
 * Options (env): BENCH_ROWS (2048), BENCH_EPOCHS (4), BENCH_ROUNDS (3), BENCH_TORCH_PYTHON (Pythons with torch,
 * comma-separated, each run every round; default: PyTorch 2.13 from the local wheels, `tools/reference-venv.sh torch`,
 * and Debian's PyTorch 1.13 where /usr/bin/python3 has it), BENCH_TORCH_THREADS (1).
 * This bench is backend-wasm's (the wasm kernels); Keras / tensorflow rows belong beside it, in their own files.
 */
import 'reflect-metadata';
import * as tf from '@tensorflow/tfjs';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { selectBackend } from '@polymodal/core';
import seedrandom from 'seedrandom';
import { torchPythons } from '../../tools/reference-python.mjs';
import { buildCnn, CLASSES, PARAMETERS, SIDE, syntheticImages, type ImageSet } from './cnn-model.js';

const ROWS = Number(process.env.BENCH_ROWS ?? 2048);
const EPOCHS = Math.max(2, Number(process.env.BENCH_EPOCHS ?? 4));
const ROUNDS = Math.max(1, Number(process.env.BENCH_ROUNDS ?? 3));
const TORCH = torchPythons();
const TORCH_PYTHONS = TORCH.pythons;
const TORCH_THREADS = Number(process.env.BENCH_TORCH_THREADS ?? 1);
const BATCH = 64;

interface Run {
  wallSeconds: number[];
  cpuSeconds: number[];
  loss: number;
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;
const steady = (epochSeconds: number[]) => ROWS / median(epochSeconds.slice(1));

function shuffled(n: number, random: () => number): number[] {
  const order = Array.from({ length: n }, (_, i) => i);
  for (let i = n - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [order[i], order[j]] = [order[j]!, order[i]!];
  }
  return order;
}

/** One epoch's tensors in `order` (what core's batch source builds per chunk). */
function epochTensors(set: ImageSet, order: number[]): { xs: tf.Tensor4D; ys: tf.Tensor2D } {
  const pixels = SIDE * SIDE;
  const images = new Float32Array(order.length * pixels);
  const oneHot = new Float32Array(order.length * CLASSES);
  order.forEach((row, i) => {
    images.set(set.images.subarray(row * pixels, (row + 1) * pixels), i * pixels);
    oneHot[i * CLASSES + set.labels[row]!] = 1;
  });
  return { xs: tf.tensor4d(images, [order.length, SIDE, SIDE, 1]), ys: tf.tensor2d(oneHot, [order.length, CLASSES]) };
}

const cpuNow = () => {
  const { user, system } = process.cpuUsage();
  return (user + system) / 1e6;
};

async function polymodalRun(set: ImageSet, round: number): Promise<Run> {
  const before = tf.memory().numTensors;
  const model = buildCnn();
  const random = seedrandom.alea(`order-${round}`);
  const run: Run = { wallSeconds: [], cpuSeconds: [], loss: NaN };
  for (let epoch = 0; epoch < EPOCHS; epoch++) {
    const start = performance.now();
    const cpuStart = cpuNow();
    const { xs, ys } = epochTensors(set, shuffled(set.rows, random));
    const history = await model.fit(xs, ys, { epochs: 1, batchSize: BATCH, shuffle: false, verbose: 0, yieldEvery: 'never' });
    tf.dispose([xs, ys]);
    run.wallSeconds.push((performance.now() - start) / 1000);
    run.cpuSeconds.push(cpuNow() - cpuStart);
    run.loss = history.history['loss']![0] as number;
  }
  model.optimizer.dispose();
  model.dispose();
  if (tf.memory().numTensors !== before) throw new Error(`the wasm run leaked ${tf.memory().numTensors - before} tensors`);
  return run;
}

function torchRun(python: string, dir: string): Run & { label: string } {
  const script = new URL('./torch_cnn.py', import.meta.url).pathname;
  const out = execFileSync(python, [script, dir, String(EPOCHS), String(BATCH), String(TORCH_THREADS)], { encoding: 'utf8' });
  const r = JSON.parse(out.trim().split('\n').at(-1)!);
  return { wallSeconds: r.epoch_seconds, cpuSeconds: r.epoch_cpu_seconds, loss: r.final_loss, label: `PyTorch ${r.version}, ${r.threads} thread(s)` };
}

const summary = (values: number[], digits = 0) =>
  `min ${Math.min(...values).toFixed(digits)}, median ${median(values).toFixed(digits)}, max ${Math.max(...values).toFixed(digits)}`;

const info = await selectBackend('wasm');
if (info.notes.length > 0) console.log(info.notes.join('\n'));
for (const reason of TORCH.skipped) console.log(`skipped: ${reason}`);
const set = syntheticImages(ROWS);
const dir = mkdtempSync(join(tmpdir(), 'polymodal-image-cnn-bench-'));
try {
  writeFileSync(join(dir, 'images.f32'), Buffer.from(set.images.buffer));
  writeFileSync(join(dir, 'labels.i32'), Buffer.from(set.labels.buffer));
  writeFileSync(join(dir, 'shape.json'), JSON.stringify({ rows: ROWS }));
  console.log(`image CNN (${PARAMETERS.toLocaleString('en')} parameters), ${ROWS} synthetic 28x28x1 rows x ${EPOCHS} epochs, batch ${BATCH}, adam;` +
    ` steady-state training samples/s (median epoch of 2-${EPOCHS}), by wall and by CPU time; load average ${loadavg()[0]!.toFixed(1)}`);
  type Rates = Record<'wall' | 'cpu', number[]>;
  const ours: Rates = { wall: [], cpu: [] };
  const theirs = new Map<string, Rates>();
  const ratios = new Map<string, Rates>();
  for (let round = 0; round < ROUNDS; round++) {
    const wasm = await polymodalRun(set, round);
    ours.wall.push(steady(wasm.wallSeconds));
    ours.cpu.push(steady(wasm.cpuSeconds));
    const line = [`wasm ${ours.cpu.at(-1)!.toFixed(0)} cpu / ${ours.wall.at(-1)!.toFixed(0)} wall (final loss ${wasm.loss.toFixed(3)})`];
    for (const python of TORCH_PYTHONS) {
      const torch = torchRun(python, dir);
      const rates = theirs.get(torch.label) ?? { wall: [], cpu: [] };
      const ratio = ratios.get(torch.label) ?? { wall: [], cpu: [] };
      for (const clock of ['wall', 'cpu'] as const) {
        rates[clock].push(steady(clock === 'wall' ? torch.wallSeconds : torch.cpuSeconds));
        ratio[clock].push(ours[clock].at(-1)! / rates[clock].at(-1)!);
      }
      theirs.set(torch.label, rates);
      ratios.set(torch.label, ratio);
      line.push(`${torch.label} ${rates.cpu.at(-1)!.toFixed(0)} cpu / ${rates.wall.at(-1)!.toFixed(0)} wall (loss ${torch.loss.toFixed(3)}): ` +
        `${ratio.cpu.at(-1)!.toFixed(2)}x cpu, ${ratio.wall.at(-1)!.toFixed(2)}x wall`);
    }
    console.log(`  round ${round + 1} (load ${loadavg()[0]!.toFixed(1)}): ${line.join('; ')}`);
  }
  for (const clock of ['cpu', 'wall'] as const) {
    console.log(`${clock} time, samples/s: Polymodal on wasm (1 thread) ${summary(ours[clock])}`);
    for (const [label, rates] of theirs) {
      console.log(`  ${label}: ${summary(rates[clock])}; wasm / PyTorch per round ${summary(ratios.get(label)![clock], 2)} (target >= 0.5x)`);
    }
  }
} catch (error) {
  // The message only: an uncaught error would print the wasm backend's minified source line.
  console.error(`image-cnn bench failed: ${(error as Error).message}`);
  process.exitCode = 1;
} finally {
  rmSync(dir, { recursive: true, force: true });
}
