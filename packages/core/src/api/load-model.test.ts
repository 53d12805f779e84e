import { test } from 'node:test';
import assert from 'node:assert/strict';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { rename } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sealModelFolder } from '../artifacts/model-integrity.js';
import { PolymodalError } from '../errors.js';
import { definePlugin } from '../plugin/define-plugin.js';
import { installFixturePlugin } from '../test-fixtures/plugin-package.js';
import { numericEncoder, joinFusion, syntheticCsv, testManifest, testPlugin } from '../test-fixtures/numeric-plugin.js';
import { loadModel } from './load-model.js';
import { predict } from './predict.js';
import { train } from './train.js';

/** One trained model in a project that has the fixture plugin installed. */
const trained = (async () => {
  const project = mkdtempSync(join(tmpdir(), 'polymodal-load-model-'));
  writeFileSync(join(project, 'data.csv'), syntheticCsv(120));
  writeFileSync(join(project, 'polymodal.json'), JSON.stringify(testManifest({ training: { backend: 'cpu', epochs: 1, batchSize: 32, seed: 5 } })));
  installFixturePlugin(project);
  const result = await train({ manifest: join(project, 'polymodal.json'), plugins: [testPlugin], outDir: join(project, 'trained') });
  process.on('exit', () => rmSync(project, { recursive: true, force: true }));
  return { project, model: result.outDir };
})();

let copies = 0;
/** A fresh copy of the trained folder, unsealed (as older versions wrote it) so each test tampers with one thing. */
async function modelCopy(): Promise<{ project: string; dir: string; marker: string }> {
  const { project, model } = await trained;
  const dir = join(project, `copy-${copies++}`);
  cpSync(model, dir, { recursive: true });
  editJson(join(dir, 'polymodal.json'), (meta) => delete meta.files);
  return { project, dir, marker: join(dir, 'pwned.txt') };
}

const evilSource = (marker: string) =>
  `import { writeFileSync } from 'node:fs';\nwriteFileSync(${JSON.stringify(marker)}, 'ran');\nexport { default } from ${JSON.stringify(new URL('../test-fixtures/numeric-plugin.ts', import.meta.url).href)};\n`;

function editJson(path: string, edit: (value: any) => void): void {
  const value = JSON.parse(readFileSync(path, 'utf8'));
  edit(value);
  writeFileSync(path, JSON.stringify(value));
}

async function refusal(promise: Promise<unknown>): Promise<PolymodalError> {
  try {
    await promise;
  } catch (error) {
    assert.ok(error instanceof PolymodalError, `expected a PolymodalError, got ${(error as Error)?.stack ?? error}`);
    return error;
  }
  assert.fail('expected loading to be refused');
}

test('a model folder naming its own module (relative or absolute) runs no code from it, on loadModel and predict', async () => {
  for (const form of ['relative', 'absolute'] as const) {
    const { project, dir, marker } = await modelCopy();
    writeFileSync(join(dir, 'evil.mjs'), evilSource(marker));
    editJson(join(dir, 'manifest.json'), (manifest) => (manifest.plugins = [form === 'relative' ? './evil.mjs' : join(dir, 'evil.mjs')]));
    const error = await refusal(loadModel(dir, { pluginSearchDirs: [project] }));
    assert.equal(error.exitCode, 2, form);
    assert.match(error.message, /is a path; plugins are npm package names/, form);
    await refusal(predict(dir, { input: join(project, 'data.csv'), pluginSearchDirs: [project] }));
    assert.equal(existsSync(marker), false, `${form}: the folder's module must not run`);
  }
});

test('a model folder with its own node_modules copy of a plugin: the project\'s plugin loads, the folder\'s never runs', async () => {
  const { project, dir, marker } = await modelCopy();
  const shadow = join(dir, 'node_modules', 'polymodal-test-plugin');
  mkdirSync(shadow, { recursive: true });
  writeFileSync(join(shadow, 'package.json'), JSON.stringify({ name: 'polymodal-test-plugin', version: '1.0.0', type: 'module', main: 'index.mjs' }));
  writeFileSync(join(shadow, 'index.mjs'), evilSource(marker));
  const loaded = await loadModel(dir, { pluginSearchDirs: [project] });
  assert.equal(loaded.loaded.registry.list()[0].name, 'polymodal-test-plugin');
  const { predictions } = await predict(dir, { input: join(project, 'data.csv'), pluginSearchDirs: [project] });
  assert.equal(predictions.length, 120);
  assert.equal(existsSync(marker), false, 'the copy inside the model folder must not run');
  // Not even when a caller names the folder (or a folder inside it) as a place to look.
  const error = await refusal(loadModel(dir, { pluginSearchDirs: [join(dir, 'model')] }));
  assert.match(error.message, /inside .*; loading a model runs no code from its folder/);
  assert.equal(existsSync(marker), false);
});

