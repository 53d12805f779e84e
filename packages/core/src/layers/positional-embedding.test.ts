import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';

import * as tf from '@tensorflow/tfjs';

import { runLayerTest } from '../testing/layer-harness.js';
import { PolymodalMultiHeadAttention, PolymodalPositionalEmbedding } from './index.js';
import { fixedValues, flat, maxAbsDiff, setFixedWeights } from './test-fixtures/helpers.js';

describe('PolymodalPositionalEmbedding', () => {
  before(async () => {
    await tf.setBackend('cpu');
  });

  it('passes the layer harness; parameters = sequenceLength * features', async () => {
    await runLayerTest({
      create: () => new PolymodalPositionalEmbedding({ sequenceLength: 8 }),
      inputShape: [5, 4],
      expectedOutputShape: [null, 5, 4],
      expectedTrainableWeights: 1,
      expectedNonTrainableWeights: 0,
      expectedParams: 8 * 4,
    });
    await runLayerTest({
      create: () => new PolymodalPositionalEmbedding({ sequenceLength: 3, initializer: 'truncatedNormal' }),
      inputShape: [3, 2],
      batchSize: 3,
      expectedOutputShape: [null, 3, 2],
      expectedParams: 6,
    });
  });

  it('adds row t of the table to step t, for any length up to sequenceLength', () => {
    const x = tf.input({ shape: [null, 3] });
    const layer = new PolymodalPositionalEmbedding({ sequenceLength: 6 });
    const model = tf.model({ inputs: x, outputs: layer.apply(x) as tf.SymbolicTensor });
    const [table] = [...setFixedWeights(layer).values()];
    for (const steps of [2, 6]) {
      const input = fixedValues(2 * steps * 3, steps);
      const got = flat(model.predict(tf.tensor3d(input, [2, steps, 3])) as tf.Tensor);
      const want = input.map((v, i) => v + table[i % (steps * 3)]);
      assert.ok(maxAbsDiff(got, want) < 1e-6, `steps ${steps}`);
    }
    assert.throws(() => tf.tidy(() => model.predict(tf.zeros([1, 7, 3]))), /input has 7 steps but sequenceLength is 6/);
    model.dispose();
  });

  it('carries a Keras mask on, so padding does not change real positions downstream', () => {
    const ids = tf.input({ shape: [null], dtype: 'int32' });
    let h = tf.layers.embedding({ inputDim: 12, outputDim: 4, maskZero: true }).apply(ids) as tf.SymbolicTensor;
    h = new PolymodalPositionalEmbedding({ sequenceLength: 8 }).apply(h) as tf.SymbolicTensor;
    h = new PolymodalMultiHeadAttention({ numHeads: 2, keyDim: 2 }).apply(h) as tf.SymbolicTensor;
    const model = tf.model({ inputs: ids, outputs: h });
    const short = flat(model.predict(tf.tensor2d([[5, 2, 9]], [1, 3], 'int32')) as tf.Tensor);
    const padded = flat(model.predict(tf.tensor2d([[5, 2, 9, 0, 0, 0]], [1, 6], 'int32')) as tf.Tensor);
    assert.ok(maxAbsDiff(padded.slice(0, short.length), short) < 1e-5);
    model.dispose();
  });

  it('rejects bad options and inputs clearly', () => {
    assert.throws(() => new PolymodalPositionalEmbedding({ sequenceLength: 0 }), /sequenceLength must be a positive integer/);
    assert.throws(
      () => new PolymodalPositionalEmbedding({ sequenceLength: 4, initializer: 'nope' as never }),
      /initializer must be one of/,
    );
    const layer = new PolymodalPositionalEmbedding({ sequenceLength: 4 });
    assert.throws(() => layer.apply(tf.input({ shape: [4] })), /expects one input \[batch, steps, features\]/);
    assert.throws(() => layer.apply(tf.input({ shape: [5, 2] })), /input has 5 steps but sequenceLength is 4/);
  });
});
