// Keras's GRU both ways, checked against Keras itself (the reference Python): PolymodalGRU's resetAfter is written
// as reset_after and read back from it, for files Polymodal wrote and files Keras wrote (.keras and legacy .h5).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as tf from '@tensorflow/tfjs';
import { loadPlugins, type SerializableLayerClass } from '@polymodal/core';
import { referencePython } from '../../../../tools/reference-python.mjs';
import { exportKerasLayersModel } from '../write/export-keras-model.js';
import { loadKerasModel } from './load-keras-model.js';
import { translateGru } from './recurrent-translators.js';

const REPO_ROOT = fileURLToPath(new URL('../../../../', import.meta.url));
const SCRIPT = join(import.meta.dirname, 'test-fixtures', 'keras-gru.py');
const origin = { file: 'model.keras', layer: 'gru', className: 'GRU' };
const kerasGru = { units: 4, activation: 'tanh', recurrent_activation: 'sigmoid', use_bias: true, return_sequences: false, go_backwards: false, reset_after: false };

test('without @polymodal/encoder-text loaded, a GRU is refused by name with what to do', (t) => {
  if ('PolymodalGRU' in tf.serialization.SerializationMap.getMap().classNameMap) return t.skip('PolymodalGRU is already registered in this process');
  assert.throws(() => translateGru(kerasGru, origin), (error: Error & { details?: { hint?: string } }) => {
    assert.match(error.message, /model\.keras: layer "gru" \(GRU\): GRU layers are imported as PolymodalGRU, which @polymodal\/encoder-text provides, and it is not loaded/);
    assert.match(error.details?.hint ?? '', /Install @polymodal\/encoder-text/);
    return true;
  });
});

let GRU: SerializableLayerClass;
/** Loads the text plugin the way a user's project loads it (this package may not import plugin code). */
async function loadTextPlugin(): Promise<void> {
  if (GRU) return;
  const [plugin] = await loadPlugins(['@polymodal/encoder-text'], REPO_ROOT);
  GRU = plugin!.layers.find((l) => l.className === 'PolymodalGRU')!;
}

