import assert from 'node:assert/strict';
import { test } from 'node:test';
import { PolymodalError } from '../errors.js';
import { testManifest, testPlugin } from '../test-fixtures/numeric-plugin.js';
import { resolveManifestValue } from './load-manifest.js';
import { applyPointerSettings, parsePointer, setAtPointer, valueAtPointer } from './set-pointer.js';

const manifest = () => ({ training: { epochs: 5, optimizer: { type: 'adam' } }, inputs: { 'a/b': { options: { units: [32, 16] } } } });

test('sets an existing value, adds a key to an existing object, and unescapes ~1 and ~0', () => {
  const m = manifest();
  assert.deepEqual(applyPointerSettings(m, [
    { pointer: '/training/epochs', value: 2 },
    { pointer: '/training/optimizer/learningRate', value: 0.01 },
    { pointer: '/inputs/a~1b/options/units/1', value: 64 },
    { pointer: '/inputs/a~1b/options/units/-', value: 8 },
  ]), []);
  assert.equal(m.training.epochs, 2);
  assert.deepEqual(m.training.optimizer, { type: 'adam', learningRate: 0.01 });
  assert.deepEqual(m.inputs['a/b'].options.units, [32, 64, 8]);
  assert.deepEqual(parsePointer('/x~0y'), ['x~y']);
});

test('a pointer whose parent does not exist names the missing part and leaves the manifest alone', () => {
  const m = manifest();
  const problem = setAtPointer(m, '/training/earlyStopping/patience', 3);
  assert.match(problem!, /^\/training\/earlyStopping\/patience: \/training\/earlyStopping does not exist in the manifest/);
  assert.equal('earlyStopping' in m.training, false);
  assert.match(setAtPointer(m, '/inputs/a~1b/options/units/7', 1)!, /is a list of 2; use an index from 0 to 1/);
  assert.match(setAtPointer(m, '/training/epochs/x', 1)!, /\/training\/epochs is a number, not an object/);
  assert.match(setAtPointer(m, 'training/epochs', 1)!, /not a JSON pointer/);
  assert.match(setAtPointer(m, '', 1)!, /cannot replace the whole manifest/);
});

test('prototype keys are refused, so a setting cannot reach Object.prototype', () => {
  const m = manifest();
  assert.match(setAtPointer(m, '/__proto__/polluted', 1)!, /cannot be set/);
  assert.equal(({} as Record<string, unknown>).polluted, undefined);
});

test('valueAtPointer reads own values only', () => {
  assert.deepEqual(valueAtPointer(manifest(), '/training/epochs'), { found: true, value: 5 });
  assert.deepEqual(valueAtPointer(manifest(), '/training/toString'), { found: false });
});

const loadOptions = { plugins: [testPlugin], pluginSearchDirs: [] };

async function problemsWith(set: { pointer: string; value: unknown }[]): Promise<readonly string[]> {
  try {
    await resolveManifestValue(testManifest({}), '/virtual/polymodal.json', { ...loadOptions, overrides: { set } });
  } catch (error) {
    assert.ok(error instanceof PolymodalError, String(error));
    assert.equal(error.exitCode, 2);
    return error.details.problems ?? [];
  }
  return [];
}

test('overrides.set is applied before validation: a good value is used, a bad one gets the schema error at its pointer', async () => {
  const loaded = await resolveManifestValue(testManifest({}), '/virtual/polymodal.json', {
    ...loadOptions, overrides: { set: [{ pointer: '/training/batchSize', value: 7 }, { pointer: '/training/epochs', value: 3 }], epochs: 4 },
  });
  assert.equal(loaded.resolved.manifest.training.batchSize, 7);
  // The named overrides come after the pointer settings.
  assert.equal(loaded.resolved.manifest.training.epochs, 4);
  const bad = await problemsWith([{ pointer: '/training/batchSize', value: 'big' }]);
  assert.equal(bad.length, 1);
  assert.match(bad[0], /^\/training\/batchSize: /);
  const missing = await problemsWith([{ pointer: '/nothing/here', value: 1 }]);
  assert.equal(missing.length, 1);
  assert.match(missing[0], /^\/nothing\/here: \/nothing does not exist in the manifest/);
});
