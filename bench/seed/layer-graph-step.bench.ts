/**
 * The seed model's layers (bench/seed/seed-layers.ts) trained on one backend two ways in one process, alternating
 * rounds so the machine's load falls on both alike: tfjs's model.fit, and core's LayerGraphStep (the wide
 * concatenation's product by part, as the trainer runs it when no step compiler serves the backend). Also the
 * forward pass of 64 rows: model.predict against the layer graph. Medians and the paired ratio per round.
 *   TSX_TSCONFIG_PATH=tsconfig.base.json node --conditions=@polymodal/source --import tsx bench/seed/layer-graph-step.bench.ts [wasm|tensorflow|cpu]
 * Options (env): BENCH_ROUNDS (15), BENCH_STEPS (4 per round and way).
 */
import * as tf from '@tensorflow/tfjs';
import { selectBackend } from '@polymodal/core';
import { LayerGraph } from '../../packages/core/src/model/layer-graph.js';
import { createOptimizer } from '../../packages/core/src/model/optimizer.js';
import { layerGraphStep } from '../../packages/core/src/training/layer-graph-step.js';
import { seedLayers, stepOnRows } from './seed-layers.js';

const backend = (process.argv[2] ?? 'wasm') as 'tensorflow' | 'wasm' | 'cpu';
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 15);
const STEPS = Number(process.env.BENCH_STEPS ?? 4);
await selectBackend(backend);

function compiledSeedLayers(): tf.LayersModel {
  const model = seedLayers();
  model.compile({ optimizer: createOptimizer({ type: 'adam', learningRate: 1e-3 }), loss: 'binaryCrossentropy', metrics: ['accuracy'] });
  return model;
}

const fitted = compiledSeedLayers();
const stepped = compiledSeedLayers();
stepped.setWeights(fitted.getWeights());
const step = layerGraphStep(stepped)!;
const optimizer = createOptimizer({ type: 'adam', learningRate: 1e-3 });
const rows = 32 * STEPS;
const images = tf.randomUniform([rows, 64, 64, 3]);
const tokens = tf.randomUniform([rows, 100], 0, 999, 'int32');
const labels = tf.tidy(() => tf.cast(tf.greater(tf.randomUniform([rows, 1]), 0.5), 'float32'));

async function fitRound(): Promise<number> {
  const start = performance.now();
  await fitted.fit([images, tokens], labels, { batchSize: 32, epochs: 1, shuffle: false, verbose: 0, yieldEvery: 'never' });
  return (performance.now() - start) / STEPS;
}

function stepRound(): number {
  const start = performance.now();
  for (let s = 0; s < STEPS; s++) stepOnRows(step, optimizer, { images, tokens, labels }, s);
  return (performance.now() - start) / STEPS;
}

const graph = LayerGraph.of(stepped)!;
const predictBatch = [images.slice(0, Math.min(64, rows)), tokens.slice(0, Math.min(64, rows))];
const timed = (run: () => tf.Tensor) => {
  const start = performance.now();
  tf.tidy(() => {
    run().dataSync();
  });
  return performance.now() - start;
};

const median = (values: number[]) => [...values].sort((a, b) => a - b)[values.length >> 1];
await fitRound();
stepRound();
const fit: number[] = [], ours: number[] = [], ratios: number[] = [], predictTfjs: number[] = [], predictOurs: number[] = [];
for (let round = 0; round < ROUNDS; round++) {
  // Alternate which way goes first, so neither always runs on a warmer or quieter machine.
  let fitMs: number, oursMs: number;
  if (round % 2 === 0) {
    fitMs = await fitRound();
    oursMs = stepRound();
  } else {
    oursMs = stepRound();
    fitMs = await fitRound();
  }
  fit.push(fitMs);
  ours.push(oursMs);
  ratios.push(fitMs / oursMs);
  predictTfjs.push(timed(() => stepped.predict(predictBatch) as tf.Tensor));
  predictOurs.push(timed(() => graph.apply(predictBatch, false)));
}
console.log(`${tf.getBackend()}: ${graph.description}`);
console.log(`training step of 32 rows: model.fit median ${median(fit).toFixed(1)} ms, LayerGraphStep ${median(ours).toFixed(1)} ms; paired ratio median ${median(ratios).toFixed(3)}x (min ${Math.min(...ratios).toFixed(3)}, max ${Math.max(...ratios).toFixed(3)})`);
console.log(`forward of ${predictBatch[0].shape[0]} rows: model.predict median ${median(predictTfjs).toFixed(1)} ms, layer graph ${median(predictOurs).toFixed(1)} ms`);
if (process.env.BENCH_PROFILE) {
  const byKernel = async (run: () => unknown) => {
    const info = await tf.profile(run as () => tf.Tensor);
    const m = new Map<string, number>();
    for (const k of info.kernels) m.set(k.name, (m.get(k.name) ?? 0) + (k.kernelTimeMs as number));
    return [...m].sort((a, b) => b[1] - a[1]).slice(0, 14).map(([k, v]) => `${k} ${v.toFixed(2)}`).join(', ');
  };
  console.log('fit:', await byKernel(() => fitted.trainOnBatch([images.slice(0, 32), tokens.slice(0, 32)], labels.slice(0, 32))));
  console.log('ours:', await byKernel(() => { const { logs, gradients } = step.run([images.slice(0, 32), tokens.slice(0, 32)], labels.slice(0, 32)); optimizer.applyGradients(gradients); tf.dispose([...logs, ...Object.values(gradients)]); }));
}
