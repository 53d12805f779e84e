import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';

import * as tf from '@tensorflow/tfjs';

import { runLayerTest } from '../testing/layer-harness.js';
import { PolymodalTransformerEncoderBlock, type PolymodalTransformerEncoderBlockArgs } from './index.js';
import {
  dense,
  fixedValues,
  flat,
  layerNorm,
  maxAbsDiff,
  referenceAttention,
  setFixedWeights,
  to3d,
} from './test-fixtures/helpers.js';

/**
 * Parameters of the block on D features, H heads of size K, feed-forward width F:
 * attention (Keras MHA, value size K, output D) 4*D*H*K + 3*H*K + D, two layer norms 2*2*D,
 * feed-forward D*F + F + F*D + D.
 */
function blockParams(D: number, H: number, K: number, F: number): number {
  return 4 * D * H * K + 3 * H * K + D + 4 * D + D * F + F + F * D + D;
}

function built(args: PolymodalTransformerEncoderBlockArgs, shapes: number[][]): PolymodalTransformerEncoderBlock {
  const block = new PolymodalTransformerEncoderBlock(args);
  const inputs = shapes.map((s, i) => tf.input({ shape: s, dtype: i === 1 ? 'int32' : 'float32' }));
  block.apply(inputs.length === 1 ? inputs[0] : inputs);
  return block;
}

