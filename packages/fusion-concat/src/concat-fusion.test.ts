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

test('a missing input gets a learned null embedding: the output is the same whatever its features held', async () => {
  await tf.setBackend('cpu');
  const a = tf.input({ shape: [3] });
  const b = tf.input({ shape: [2, 2] });
  const present = tf.input({ shape: [1] });
  // No dense layers: a ReLU unit with unseeded weights can be dead, and the last check needs b's features to reach the output.
  const out = concatFusion.build(
    { a: { tensor: a, kind: 'vector' }, b: { tensor: b, kind: 'sequence', present } },
    options({ units: [] }),
    { tf, layerName: (s) => `f4_${s}` },
  );
  const model = tf.model({ inputs: [a, b, present], outputs: out });
  assert.ok(model.layers.some((l) => l.getClassName() === 'PolymodalNullEmbedding'));
  const before = tf.memory().numTensors;
  const predict = (bValues: number[], isPresent: number) => tf.tidy(() =>
    (model.predict([tf.tensor2d([[1, -2, 3]]), tf.tensor3d([[[bValues[0], bValues[1]], [bValues[2], bValues[3]]]]), tf.tensor2d([[isPresent]])]) as tf.Tensor).arraySync() as number[][]);
  // Absent: what the cell held (zeros, garbage, NaN) makes no difference.
  const absentZeros = predict([0, 0, 0, 0], 0);
  assert.deepEqual(predict([5, -7, 100, 3], 0), absentZeros);
  assert.deepEqual(predict([NaN, 1, 2, 3], 0), absentZeros);
  // Present: the features count.
  assert.notDeepEqual(predict([5, -7, 100, 3], 1), predict([0, 0, 0, 0], 1));
  assert.equal(tf.memory().numTensors, before, 'predicting leaks no tensor');
  model.dispose();
});
