import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { syntheticCsv, testManifest, testPlugin } from '../test-fixtures/numeric-plugin.js';
import { explain, permuteColumns } from './explain.js';
import { train } from './train.js';

test('permuteColumns moves only the given columns, all together, by the permutation', () => {
  const rows = [{ a: 1, b: 10, c: 'x' }, { a: 2, b: 20, c: 'y' }, { a: 3, b: 30, c: 'z' }];
  assert.deepEqual(permuteColumns(rows, ['a', 'b'], [2, 0, 1]), [{ a: 3, b: 30, c: 'x' }, { a: 1, b: 10, c: 'y' }, { a: 2, b: 20, c: 'z' }]);
  assert.deepEqual(rows[0], { a: 1, b: 10, c: 'x' }, 'input rows untouched');
});

test('the informative input matters, the noise input does not; repeats are seeded', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'polymodal-explain-'));
  try {
    writeFileSync(join(dir, 'data.csv'), syntheticCsv(400));
    writeFileSync(join(dir, 'polymodal.json'), JSON.stringify(testManifest({
      inputs: { signal: { encoder: 'test/numeric', columns: ['a', 'b'] }, noise: { encoder: 'test/numeric', columns: ['noise'] } },
      training: { backend: 'wasm', epochs: 8, batchSize: 16, seed: 5, optimizer: { learningRate: 0.05 } },
      evaluation: { metrics: ['accuracy', 'logLoss'] },
    })));
    const { outDir } = await train({ manifest: join(dir, 'polymodal.json'), plugins: [testPlugin] });
    const result = await explain(outDir, { plugins: [testPlugin], repeats: 4 });
    assert.equal(result.rowsUsed, 'test split');
    assert.equal(result.rows, 80);
    assert.deepEqual(result.inputs.map((i) => i.name), ['signal', 'noise']);
    assert.deepEqual(result.lowerIsBetter, ['logLoss']);
    const [signal, noise] = result.inputs;
    assert.ok(result.baseline.accuracy > 0.8, `baseline accuracy ${result.baseline.accuracy}`);
    assert.ok(signal.metrics.accuracy.drop > 0.2, `signal accuracy drop ${signal.metrics.accuracy.drop}`);
    assert.ok(signal.metrics.accuracy.ci95![0] > 0, 'the interval excludes 0');
    assert.ok(signal.metrics.logLoss.drop > 0, 'a lower-is-better metric drops when its value rises');
    assert.ok(Math.abs(noise.metrics.accuracy.drop) < 0.08, `noise accuracy drop ${noise.metrics.accuracy.drop}`);
    assert.equal(signal.metrics.accuracy.drops.length, 4);
    const [lo, hi] = signal.metrics.accuracy.ci95!;
    assert.ok(lo <= signal.metrics.accuracy.drop && signal.metrics.accuracy.drop <= hi);

    const saved = JSON.parse(readFileSync(join(outDir, 'explanation.json'), 'utf8'));
    assert.deepEqual(saved.inputs, JSON.parse(JSON.stringify(result.inputs)));
    // The unpermuted predictions come back for a report's curves; core itself writes no report.
    assert.equal(result.evaluation.rows, 80);
    assert.equal(result.evaluation.scores.length, 80);
    assert.deepEqual(result.evaluation.metrics, result.baseline);
    assert.deepEqual(result.files, [join(outDir, 'explanation.json')]);
    assert.ok(!existsSync(join(outDir, 'report.html')));

    const again = await explain(outDir, { plugins: [testPlugin], repeats: 4, write: false });
    assert.deepEqual(again.inputs, result.inputs, 'same seed, same permutations');
    const other = await explain(outDir, { plugins: [testPlugin], repeats: 4, seed: 99, write: false });
    assert.notDeepEqual(other.inputs[0].metrics.accuracy.drops, result.inputs[0].metrics.accuracy.drops);
    assert.deepEqual(again.files, []);
    assert.ok(existsSync(join(outDir, 'explanation.json')));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
