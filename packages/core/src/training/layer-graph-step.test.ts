// tfjs's training step and evaluation through the layer graph, against model.fit and model.evaluate.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { LayerGraph } from '../model/layer-graph.js';
import { assertClose, batch, joinedModel } from '../model/test-fixtures/joined-model.js';
import { withSeededTfjsRandom } from '../backend/seeded-tfjs-random.js';
import { createRandom } from '../util/random.js';
import { evaluateOnGraph, LayerGraphStep, layerGraphStep } from './layer-graph-step.js';
import type { RunEvent } from './reporter.js';
import { memorySource, recordingTrainer, smallConfig } from './test-fixtures/small-job.js';

await tf.setBackend('cpu');

test('LayerGraphStep trains as model.fit does: loss, metrics, class weights, weights after each step', async () => {
  const build = () => {
    const model = joinedModel({ units: 1, regularised: true });
    model.compile({ optimizer: tf.train.sgd(0.1), loss: 'binaryCrossentropy', metrics: ['accuracy'] });
    return model;
  };
  const fitted = build();
  const stepped = build();
  stepped.setWeights(fitted.getWeights());
  const step = layerGraphStep(stepped, { 0: 1, 1: 3 });
  assert.ok(step instanceof LayerGraphStep);
  const optimizer = tf.train.sgd(0.1);
  const xs = batch(16);
  const target = tf.tensor2d(Array.from({ length: 16 }, (_, i) => [i % 3 === 0 ? 1 : 0]));
  const before = tf.memory().numTensors;
  for (let round = 0; round < 3; round++) {
    const history = await fitted.fit(xs, target, { batchSize: 16, epochs: 1, shuffle: false, verbose: 0, classWeight: { 0: 1, 1: 3 } });
    const { logs, gradients } = step!.run(xs, target);
    optimizer.applyGradients(gradients);
    assert.equal(logs.length, stepped.metricsNames.length);
    logs.forEach((log, i) => {
      const expected = history.history[stepped.metricsNames[i]][0] as number;
      assert.ok(Math.abs(log.dataSync()[0] - expected) < 1e-5, `${stepped.metricsNames[i]} ${log.dataSync()[0]} vs ${expected}`);
    });
    tf.dispose([...logs, ...Object.values(gradients)]);
  }
  assert.equal(tf.memory().numTensors, before, 'the steps leak no tensor');
  fitted.getWeights().forEach((weight, i) => assertClose(stepped.getWeights()[i], weight, `weight ${i}`));
  tf.dispose([xs, target]);
  optimizer.dispose();
  fitted.dispose();
  stepped.dispose();
});

test('evaluateOnGraph gives model.evaluate\'s loss and metrics, batch by batch, a short last batch included', () => {
  const model = joinedModel({ units: 1, regularised: true });
  model.compile({ optimizer: 'sgd', loss: 'binaryCrossentropy', metrics: ['accuracy'] });
  const graph = LayerGraph.of(model)!;
  const xs = batch(21);
  const target = tf.tensor2d(Array.from({ length: 21 }, (_, i) => [i % 2]));
  const before = tf.memory().numTensors;
  const ours = evaluateOnGraph(model, graph, xs, target, 8);
  assert.equal(tf.memory().numTensors, before, 'evaluating leaks no tensor');
  const scalars = model.evaluate(xs, target, { batchSize: 8 }) as tf.Scalar[];
  const expected = scalars.map((scalar) => scalar.dataSync()[0]);
  assert.equal(ours.length, expected.length);
  ours.forEach((value, i) => assert.ok(Math.abs(value - expected[i]) < 1e-5, `${model.metricsNames[i]}: ${value} vs ${expected[i]}`));
  tf.dispose([xs, target, scalars]);
  model.dispose();
});

