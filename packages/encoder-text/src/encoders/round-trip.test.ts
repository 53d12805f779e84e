import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileSystemHandler, type EncoderDefinition } from '@polymodal/core';
import { tokenizerDefaults } from './test-fixtures/defaults.js';
import { textBagEncoder } from './bag-encoder.js';
import { textCnnEncoder } from './cnn-encoder.js';
import { textGruEncoder, textLstmEncoder } from './recurrent-encoder.js';
import { textTransformerEncoder } from './transformer-encoder.js';
import { buildEncoder } from './test-fixtures/build-and-train.js';

const common = { ...tokenizerDefaults, numWords: 50, maxLength: 8 };
const cases: [EncoderDefinition<any>, Record<string, unknown>][] = [
  [textLstmEncoder, { embeddingDim: 8, units: 4, layers: 1, bidirectional: false, dropout: 0, recurrentDropout: 0, output: 'vector', implementation: 'auto', trainEmbeddings: true }],
  [textGruEncoder, { embeddingDim: 8, units: 4, layers: 2, bidirectional: true, dropout: 0, recurrentDropout: 0, output: 'vector', implementation: 'auto', trainEmbeddings: true, resetAfter: true }],
  [textGruEncoder, { embeddingDim: 8, units: 4, layers: 2, bidirectional: true, dropout: 0, recurrentDropout: 0, output: 'vector', implementation: 'auto', trainEmbeddings: true, resetAfter: false }],
  [textCnnEncoder, { embeddingDim: 8, convFilters: 4, kernelSizes: [2, 3], activation: 'relu', dropout: 0, output: 'vector', trainEmbeddings: true }],
  [textTransformerEncoder, { embeddingDim: 8, heads: 2, ffDim: 16, blocks: 1, dropout: 0, pooling: 'mean', output: 'vector', trainEmbeddings: true }],
  [textBagEncoder, { mode: 'tfidf', units: [4], activation: 'relu', dropout: 0 }],
];

describe('every text encoder survives a save/load round trip of its model', () => {
  for (const [encoder, options] of cases) {
    it(`${encoder.type}${options['resetAfter'] === false ? ' (resetAfter: false)' : ''}`, async () => {
      const { model, xs } = await buildEncoder(encoder, { ...common, ...options });
      const dir = mkdtempSync(join(tmpdir(), 'polymodal-text-roundtrip-'));
      try {
        await model.save(fileSystemHandler(dir));
        const loaded = await tf.loadLayersModel(fileSystemHandler(dir));
        assert.deepEqual(loaded.layers.map((l) => l.getClassName()), model.layers.map((l) => l.getClassName()));
        const expected = (model.predict(xs) as tf.Tensor).dataSync();
        const actual = (loaded.predict(xs) as tf.Tensor).dataSync();
        actual.forEach((value, i) => assert.ok(Math.abs(value - expected[i]) < 1e-5, `${encoder.type} output ${i}`));
        loaded.dispose();
      } finally {
        rmSync(dir, { recursive: true, force: true });
        tf.dispose(xs);
        model.dispose();
      }
    });
  }
});
