/**
 * One training step of the seed model's layers (Conv2D(32) as the CNN encoder builds it + Flatten, Embedding(1000, 64) + PolymodalLSTM(32),
 * concat, Dense(1); batch 32; adam) on a backend, timed and profiled with tf.profile: where a step's time goes.
 * Adam is the trainer's (core's createOptimizer: the backend's fused Adam where it has one).
 *   TSX_TSCONFIG_PATH=tsconfig.base.json node --conditions=@polymodal/source --import tsx bench/seed/profile-step.ts [tensorflow|wasm]
 */
import * as tf from '@tensorflow/tfjs';
import { selectBackend } from '@polymodal/core';
import { createOptimizer } from '../../packages/core/src/model/optimizer.js';
import { seedLayers } from './seed-layers.js';

const backend = (process.argv[2] ?? 'tensorflow') as 'tensorflow' | 'wasm';
await selectBackend(backend);
const model = seedLayers();
const optimizer = createOptimizer({ type: 'adam', learningRate: 1e-3 });
const images = tf.randomUniform([32, 64, 64, 3]);
const tokens = tf.randomUniform([32, 100], 0, 999, 'int32');
const labels = tf.tidy(() => tf.cast(tf.greater(tf.randomUniform([32, 1]), 0.5), 'float32'));
const step = () => {
  const loss = optimizer.minimize(() => tf.losses.sigmoidCrossEntropy(labels, model.apply([images, tokens], { training: true }) as tf.Tensor) as tf.Scalar, true)!;
  loss.dataSync();
  loss.dispose();
};
for (let i = 0; i < 3; i++) step();
const steps = 20;
const start = performance.now();
for (let i = 0; i < steps; i++) step();
const ms = (performance.now() - start) / steps;
console.log(`${backend}: ${ms.toFixed(1)} ms per step of 32 = ${((32 / ms) * 1000).toFixed(0)} samples/s`);
const info = await tf.profile(step);
const byKernel = new Map<string, { ms: number; calls: number }>();
for (const kernel of info.kernels) {
  const entry = byKernel.get(kernel.name) ?? { ms: 0, calls: 0 };
  entry.ms += kernel.kernelTimeMs as number;
  entry.calls++;
  byKernel.set(kernel.name, entry);
}
console.log(`${info.kernels.length} kernel calls per step (profiled times include nested kernels):`);
for (const [name, { ms: t, calls }] of [...byKernel].sort((a, b) => b[1].ms - a[1].ms).slice(0, 16)) console.log(`  ${name.padEnd(24)} ${t.toFixed(1).padStart(7)} ms  ${calls} calls`);

// The same step through model.fit (as Polymodal's trainer drives it: compiled model, one call per chunk of batches).
model.compile({ optimizer: createOptimizer({ type: 'adam', learningRate: 1e-3 }), loss: 'binaryCrossentropy' });
const rows = 320;
const fitImages = tf.randomUniform([rows, 64, 64, 3]);
const fitTokens = tf.randomUniform([rows, 100], 0, 999, 'int32');
const fitLabels = tf.tidy(() => tf.cast(tf.greater(tf.randomUniform([rows, 1]), 0.5), 'float32'));
await model.fit([fitImages, fitTokens], fitLabels, { batchSize: 32, epochs: 1, verbose: 0, yieldEvery: 'never' });
const fitStart = performance.now();
await model.fit([fitImages, fitTokens], fitLabels, { batchSize: 32, epochs: 2, verbose: 0, yieldEvery: 'never' });
console.log(`model.fit: ${((2 * rows) / ((performance.now() - fitStart) / 1000)).toFixed(0)} samples/s`);