test('plugins must match the folder\'s plugin lock: same name, same major version', async () => {
  const { project, dir } = await modelCopy();
  const newer = definePlugin({ name: 'polymodal-test-plugin', version: '2.1.0', encoders: [numericEncoder], fusions: [joinFusion] });
  const mismatch = await refusal(loadModel(dir, { plugins: [newer] }));
  assert.equal(mismatch.exitCode, 2);
  assert.match(mismatch.message, /built with polymodal-test-plugin@1\.0\.0; polymodal-test-plugin@2\.1\.0 is installed/);
  assert.match(mismatch.details.hint!, /npm install polymodal-test-plugin@\^1/);
  const minor = definePlugin({ name: 'polymodal-test-plugin', version: '1.4.0', encoders: [numericEncoder], fusions: [joinFusion] });
  await loadModel(dir, { plugins: [minor] });

  const marker = join(project, 'other-ran.txt');
  const other = join(project, 'node_modules', 'other-plugin');
  mkdirSync(other, { recursive: true });
  writeFileSync(join(other, 'package.json'), JSON.stringify({ name: 'other-plugin', version: '1.0.0', type: 'module', main: 'index.mjs' }));
  writeFileSync(join(other, 'index.mjs'), evilSource(marker));
  editJson(join(dir, 'manifest.json'), (manifest) => manifest.plugins.push('other-plugin'));
  const unlocked = await refusal(loadModel(dir, { pluginSearchDirs: [project] }));
  assert.equal(unlocked.exitCode, 2);
  assert.match(unlocked.message, /plugin "other-plugin" is not in the model's plugin lock \(polymodal\.json lists polymodal-test-plugin@1\.0\.0\)/);
  assert.equal(existsSync(marker), false, 'a plugin outside the lock does not run');
});

test('a sealed folder loads from one consistent read; a file that changed fails clearly', async () => {
  const { project, dir } = await modelCopy();
  await sealModelFolder(dir);
  const meta = JSON.parse(readFileSync(join(dir, 'polymodal.json'), 'utf8'));
  assert.ok(meta.files['model/weights.bin'] && meta.files['preprocessing.json'] && !meta.files['polymodal.json']);
  const loaded = await loadModel(dir, { pluginSearchDirs: [project] });
  assert.deepEqual(loaded.meta.files, meta.files);

  editJson(join(dir, 'preprocessing.json'), (state) => (state.labels = { ...state.labels, classes: [...state.labels.classes].reverse() }));
  const changed = await refusal(loadModel(dir, { pluginSearchDirs: [project] }));
  assert.match(changed.message, /the model folder changed while it was being read; try again/);
  assert.equal(changed.exitCode, 1);
});

test('weight paths in model/model.json must stay inside the model folder', async () => {
  const { project, dir } = await modelCopy();
  writeFileSync(join(project, 'stolen.bin'), readFileSync(join(dir, 'model', 'weights.bin')));
  editJson(join(dir, 'model', 'model.json'), (model) => (model.weightsManifest[0].paths = ['../../stolen.bin']));
  const error = await refusal(loadModel(dir, { pluginSearchDirs: [project] }));
  assert.equal(error.exitCode, 2);
  assert.match(error.message, /names the weights file "\.\.\/\.\.\/stolen\.bin", which is not inside the model folder/);
});

test('loading while another process swaps the folder in and out gives one consistent model or a clear refusal', async () => {
  const { project, dir: first } = await modelCopy();
  const { dir: second } = await modelCopy();
  // The second model has its classes the other way round (as a retrained model may): mixing the two inverts labels.
  editJson(join(second, 'preprocessing.json'), (state) => (state.labels.classes = [...state.labels.classes].reverse()));
  editJson(join(second, 'polymodal.json'), (meta) => (meta.classes = [...meta.classes].reverse()));
  await sealModelFolder(first);
  await sealModelFolder(second);
  const target = join(project, 'swapped');
  const spare = join(project, 'swapped-spare');
  const aside = join(project, 'swapped-aside');
  renameSync(first, target);
  renameSync(second, spare);
  let loading = true;
  const swapper = (async () => {
    // As a commit does: the old folder aside, the new one in, so readers may also find no folder for a moment.
    while (loading) {
      await rename(target, aside);
      await rename(spare, target);
      await rename(aside, spare);
      await new Promise((done) => setTimeout(done, 5));
    }
  })();
  const outcomes: string[] = [];
  try {
    for (let i = 0; i < 25; i++) {
      try {
        const loaded = await loadModel(target, { pluginSearchDirs: [project] });
        assert.deepEqual([...loaded.labels.classes], loaded.meta.classes, 'labels and meta come from one model');
        outcomes.push('loaded');
      } catch (error) {
        assert.ok(error instanceof PolymodalError, String((error as Error)?.stack ?? error));
        assert.match(error.message, /the model folder changed while it was being read; try again|not a Polymodal model folder/);
        outcomes.push('refused');
      }
    }
  } finally {
    loading = false;
    await swapper;
  }
  assert.equal(outcomes.length, 25);
  assert.ok(outcomes.includes('loaded'), `some loads must get through to be checked: ${outcomes.join(' ')}`);
});
