import { test } from 'node:test';
import assert from 'node:assert/strict';
import { PluginRegistry } from '../plugin/registry.js';
import { testManifest, testPlugin } from '../test-fixtures/numeric-plugin.js';
import { checkManifestAgainstPlugins, checkManifestShape, checkShape } from './validate.js';
import type { Manifest } from './types.js';

test('a valid manifest passes and gets the schema defaults', () => {
  const manifest = testManifest();
  assert.deepEqual(checkManifestShape(manifest), []);
  assert.equal(manifest.training.optimizer.type, 'adam');
  assert.equal(manifest.data.onInvalidRow, 'fail');
  assert.equal(manifest.data.split.stratify, true);
});

test('unknown keys give the pointer and a suggestion', () => {
  const problems = checkManifestShape({ ...testManifest(), trainig: {} });
  assert.deepEqual(problems, ['/: unknown key "trainig". Did you mean "training"?']);
  const nested = checkManifestShape(testManifest({ training: { epochz: 3 } }));
  assert.deepEqual(nested, ['/training: unknown key "epochz". Did you mean "epochs"?']);
});

test('enum, type and range errors name the value', () => {
  const problems = checkManifestShape(testManifest({ output: { column: 'label', task: 'binnary' }, training: { epochs: 'ten', batchSize: 0 } }));
  assert.ok(problems.includes('/output/task: "binnary" is not allowed; use one of binary, multiclass, multilabel, regression. Did you mean "binary"?'), problems.join('\n'));
  assert.ok(problems.includes('/training/epochs: must be integer, found string'), problems.join('\n'));
  assert.ok(problems.some((p) => p.startsWith('/training/batchSize: must be >= 1')), problems.join('\n'));
});

test('a failed oneOf prints its hint instead of each branch', () => {
  const problems = checkManifestShape(testManifest({ inputs: { numbers: { encoder: 'test/numeric', column: 'a', columns: ['b'] } } }));
  assert.deepEqual(problems, ['/inputs/numbers: give exactly one of "column" (one column name) or "columns" (a list of column names)']);
  const schedule = checkManifestShape(testManifest({ training: { learningRateSchedule: { type: 'linear' } } }));
  assert.equal(schedule.length, 1);
  assert.match(schedule[0], /^\/training\/learningRateSchedule: /);
});

test('plugin options, types, column counts and metrics are checked against the loaded plugins', () => {
  const registry = new PluginRegistry([testPlugin]);
  const check = (overrides: Record<string, unknown>) => {
    const manifest = testManifest(overrides);
    assert.deepEqual(checkManifestShape(manifest), []);
    return checkManifestAgainstPlugins(manifest as Manifest, registry);
  };
  assert.deepEqual(check({}), []);
  assert.deepEqual(check({ inputs: { numbers: { encoder: 'test/numeric', columns: ['a'], options: { unit: 3 } } } }), [
    '/inputs/numbers/options: unknown key "unit". Did you mean "units"?',
  ]);
  assert.deepEqual(check({ inputs: { numbers: { encoder: 'test/numerc', columns: ['a'] } } }), [
    '/inputs/numbers/encoder: unknown encoder type "test/numerc". Did you mean "test/numeric"?',
  ]);
  const missing = check({ inputs: { photo: { encoder: 'image/cnn', column: 'path' } } });
  assert.match(missing[0], /image\/cnn" comes from @polymodal\/encoder-image.*npm install @polymodal\/encoder-image/);
  assert.deepEqual(check({ evaluation: { metrics: ['acuracy'] } }), ['/evaluation/metrics/0: "acuracy" is not a binary metric. Did you mean "accuracy"?']);
  assert.deepEqual(check({ fusion: { type: 'concat' } }).length, 1);
});

test('defaults of a plugin\'s options schema are filled in', () => {
  const manifest = testManifest() as Manifest;
  checkManifestShape(manifest);
  checkManifestAgainstPlugins(manifest, new PluginRegistry([testPlugin]));
  assert.equal(manifest.inputs.numbers.options.units, 8);
  assert.ok(manifest.evaluation.metrics!.includes('accuracy'));
});

test('a fusion refuses an encoder whose output kind it does not accept', () => {
  const sequenceEncoder = { ...testPlugin.encoders[0], type: 'test/sequence', produces: ['sequence'] as const };
  const plugin = { ...testPlugin, name: 'sequence-plugin', encoders: [sequenceEncoder], fusions: [] };
  const registry = new PluginRegistry([testPlugin, plugin]);
  const manifest = testManifest({ inputs: { words: { encoder: 'test/sequence', column: 'a' } } });
  assert.deepEqual(checkManifestShape(manifest), []);
  assert.deepEqual(checkManifestAgainstPlugins(manifest as Manifest, registry), [
    '/inputs/words: encoder test/sequence produces sequence, which fusion "join" does not accept (vector)',
  ]);
});

test('checkShape says which parts passed, so later checks skip what the schema refused', () => {
  const { problems, isClean } = checkShape(testManifest({ trainig: {}, training: { epochs: 'ten' }, inputs: { numbers: { encoder: 'test/numeric' } } }));
  assert.equal(problems.length, 3, problems.join('\n'));
  assert.equal(isClean('/training'), false);
  assert.equal(isClean('/training/epochs'), false);
  assert.equal(isClean('/inputs/numbers'), false);
  assert.equal(isClean('/inputs'), false, 'an object around a refused value is not clean either');
  assert.equal(isClean('/output/task'), true);
  assert.equal(isClean('/data/split'), true, 'an unknown top-level key dirties only itself');
  assert.equal(checkShape(testManifest({ output: undefined })).isClean('/output/column'), false, 'a missing required key is a problem of that key');
});

test('plugin checks skip inputs the schema refused and types whose listed plugin did not load', () => {
  const manifest = testManifest({ inputs: { numbers: { encoder: 'test/numeric', columns: ['a'] }, photo: { encoder: 'image/cnn', column: 'p' } } });
  const { isClean } = checkShape(manifest);
  const registry = new PluginRegistry([testPlugin]);
  assert.deepEqual(checkManifestAgainstPlugins(manifest as Manifest, registry, { isClean, unloaded: ['@polymodal/encoder-image'] }), []);
  assert.equal(checkManifestAgainstPlugins(manifest as Manifest, registry, { isClean }).length, 1);
  assert.deepEqual(checkManifestAgainstPlugins(manifest as Manifest, registry, { isClean: (p) => !p.startsWith('/inputs/photo') }), []);
});

test('"auc" passes the metric check (it is rewritten to rocAuc); a plain typo still gets a suggestion', () => {
  const registry = new PluginRegistry([testPlugin]);
  const check = (metrics: string[]) => {
    const manifest = testManifest({ evaluation: { metrics } });
    checkShape(manifest);
    return checkManifestAgainstPlugins(manifest as Manifest, registry);
  };
  assert.deepEqual(check(['auc', 'AUC']), []);
  assert.deepEqual(check(['rocAcu']), ['/evaluation/metrics/0: "rocAcu" is not a binary metric. Did you mean "rocAuc"?']);
});