test("a Keras GRU's reset_after becomes resetAfter; options PolymodalGRU cannot honour are refused by name", async () => {
  await loadTextPlugin();
  assert.deepEqual(translateGru(kerasGru, origin), {
    className: 'PolymodalGRU',
    config: { units: 4, return_sequences: false, go_backwards: false, dropout: 0, recurrent_dropout: 0, reset_after: false },
  });
  assert.equal(translateGru({ ...kerasGru, reset_after: true }, origin).config['reset_after'], true);
  const refused: [Record<string, unknown>, RegExp][] = [
    [{ recurrent_activation: 'relu' }, /recurrent_activation "relu" is not supported \(PolymodalGRU computes recurrent_activation=sigmoid/],
    [{ activation: 'relu' }, /activation "relu" is not supported/],
    [{ return_sequences: true, go_backwards: true }, /go_backwards with return_sequences is not supported/],
    [{ stateful: true }, /option stateful=true is not supported/],
    [{ use_bias: false }, /option use_bias=false is not supported/],
    [{ kernel_regularizer: { class_name: 'L2', config: { l2: 0.01 } } }, /option kernel_regularizer=.* is not supported/],
  ];
  for (const [change, message] of refused) assert.throws(() => translateGru({ ...kerasGru, ...change }, origin), message);
});

function maxDifference(a: ArrayLike<number>, b: ArrayLike<number>): number {
  assert.equal(a.length, b.length, 'output sizes differ');
  let worst = 0;
  for (let i = 0; i < a.length; i++) worst = Math.max(worst, Math.abs(a[i]! - b[i]!));
  return worst;
}

/** Both GRU variants, a backwards one included: the model Polymodal writes for Keras. */
function polymodalModel(): tf.LayersModel {
  const x = tf.input({ shape: [6, 3], name: 'steps' });
  const before = new GRU({ units: 4, resetAfter: false, returnSequences: true, name: 'gru_before' }).apply(x) as tf.SymbolicTensor;
  const after = new GRU({ units: 3, name: 'gru_after' }).apply(before) as tf.SymbolicTensor;
  const backwards = new GRU({ units: 2, resetAfter: false, goBackwards: true, name: 'gru_backwards' }).apply(x) as tf.SymbolicTensor;
  const model = tf.model({ inputs: x, outputs: tf.layers.concatenate({ name: 'joined' }).apply([after, backwards]) as tf.SymbolicTensor });
  model.layers.forEach((layer, i) => layer.setWeights(layer.getWeights().map((w, j) => tf.randomNormal(w.shape, 0, 0.6, 'float32', 10 * i + j))));
  return model;
}

const predict = (model: tf.LayersModel, x: tf.Tensor) => tf.tidy(() => Float32Array.from((model.predict(x) as tf.Tensor).dataSync()));
const resetAfterOf = (model: tf.LayersModel) => Object.fromEntries(model.layers
  .filter((l) => l.getClassName() === 'PolymodalGRU').map((l) => [l.name, (l.getConfig() as { resetAfter: boolean }).resetAfter]));

test('Polymodal -> Keras -> Polymodal and Keras -> Polymodal (.keras, .h5): reset_after both ways, predictions within 1e-5 of Keras', async (t) => {
  const reference = referencePython();
  if (reference.skip !== undefined) return t.skip(reference.skip);
  await loadTextPlugin();
  await tf.setBackend('cpu');
  const dir = mkdtempSync(join(tmpdir(), 'polymodal-keras-gru-'));
  const x = tf.randomNormal([5, 6, 3], 0, 1, 'float32', 3);
  const model = polymodalModel();
  try {
    await exportKerasLayersModel(model, join(dir, 'polymodal.keras'));
    writeFileSync(join(dir, 'inputs.json'), JSON.stringify({ shape: x.shape, values: Array.from(x.dataSync()) }));
    const run = spawnSync(reference.python, [SCRIPT, dir], { encoding: 'utf8', env: { ...process.env, TF_CPP_MIN_LOG_LEVEL: '3' } });
    assert.equal(run.status, 0, `keras-gru.py failed: ${run.stderr.slice(-2000)}`);

    const written = JSON.parse(readFileSync(join(dir, 'polymodal.outputs.json'), 'utf8')) as { outputs: number[][]; resetAfter: Record<string, boolean> };
    assert.deepEqual(written.resetAfter, { gru_before: false, gru_after: true, gru_backwards: false }, "Keras reads each GRU's reset_after");
    const ours = predict(model, x);
    assert.ok(maxDifference(written.outputs[0]!, ours) < 1e-5, `Keras on Polymodal's file differs by ${maxDifference(written.outputs[0]!, ours)}`);
    const back = await loadKerasModel(join(dir, 'polymodal.keras'));
    assert.deepEqual(resetAfterOf(back), { gru_before: false, gru_after: true, gru_backwards: false });
    assert.ok(maxDifference(predict(back, x), ours) < 1e-6, 'read back, the model predicts the same');
    back.dispose();

    const keras = (JSON.parse(readFileSync(join(dir, 'keras.outputs.json'), 'utf8')) as { outputs: number[][] }).outputs[0]!;
    for (const file of ['keras.keras', 'keras.h5']) {
      const loaded = await loadKerasModel(join(dir, file));
      assert.deepEqual(resetAfterOf(loaded), { gru_before: false, gru_after: true }, file);
      const biases = loaded.layers.filter((l) => l.getClassName() === 'PolymodalGRU').map((l) => l.getWeights()[2]!.shape);
      assert.deepEqual(biases, [[12], [2, 9]], `${file}: reset_after=False has one bias row, reset_after=True two`);
      const diff = maxDifference(predict(loaded, x), keras);
      assert.ok(diff < 1e-5, `${file}: Polymodal differs from Keras by ${diff}`);
      loaded.dispose();
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
    model.dispose();
    x.dispose();
  }
});
