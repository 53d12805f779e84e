import { test } from 'node:test';
import * as tf from '@tensorflow/tfjs';
import { assertExportsMatch, randomIds, randomInputs } from '../test-fixtures/compare.js';

function modelOf(inputShape: number[], body: (x: tf.SymbolicTensor) => tf.SymbolicTensor): tf.LayersModel {
  const input = tf.input({ shape: inputShape, name: 'features' });
  return tf.model({ inputs: input, outputs: body(input) });
}

const apply = (layer: tf.layers.Layer, x: tf.SymbolicTensor | tf.SymbolicTensor[]) => layer.apply(x) as tf.SymbolicTensor;

test('Dense with every supported activation, over vectors and sequences', async () => {
  for (const activation of ['linear', 'relu', 'relu6', 'sigmoid', 'tanh', 'softmax', 'elu', 'selu', 'softplus', 'swish', 'gelu'] as const) {
    const model = modelOf([4, 6], (x) => apply(tf.layers.dense({ units: 3, activation: activation as 'relu' }), apply(tf.layers.dense({ units: 5, activation: activation as 'relu' }), x)));
    await assertExportsMatch(model, randomInputs(model, 3));
    model.dispose();
  }
  const flat = modelOf([6], (x) => apply(tf.layers.dense({ units: 2, useBias: false, name: 'output' }), x));
  await assertExportsMatch(flat, randomInputs(flat));
});

test('Flatten, Reshape, Concatenate, Dropout, Activation, LeakyReLU, Rescaling and the merge layers', async () => {
  const a = tf.input({ shape: [2, 3], name: 'a' });
  const b = tf.input({ shape: [6], name: 'b' });
  const flat = apply(tf.layers.flatten(), apply(tf.layers.dropout({ rate: 0.5 }), a));
  const reshaped = apply(tf.layers.flatten(), apply(tf.layers.reshape({ targetShape: [3, 2] }), b));
  const merged = [tf.layers.add(), tf.layers.multiply(), tf.layers.average(), tf.layers.maximum(), tf.layers.minimum()].map((layer) => apply(layer, [flat, reshaped]));
  const activated = [apply(tf.layers.activation({ activation: 'tanh' }), flat), apply(tf.layers.leakyReLU({ alpha: 0.2 }), flat), apply(tf.layers.rescaling({ scale: 1 / 255, offset: -0.5 }), flat)];
  const joined = apply(tf.layers.concatenate(), [...merged, ...activated]);
  const model = tf.model({ inputs: [a, b], outputs: [joined, apply(tf.layers.concatenate({ axis: 1 }), [a, apply(tf.layers.reshape({ targetShape: [2, 3] }), b)])] });
  await assertExportsMatch(model, randomInputs(model));
});

test('Embedding takes float or int32 ids', async () => {
  for (const dtype of ['float32', 'int32'] as const) {
    const ids = tf.input({ shape: [5], dtype, name: 'ids' });
    const model = tf.model({ inputs: ids, outputs: apply(tf.layers.flatten(), apply(tf.layers.embedding({ inputDim: 11, outputDim: 4 }), ids)) });
    const given = randomIds([3, 5], 11);
    await assertExportsMatch(model, [dtype === 'int32' ? tf.cast(given, 'int32') : given]);
  }
});
