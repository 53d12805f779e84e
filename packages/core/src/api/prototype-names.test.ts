// Names that exist on Object.prototype, used where user strings become keys: input names, column names,
// class labels, classWeight keys and split values. Each must train like any other name.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { testManifest, testPlugin } from '../test-fixtures/numeric-plugin.js';
import { evaluate } from './evaluate.js';
import { predict } from './predict.js';
import { train } from './train.js';

const NAMES = ['constructor', 'toString', 'valueOf', 'hasOwnProperty'] as const;

/** Four numeric columns named after Object.prototype members, a label with two of those names as classes. */
function csv(rows: number): string {
  const lines = [`${NAMES.join(',')},label,part`];
  for (let i = 0; i < rows; i++) {
    const positive = i % 2 === 0;
    const part = i % 5 === 0 ? 'validation' : i % 5 === 1 ? 'test' : 'train';
    lines.push(`${positive ? 1 : -1},${(i % 7) / 7},${(i % 3) / 3},${i % 2},${positive ? 'constructor' : 'toString'},${part}`);
  }
  return lines.join('\n') + '\n';
}

for (const name of NAMES) {
  test(`"${name}" as an input name, column, class label, classWeight key trains and predicts`, async () => {
    const dir = mkdtempSync(join(tmpdir(), 'polymodal-proto-'));
    try {
      writeFileSync(join(dir, 'data.csv'), csv(60));
      const manifestPath = join(dir, 'polymodal.json');
      writeFileSync(manifestPath, JSON.stringify(testManifest({
        data: { source: 'data.csv', split: { column: 'part' } },
        inputs: { [name]: { encoder: 'test/numeric', columns: [...NAMES] } },
        output: { column: 'label', task: 'binary', positiveClass: 'constructor' },
        training: { backend: 'wasm', epochs: 1, batchSize: 16, seed: 1, classWeight: { constructor: 1, toString: 2 } },
      })));
      const result = await train({ manifest: manifestPath, plugins: [testPlugin], outDir: join(dir, 'model') });
      assert.deepEqual(result.metrics.rows, { train: 36, validation: 12, test: 12 });
      const meta = JSON.parse(readFileSync(join(result.outDir, 'polymodal.json'), 'utf8'));
      assert.deepEqual(meta.classes, ['toString', 'constructor']);
      const { predictions } = await predict(result.outDir, { input: join(dir, 'data.csv'), plugins: [testPlugin], backend: 'wasm' });
      assert.equal(predictions.length, 60);
      assert.ok(predictions.every((p) => p.prediction === 'constructor' || p.prediction === 'toString'), JSON.stringify(predictions[0]));
      assert.deepEqual(Object.keys(predictions[0].probabilities!), ['toString', 'constructor']);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
}

test('"__proto__" as a column name and a class label trains, and as an input name is refused clearly', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'polymodal-proto-'));
  try {
    const lines = ['__proto__,b,label', ...Array.from({ length: 40 }, (_, i) => `${i % 2 ? 1 : -1},${(i % 5) / 5},${i % 2 ? '__proto__' : 'valueOf'}`)];
    writeFileSync(join(dir, 'data.csv'), lines.join('\n') + '\n');
    const manifestPath = join(dir, 'polymodal.json');
    const manifest = testManifest({
      inputs: { numbers: { encoder: 'test/numeric', columns: ['__proto__', 'b'] } },
      output: { column: 'label', task: 'binary', positiveClass: '__proto__' },
      training: { backend: 'wasm', epochs: 1, batchSize: 16, seed: 1, classWeight: JSON.parse('{"__proto__": 2, "valueOf": 1}') },
    });
    writeFileSync(manifestPath, JSON.stringify(manifest));
    const result = await train({ manifest: manifestPath, plugins: [testPlugin], outDir: join(dir, 'model') });
    const evaluated = await evaluate(result.outDir, { plugins: [testPlugin], backend: 'wasm' });
    assert.equal(evaluated.rows, result.metrics.rows.test);
    const meta = JSON.parse(readFileSync(join(result.outDir, 'polymodal.json'), 'utf8'));
    assert.deepEqual(meta.classes, ['valueOf', '__proto__']);
    const { predictions } = await predict(result.outDir, { input: join(dir, 'data.csv'), plugins: [testPlugin], backend: 'wasm' });
    assert.deepEqual(Object.keys(predictions[0].probabilities!), ['valueOf', '__proto__']);

    writeFileSync(manifestPath, JSON.stringify(manifest).replace('"numbers"', '"__proto__"'));
    await assert.rejects(train({ manifest: manifestPath, plugins: [testPlugin], outDir: join(dir, 'other') }), (error: Error & { exitCode?: number }) =>
      error.exitCode === 2 && /\/inputs: key "__proto__" is not allowed/.test((error as { details?: { problems?: string[] } }).details?.problems?.[0] ?? ''));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
