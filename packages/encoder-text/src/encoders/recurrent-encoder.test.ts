import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import * as tf from '@tensorflow/tfjs';
import type { GruEncoderOptions, RecurrentEncoderOptions } from '../options.js';
import { TextPreprocessor } from '../text-preprocessor.js';
import { textGruEncoder, textLstmEncoder } from './recurrent-encoder.js';
import { buildEncoder, rows, trainTwoEpochs } from './test-fixtures/build-and-train.js';
import { tokenizerDefaults } from './test-fixtures/defaults.js';

const article: RecurrentEncoderOptions = {
  ...tokenizerDefaults, numWords: 1000, maxLength: 100, embeddingDim: 64, trainEmbeddings: true, units: 32, layers: 1,
  bidirectional: false, dropout: 0, recurrentDropout: 0, output: 'vector', implementation: 'auto',
};

const gruArticle: GruEncoderOptions = { ...article, resetAfter: true };

describe('text/lstm', () => {
  it("is exactly the article's text branch: Embedding(1000, 64) -> LSTM(32), 64,000 + 12,416 parameters", async () => {
    const { model, encoded, xs, ys } = await buildEncoder(textLstmEncoder, article);
    assert.deepEqual(encoded.tensor.shape, [null, 32]);
    assert.equal(encoded.kind, 'vector');
    const counts = model.layers.filter((l) => l.countParams() > 0).map((l) => [l.getClassName(), l.countParams()]);
    assert.deepEqual(counts.slice(0, 2), [['Embedding', 64_000], ['PolymodalLSTM', 12_416]]);
    tf.dispose([...xs, ys]);
    model.dispose();
    // The same layers over 10 steps train as they would over 100 (the parameters do not depend on the length);
    // 100 steps on tfjs's pure-JS cpu backend, which this package's tests run on, took 2.5 minutes of CI.
    const short = await buildEncoder(textLstmEncoder, { ...article, maxLength: 10 });
    assert.deepEqual(short.model.layers.filter((l) => l.countParams() > 0).map((l) => l.countParams()).slice(0, 2), [64_000, 12_416]);
    const { changed, leaked } = await trainTwoEpochs(short.model, short.xs, short.ys);
    assert.ok(changed, 'a training epoch changes the weights');
    assert.equal(leaked, 0, 'no tensors leak in a training epoch');
    tf.dispose([...short.xs, short.ys]);
    short.model.dispose();
  });

  it('restores its tokenizer from the saved state and transforms the same', async () => {
    const { spec, preprocessor, model } = await buildEncoder(textLstmEncoder, { ...article, maxLength: 6 });
    const restored = new TextPreprocessor(spec, JSON.parse(JSON.stringify(preprocessor.state())));
    assert.deepEqual(restored.transform(rows.slice(0, 5)), preprocessor.transform(rows.slice(0, 5)));
    model.dispose();
  });
});

describe('text/gru', () => {
  it('stacks bidirectional layers and returns a sequence: [steps, 2 * units], Keras GRU parameter counts', async () => {
    const options = { ...gruArticle, maxLength: 8, embeddingDim: 6, units: 4, layers: 2, bidirectional: true, output: 'sequence' as const, dropout: 0.1, recurrentDropout: 0.1 };
    const { model, encoded, xs, ys } = await buildEncoder(textGruEncoder, options);
    assert.deepEqual(encoded.tensor.shape, [null, 8, 8]);
    assert.equal(encoded.kind, 'sequence');
    const gru = (d: number, u: number) => 3 * (d * u + u * u + 2 * u);
    const grus = model.layers.filter((l) => l.getClassName() === 'PolymodalGRU').map((l) => l.countParams());
    assert.deepEqual(grus, [gru(6, 4), gru(6, 4), gru(8, 4), gru(8, 4)]);
    const { changed, leaked } = await trainTwoEpochs(model, xs, ys);
    assert.ok(changed);
    assert.equal(leaked, 0);
    tf.dispose([...xs, ys]);
    model.dispose();
  });

  it('learns the toy task with the ops implementation too', async () => {
    const { model, xs, ys } = await buildEncoder(textGruEncoder, { ...gruArticle, maxLength: 8, embeddingDim: 8, units: 8, implementation: 'ops' as const });
    const first = (await model.fit(xs, ys, { epochs: 1, batchSize: 16, verbose: 0 })).history.loss[0] as number;
    const history = await model.fit(xs, ys, { epochs: 15, batchSize: 16, verbose: 0 });
    const last = history.history.loss.at(-1) as number;
    assert.ok(last < first, `loss ${first} -> ${last}`);
    tf.dispose([...xs, ys]);
    model.dispose();
  });

  it('resetAfter: false builds reset-before GRU layers (bias [3 x units], Keras reset_after=False parameter counts) that train', async () => {
    const options = { ...gruArticle, maxLength: 8, embeddingDim: 6, units: 4, bidirectional: true, resetAfter: false };
    const { model, xs, ys } = await buildEncoder(textGruEncoder, options);
    const grus = model.layers.filter((l) => l.getClassName() === 'PolymodalGRU');
    assert.deepEqual(grus.map((l) => (l.getConfig() as { resetAfter: boolean }).resetAfter), [false, false]);
    assert.deepEqual(grus.map((l) => l.getWeights()[2].shape), [[12], [12]]);
    assert.deepEqual(grus.map((l) => l.countParams()), [3 * (6 * 4 + 4 * 4 + 4), 3 * (6 * 4 + 4 * 4 + 4)]);
    const { changed, leaked } = await trainTwoEpochs(model, xs, ys);
    assert.ok(changed);
    assert.equal(leaked, 0);
    tf.dispose([...xs, ys]);
    model.dispose();
  });

  it("offers resetAfter (default true, described) in text/gru's options only: text/lstm's closed schema refuses it", () => {
    const gru = textGruEncoder.optionsSchema as { properties: Record<string, { type?: string; default?: unknown; description?: string }> };
    const lstm = textLstmEncoder.optionsSchema as { additionalProperties: boolean; properties: Record<string, unknown> };
    assert.equal(gru.properties['resetAfter']?.type, 'boolean');
    assert.equal(gru.properties['resetAfter']?.default, true);
    assert.match(gru.properties['resetAfter']?.description ?? '', /reset_after.*GRUBlockCell/);
    assert.deepEqual(Object.keys(gru.properties).filter((k) => k !== 'resetAfter'), Object.keys(lstm.properties));
    assert.equal(lstm.additionalProperties, false);
    assert.equal('resetAfter' in lstm.properties, false);
  });
});
