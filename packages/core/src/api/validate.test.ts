import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PolymodalError } from '../errors.js';
import { syntheticCsv, testManifest, testPlugin } from '../test-fixtures/numeric-plugin.js';
import { validate } from './validate.js';

async function validateProject(manifest: Record<string, unknown>, csv = syntheticCsv(40)): Promise<PolymodalError | undefined> {
  const dir = mkdtempSync(join(tmpdir(), 'polymodal-validate-'));
  try {
    writeFileSync(join(dir, 'data.csv'), csv);
    writeFileSync(join(dir, 'polymodal.json'), JSON.stringify(manifest));
    await validate(join(dir, 'polymodal.json'), { plugins: [testPlugin] });
    return undefined;
  } catch (error) {
    if (error instanceof PolymodalError) return error;
    throw error;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function regressionCsv(labels: readonly string[]): string {
  return ['a,b,noise,label', ...labels.map((label, i) => `${i},${i * 2},0.5,${label}`)].join('\n') + '\n';
}

test('manifest and data problems are reported together, with exit 2', async () => {
  const error = await validateProject(testManifest({
    inputs: { numbers: { encoder: 'test/numeric', columns: ['a', 'bb'], options: { unit: 2 } } },
  }));
  assert.ok(error);
  assert.equal(error.exitCode, 2);
  const problems = error.details.problems!;
  assert.equal(problems.length, 2, problems.join('\n'));
  assert.match(problems[0], /^\/inputs\/numbers\/options: unknown key "unit"/);
  assert.match(problems[1], /^\/inputs\/numbers\/columns\/1: column "bb" is not in .*data\.csv\. Did you mean "b"\?$/);
  assert.match(error.details.hint!, /The file's columns are: a, b, noise, label/);
});

test('text labels for a regression task: in every row the task is wrong (exit 2), in some rows the data is (exit 1), each naming row and value', async () => {
  const manifest = testManifest({ output: { column: 'label', task: 'regression' } });
  const allText = await validateProject(manifest, regressionCsv(['cat', 'dog', 'cat', 'dog', 'cat']));
  assert.equal(allText?.exitCode, 2);
  assert.match(allText!.details.problems![0], /^\/output\/task: a regression task needs numeric labels, but column "label" holds text: .*data\.csv:2 \("cat"\), .*data\.csv:3 \("dog"\), .*data\.csv:4 \("cat"\) and 2 more rows\. Use "multiclass"/);
  const someText = await validateProject(manifest, regressionCsv(['1.5', '2', 'n/a', '3', '4']));
  assert.equal(someText?.exitCode, 1);
  assert.match(someText!.message, /the data has 1 problem/);
  assert.match(someText!.details.problems![0], /data\.csv: column "label": label is not a number in .*data\.csv:4 \("n\/a"\)$/);
  const skipped = await validateProject(testManifest({ ...manifest, data: { source: 'data.csv', onInvalidRow: 'skip' } }), regressionCsv(['1.5', '2', 'n/a', '3', '4']));
  assert.equal(skipped, undefined);
});

test('a binary label column with three classes and an unknown class weight are both listed', async () => {
  const csv = ['a,b,noise,label', '1,2,3,x', '1,2,3,y', '1,2,3,z'].join('\n') + '\n';
  const error = await validateProject(testManifest({ output: { column: 'label', task: 'binary' }, evaluation: { metrics: ['bogus'] } }), csv);
  assert.equal(error?.exitCode, 2);
  const problems = error!.details.problems!;
  assert.equal(problems.length, 2, problems.join('\n'));
  assert.match(problems[0], /^\/evaluation\/metrics\/0: "bogus"/);
  assert.match(problems[1], /a binary task needs exactly 2 classes, found 3/);
});

test('Object.prototype names as column names, class labels and split values validate, or fail clearly', async () => {
  const names = ['constructor', 'toString', 'valueOf', 'hasOwnProperty'];
  const rows = Array.from({ length: 40 }, (_, i) => `${i},${i % 3},${i % 5},${i % 7},${names[i % 2]},${names[i % 4]},${i < 30 ? 'train' : i < 35 ? 'validation' : 'test'}`);
  const csv = [`${names.join(',')},label,kind,part`, ...rows].join('\n') + '\n';
  const manifest = testManifest({
    data: { source: 'data.csv', split: { column: 'part' } },
    inputs: { valueOf: { encoder: 'test/numeric', columns: names } },
    output: { column: 'label', task: 'binary', positiveClass: 'toString' },
    training: { backend: 'wasm', classWeight: { constructor: 1, toString: 2 } },
  });
  assert.equal(await validateProject(manifest, csv), undefined);
  const multiclass = { ...manifest, output: { column: 'kind', task: 'multiclass' }, training: { backend: 'wasm', classWeight: { hasOwnProperty: 2, __proto__x: 1 } } };
  const unknownWeight = await validateProject(multiclass, csv);
  assert.match(unknownWeight!.details.problems![0], /^\/training\/classWeight: "__proto__x" is not a class/);
  const badSplit = await validateProject({ ...manifest, data: { source: 'data.csv', split: { column: 'label' } } }, csv);
  assert.equal(badSplit?.exitCode, 1);
  assert.match(badSplit!.details.problems![0], /data\.csv:2: column "label": split value "constructor" is not train, validation or test/);
});
