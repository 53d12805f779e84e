/**
 * Where one training step of the image CNN (cnn-model.ts, batch 64, adam) goes on one of Polymodal's backends (wasm by default):
 * ms per step (trainOnBatch) and tf.profile's kernel times by kernel name.
 *   TSX_TSCONFIG_PATH=tsconfig.base.json node --conditions=@polymodal/source --import tsx bench/image-cnn/profile-step.ts [wasm|cpu|tensorflow]
 * Options (env): BENCH_STEPS (20 timed steps), BENCH_KERNELS (24 kernel names listed), BENCH_CALLS (that many slowest single calls).
 * Profiled times include nested kernels (a replacement that calls other kernels counts them twice).
 */
import 'reflect-metadata';
import * as tf from '@tensorflow/tfjs';
import { selectBackend } from '@polymodal/core';
import { buildCnn, CLASSES, syntheticImages } from './cnn-model.js';

const backend = (process.argv[2] ?? 'wasm') as 'wasm' | 'cpu' | 'tensorflow';
const STEPS = Number(process.env.BENCH_STEPS ?? 20);
await selectBackend(backend);
const BATCH = 64;
const set = syntheticImages(BATCH);
const xs = tf.tensor4d(set.images, [BATCH, 28, 28, 1]);
const ys = tf.oneHot(tf.tensor1d(set.labels, 'int32'), CLASSES).toFloat();
const model = buildCnn();
const step = async () => {
  await model.trainOnBatch(xs, ys);
};
for (let i = 0; i < 3; i++) await step();
const start = performance.now();
for (let i = 0; i < STEPS; i++) await step();
const ms = (performance.now() - start) / STEPS;
console.log(`${backend}: ${ms.toFixed(1)} ms per step of ${BATCH} = ${((BATCH / ms) * 1000).toFixed(0)} samples/s`);
const info = await tf.profile(step);
const byKernel = new Map<string, { ms: number; calls: number; shapes: Set<string> }>();
let total = 0;
for (const kernel of info.kernels) {
  const entry = byKernel.get(kernel.name) ?? { ms: 0, calls: 0, shapes: new Set<string>() };
  entry.ms += kernel.kernelTimeMs as number;
  entry.calls++;
  entry.shapes.add(kernel.inputShapes.map((s) => `[${s}]`).join(' '));
  byKernel.set(kernel.name, entry);
  total += kernel.kernelTimeMs as number;
}
console.log(`${info.kernels.length} kernel calls in the profiled step, ${total.toFixed(1)} ms of kernel time (nested included):`);
for (const [name, { ms: t, calls, shapes }] of [...byKernel].sort((a, b) => b[1].ms - a[1].ms).slice(0, Number(process.env.BENCH_KERNELS ?? 24))) {
  console.log(`  ${name.padEnd(26)} ${t.toFixed(2).padStart(7)} ms  ${String(calls).padStart(3)} calls  ${[...shapes].slice(0, 3).join(' | ')}`);
}
if (process.env.BENCH_CALLS) {
  console.log('slowest single calls:');
  for (const kernel of [...info.kernels].sort((a, b) => (b.kernelTimeMs as number) - (a.kernelTimeMs as number)).slice(0, Number(process.env.BENCH_CALLS))) {
    console.log(`  ${kernel.name.padEnd(26)} ${(kernel.kernelTimeMs as number).toFixed(2).padStart(7)} ms  ${kernel.inputShapes.map((s) => `[${s}]`).join(' ')} -> [${kernel.outputShapes.join('] [')}]`);
  }
}
