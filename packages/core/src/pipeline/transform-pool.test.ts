import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { tableFromCsv } from '../data/table.js';
import { PolymodalError } from '../errors.js';
import { loadPlugins } from '../plugin/load-plugins.js';
import { pluginModuleOf } from '../plugin/plugin-modules.js';
import { installFixturePlugin } from '../test-fixtures/plugin-package.js';
import { syntheticCsv, testManifest } from '../test-fixtures/numeric-plugin.js';
import { train } from '../api/train.js';
import { TransformPool } from './transform-pool.js';

test('worker threads load the plugin from its package and transform exactly as in-process', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'polymodal-pool-'));
  installFixturePlugin(dir);
  const pool = new TransformPool(2);
  try {
    const [plugin] = await loadPlugins(['polymodal-test-plugin'], dir);
    const module = pluginModuleOf(plugin);
    assert.ok(module?.url.endsWith('index.mjs'));
    const encoder = plugin.encoders[0];
    const spec = { name: 'numbers', encoder: encoder.type, columns: ['a', 'b'], options: { units: 4 }, dataDir: dir, manifestDir: dir };
    const rows = (await tableFromCsv(syntheticCsv(101), 'data.csv')).rows;
    const preprocessor = encoder.createPreprocessor(spec);
    await preprocessor.fit(rows);
    const input = { spec, encoder, preprocessor, module };
    assert.ok(pool.accepts(input));
    assert.deepEqual(await pool.transform(input, rows), await preprocessor.transform(rows, { training: false, random: Math.random }));
    assert.equal(pool.accepts({ spec, encoder, preprocessor }), false, 'a plugin given as an object has no module to load');
  } finally {
    await pool.close();
    rmSync(dir, { recursive: true, force: true });
  }
});

test('training with preprocessing workers gives the same model as without', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'polymodal-pool-train-'));
  installFixturePlugin(dir);
  writeFileSync(join(dir, 'data.csv'), syntheticCsv(600));
  try {
    const weights = async (workers: number) => {
      const manifest = testManifest();
      manifest.data.workers = workers;
      writeFileSync(join(dir, 'polymodal.json'), JSON.stringify(manifest));
      const result = await train({ manifest: join(dir, 'polymodal.json'), outDir: join(dir, `out-${workers}`) });
      return readFileSync(join(result.outDir, 'model', 'weights.bin'));
    };
    assert.ok((await weights(2)).equals(await weights(0)));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('an error in a plugin\'s transform inside a worker is attributed to the plugin, as in-process', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'polymodal-pool-'));
  installFixturePlugin(dir);
  const pool = new TransformPool(1);
  try {
    const [plugin] = await loadPlugins(['polymodal-test-plugin'], dir);
    const encoder = plugin.encoders[0];
    const spec = { name: 'numbers', encoder: encoder.type, columns: ['a'], options: { units: 4 }, dataDir: dir, manifestDir: dir };
    // A state the fixture cannot use: its transform throws a TypeError.
    const preprocessor = encoder.createPreprocessor(spec, { means: null } as never);
    const rows = (await tableFromCsv(syntheticCsv(3), 'data.csv')).rows;
    await assert.rejects(pool.transform({ spec, encoder, preprocessor, module: pluginModuleOf(plugin) }, rows), (error: unknown) => {
      assert.ok(error instanceof PolymodalError, String((error as Error)?.stack));
      assert.match(error.message, /^\[polymodal-test-plugin\] \/inputs\/numbers: transform failed: /);
      assert.equal(error.exitCode, 1);
      return true;
    });
  } finally {
    await pool.close();
    rmSync(dir, { recursive: true, force: true });
  }
});
