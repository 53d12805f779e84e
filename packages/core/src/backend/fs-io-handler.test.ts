import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PolymodalError } from '../errors.js';
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

test('weight paths in model.json must stay inside the model folder', async () => {
  await tf.setBackend('cpu');
  const dir = mkdtempSync(join(tmpdir(), 'polymodal-io-'));
  try {
    const model = tf.sequential({ layers: [tf.layers.dense({ units: 1, inputShape: [2] })] });
    await model.save(fileSystemHandler(join(dir, 'm')));
    const modelJsonPath = join(dir, 'm', 'model.json');
    const modelJson = JSON.parse(readFileSync(modelJsonPath, 'utf8'));
    writeFileSync(join(dir, 'outside.bin'), readFileSync(join(dir, 'm', 'weights.bin')));
    for (const path of ['../outside.bin', '../../etc/passwd', '/etc/passwd', 'C:\\weights.bin', 'sub/../../outside.bin', 'file:///etc/passwd']) {
      modelJson.weightsManifest[0].paths = [path];
      writeFileSync(modelJsonPath, JSON.stringify(modelJson));
      await assert.rejects(tf.loadLayersModel(fileSystemHandler(join(dir, 'm'))), (error: unknown) => {
        assert.ok(error instanceof PolymodalError, `${path}: ${(error as Error)?.stack}`);
        assert.match(error.message, /names the weights file .* which is not inside the model folder/);
        assert.equal(error.exitCode, 2);
        return true;
      }, path);
    }
    modelJson.weightsManifest[0].paths = ['./././weights.bin'];
    writeFileSync(modelJsonPath, JSON.stringify(modelJson));
    await tf.loadLayersModel(fileSystemHandler(join(dir, 'm')));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
