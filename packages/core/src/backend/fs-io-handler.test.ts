import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileSystemHandler, registerFileRouterIfMissing } from './fs-io-handler.js';

test('a layers model saved to a folder loads back with the same outputs, via the handler and file://', async () => {
  await tf.setBackend('cpu');
  const dir = mkdtempSync(join(tmpdir(), 'polymodal-io-'));
  try {
    const model = tf.sequential({ layers: [tf.layers.dense({ units: 3, inputShape: [4], activation: 'relu' }), tf.layers.dense({ units: 2 })] });
    const x = tf.randomNormal([5, 4], 0, 1, 'float32', 1);
    const expected = (model.predict(x) as tf.Tensor).arraySync();
    await model.save(fileSystemHandler(join(dir, 'a')));
    assert.deepEqual(readdirSync(join(dir, 'a')).sort(), ['model.json', 'weights.bin']);
    const loaded = await tf.loadLayersModel(fileSystemHandler(join(dir, 'a')));
    assert.deepEqual((loaded.predict(x) as tf.Tensor).arraySync(), expected);

    registerFileRouterIfMissing();
    registerFileRouterIfMissing();
    assert.equal(tf.io.getSaveHandlers(`file://${dir}/b`).length, 1, 'one router, however often it is registered');
    await model.save(`file://${join(dir, 'b')}`);
    const viaUrl = await tf.loadLayersModel(`file://${join(dir, 'b')}`);
    assert.deepEqual((viaUrl.predict(x) as tf.Tensor).arraySync(), expected);
    assert.ok(!readdirSync(join(dir, 'b')).some((f) => f.endsWith('.tmp')), 'no temporary files left');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('loading a folder without a model fails', async () => {
  await assert.rejects(tf.loadLayersModel(fileSystemHandler('/nonexistent/polymodal')), /ENOENT/);
  assert.equal(existsSync('/nonexistent/polymodal'), false);
});
