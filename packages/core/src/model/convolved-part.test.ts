// A relu Conv2D read from a model input through a Flatten into a split product: found, run by the backend's routine
// where it has one (by the layers where not), with tfjs's outputs and gradients either way.
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { registerAcceleratedRoutines, type Conv2dReluProductRoutine } from '../backend/accelerated-routines.js';
import { selectBackend } from '../backend/select-backend.js';
import { LayerGraph } from './layer-graph.js';
import { assertClose, countApplies } from './test-fixtures/joined-model.js';

await tf.setBackend('cpu');

interface Options {
  activation?: 'relu' | 'linear';
  /** The convolution reads a layer's output instead of the model input. */
  behindLayer?: boolean;
  /** The convolution's output is also pooled into a third part. */
  secondReader?: boolean;
}

/** image [18, 18, 3] -> Conv2D(16, 3x3) -> Flatten (4096 columns), and a narrow branch, concatenated into Dense(1). */
function convolvedModel({ activation = 'relu', behindLayer = false, secondReader = false }: Options = {}): tf.LayersModel {
  const image = tf.input({ shape: [18, 18, 3], name: 'image' });
  const narrow = tf.input({ shape: [6], name: 'narrow' });
  const seen = behindLayer ? tf.layers.activation({ activation: 'tanh' }).apply(image) as tf.SymbolicTensor : image;
  const conv = tf.layers.conv2d({ filters: 16, kernelSize: 3, activation, kernelInitializer: tf.initializers.glorotUniform({ seed: 1 }), biasInitializer: tf.initializers.constant({ value: 0.05 }) });
  const features = conv.apply(seen) as tf.SymbolicTensor;
  const parts = [tf.layers.flatten().apply(features) as tf.SymbolicTensor, tf.layers.dense({ units: 5, activation: 'tanh', kernelInitializer: tf.initializers.glorotUniform({ seed: 2 }) }).apply(narrow) as tf.SymbolicTensor];
  if (secondReader) parts.push(tf.layers.globalAveragePooling2d({}).apply(features) as tf.SymbolicTensor);
  const joined = tf.layers.concatenate().apply(parts) as tf.SymbolicTensor;
  const out = tf.layers.dense({ units: 1, activation: 'sigmoid', kernelInitializer: tf.initializers.glorotUniform({ seed: 3 }) }).apply(joined) as tf.SymbolicTensor;
  return tf.model({ inputs: [image, narrow], outputs: out });
}

const batch = (rows: number) => [tf.randomUniform([rows, 18, 18, 3], 0, 1, 'float32', 4), tf.randomUniform([rows, 6], -1, 1, 'float32', 5)];

/** The routine's arithmetic in tfjs ops, counting its calls: stands in for a backend's. */
function countingRoutine(): { calls: number; routine: Conv2dReluProductRoutine } {
  const counter = { calls: 0, routine: {} as Conv2dReluProductRoutine };
  counter.routine = {
    conv2dReluProduct(x, filter, bias, weights, attrs) {
      counter.calls++;
      return tf.matMul(tf.reshape(tf.relu(tf.add(tf.conv2d(x, filter, attrs.strides, attrs.pad), bias)), [x.shape[0], -1]) as tf.Tensor2D, weights);
    },
  };
  return counter;
}

/** The graph's loss and gradients in training against tfjs's model.apply. */
function assertTfjsGradients(model: tf.LayersModel, graph: LayerGraph, what: string, tolerance = 1e-5): void {
  const xs = batch(4);
  const target = tf.tensor2d([[1], [0], [1], [0]]);
  const variables = model.trainableWeights.map((weight) => weight.read() as tf.Variable);
  const loss = (prediction: tf.Tensor) => tf.losses.sigmoidCrossEntropy(target, prediction) as tf.Scalar;
  const before = tf.memory().numTensors;
  const ours = tf.variableGrads(() => loss(graph.apply(xs, true)), variables);
  assert.equal(tf.memory().numTensors, before + 1 + variables.length, `${what}: only the loss and the gradients are left`);
  const tfjs = tf.variableGrads(() => loss(model.apply(xs, { training: true }) as tf.Tensor), variables);
  assertClose(ours.value, tfjs.value, `${what}: loss`, tolerance);
  for (const name of Object.keys(tfjs.grads)) assertClose(ours.grads[name], tfjs.grads[name], `${what}: ${name}`, tolerance);
  tf.tidy(() => assertClose(graph.apply(xs, false), model.predict(xs) as tf.Tensor, `${what}: prediction`, tolerance));
  tf.dispose([xs, target, ours.value, tfjs.value, Object.values(ours.grads), Object.values(tfjs.grads)]);
}

/** How many times one training pass of the graph applies the model's Conv2D layer. */
function graphConvApplies(model: tf.LayersModel, graph: LayerGraph): number {
  const conv = model.layers.find((layer) => layer.getClassName() === 'Conv2D')!;
  const apply = conv.apply;
  const counter = countApplies(conv);
  const xs = batch(2);
  tf.tidy(() => graph.apply(xs, true));
  tf.dispose(xs);
  conv.apply = apply;
  return counter.calls;
}

test("a relu convolution of a model input is run by the backend's routine, with tfjs's gradients", () => {
  const counter = countingRoutine();
  const undo = registerAcceleratedRoutines('cpu', { provider: 'test', recurrentProduct: () => null, conv2dReluProduct: () => counter.routine });
  try {
    const model = convolvedModel();
    const graph = LayerGraph.of(model)!;
    assert.match(graph.description, /\(4096 \+ 5 columns; conv2d\S*'s relu convolution in its part's product\)/);
    assertTfjsGradients(model, graph, 'by the routine');
    assert.equal(counter.calls, 2, 'the training pass and the prediction');
    assert.equal(graphConvApplies(model, graph), 0, 'the Conv2D layer is not applied');
    model.dispose();
  } finally {
    undo();
  }
});

test('without the routine, the two layers run as tfjs applies them, and the products are still split', () => {
  const model = convolvedModel();
  const graph = LayerGraph.of(model)!;
  assert.doesNotMatch(graph.description, /relu convolution/);
  assertTfjsGradients(model, graph, 'by the layers');
  assert.equal(graphConvApplies(model, graph), 1);
  model.dispose();
});

test('convolutions the routine does not compute, or whose output another layer reads, are left to their layers', () => {
  const counter = countingRoutine();
  const undo = registerAcceleratedRoutines('cpu', { provider: 'test', recurrentProduct: () => null, conv2dReluProduct: () => counter.routine });
  try {
    const cases: [string, Options][] = [['a linear convolution', { activation: 'linear' }], ['a convolution behind another layer', { behindLayer: true }], ['a convolution read twice', { secondReader: true }]];
    for (const [what, options] of cases) {
      const model = convolvedModel(options);
      const graph = LayerGraph.of(model)!;
      assert.ok(graph, `${what}: the product is still split`);
      assertTfjsGradients(model, graph, what);
      assert.equal(counter.calls, 0, what);
      model.dispose();
    }
  } finally {
    undo();
  }
});

test("on wasm, @polymodal/backend-wasm's routine gives tfjs's gradients", async () => {
  await selectBackend('wasm');
  const model = convolvedModel();
  const graph = LayerGraph.of(model)!;
  assert.match(graph.description, /relu convolution in its part's product/);
  assertTfjsGradients(model, graph, 'on wasm');
  model.dispose();
});

after(() => tf.setBackend('cpu'));