describe('PolymodalTransformerEncoderBlock', () => {
  before(async () => {
    await tf.setBackend('cpu');
  });

  it('passes the layer harness (sublayer weights tracked, saved and loaded)', async () => {
    await runLayerTest({
      create: () => new PolymodalTransformerEncoderBlock({ numHeads: 2, ffDim: 8, dropout: 0.1 }),
      inputShape: [5, 4],
      expectedOutputShape: [null, 5, 4],
      expectedTrainableWeights: 16,
      expectedNonTrainableWeights: 0,
      expectedParams: blockParams(4, 2, 2, 8),
    });
  });

  it('passes the layer harness with a padding-mask input, an explicit keyDim, gelu and a causal mask', async () => {
    await runLayerTest({
      create: () =>
        new PolymodalTransformerEncoderBlock({ numHeads: 3, keyDim: 5, ffDim: 6, activation: 'gelu', useCausalMask: true }),
      inputShape: [[4, 6], [4]],
      inputDtype: ['float32', 'int32'],
      inputMaxValue: [1, 2],
      expectedOutputShape: [null, 4, 6],
      expectedParams: blockParams(6, 3, 5, 6),
    });
  });

  it('counts parameters as the formula says', () => {
    assert.equal(blockParams(4, 2, 2, 8), 172);
    const block = built({ numHeads: 4, ffDim: 64 }, [[10, 32]]);
    assert.equal(block.countParams(), blockParams(32, 4, 8, 64));
    block.dispose();
  });

  it('computes LayerNorm(y + FFN(y)) with y = LayerNorm(x + MHA(x)), as a plain-JS reference', () => {
    const block = built({ numHeads: 2, ffDim: 5, layerNormEpsilon: 1e-5 }, [[3, 4]]);
    const w = setFixedWeights(block, 3);
    const xFlat = fixedValues(2 * 3 * 4, 5);
    const got = tf.tidy(() => flat(block.apply(tf.tensor3d(xFlat, [2, 3, 4]))));
    const x3 = to3d(xFlat, 2, 3, 4);
    const attention = to3d(referenceAttention({ query: x3, value: x3, w, H: 2, K: 2, V: 2, O: 4 }), 2, 3, 4);
    const want: number[] = [];
    for (let b = 0; b < 2; b++) {
      const y = layerNorm(
        x3[b].map((row, t) => row.map((v, i) => v + attention[b][t][i])),
        w.get('attention_norm/gamma')!,
        w.get('attention_norm/beta')!,
        1e-5,
      );
      const hidden = dense(y, w.get('ffn_intermediate/kernel')!, w.get('ffn_intermediate/bias')!, 5).map((r) =>
        r.map((v) => Math.max(0, v)),
      );
      const ff = dense(hidden, w.get('ffn_output/kernel')!, w.get('ffn_output/bias')!, 4);
      const out = layerNorm(
        y.map((row, t) => row.map((v, i) => v + ff[t][i])),
        w.get('ffn_norm/gamma')!,
        w.get('ffn_norm/beta')!,
        1e-5,
      );
      for (const row of out) want.push(...row);
    }
    assert.ok(maxAbsDiff(got, want) < 1e-5, `max diff ${maxAbsDiff(got, want)}`);
    block.dispose();
  });

  it('ignores padded steps given by a mask input or by a maskZero embedding', () => {
    const block = built({ numHeads: 2, ffDim: 8 }, [[5, 4], [5]]);
    const mask = tf.tensor2d([[1, 1, 1, 0, 0]], [1, 5], 'int32');
    const x = fixedValues(5 * 4, 9);
    const changed = x.map((v, i) => (i >= 12 ? v + 50 : v));
    const run = (values: number[]) => tf.tidy(() => flat(block.apply([tf.tensor3d(values, [1, 5, 4]), mask])));
    assert.ok(maxAbsDiff(run(changed).slice(0, 12), run(x).slice(0, 12)) < 1e-5);
    mask.dispose();
    block.dispose();

    const ids = tf.input({ shape: [null], dtype: 'int32' });
    const embedded = tf.layers.embedding({ inputDim: 20, outputDim: 8, maskZero: true }).apply(ids);
    const model = tf.model({
      inputs: ids,
      outputs: new PolymodalTransformerEncoderBlock({ numHeads: 2, ffDim: 16 }).apply(embedded) as tf.SymbolicTensor,
    });
    const short = flat(model.predict(tf.tensor2d([[4, 7, 1]], [1, 3], 'int32')) as tf.Tensor);
    const padded = flat(model.predict(tf.tensor2d([[4, 7, 1, 0, 0]], [1, 5], 'int32')) as tf.Tensor);
    assert.ok(maxAbsDiff(padded.slice(0, short.length), short) < 1e-5);
    model.dispose();
  });

  it('saves and loads a model with two blocks: weight names are scoped by block and stable', async () => {
    const x = tf.input({ shape: [3, 4] });
    const first = new PolymodalTransformerEncoderBlock({ numHeads: 2, ffDim: 6, name: 'encoder_1' });
    const second = new PolymodalTransformerEncoderBlock({ numHeads: 1, ffDim: 3, name: 'encoder_2' });
    const model = tf.model({ inputs: x, outputs: second.apply(first.apply(x)) as tf.SymbolicTensor });
    const names = model.weights.map((w) => w.originalName);
    assert.equal(new Set(names).size, names.length);
    assert.ok(names.includes('encoder_1/self_attention/query/kernel'));
    assert.ok(names.includes('encoder_2/ffn_norm/beta'));

    let saved: tf.io.ModelArtifacts | undefined;
    await model.save(
      tf.io.withSaveHandler(async (artifacts) => {
        saved = artifacts;
        return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
      }),
    );
    const loaded = await tf.loadLayersModel(
      tf.io.fromMemory({ ...saved!, modelTopology: JSON.parse(JSON.stringify(saved!.modelTopology)) }),
    );
    const input = tf.tensor3d(fixedValues(2 * 3 * 4, 1), [2, 3, 4]);
    assert.ok(maxAbsDiff(flat(loaded.predict(input) as tf.Tensor), flat(model.predict(input) as tf.Tensor)) < 1e-6);
    input.dispose();
    model.dispose();
    loaded.dispose();
  });

  it('freezes every sublayer when trainable is false', () => {
    const block = built({ numHeads: 2, ffDim: 4 }, [[3, 4]]);
    block.trainable = false;
    assert.equal(block.trainableWeights.length, 0);
    assert.equal(block.nonTrainableWeights.length, 16);
    block.trainable = true;
    assert.equal(block.trainableWeights.length, 16);
    const frozen = new PolymodalTransformerEncoderBlock({ numHeads: 2, ffDim: 4, trainable: false });
    const x = tf.input({ shape: [3, 4] });
    const model = tf.model({ inputs: x, outputs: frozen.apply(x) as tf.SymbolicTensor });
    assert.equal(model.trainableWeights.length, 0);
    assert.equal(model.nonTrainableWeights.length, 16);
    block.dispose();
    model.dispose();
  });

  it('uses dropout in training only', () => {
    const block = built({ numHeads: 2, ffDim: 8, dropout: 0.5 }, [[6, 4]]);
    const x = tf.tensor3d(fixedValues(2 * 6 * 4, 2), [2, 6, 4]);
    const inference = flat(block.apply(x));
    assert.deepEqual(flat(block.apply(x)), inference);
    assert.ok(maxAbsDiff(flat(block.apply(x, { training: true })), inference) > 1e-3);
    x.dispose();
    block.dispose();
  });

  it('rejects bad options and inputs clearly', () => {
    assert.throws(() => new PolymodalTransformerEncoderBlock({ numHeads: 2, ffDim: 0 }), /ffDim must be a positive integer/);
    assert.throws(
      () => new PolymodalTransformerEncoderBlock({ numHeads: 2, ffDim: 4, activation: 'nope' as never }),
      /activation must be one of/,
    );
    const block = new PolymodalTransformerEncoderBlock({ numHeads: 3, ffDim: 4 });
    assert.throws(() => block.apply(tf.input({ shape: [3, 4] })), /4 features do not split into 3 heads; set keyDim/);
    assert.throws(
      () => new PolymodalTransformerEncoderBlock({ numHeads: 1, ffDim: 4 }).apply([tf.input({ shape: [3, 4] }), tf.input({ shape: [3, 4] })]),
      /expects x \[batch, steps, features\] or \[x, mask\]/,
    );
  });
  it('returns its self-attention scores on request, with the same output, masked steps at exactly 0', () => {
    const plain = built({ numHeads: 2, ffDim: 8 }, [[4, 4], [4]]);
    const scored = built({ numHeads: 2, ffDim: 8, returnAttentionScores: true }, [[4, 4], [4]]);
    scored.setWeights(plain.getWeights());
    assert.equal(scored.getConfig().returnAttentionScores, true);
    const x = tf.tensor3d(fixedValues(2 * 4 * 4, 71), [2, 4, 4]);
    const mask = tf.tensor2d([[1, 1, 0, 1], [0, 1, 1, 0]], [2, 4], 'int32');
    const expected = flat(plain.apply([x, mask]) as tf.Tensor);
    const [out, scores] = scored.apply([x, mask]) as tf.Tensor[];
    assert.deepEqual(scores.shape, [2, 2, 4, 4]);
    assert.ok(maxAbsDiff(flat(out), expected) < 1e-6);
    const masks = [[1, 1, 0, 1], [0, 1, 1, 0]];
    flat(scores).forEach((p, i) => {
      const [b, s] = [Math.floor(i / 32), i % 4];
      if (masks[b][s] === 0) assert.equal(p, 0);
    });
    tf.dispose([x, mask]);
    plain.dispose();
    scored.dispose();
  });
});
