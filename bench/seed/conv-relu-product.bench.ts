/**
 * The seed model's layers (bench/seed/seed-layers.ts) trained by core's LayerGraphStep on wasm two ways in one
 * process, alternating rounds so the machine's load falls on both alike: with @polymodal/backend-wasm's
 * conv2dReluProduct routine (the image part's product run with its relu convolution: dy made one image at a time in
 * cache, PolymodalConv2DReluProductGrads), and without it (the layers, then the product, as before). Also the
 * forward of 64 rows each way, and the image part's forward product alone as training records it (y stored for the
 * gradient: PolymodalConv2DReluProduct) and as prediction runs it (y never stored: PolymodalConv2DReluProductValue).
 * Medians and the paired ratio per round.
 *   TSX_TSCONFIG_PATH=tsconfig.base.json node --conditions=@polymodal/source --import tsx bench/seed/conv-relu-product.bench.ts
 * Options (env): BENCH_ROUNDS (15), BENCH_STEPS (4 per round and way), BENCH_PROFILE (1: the kernels of one step each way).
 */
import * as tf from '@tensorflow/tfjs';
import { acceleratedRoutines, registerAcceleratedRoutines, selectBackend } from '@polymodal/core';
import { LayerGraph } from '../../packages/core/src/model/layer-graph.js';
import { createOptimizer } from '../../packages/core/src/model/optimizer.js';
import { layerGraphStep } from '../../packages/core/src/training/layer-graph-step.js';
import { seedLayers, stepOnRows } from './seed-layers.js';

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 15);
const STEPS = Number(process.env.BENCH_STEPS ?? 4);
await selectBackend('wasm');
const routines = acceleratedRoutines('wasm');
if (routines?.conv2dReluProduct?.() == null) throw new Error('the wasm backend has no conv2dReluProduct routine (is @polymodal/backend-wasm built with it?)');
const { conv2dReluProduct: _, ...withoutProduct } = routines;
/** Makes the routine available (or not) to the layer graph from the next call on. */
const useRoutine = (on: boolean) => registerAcceleratedRoutines('wasm', on ? routines : withoutProduct);

const model = seedLayers();
model.compile({ optimizer: createOptimizer({ type: 'adam', learningRate: 1e-3 }), loss: 'binaryCrossentropy', metrics: ['accuracy'] });
const step = layerGraphStep(model)!;
const graph = LayerGraph.of(model)!;
const optimizer = createOptimizer({ type: 'adam', learningRate: 1e-3 });
const rows = 32 * STEPS;
const images = tf.randomUniform([rows, 64, 64, 3]);
const tokens = tf.randomUniform([rows, 100], 0, 999, 'int32');
const labels = tf.tidy(() => tf.cast(tf.greater(tf.randomUniform([rows, 1]), 0.5), 'float32'));

const trainStep = (s: number) => stepOnRows(step, optimizer, { images, tokens, labels }, s);

function round(on: boolean): number {
  useRoutine(on);
  const start = performance.now();
  for (let s = 0; s < STEPS; s++) trainStep(s);
  return (performance.now() - start) / STEPS;
}

const predictBatch = [images.slice(0, Math.min(64, rows)), tokens.slice(0, Math.min(64, rows))];
function forward(on: boolean): number {
  useRoutine(on);
  const start = performance.now();
  tf.tidy(() => {
    graph.apply(predictBatch, false).dataSync();
  });
  return performance.now() - start;
}

// The seed model's convolution (3x3x3 -> 32, valid) and its one-unit product, on the 64 images predicted above.
const convFilter = tf.randomNormal([3, 3, 3, 32], 0, 0.2);
const convBias = tf.randomNormal([32], 0, 0.1);
const productWeights = tf.randomNormal([62 * 62 * 32, 1], 0, 0.01);
const productInputs = { x: predictBatch[0]!, filter: convFilter, bias: convBias, weights: productWeights };
function imageProduct(kernel: 'PolymodalConv2DReluProduct' | 'PolymodalConv2DReluProductValue'): number {
  const start = performance.now();
  const outputs = tf.engine().runKernel(kernel, productInputs, { strides: [1, 1], pad: 'valid' });
  const all = Array.isArray(outputs) ? outputs : [outputs];
  all.at(-1)!.dataSync();
  tf.dispose(all);
  return performance.now() - start;
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[values.length >> 1];
round(true);
round(false);
const withMs: number[] = [], withoutMs: number[] = [], ratios: number[] = [], forwardWith: number[] = [], forwardWithout: number[] = [];
const productKept: number[] = [], productValue: number[] = [];
for (let r = 0; r < ROUNDS; r++) {
  // Alternate which way goes first, so neither always runs on a warmer or quieter machine.
  const [first, second] = r % 2 === 0 ? [true, false] : [false, true];
  const a = round(first), b = round(second);
  const [on, off] = first ? [a, b] : [b, a];
  withMs.push(on);
  withoutMs.push(off);
  ratios.push(off / on);
  forwardWith.push(forward(true));
  forwardWithout.push(forward(false));
  productKept.push(imageProduct('PolymodalConv2DReluProduct'));
  productValue.push(imageProduct('PolymodalConv2DReluProductValue'));
}
useRoutine(true);
console.log(`wasm: ${graph.description}`);
console.log(`training step of 32 rows: without the routine median ${median(withoutMs).toFixed(1)} ms, with it ${median(withMs).toFixed(1)} ms; paired ratio median ${median(ratios).toFixed(3)}x (min ${Math.min(...ratios).toFixed(3)}, max ${Math.max(...ratios).toFixed(3)})`);
if (process.env.BENCH_VERBOSE) console.log('rounds (without / with, ms):', withoutMs.map((off, i) => `${off.toFixed(1)}/${withMs[i]!.toFixed(1)}`).join(' '));
console.log(`forward of ${predictBatch[0].shape[0]} rows: without ${median(forwardWithout).toFixed(1)} ms, with ${median(forwardWith).toFixed(1)} ms`);
console.log(`the image part's product of ${predictBatch[0].shape[0]} rows alone: y stored (training's forward) ${median(productKept).toFixed(1)} ms (min ${Math.min(...productKept).toFixed(1)}), y not stored (prediction's) ${median(productValue).toFixed(1)} ms (min ${Math.min(...productValue).toFixed(1)})`);
if (process.env.BENCH_PROFILE) {
  for (const on of [false, true]) {
    useRoutine(on);
    const info = await tf.profile(() => trainStep(0));
    const byKernel = new Map<string, number>();
    for (const k of info.kernels) byKernel.set(k.name, (byKernel.get(k.name) ?? 0) + (k.kernelTimeMs as number));
    console.log(`${on ? 'with' : 'without'}:`, [...byKernel].sort((x, y) => y[1] - x[1]).slice(0, 12).map(([k, v]) => `${k} ${v.toFixed(2)}`).join(', '));
  }
  useRoutine(true);
}
