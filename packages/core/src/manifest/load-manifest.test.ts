import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PolymodalError } from '../errors.js';
import { testManifest, testPlugin } from '../test-fixtures/numeric-plugin.js';
import { checkHostLimits } from './cross-checks.js';
import { MAX_MANIFEST_BYTES } from './parse-manifest.js';
import { loadManifest, resolveManifestValue } from './load-manifest.js';
import type { Manifest } from './types.js';

// No search beyond the manifest's folder: the workspace's own node_modules would find every first-party plugin.
const options = { plugins: [testPlugin], pluginSearchDirs: [] };

async function problemsOf(value: unknown): Promise<{ problems: readonly string[]; exitCode: number }> {
  try {
    await resolveManifestValue(value, '/virtual/polymodal.json', options);
  } catch (error) {
    assert.ok(error instanceof PolymodalError, String(error));
    return { problems: error.details.problems ?? [], exitCode: error.exitCode };
  }
  return { problems: [], exitCode: 0 };
}

function withFile<T>(text: string, run: (path: string) => Promise<T>): Promise<T> {
  const dir = mkdtempSync(join(tmpdir(), 'polymodal-manifest-'));
  const path = join(dir, 'polymodal.json');
  writeFileSync(path, text);
  return run(path).finally(() => rmSync(dir, { recursive: true, force: true }));
}

test('every stage reports: shape, plugin loading, plugin options, metrics, split and monitors, all at once', async () => {
  const { problems, exitCode } = await problemsOf(testManifest({
    plugins: ['polymodal-test-plugin', '@polymodal/encoder-video'],
    data: { source: 'data.csv', split: { validation: 0.6, test: 0.4 } },
    inputs: { numbers: { encoder: 'test/numeric', columns: ['a'], options: { unit: 3 } } },
    training: { backend: 'wasm', epochs: 'ten', earlyStopping: { monitor: 'val_bogus' } },
    evaluation: { metrics: ['acuracy'] },
  }));
  assert.equal(exitCode, 2);
  const expected = [
    /^\/training\/epochs: must be integer, found string$/,
    /^\/plugins\/1: plugin package "@polymodal\/encoder-video" is not installed/,
    /^\/inputs\/numbers\/options: unknown key "unit". Did you mean "units"\?$/,
    /^\/evaluation\/metrics\/0: "acuracy" is not a binary metric. Did you mean "accuracy"\?$/,
    /^\/data\/split: validation \(0\.6\) \+ test \(0\.4\) = 1 leaves no rows for training/,
  ];
  for (const pattern of expected) assert.ok(problems.some((p) => pattern.test(p)), `${pattern}\n${problems.join('\n')}`);
  // The training section failed the schema, so its monitors are not judged on top of that.
  assert.equal(problems.length, expected.length, problems.join('\n'));
});

test('a monitor that is never logged is a manifest problem, before any training', async () => {
  const { problems } = await problemsOf(testManifest({ training: { backend: 'wasm', earlyStopping: { monitor: 'val_bogus' } } }));
  assert.equal(problems.length, 1);
  assert.match(problems[0], /^\/training\/earlyStopping\/monitor: cannot monitor "val_bogus"; use loss, val_loss, accuracy, val_accuracy or val_<metric>/);
  const noValidation = await problemsOf(testManifest({
    data: { source: 'data.csv', split: { validation: 0, test: 0.2 } },
    training: { backend: 'wasm', checkpoint: { monitor: 'val_loss' } },
  }));
  assert.deepEqual(noValidation.problems, ['/training/checkpoint/monitor: "val_loss" needs a validation split, but data.split.validation gives no rows']);
});

test('the label used as an input names both pointers', async () => {
  const { problems } = await problemsOf(testManifest({ inputs: { numbers: { encoder: 'test/numeric', columns: ['a', 'label'] } } }));
  assert.deepEqual(problems, [
    '/inputs/numbers/columns/1: column "label" is the label (/output/column); an input must not contain the label, or the model just copies it. Remove it from the input',
  ]);
});

test('the plugins that load still check their inputs when another plugin fails', async () => {
  const { problems } = await problemsOf(testManifest({
    plugins: ['polymodal-test-plugin', '@polymodal/encoder-image'],
    inputs: {
      numbers: { encoder: 'test/numeric', columns: ['a'], options: { units: 0 } },
      photo: { encoder: 'image/cnn', column: 'path' },
    },
  }));
  assert.equal(problems.length, 2, problems.join('\n'));
  assert.match(problems[0], /^\/plugins\/1: plugin package "@polymodal\/encoder-image" is not installed/);
  assert.match(problems[1], /^\/inputs\/numbers\/options\/units: must be >= 1/);
});