test('LayerGraphStep draws unseeded dropout masks in model.fit\'s order, from the seeded stream', async () => {
  const build = () => {
    const model = joinedModel({ units: 1, dropout: 'unseeded' });
    model.compile({ optimizer: tf.train.sgd(0.1), loss: 'binaryCrossentropy' });
    return model;
  };
  const fitted = build();
  const stepped = build();
  stepped.setWeights(fitted.getWeights());
  const xs = batch(12);
  const target = tf.tensor2d(Array.from({ length: 12 }, (_, i) => [i % 2]));
  const fitLoss = await withSeededTfjsRandom(21, async () => {
    const history = await fitted.fit(xs, target, { batchSize: 12, epochs: 1, shuffle: false, verbose: 0 });
    return history.history.loss[0] as number;
  });
  const stepLoss = await withSeededTfjsRandom(21, async () => {
    const { logs, gradients } = layerGraphStep(stepped)!.run(xs, target);
    const value = logs[0].dataSync()[0];
    tf.dispose([...logs, ...Object.values(gradients)]);
    return value;
  });
  const otherDraw = await withSeededTfjsRandom(22, async () => {
    const { logs, gradients } = layerGraphStep(stepped)!.run(xs, target);
    const value = logs[0].dataSync()[0];
    tf.dispose([...logs, ...Object.values(gradients)]);
    return value;
  });
  assert.ok(Math.abs(stepLoss - fitLoss) < 1e-5, `${stepLoss} vs ${fitLoss}`);
  assert.notEqual(otherDraw, stepLoss, 'the masks depend on the draw');
  tf.dispose([xs, target]);
  fitted.dispose();
  stepped.dispose();
});

test('a class missing from classWeight is refused as model.fit refuses it, and nothing leaks', () => {
  const model = joinedModel({ units: 1 });
  model.compile({ optimizer: 'sgd', loss: 'binaryCrossentropy' });
  const xs = batch(4);
  const target = tf.tensor2d([[0], [1], [1], [0]]);
  const before = tf.memory().numTensors;
  assert.throws(() => layerGraphStep(model, { 0: 1 })!.run(xs, target), /classWeight must contain all classes .* class 1 exists in the data but not in classWeight/);
  assert.equal(tf.memory().numTensors, before);
  tf.dispose([xs, target]);
  model.dispose();
});

/** The 4 features, widened by a Dense of 4096 units, joined with themselves: the head reads a wide concatenation. */
function widenedModel(): tf.LayersModel {
  const x = tf.input({ shape: [4], name: 'x' });
  const wide = tf.layers.dense({ units: 4096, activation: 'relu', kernelInitializer: tf.initializers.glorotUniform({ seed: 1 }) }).apply(x) as tf.SymbolicTensor;
  const joined = tf.layers.concatenate().apply([wide, x]) as tf.SymbolicTensor;
  return tf.model({ inputs: x, outputs: tf.layers.dense({ units: 1, activation: 'sigmoid', kernelInitializer: tf.initializers.glorotUniform({ seed: 2 }) }).apply(joined) as tf.SymbolicTensor });
}

async function trainWidened(): Promise<{ history: Record<string, number>[]; events: RunEvent[]; leaked: number }> {
  const config = smallConfig({ earlyStopping: undefined, learningRateSchedule: undefined, checkpoint: undefined, epochs: 3, optimizer: { type: 'adam', learningRate: 0.01 } });
  const random = createRandom(config.seed);
  const { trainer, events } = recordingTrainer(config.seed);
  return withSeededTfjsRandom(config.seed, async () => {
    const model = widenedModel();
    const before = tf.memory().numTensors;
    const result = await trainer.train({ model, task: 'binary', train: memorySource(96, 'train', random.fork('augment/0')), validation: memorySource(32, 'validation', random.fork('augment/1')), config });
    const leaked = tf.memory().numTensors - before;
    model.dispose();
    return { history: result.history.map((epoch) => epoch.logs), events, leaked };
  });
}

test('the trainer takes the layer graph\'s step where no compiler serves the backend, says so, and learns', async () => {
  const run = await trainWidened();
  const infos = run.events.filter((e) => e.type === 'info').map((e) => (e as { message: string }).message);
  assert.equal(infos.length, 1, infos.join('\n'));
  assert.match(infos[0], /^training step: tfjs layers, each concatenation's product by part: \S+ -> \S+ \(4096 \+ 4 columns\)$/);
  assert.equal(run.leaked, 0, 'no tensor outlives training');
  assert.ok(run.history.every((logs) => Number.isFinite(logs.val_loss) && Number.isFinite(logs.acc ?? logs.accuracy)), JSON.stringify(run.history));
  assert.ok(run.history[2].loss < run.history[0].loss, JSON.stringify(run.history));
  // The same seed gives the same run.
  assert.deepEqual((await trainWidened()).history, run.history);
});
