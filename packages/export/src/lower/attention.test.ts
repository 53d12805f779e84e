import { test } from 'node:test';
import * as tf from '@tensorflow/tfjs';
import {
  PolymodalMultiHeadAttention, PolymodalNullEmbedding, PolymodalPositionalEmbedding, PolymodalTransformerEncoderBlock,
} from '@polymodal/core';
import { assertExportsMatch, randomInputs } from '../test-fixtures/compare.js';

const apply = (layer: tf.layers.Layer, x: tf.SymbolicTensor | tf.SymbolicTensor[]) => layer.apply(x) as tf.SymbolicTensor;

function randomizeWeights(model: tf.LayersModel): void {
  model.layers.forEach((layer, i) => layer.setWeights(layer.getWeights().map((w, j) => tf.randomNormal(w.shape, 0, 0.5, 'float32', 10 * i + j))));
}

/** Token ids with padding (0) at the end of some rows, as the text preprocessor writes them. */
function paddedIds(): tf.Tensor {
  return tf.tensor2d([[3, 1, 4, 1, 5], [9, 2, 6, 0, 0], [5, 0, 0, 0, 0]]);
}

test('PolymodalMultiHeadAttention: self, cross (query, value, key), padding mask and causal mask', async () => {
  const q = tf.input({ shape: [4, 6], name: 'query' });
  const v = tf.input({ shape: [5, 3], name: 'value' });
  const k = tf.input({ shape: [5, 2], name: 'key' });
  const mask = tf.input({ shape: [5], name: 'mask' });
  const self = apply(new PolymodalMultiHeadAttention({ numHeads: 2, keyDim: 3, useCausalMask: true }), q);
  const cross = apply(new PolymodalMultiHeadAttention({ numHeads: 3, keyDim: 2, valueDim: 4, outputShape: 5 }), [q, v, k, mask]);
  const model = tf.model({ inputs: [q, v, k, mask], outputs: [self, cross] });
  randomizeWeights(model);
  const [qs, vs, ks] = randomInputs(model).slice(0, 3);
  await assertExportsMatch(model, [qs, vs, ks, paddedIds()]);
});

test('PolymodalTransformerEncoderBlock with positions and a padding mask (relu and gelu), LayerNormalization and reductions at opsets 13, 17, 18 and 21', async () => {
  for (const activation of ['relu', 'gelu'] as const) {
    const ids = tf.input({ shape: [5], name: 'ids' });
    let x = apply(tf.layers.embedding({ inputDim: 10, outputDim: 8 }), ids);
    x = apply(new PolymodalPositionalEmbedding({ sequenceLength: 7 }), x);
    x = apply(new PolymodalTransformerEncoderBlock({ numHeads: 2, ffDim: 6, activation }), [x, ids]);
    x = apply(new PolymodalTransformerEncoderBlock({ numHeads: 4, ffDim: 3 }), x);
    const model = tf.model({ inputs: ids, outputs: apply(tf.layers.globalAveragePooling1d({}), x) });
    randomizeWeights(model);
    for (const opset of [17, 13, 18, 21]) await assertExportsMatch(model, [paddedIds()], opset);
  }
});

test('PolymodalNullEmbedding replaces missing rows (NaN features included) by its vector, for vectors and sequences', async () => {
  const vector = tf.input({ shape: [3], name: 'vector' });
  const sequence = tf.input({ shape: [2, 3], name: 'sequence' });
  const present = tf.input({ shape: [1], name: 'present' });
  const model = tf.model({
    inputs: [vector, sequence, present],
    outputs: [apply(new PolymodalNullEmbedding({}), [vector, present]), apply(new PolymodalNullEmbedding({}), [sequence, present])],
  });
  randomizeWeights(model);
  const features = tf.tensor2d([[1, 2, 3], [NaN, NaN, NaN], [4, 5, 6]]);
  const steps = tf.tensor3d([[[1, 2, 3], [4, 5, 6]], [[NaN, 0, 1], [2, 3, 4]], [[7, 8, 9], [1, 1, 1]]]);
  await assertExportsMatch(model, [features, steps, tf.tensor2d([[1], [0], [1]])]);
});
