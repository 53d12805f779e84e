import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';

import * as tf from '@tensorflow/tfjs';

import { buildContext } from '../model/compose-model.js';
import { saveToMemory } from '../testing/memory-io.js';
import { runLayerTest } from '../testing/layer-harness.js';
import { PolymodalNullEmbedding, replaceMissing } from './index.js';
import { fixedValues, flat, maxAbsDiff } from './test-fixtures/helpers.js';

/** A model `[x, present] -> null embedding`, its layer and the learned vector set to fixed values. */
function nullEmbeddingModel(featureShape: number[]): { model: tf.LayersModel; layer: PolymodalNullEmbedding; vector: number[] } {
  const x = tf.input({ shape: featureShape });
  const present = tf.input({ shape: [1] });
  const layer = new PolymodalNullEmbedding();
  const model = tf.model({ inputs: [x, present], outputs: layer.apply([x, present]) as tf.SymbolicTensor });
  const units = featureShape.at(-1)!;
  const vector = fixedValues(units, 3);
  layer.setWeights([tf.tensor1d(vector)]);
  return { model, layer, vector };
}

describe('PolymodalNullEmbedding', () => {
  before(async () => {
    await tf.setBackend('cpu');
  });

  it('passes the layer harness on vectors and sequences; parameters = units', async () => {
    await runLayerTest({
      create: () => new PolymodalNullEmbedding({ initializer: 'glorotUniform' }),
      inputShape: [[4], [1]],
      expectedOutputShape: [null, 4],
      expectedTrainableWeights: 1,
      expectedNonTrainableWeights: 0,
      expectedParams: 4,
    });
    await runLayerTest({
      create: () => new PolymodalNullEmbedding({ initializer: 'randomNormal' }),
      inputShape: [[3, 5], [1]],
      batchSize: 3,
      expectedOutputShape: [null, 3, 5],
      expectedParams: 5,
    });
  });

  it('keeps present rows as they are and gives missing rows the vector, whatever they held (NaN included)', () => {
    const { model, vector } = nullEmbeddingModel([3]);
    const present = tf.tensor2d([[1], [0], [1], [0]]);
    const rows = fixedValues(12, 5);
    const other = rows.map((v, i) => (Math.floor(i / 3) % 2 === 1 ? (i % 3 === 0 ? NaN : v * 1000 + 7) : v));
    const a = flat(model.predict([tf.tensor2d(rows, [4, 3]), present]) as tf.Tensor);
    const b = flat(model.predict([tf.tensor2d(other, [4, 3]), present]) as tf.Tensor);
    assert.deepEqual(b, a);
    const want = rows.map((v, i) => (Math.floor(i / 3) % 2 === 1 ? vector[i % 3] : v));
    assert.ok(maxAbsDiff(a, want) < 1e-6, `got ${a}, want ${want}`);
    present.dispose();
    model.dispose();
  });

  it('replaces every step of a missing sequence row by the vector', () => {
    const { model, vector } = nullEmbeddingModel([2, 3]);
    const rows = fixedValues(12, 9);
    const got = flat(model.predict([tf.tensor3d(rows, [2, 2, 3]), tf.tensor2d([[0], [1]])]) as tf.Tensor);
    const want = rows.map((v, i) => (i < 6 ? vector[i % 3] : v));
    assert.ok(maxAbsDiff(got, want) < 1e-6, `got ${got}, want ${want}`);
    model.dispose();
  });

  it('trains its vector from missing rows only', () => {
    const { model, layer } = nullEmbeddingModel([3]);
    const weights = fixedValues(3, 11);
    const gradient = (presentRows: number[]) => tf.tidy(() => {
      const x = tf.tensor2d(fixedValues(3 * presentRows.length, 13), [presentRows.length, 3]);
      const present = tf.tensor2d(presentRows, [presentRows.length, 1]);
      const { grads } = tf.variableGrads(
        () => tf.sum(tf.mul(model.apply([x, present]) as tf.Tensor, tf.tensor1d(weights))) as tf.Scalar,
        layer.trainableWeights.map((w) => (w as unknown as { val: tf.Variable }).val),
      );
      return Array.from(Object.values(grads)[0].dataSync());
    });
    // d(sum(out * w)) / d(vector) = w per missing row: two missing rows give 2w, none gives 0.
    assert.ok(maxAbsDiff(gradient([1, 0, 1, 0]), weights.map((w) => 2 * w)) < 1e-6);
    assert.deepEqual(gradient([1, 1, 1]), [0, 0, 0]);
    model.dispose();
  });

  it('passes a sequence mask on with the steps of missing rows unmasked', () => {
    // tfjs's own poolings ignore masks, so the mask is checked where it is made.
    const layer = new PolymodalNullEmbedding();
    const x = tf.zeros([2, 3, 2]);
    const present = tf.tensor2d([[0], [1]]);
    const mask = tf.tensor2d([[0, 0, 0], [1, 1, 0]], [2, 3], 'bool');
    const carried = layer.computeMask([x, present], [mask, null as unknown as tf.Tensor]) as tf.Tensor;
    assert.equal(carried.dtype, 'bool');
    assert.deepEqual(carried.arraySync(), [[1, 1, 1], [1, 1, 0]]);
    assert.equal(layer.computeMask([x, present], undefined), null);
    tf.dispose([x, present, mask, carried]);
  });

  it('survives a save/load round trip through a model with the same predictions', async () => {
    const { model } = nullEmbeddingModel([4]);
    const loaded = await tf.loadLayersModel(tf.io.fromMemory(await saveToMemory(model)));
    assert.equal(loaded.layers.at(-1)!.getClassName(), 'PolymodalNullEmbedding');
    const xs = [tf.tensor2d(fixedValues(12, 17), [3, 4]), tf.tensor2d([[0], [1], [0]])];
    assert.deepEqual(flat(loaded.predict(xs) as tf.Tensor), flat(model.predict(xs) as tf.Tensor));
    tf.dispose(xs);
    model.dispose();
    loaded.dispose();
  });

  it('leaks no tensor in predict and training steps', async () => {
    const { model } = nullEmbeddingModel([3]);
    model.compile({ optimizer: tf.train.sgd(0.1), loss: 'meanSquaredError' });
    const xs = [tf.tensor2d(fixedValues(6, 19), [2, 3]), tf.tensor2d([[1], [0]])];
    const ys = tf.zeros([2, 3]);
    await model.trainOnBatch(xs, ys);
    const before = tf.memory().numTensors;
    flat(model.predict(xs) as tf.Tensor);
    await model.trainOnBatch(xs, ys);
    assert.equal(tf.memory().numTensors, before);
    tf.dispose([...xs, ys]);
    model.dispose();
  });

  it('rejects bad inputs and options clearly', () => {
    assert.throws(() => new PolymodalNullEmbedding({ initializer: 'nope' as never }), /initializer must be one of/);
    const layer = new PolymodalNullEmbedding();
    assert.throws(() => layer.apply(tf.input({ shape: [4] })), /expects two inputs \[features, present\]/);
    assert.throws(() => layer.apply([tf.input({ shape: [4] }), tf.input({ shape: [2] })]), /present must be \[batch, 1\]/);
  });
});

describe('replaceMissing', () => {
  it('returns a required input\'s tensor untouched and null-embeds an optional one, named after the input', () => {
    const ctx = buildContext('fusion', new Set());
    const tensor = tf.input({ shape: [4] });
    assert.equal(replaceMissing({ tensor, kind: 'vector' }, ctx, 'image'), tensor);
    const present = tf.input({ shape: [1] });
    const replaced = replaceMissing({ tensor, kind: 'vector', present }, ctx, 'image');
    assert.deepEqual(replaced.shape, [null, 4]);
    assert.equal(replaced.sourceLayer.name, 'fusion_image_null_embedding');
    assert.equal(replaced.sourceLayer.getClassName(), 'PolymodalNullEmbedding');
    assert.equal(replaceMissing({ tensor, kind: 'vector', present }, ctx, 'image').sourceLayer.name, 'fusion_image_null_embedding_2');
  });
});
