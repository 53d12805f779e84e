import { before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { runLayerTest } from '@polymodal/core/testing';
import { PolymodalGatedCombine } from './gated-combine.js';

describe('PolymodalGatedCombine', () => {
  before(async () => {
    await tf.setBackend('cpu');
  });

  it('passes the layer harness for sum and concat (no weights)', async () => {
    for (const combine of ['sum', 'concat'] as const) {
      await runLayerTest({
        create: () => new PolymodalGatedCombine({ combine }),
        inputShape: [[3], [4], [4], [4]],
        expectedOutputShape: [null, combine === 'sum' ? 4 : 12],
        expectedTrainableWeights: 0,
        expectedParams: 0,
        trainingStep: false,
      });
    }
  });

  it('scales each vector by its own gate column, then sums or concatenates', () => {
    const gates = tf.tensor2d([[0.25, 0.75], [1, 0]]);
    const a = tf.tensor2d([[1, 2], [3, 4]]);
    const b = tf.tensor2d([[10, 20], [30, 40]]);
    const sum = new PolymodalGatedCombine().apply([gates, a, b]) as tf.Tensor;
    assert.deepEqual(sum.arraySync(), [[7.75, 15.5], [3, 4]]);
    const concat = new PolymodalGatedCombine({ combine: 'concat' }).apply([gates, a, b]) as tf.Tensor;
    assert.deepEqual(concat.arraySync(), [[0.25, 0.5, 7.5, 15], [3, 4, 0, 0]]);
    tf.dispose([gates, a, b, sum, concat]);
  });

  it('rejects mismatched gates and widths clearly', () => {
    assert.throws(() => new PolymodalGatedCombine({ combine: 'mean' as never }), /combine must be one of sum, concat/);
    const layer = () => new PolymodalGatedCombine();
    assert.throws(() => layer().apply([tf.input({ shape: [3] }), tf.input({ shape: [4] }), tf.input({ shape: [4] })]), /gates must be \[batch, 2\]/);
    assert.throws(() => layer().apply([tf.input({ shape: [2] }), tf.input({ shape: [4] }), tf.input({ shape: [5] })]), /one known width/);
    assert.throws(() => layer().apply(tf.input({ shape: [2] })), /expects \[gates, h_1, \.\.\., h_n\]/);
  });
});
