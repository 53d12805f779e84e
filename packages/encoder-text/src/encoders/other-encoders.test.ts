import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import * as tf from '@tensorflow/tfjs';
import { textBagEncoder } from './bag-encoder.js';
import { textCnnEncoder } from './cnn-encoder.js';
import { textTransformerEncoder } from './transformer-encoder.js';
import { buildEncoder, trainTwoEpochs } from './test-fixtures/build-and-train.js';
import { tokenizerDefaults } from './test-fixtures/defaults.js';

describe('text/cnn', () => {
  it('parallel Conv1D + global max pool + concat: shape, parameters, a training step without leaks', async () => {
    const options = { ...tokenizerDefaults, numWords: 50, maxLength: 10, embeddingDim: 8, trainEmbeddings: true, convFilters: 4, kernelSizes: [2, 3], activation: 'relu' as const, dropout: 0.1, output: 'vector' as const };
    const { model, encoded, xs, ys, encoderParams } = await buildEncoder(textCnnEncoder, options);
    assert.deepEqual(encoded.tensor.shape, [null, 8]);
    assert.equal(encoderParams, 50 * 8 + (2 * 8 * 4 + 4) + (3 * 8 * 4 + 4));
    const { changed, leaked } = await trainTwoEpochs(model, xs, ys);
    assert.ok(changed);
    assert.equal(leaked, 0);
    tf.dispose([...xs, ys]);
    model.dispose();
  });

  it("output 'sequence' keeps the steps (same padding)", async () => {
    const options = { ...tokenizerDefaults, numWords: 50, maxLength: 10, embeddingDim: 8, trainEmbeddings: false, convFilters: 4, kernelSizes: [3, 5], activation: 'relu' as const, dropout: 0, output: 'sequence' as const };
    const { model, encoded } = await buildEncoder(textCnnEncoder, options);
    assert.deepEqual(encoded.tensor.shape, [null, 10, 8]);
    assert.equal(model.layers.find((l) => l.getClassName() === 'Embedding')!.trainableWeights.length, 0, 'trainEmbeddings false freezes it');
    model.dispose();
  });
});

describe('text/transformer', () => {
  it('embedding + positions + blocks with the token ids as padding mask, mean pooled', async () => {
    const options = { ...tokenizerDefaults, numWords: 40, maxLength: 8, embeddingDim: 8, trainEmbeddings: true, heads: 2, ffDim: 16, blocks: 2, dropout: 0.1, pooling: 'mean' as const, output: 'vector' as const };
    const { model, encoded, xs, ys, encoderParams } = await buildEncoder(textTransformerEncoder, options);
    assert.deepEqual(encoded.tensor.shape, [null, 8]);
    const D = 8, H = 2, K = 4, F = 16;
    const block = 4 * D * H * K + 3 * H * K + D + 4 * D + D * F + F + F * D + D;
    assert.equal(encoderParams, 40 * 8 + 8 * 8 + 2 * block);
    const { changed, leaked } = await trainTwoEpochs(model, xs, ys);
    assert.ok(changed);
    assert.equal(leaked, 0);
    tf.dispose([...xs, ys]);
    model.dispose();
  });
});

describe('text/bag', () => {
  it('tf-idf over numWords into dense layers: shape, parameters, training', async () => {
    const options = { ...tokenizerDefaults, numWords: 30, mode: 'tfidf' as const, units: [8], activation: 'relu' as const, dropout: 0.2 };
    const { model, encoded, xs, ys, encoderParams } = await buildEncoder(textBagEncoder, options);
    assert.deepEqual(encoded.tensor.shape, [null, 8]);
    assert.equal(encoderParams, 30 * 8 + 8);
    const { changed, leaked } = await trainTwoEpochs(model, xs, ys);
    assert.ok(changed);
    assert.equal(leaked, 0);
    tf.dispose([...xs, ys]);
    model.dispose();
  });
});
