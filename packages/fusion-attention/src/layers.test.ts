import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { runLayerTest } from '@polymodal/core/testing';
import { PolymodalAttentionReliance } from './attention-reliance.js';
import { PolymodalMaskedPooling } from './masked-pooling.js';
import { PolymodalTokenMask } from './token-mask.js';

test('the layers pass the layer harness (config, save/load, no leaks)', async () => {
  await tf.setBackend('cpu');
  await runLayerTest({
    create: () => new PolymodalTokenMask({ segments: [{ steps: 1, optional: false }, { steps: 3, optional: true }] }),
    inputShape: [[4, 2], [1]],
    inputMaxValue: [1, 2],
    expectedOutputShape: [null, 4],
    expectedTrainableWeights: 0,
    trainingStep: false,
  });
  await runLayerTest({
    create: () => new PolymodalMaskedPooling({ pooling: 'max' }),
    inputShape: [[4, 3], [4]],
    expectedOutputShape: [null, 3],
    expectedTrainableWeights: 0,
    trainingStep: false,
  });
  await runLayerTest({
    create: () => new PolymodalAttentionReliance({ steps: [1, 3] }),
    inputShape: [[4], [2, 4, 4], [2, 4, 4]],
    expectedOutputShape: [null, 2],
    expectedTrainableWeights: 0,
    trainingStep: false,
  });
});

test('token mask: a segment counts per its presence; pooling skips masked tokens; reliance sums attention per modality', async () => {
  await tf.setBackend('cpu');
  const before = tf.memory().numTensors;
  tf.tidy(() => {
    const tokens = tf.zeros([2, 4, 2]);
    const mask = new PolymodalTokenMask({ segments: [{ steps: 1, optional: false }, { steps: 2, optional: true }, { steps: 1, optional: true }] })
      .apply([tokens, tf.tensor2d([[1], [0]]), tf.tensor2d([[0], [1]])]) as tf.Tensor;
    assert.deepEqual(mask.arraySync(), [[1, 1, 1, 0], [1, 0, 0, 1]]);
    const x = tf.tensor3d([[[1, 2], [3, 4], [5, 6], [100, 100]], [[1, 2], [100, 100], [100, 100], [7, -8]]]);
    assert.deepEqual((new PolymodalMaskedPooling({ pooling: 'mean' }).apply([x, mask]) as tf.Tensor).arraySync(), [[3, 4], [4, -3]]);
    assert.deepEqual((new PolymodalMaskedPooling({ pooling: 'max' }).apply([x, mask]) as tf.Tensor).arraySync(), [[5, 6], [7, 2]]);
    // One block, one head; row 0's counted queries are tokens 0..2, each attending as given.
    const scores = tf.tensor4d([
      [[[0.5, 0.5, 0, 0], [0.2, 0.2, 0.6, 0], [1, 0, 0, 0], [0.25, 0.25, 0.25, 0.25]]],
      [[[0.5, 0, 0, 0.5], [1, 0, 0, 0], [1, 0, 0, 0], [0.1, 0, 0, 0.9]]],
    ]);
    const reliance = new PolymodalAttentionReliance({ steps: [1, 2, 1] }).apply([mask, scores]) as tf.Tensor;
    const expected = [[(0.5 + 0.2 + 1) / 3, (0.5 + 0.2 + 0.6) / 3, 0], [(0.5 + 0.1) / 2, 0, (0.5 + 0.9) / 2]];
    (reliance.arraySync() as number[][]).forEach((row, r) => row.forEach((v, m) => assert.ok(Math.abs(v - expected[r][m]) < 1e-6, `${r},${m}: ${v}`)));
  });
  assert.equal(tf.memory().numTensors, before);
});
