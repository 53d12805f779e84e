// The layer graph against tfjs's own executor: the same outputs and gradients, with the wide concatenation's
// product split; and the models it leaves to tfjs.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { layerGraphStep } from '../training/layer-graph-step.js';
import { LayerGraph } from './layer-graph.js';
import { assertClose, batch, concatenationOf, countApplies, joinedModel, WIDE, type Options } from './test-fixtures/joined-model.js';

await tf.setBackend('cpu');

test('a wide concatenation read by one small Dense is split, and predicts as model.predict does', () => {
  for (const activation of ['sigmoid', 'relu', 'linear'] as const) {
    const model = joinedModel({ activation });
    const graph = LayerGraph.of(model);
    assert.ok(graph, activation);
    assert.match(graph.description, /concatenate.* -> dense.* \(4200 \+ 5 columns\)/);
    const xs = batch(9);
    const concatenation = countApplies(concatenationOf(model));
    const before = tf.memory().numTensors;
    // Outside a tidy: every intermediate tensor is disposed after its last reader; only the output is left.
    const ours = graph.apply(xs, false);
    assert.equal(tf.memory().numTensors, before + 1, 'only the output outlives the call');
    assert.equal(concatenation.calls, 0, 'the concatenation is never made');
    tf.tidy(() => assertClose(ours, model.predict(xs) as tf.Tensor, activation));
    tf.dispose([ours, ...xs]);
    model.dispose();
  }
});

test('the split gives tfjs\'s gradients in training, dropout and regularisation included', () => {
  const model = joinedModel({ dropout: true, regularised: true });
  const graph = LayerGraph.of(model)!;
  const xs = batch(8);
  const target = tf.randomUniform([8, 2], 0, 1, 'float32', 17);
  const variables = model.trainableWeights.map((weight) => weight.read() as tf.Variable);
  // The dropout layer has a seed, so both passes draw the same mask.
  const loss = (prediction: tf.Tensor) => tf.add(tf.mean(tf.square(tf.sub(prediction, target))), model.calculateLosses()[0]) as tf.Scalar;
  const ours = tf.variableGrads(() => loss(graph.apply(xs, true)), variables);
  const tfjs = tf.variableGrads(() => loss(model.apply(xs, { training: true }) as tf.Tensor), variables);
  assertClose(ours.value, tfjs.value, 'loss');
  assert.deepEqual(Object.keys(ours.grads).sort(), Object.keys(tfjs.grads).sort());
  for (const name of Object.keys(tfjs.grads)) assertClose(ours.grads[name], tfjs.grads[name], name);
  // Dropout is active: the training loss differs from the inference one.
  const inference = tf.tidy(() => loss(graph.apply(xs, false)).dataSync()[0]);
  assert.notEqual(inference, ours.value.dataSync()[0]);
  tf.dispose([xs, target, ours.value, tfjs.value, Object.values(ours.grads), Object.values(tfjs.grads)]);
  model.dispose();
});

test('models where splitting gains nothing, or cannot be done alone, are left to tfjs', () => {
  const cases: [string, Options][] = [
    ['a narrow concatenation', { wide: 200 }],
    ['a Dense with many units', { units: 64 }],
    ['a concatenation read twice', { secondReader: true }],
  ];
  const plain = joinedModel();
  assert.ok(LayerGraph.of(plain), 'the same model without the change is split');
  plain.dispose();
  for (const [what, options] of cases) {
    const model = joinedModel(options);
    assert.equal(LayerGraph.of(model), undefined, what);
    assert.equal(layerGraphStep(model), undefined, what);
    model.dispose();
  }
  // A layer shared by two nodes.
  const shared = tf.layers.dense({ units: 1 });
  const x = tf.input({ shape: [WIDE] });
  const y = tf.input({ shape: [WIDE] });
  const joined = tf.layers.concatenate().apply([shared.apply(x) as tf.SymbolicTensor, shared.apply(y) as tf.SymbolicTensor, x]) as tf.SymbolicTensor;
  const model = tf.model({ inputs: [x, y], outputs: tf.layers.dense({ units: 1 }).apply(joined) as tf.SymbolicTensor });
  assert.equal(LayerGraph.of(model), undefined);
  model.dispose();
  // A model with two outputs (the split Dense's and another): its step, evaluation and predictions take one.
  const single = joinedModel();
  const twoOutputs = tf.model({ inputs: single.inputs, outputs: [single.outputs[0], tf.layers.dense({ units: 1 }).apply(single.inputs[1]) as tf.SymbolicTensor] });
  assert.equal(LayerGraph.of(twoOutputs), undefined);
  assert.ok(LayerGraph.of(single), 'the same graph with one output is split');
  // One dispose frees both: twoOutputs holds every layer of single.
  twoOutputs.dispose();
});

test('a masked part takes tfjs\'s concatenation, with its mask', () => {
  const a = tf.input({ shape: [WIDE] });
  const flat = tf.layers.masking({ maskValue: 0 }).apply(a) as tf.SymbolicTensor;
  const b = tf.input({ shape: [3] });
  const joined = tf.layers.concatenate().apply([flat, b]) as tf.SymbolicTensor;
  const model = tf.model({ inputs: [a, b], outputs: tf.layers.dense({ units: 1 }).apply(joined) as tf.SymbolicTensor });
  const graph = LayerGraph.of(model)!;
  assert.ok(graph);
  const concatenation = countApplies(concatenationOf(model));
  const xs = [tf.randomUniform([4, WIDE], 0, 1, 'float32', 19), tf.ones([4, 3])];
  tf.tidy(() => assertClose(graph.apply(xs, false), model.predict(xs) as tf.Tensor, 'masked'));
  assert.equal(concatenation.calls, 2, "once in the graph, once in tfjs's predict");
  tf.dispose(xs);
  model.dispose();
});