test('`auc` means ROC-AUC, in metrics and monitors; for regression it is no metric', async () => {
  const loaded = await resolveManifestValue(testManifest({
    evaluation: { metrics: ['accuracy', 'auc'] },
    training: { backend: 'wasm', earlyStopping: { monitor: 'val_auc' } },
  }), '/virtual/polymodal.json', options);
  assert.deepEqual(loaded.resolved.manifest.evaluation.metrics, ['accuracy', 'rocAuc']);
  assert.equal(loaded.resolved.manifest.training.earlyStopping!.monitor, 'val_rocAuc');
  const regression = await problemsOf(testManifest({ output: { column: 'label', task: 'regression' }, evaluation: { metrics: ['auc'] } }));
  assert.equal(regression.problems.length, 1);
  assert.match(regression.problems[0], /^\/evaluation\/metrics\/0: "auc" is not a regression metric/);
  assert.doesNotMatch(regression.problems[0], /prAuc/);
});

test('duplicate keys in a manifest file are reported with the other problems', async () => {
  const text = JSON.stringify(testManifest({ training: { backend: 'wasm' } }), null, 2)
    .replace('"backend": "wasm"', '"epochs": 1,\n    "backend": "wasm",\n    "epochs": 100000')
    .replace('"name": "fixture"', '"name": "fixture",\n  "trainig": {}');
  await withFile(text, async (path) => {
    await assert.rejects(loadManifest(path, options), (error: PolymodalError) => {
      const problems = error.details.problems ?? [];
      assert.equal(error.exitCode, 2);
      assert.equal(problems.length, 2, problems.join('\n'));
      assert.match(problems[0], /^\/training\/epochs: duplicate key "epochs" at line:column \d+:5 \(first at \d+:5\)/);
      assert.match(problems[1], /^\/: unknown key "trainig"/);
      return true;
    });
  });
});

test('plugin options nested 10,000 deep are refused before ajv sees them', async () => {
  let deep: unknown = 1;
  for (let i = 0; i < 10_000; i++) deep = { deep };
  const { problems, exitCode } = await problemsOf(testManifest({ inputs: { numbers: { encoder: 'test/numeric', columns: ['a'], options: { units: deep } } } }));
  assert.equal(exitCode, 2);
  assert.deepEqual(problems, ['/inputs/numbers/options/units/deep/deep/deep/deep/...: nested more than 64 levels deep']);
});

test('core maxima refuse resource bombs with the limit', async () => {
  const { problems } = await problemsOf(testManifest({
    training: { backend: 'wasm', epochs: 10_000_000, batchSize: 100_000_000 },
    output: { column: 'label', task: 'binary', hiddenUnits: [1_000_000] },
  }));
  assert.ok(problems.some((p) => /^\/training\/epochs: must be <= \d+/.test(p)), problems.join('\n'));
  assert.ok(problems.some((p) => /^\/training\/batchSize: must be <= \d+/.test(p)), problems.join('\n'));
  assert.ok(problems.some((p) => /^\/output\/hiddenUnits\/0: must be <= \d+/.test(p)), problems.join('\n'));
});

test('more worker threads than cores is an error naming the number of cores', () => {
  const manifest = testManifest({ data: { source: 'd.csv', workers: 64 } }) as Manifest;
  assert.deepEqual(checkHostLimits(manifest, () => true, 4), ['/data/workers: 64 worker threads, but this machine has 4 cores; use at most 4, or "auto"']);
  assert.deepEqual(checkHostLimits({ ...manifest, data: { ...manifest.data, workers: 4 } }, () => true, 4), []);
  assert.deepEqual(checkHostLimits({ ...manifest, data: { ...manifest.data, workers: 'auto' } }, () => true, 1), []);
});

test('Object.prototype names work as input names and classWeight keys; __proto__ as an input name is refused clearly', async () => {
  for (const name of ['constructor', 'toString', 'valueOf', 'hasOwnProperty']) {
    const loaded = await resolveManifestValue(testManifest({
      inputs: { [name]: { encoder: 'test/numeric', columns: ['a'] } },
      training: { backend: 'wasm', classWeight: { [name]: 2 } },
    }), '/virtual/polymodal.json', options);
    assert.equal(loaded.resolved.manifest.inputs[name].options.units, 8, name);
  }
  const proto = JSON.parse('{"__proto__": {"encoder": "test/numeric", "columns": ["a"]}}');
  const { problems } = await problemsOf(testManifest({ inputs: proto }));
  assert.equal(problems.length, 1, problems.join('\n'));
  assert.match(problems[0], /^\/inputs: .*__proto__|^\/inputs\/__proto__/);
});

test('a manifest file over the size limit is refused before it is parsed', async () => {
  const text = JSON.stringify({ ...testManifest(), description: 'x'.repeat(MAX_MANIFEST_BYTES) });
  await withFile(text, async (path) => {
    await assert.rejects(loadManifest(path, options), (error: PolymodalError) =>
      error.exitCode === 2 && new RegExp(`the manifest is ${text.length} bytes; a manifest is at most ${MAX_MANIFEST_BYTES} bytes`).test(error.message));
  });
});
