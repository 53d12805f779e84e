import { test } from 'node:test';
import * as tf from '@tensorflow/tfjs';
import { PolymodalTransformerEncoderBlock } from '@polymodal/core';
import { assertExportsMatch, randomInputs } from '../test-fixtures/compare.js';
import { pluginLayerClass } from '../test-fixtures/plugin-layers.js';

const apply = (layer: tf.layers.Layer, x: tf.SymbolicTensor | tf.SymbolicTensor[]) => layer.apply(x) as tf.SymbolicTensor;

function randomizeWeights(model: tf.LayersModel): void {
  model.layers.forEach((layer, i) => layer.setWeights(layer.getWeights().map((w, j) => tf.randomNormal(w.shape, 0, 0.5, 'float32', 10 * i + j))));
}

test('attention fusion layers: token mask (required and optional runs), masked mean and max pooling, attention reliance', async () => {
  const TokenMask = await pluginLayerClass('@polymodal/fusion-attention', 'PolymodalTokenMask');
  const MaskedPooling = await pluginLayerClass('@polymodal/fusion-attention', 'PolymodalMaskedPooling');
  const Reliance = await pluginLayerClass('@polymodal/fusion-attention', 'PolymodalAttentionReliance');
  for (const optional of [false, true]) {
    const tokens = tf.input({ shape: [4, 6], name: 'tokens' });
    const present = tf.input({ shape: [1], name: 'present' });
    const segments = [{ steps: 1, optional: false }, { steps: 3, optional }];
    const mask = apply(new TokenMask({ segments }), optional ? [tokens, present] : tokens);
    const [x, scores] = new PolymodalTransformerEncoderBlock({ numHeads: 2, ffDim: 5, returnAttentionScores: true }).apply([tokens, mask]) as tf.SymbolicTensor[];
    const [y, moreScores] = new PolymodalTransformerEncoderBlock({ numHeads: 3, keyDim: 2, ffDim: 5, returnAttentionScores: true }).apply([x, mask]) as tf.SymbolicTensor[];
    const outputs = [
      apply(new MaskedPooling({ pooling: 'mean' }), [y, mask]),
      apply(new MaskedPooling({ pooling: 'max' }), [y, mask]),
      apply(new Reliance({ steps: [1, 3] }), [mask, scores, moreScores]),
    ];
    const model = tf.model({ inputs: optional ? [tokens, present] : [tokens], outputs });
    randomizeWeights(model);
    const inputs = randomInputs(model, 4);
    if (optional) inputs[1] = tf.tensor2d([[1], [0], [1]]);
    await assertExportsMatch(model, inputs);
  }
});

test('gated fusion: PolymodalGatedCombine, sum and concat', async () => {
  const GatedCombine = await pluginLayerClass('@polymodal/fusion-concat', 'PolymodalGatedCombine');
  const a = tf.input({ shape: [4], name: 'a' });
  const b = tf.input({ shape: [4], name: 'b' });
  const gates = apply(tf.layers.dense({ units: 2, activation: 'softmax' }), apply(tf.layers.concatenate(), [a, b]));
  const outputs = (['sum', 'concat'] as const).map((combine) => apply(new GatedCombine({ combine }), [gates, a, b]));
  const model = tf.model({ inputs: [a, b], outputs });
  randomizeWeights(model);
  await assertExportsMatch(model, randomInputs(model));
});
