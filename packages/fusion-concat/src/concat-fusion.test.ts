import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import type { BuildContext, EncoderOutput } from '@polymodal/core';
import { concatFusion, type ConcatOptions } from './concat-fusion.js';

const ctx: BuildContext = { tf, layerName: (s) => `fusion_${s}` };
const options = (o: Partial<ConcatOptions> = {}): ConcatOptions => ({ units: [], activation: 'relu', dropout: 0, sequencePooling: 'mean', ...o });

test('concatenates vectors, pooling sequences, then dense layers with dropout', () => {
  const a = tf.input({ shape: [3] });
  const b = tf.input({ shape: [5, 4] });
  const features: Record<string, EncoderOutput> = { a: { tensor: a, kind: 'vector' }, b: { tensor: b, kind: 'sequence' } };
  assert.deepEqual(concatFusion.build(features, options(), ctx).shape, [null, 7]);
  const dense = concatFusion.build(features, options({ units: [6], dropout: 0.5, sequencePooling: 'max' }), { tf, layerName: (s) => `f2_${s}` });
  assert.deepEqual(dense.shape, [null, 6]);
  const model = tf.model({ inputs: [a, b], outputs: dense });
  assert.deepEqual(model.layers.map((l) => l.getClassName()), ['InputLayer', 'InputLayer', 'GlobalMaxPooling1D', 'Concatenate', 'Dense', 'Dropout']);
  assert.equal(model.countParams(), 7 * 6 + 6);
});

test('the mean pooling of a sequence equals its average over time', async () => {
  await tf.setBackend('cpu');
  const b = tf.input({ shape: [2, 2] });
  const out = concatFusion.build({ b: { tensor: b, kind: 'sequence' } }, options(), { tf, layerName: (s) => `f3_${s}` });
  const model = tf.model({ inputs: b, outputs: out });
  const y = model.predict(tf.tensor3d([[[1, 2], [3, 6]]])) as tf.Tensor;
  assert.deepEqual(y.arraySync(), [[2, 4]]);
});
