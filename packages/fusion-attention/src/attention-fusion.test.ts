import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { fileSystemHandler, selectBackend, type BuildContext } from '@polymodal/core';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { attentionFusion, type AttentionFusionOptions } from './attention-fusion.js';

const options = (o: Partial<AttentionFusionOptions> = {}): AttentionFusionOptions =>
  ({ dModel: 8, numHeads: 2, layers: 1, ffDim: 16, dropout: 0, pooling: 'mean', units: [], ...o });

function build(o: AttentionFusionOptions, prefix: string) {
  const ctx: BuildContext = { tf, layerName: (s) => `${prefix}_${s}` };
  const tabular = tf.input({ shape: [5], name: `${prefix}_tabular` });
  const text = tf.input({ shape: [7, 3], name: `${prefix}_text` });
  const fused = attentionFusion.build({ tabular: { tensor: tabular, kind: 'vector' }, text: { tensor: text, kind: 'sequence' } }, o, ctx).tensor;
  const output = tf.layers.dense({ units: 1, activation: 'sigmoid', name: `${prefix}_out` }).apply(fused) as tf.SymbolicTensor;
  return { fused, model: tf.model({ inputs: [tabular, text], outputs: output }) };
}

test('modalities become tokens, attend to each other, and pool to one vector', async () => {
  await tf.setBackend('cpu');
  const { fused, model } = build(options({ units: [4] }), 'shape');
  assert.deepEqual(fused.shape, [null, 4]);
  const d = 8;
  const projections = (5 * d + d) + (3 * d + d);
  const block = 4 * d * 2 * 4 + 3 * 2 * 4 + d + 4 * d + d * 16 + 16 + 16 * d + d;
  assert.equal(model.countParams(), projections + block + (d * 4 + 4) + (4 + 1));
  model.dispose();
});

