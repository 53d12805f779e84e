import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { PolymodalError } from '../errors.js';
import { syntheticCsv, testManifest, testPlugin } from '../test-fixtures/numeric-plugin.js';
import { inspect } from './inspect.js';

test('inspect refuses a model with billions of parameters before allocating it, naming the input whose options size it', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'polymodal-inspect-'));
  try {
    writeFileSync(join(dir, 'data.csv'), syntheticCsv(40));
    const manifestPath = join(dir, 'polymodal.json');
    writeFileSync(manifestPath, JSON.stringify(testManifest({ inputs: { numbers: { encoder: 'test/numeric', columns: ['a', 'b'], options: { units: 2_000_000_000 } } } })));
    const before = tf.memory().numTensors;
    await assert.rejects(inspect({ manifest: manifestPath, plugins: [testPlugin] }), (error: PolymodalError) => {
      assert.equal(error.exitCode, 2);
      assert.match(error.message, /more than 200,000,000 parameters .* layer "numbers_dense" alone asks for 4,000,000,000/);
      assert.match(error.details.problems![0], /^\/inputs\/numbers\/options: /);
      return true;
    });
    assert.equal(tf.memory().numTensors, before);
    writeFileSync(manifestPath, JSON.stringify(testManifest()));
    const summary = await inspect({ manifest: manifestPath, plugins: [testPlugin] });
    assert.ok(summary.totalParams > 0);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
