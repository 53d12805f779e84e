import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { acceleratedRoutines, registerAcceleratedRoutines, type AcceleratedRoutines, type Conv2dReluRoutine } from '@polymodal/core';
import { polymodalConv2d } from './fused-conv2d.js';

/** Registers, for the active backend, a conv2dRelu routine (tfjs's unfused ops) that records its calls. */
function countingRoutine(): { calls: Parameters<Conv2dReluRoutine['conv2dRelu']>[3][]; restore: () => void } {
  const calls: Parameters<Conv2dReluRoutine['conv2dRelu']>[3][] = [];
  const backend = tf.getBackend();
  const routines: AcceleratedRoutines = {
    ...(acceleratedRoutines(backend) ?? { provider: 'test', recurrentProduct: () => null }),
    conv2dRelu: () => ({
      conv2dRelu: (x, filter, bias, attrs) => {
        calls.push(attrs);
        return tf.relu(tf.add(tf.conv2d(x, filter, attrs.strides, attrs.pad), bias));
      },
    }),
  };
  return { calls, restore: registerAcceleratedRoutines(backend, routines) };
}

const args = (activation: 'relu' | 'linear' | 'tanh', extra: Partial<Parameters<typeof tf.layers.conv2d>[0]> = {}) =>
  ({ filters: 4, kernelSize: 3, activation, padding: 'same', strides: 2, ...extra, kernelInitializer: tf.initializers.glorotUniform({ seed: 3 }) } as Parameters<typeof tf.layers.conv2d>[0]);

test('is saved as a plain Conv2D: the same class name and config as tf.layers.conv2d', () => {
  const ours = polymodalConv2d({ ...args('relu'), name: 'conv_a' });
  const theirs = tf.layers.conv2d({ ...args('relu'), name: 'conv_a' });
  assert.equal(ours.getClassName(), 'Conv2D');
  assert.deepEqual(ours.getConfig(), theirs.getConfig());
  const model = tf.sequential({ layers: [tf.layers.inputLayer({ inputShape: [6, 6, 2] }), ours] });
  const json = JSON.parse(JSON.stringify(model.toJSON(null, false))) as { config: { layers: { class_name: string }[] } };
  assert.deepEqual(json.config.layers.map((l) => l.class_name), ['InputLayer', 'Conv2D']);
  model.dispose();
});

test("a relu convolution runs through the backend's conv2dRelu routine, and gives tfjs's Conv2D's values and gradients", () => {
  const { calls, restore } = countingRoutine();
  try {
    const x = tf.randomNormal([2, 7, 7, 2], 0, 1, 'float32', 11);
    const ours = polymodalConv2d(args('relu'));
    const theirs = tf.layers.conv2d(args('relu'));
    ours.apply(x);
    theirs.apply(x);
    theirs.setWeights(ours.getWeights());
    const run = (layer: tf.layers.Layer) => tf.tidy(() => {
      const { value, grads } = tf.variableGrads(() => tf.sum(tf.square(layer.apply(x) as tf.Tensor)) as tf.Scalar, layer.trainableWeights.map((w) => (w as unknown as { val: tf.Variable }).val));
      return [value.dataSync()[0]!, ...Object.values(grads).map((g) => Array.from(g.dataSync()))];
    });
    calls.length = 0;
    const [a, b] = [run(ours), run(theirs)];
    assert.deepEqual(calls, [{ strides: [2, 2], pad: 'same' }]);
    assert.deepEqual(a, b);
    tf.dispose(x);
  } finally {
    restore();
  }
});

test("other activations, no bias and dilation stay tfjs's own Conv2D", () => {
  const { calls, restore } = countingRoutine();
  try {
    const x = tf.randomNormal([1, 8, 8, 2]);
    for (const layer of [polymodalConv2d(args('linear')), polymodalConv2d(args('tanh')), polymodalConv2d(args('relu', { useBias: false })), polymodalConv2d(args('relu', { strides: 1, dilationRate: 2 }))]) {
      tf.dispose(layer.apply(x) as tf.Tensor);
    }
    assert.equal(calls.length, 0);
    tf.dispose(x);
  } finally {
    restore();
  }
});