test('trains on wasm and survives a save/load round trip with the same predictions', async () => {
  await selectBackend('wasm');
  const { model } = build(options({ layers: 2, dropout: 0.1 }), 'train');
  model.compile({ optimizer: tf.train.adam(0.01), loss: 'binaryCrossentropy' });
  const xs = [tf.randomNormal([16, 5], 0, 1, 'float32', 1), tf.randomNormal([16, 7, 3], 0, 1, 'float32', 2)];
  const ys = tf.tensor2d(Array.from({ length: 16 }, (_, i) => [i % 2]));
  const before = model.getWeights().map((w) => w.dataSync().slice());
  await model.fit(xs, ys, { epochs: 1, batchSize: 8, verbose: 0 });
  const count = tf.memory().numTensors;
  await model.fit(xs, ys, { epochs: 1, batchSize: 8, verbose: 0 });
  assert.equal(tf.memory().numTensors, count, 'an epoch leaks no tensors');
  assert.ok(model.getWeights().some((w, i) => w.dataSync().some((v, j) => v !== before[i][j])));
  const dir = mkdtempSync(join(tmpdir(), 'polymodal-attention-'));
  try {
    await model.save(fileSystemHandler(dir));
    const loaded = await tf.loadLayersModel(fileSystemHandler(dir));
    const expected = (model.predict(xs) as tf.Tensor).dataSync();
    const actual = (loaded.predict(xs) as tf.Tensor).dataSync();
    actual.forEach((v, i) => assert.ok(Math.abs(v - expected[i]) < 1e-5));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a missing modality gets exactly zero attention, stays out of the pooling, and the reliance says so', async () => {
  await tf.setBackend('cpu');
  const ctx: BuildContext = { tf, layerName: (s) => `mask_${s}` };
  const tabular = tf.input({ shape: [5], name: 'mask_tabular' });
  const text = tf.input({ shape: [3, 4], name: 'mask_text' });
  const textPresent = tf.input({ shape: [1], name: 'mask_text__present' });
  const photo = tf.input({ shape: [6], name: 'mask_photo' });
  const photoPresent = tf.input({ shape: [1], name: 'mask_photo__present' });
  // No dense stack after the pooling: a ReLU unit with unseeded weights can be dead for a row, and the
  // last check below needs the present photo's features to reach the output.
  const built = attentionFusion.build({
    tabular: { tensor: tabular, kind: 'vector' },
    text: { tensor: text, kind: 'sequence', present: textPresent },
    photo: { tensor: photo, kind: 'vector', present: photoPresent },
  }, options({ layers: 2, units: [] }), ctx);
  const inputs = [tabular, text, textPresent, photo, photoPresent];
  // The reliance layer's inputs are [mask, scores of block 1, scores of block 2].
  const scoreTensors = [1, 2].map((i) => built.reliance.attention.sourceLayer.inboundNodes[0].inputTensors[i]);
  const model = tf.model({ inputs, outputs: [built.tensor, built.reliance.attention, ...scoreTensors] });
  const rows = 3;
  const random = (shape: number[], seed: number) => tf.randomUniform(shape, -1, 1, 'float32', seed);
  const textMask = [1, 0, 1];
  const photoMask = [0, 1, 1];
  const before = tf.memory().numTensors;
  const run = (textSeed: number, photoSeed: number) => tf.tidy(() => {
    const xs = [random([rows, 5], 1), random([rows, 3, 4], textSeed), tf.tensor2d(textMask, [rows, 1]), random([rows, 6], photoSeed), tf.tensor2d(photoMask, [rows, 1])];
    return (model.predict(xs) as tf.Tensor[]).map((t) => t.arraySync());
  });
  const [fused, reliance, scores1, scores2] = run(2, 3) as [number[][], number[][], number[][][][], number[][][][]];
  // Token order: tabular (0), text (1..3), photo (4).
  const masked = (r: number, token: number) => (token >= 1 && token <= 3 && textMask[r] === 0) || (token === 4 && photoMask[r] === 0);
  for (const scores of [scores1, scores2]) {
    scores.forEach((heads, r) => heads.forEach((queries) => queries.forEach((row) => row.forEach((p, token) => {
      if (masked(r, token)) assert.equal(p, 0, `row ${r}: masked token ${token} gets exactly zero attention`);
    }))));
  }
  reliance.forEach((values, r) => {
    if (textMask[r] === 0) assert.equal(values[1], 0);
    if (photoMask[r] === 0) assert.equal(values[2], 0);
    assert.ok(Math.abs(values.reduce((a, b) => a + b, 0) - 1) < 1e-5, `row ${r} reliance sums to 1`);
    // Direct: mean over heads and blocks of the counted query rows' attention, summed over each modality's tokens.
    const counted = [0, 1, 2, 3, 4].filter((t) => !masked(r, t));
    const received = (token: number) => [scores1, scores2].reduce((sum, scores) =>
      sum + scores[r].reduce((h, queries) => h + counted.reduce((q, i) => q + queries[i][token], 0) / counted.length, 0) / scores[r].length, 0) / 2;
    const expected = [received(0), received(1) + received(2) + received(3), received(4)];
    expected.forEach((value, m) => assert.ok(Math.abs(value - values[m]) < 1e-5, `row ${r}, modality ${m}: ${values[m]} vs ${value}`));
  });
  // Whatever the missing modality's features hold, the fused output of its rows does not change.
  const [sameOthers] = (tf.tidy(() => {
    const xs = [random([rows, 5], 1), random([rows, 3, 4], 2), tf.tensor2d(textMask, [rows, 1]), random([rows, 6], 99), tf.tensor2d(photoMask, [rows, 1])];
    return (model.predict(xs) as tf.Tensor[]).map((t) => t.arraySync());
  })) as [number[][]];
  assert.deepEqual(sameOthers[0], fused[0], 'row 0 lacks the photo: other photo features change nothing');
  assert.notDeepEqual(sameOthers[1], fused[1], 'row 1 has the photo: its features count');
  assert.equal(tf.memory().numTensors, before, 'no tensor leaks');
  model.dispose();
});
