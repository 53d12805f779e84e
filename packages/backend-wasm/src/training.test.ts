import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';

import * as tf from '@tensorflow/tfjs';

import { assertClose, randomArray, seeded, setUpWasm } from './test-fixtures/helpers.js';

before(async () => {
  await setUpWasm();
});

/** Conv2D (stride 1 same, stride 2 valid), a non-first DepthwiseConv2D (so its input gradient is needed), SeparableConv2D. */
function buildConvModel(): tf.LayersModel {
  const m = tf.sequential();
  m.add(tf.layers.conv2d({ inputShape: [8, 8, 3], filters: 4, kernelSize: 3, padding: 'same', activation: 'relu' }));
  m.add(tf.layers.conv2d({ filters: 5, kernelSize: 3, strides: 2, padding: 'valid' }));
  m.add(tf.layers.depthwiseConv2d({ kernelSize: 3, depthMultiplier: 2, padding: 'same', activation: 'tanh' }));
  m.add(tf.layers.separableConv2d({ filters: 4, kernelSize: 2, padding: 'valid', useBias: false })); // BN follows: a bias gradient would be pure rounding noise
  m.add(tf.layers.batchNormalization());
  m.add(tf.layers.flatten());
  m.add(tf.layers.dense({ units: 3, activation: 'softmax' }));
  return m;
}

/** Embedding feeding a strided Conv1D (Conv2DBackpropFilter) and a direct dense path. */
function buildEmbeddingModel(): tf.LayersModel {
  const input = tf.input({ shape: [7] });
  const emb = tf.layers.embedding({ inputDim: 30, outputDim: 6 }).apply(input) as tf.SymbolicTensor;
  const conv = tf.layers.conv1d({ filters: 4, kernelSize: 3, strides: 2, padding: 'same' }).apply(emb) as tf.SymbolicTensor;
  const pooled = tf.layers.globalMaxPooling1d({}).apply(conv) as tf.SymbolicTensor;
  const flat = tf.layers.flatten().apply(emb) as tf.SymbolicTensor;
  const merged = tf.layers.concatenate().apply([pooled, flat]) as tf.SymbolicTensor;
  const out = tf.layers.dense({ units: 3, activation: 'softmax' }).apply(merged) as tf.SymbolicTensor;
  return tf.model({ inputs: input, outputs: out });
}

interface Snapshot {
  loss: number;
  before: Float32Array[];
  after: Float32Array[];
}

/** Builds the model on `backend`, loads `weights`, trains one SGD step and snapshots the weights. */
async function trainOneStep(
  backend: 'cpu' | 'wasm',
  build: () => tf.LayersModel,
  weights: Float32Array[] | null,
  xs: { values: Float32Array; shape: number[] },
  ys: { values: Float32Array; shape: number[] },
  loss: string,
): Promise<Snapshot> {
  await tf.setBackend(backend);
  // tfjs draws unseeded initialisers from Math.random: a fixed sequence makes the compared step the same every
  // run (with random weights, float32 summation-order noise once landed just past the tolerance, 1 of 5 full runs).
  const random = Math.random;
  Math.random = seeded(4242);
  let model: tf.LayersModel;
  try {
    model = build();
  } finally {
    Math.random = random;
  }
  if (weights) model.setWeights(weights.map((w, i) => tf.tensor(w, model.getWeights()[i].shape)));
  const read = () => model.getWeights().map((w) => w.dataSync().slice() as Float32Array);
  const initial = read();
  model.compile({ optimizer: tf.train.sgd(0.5), loss });
  const x = tf.tensor(xs.values, xs.shape);
  const y = tf.tensor(ys.values, ys.shape);
  const l = (await model.trainOnBatch(x, y)) as number;
  const snapshot = { loss: l, before: initial, after: read() };
  tf.dispose([x, y]);
  model.dispose();
  await tf.setBackend('wasm');
  return snapshot;
}

async function compareBackends(
  build: () => tf.LayersModel,
  xs: { values: Float32Array; shape: number[] },
  ys: { values: Float32Array; shape: number[] },
  loss: string,
): Promise<void> {
  const cpu = await trainOneStep('cpu', build, null, xs, ys, loss);
  const wasm = await trainOneStep('wasm', build, cpu.before, xs, ys, loss);
  assert.ok(Math.abs(cpu.loss - wasm.loss) <= 1e-4 * Math.abs(cpu.loss), `loss ${wasm.loss} vs ${cpu.loss}`);
  assert.equal(wasm.after.length, cpu.after.length);
  for (let i = 0; i < cpu.after.length; i++) {
    assertClose(wasm.after[i], cpu.after[i], 1e-4, `weight ${i}`);
  }
  // The step must actually have moved the trainable weights, or the comparison above proves nothing.
  const moved = cpu.after.filter((w, i) => w.some((v, j) => Math.abs(v - cpu.before[i][j]) > 1e-5)).length;
  assert.ok(moved >= cpu.after.length - 2, `only ${moved} of ${cpu.after.length} weights changed`); // BN moving stats included
}

describe('one training step on wasm equals the same step on cpu', () => {
  it('Conv2D s1/s2, DepthwiseConv2D (multiplier 2), SeparableConv2D, BatchNorm, Dense', async () => {
    const rand = seeded(500);
    const xs = { values: randomArray(rand, 4 * 8 * 8 * 3), shape: [4, 8, 8, 3] };
    const labels = new Float32Array(4 * 3);
    for (let i = 0; i < 4; i++) labels[i * 3 + (i % 3)] = 1;
    await compareBackends(buildConvModel, xs, { values: labels, shape: [4, 3] }, 'categoricalCrossentropy');
  });

  it('Embedding + strided Conv1D + Dense', async () => {
    const rand = seeded(501);
    const ids = new Float32Array(5 * 7).map(() => Math.floor(rand() * 30));
    ids[0] = ids[1] = ids[2] = 4; // repeated ids must accumulate
    const labels = new Float32Array([0, 2, 1, 1, 0]);
    await compareBackends(buildEmbeddingModel, { values: ids, shape: [5, 7] }, { values: labels, shape: [5, 1] }, 'sparseCategoricalCrossentropy');
  });

  it('tf.variableGrads through every new kernel leaves no tensors behind', async () => {
    await tf.setBackend('wasm');
    const model = buildConvModel();
    const emb = buildEmbeddingModel();
    const rand = seeded(502);
    const x = tf.tensor(randomArray(rand, 2 * 8 * 8 * 3), [2, 8, 8, 3]);
    const ids = tf.tensor2d([[1, 2, 3, 4, 5, 6, 7], [7, 7, 7, 0, 0, 29, 1]]);
    const step = () => {
      const { value, grads } = tf.variableGrads(() =>
        tf.add(tf.sum(tf.square(model.apply(x, { training: true }) as tf.Tensor)), tf.sum(emb.apply(ids) as tf.Tensor)) as tf.Scalar,
      );
      const names = Object.keys(grads);
      tf.dispose([value, ...Object.values(grads)]);
      return names.length;
    };
    assert.equal(step(), model.trainableWeights.length + emb.trainableWeights.length);
    const before = tf.memory().numTensors;
    for (let i = 0; i < 3; i++) step();
    assert.equal(tf.memory().numTensors, before);
    tf.dispose([x, ids]);
    model.dispose();
    emb.dispose();
  });
});
