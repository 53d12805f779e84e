import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { TOKENS } from '../tokens.js';
import { DefaultTrainer, type Trainer, type TrainingJob } from '../training/trainer.js';
import { syntheticCsv, testManifest, testPlugin } from '../test-fixtures/numeric-plugin.js';
import { evaluate } from './evaluate.js';
import { predict } from './predict.js';
import { train } from './train.js';

function workspace(manifest: Record<string, unknown>, rows = 300): { dir: string; manifestPath: string } {
  const dir = mkdtempSync(join(tmpdir(), 'polymodal-train-'));
  writeFileSync(join(dir, 'data.csv'), syntheticCsv(rows));
  const manifestPath = join(dir, 'polymodal.json');
  writeFileSync(manifestPath, JSON.stringify(manifest));
  return { dir, manifestPath };
}

test('trains, writes a complete model folder, and keeps the tensor count flat across epochs', async () => {
  const { dir, manifestPath } = workspace(testManifest({ training: { backend: 'wasm', epochs: 6, batchSize: 16, seed: 5, optimizer: { learningRate: 0.05 } } }));
  try {
    const counts: number[] = [];
    class CountingTrainer implements Trainer {
      constructor(private readonly inner: Trainer) {}
      train(job: TrainingJob) {
        return this.inner.train({ ...job, callbacks: [{ onEpochEnd: () => void counts.push(tf.memory().numTensors) }] });
      }
    }
    const result = await train({
      manifest: manifestPath,
      plugins: [testPlugin],
      configure: (c) => c.register(TOKENS.Trainer, { useFactory: (inner) => new CountingTrainer(inner.resolve(DefaultTrainer)) }),
    });
    assert.equal(result.backend.name, 'wasm');
    assert.equal(counts.length, 6);
    assert.equal(new Set(counts.slice(1)).size, 1, `tensor counts per epoch: ${counts.join(', ')}`);
    const files = readdirSync(result.outDir).sort();
    assert.deepEqual(files, ['.polymodal-folder.json', 'history.json', 'manifest.json', 'metrics.json', 'model', 'polymodal.json', 'preprocessing.json', 'summary.txt']);
    assert.ok(!readdirSync(join(dir, 'runs')).some((f) => f.includes('.partial')), 'no staging folder left');
    const metrics = JSON.parse(readFileSync(join(result.outDir, 'metrics.json'), 'utf8'));
    assert.deepEqual(metrics.rows, { train: 180, validation: 60, test: 60 });
    assert.ok(metrics.test.accuracy > 0.8, `a linear boundary should be learnt: ${metrics.test.accuracy}`);
    const meta = JSON.parse(readFileSync(join(result.outDir, 'polymodal.json'), 'utf8'));
    assert.equal(meta.backend.name, 'wasm');
    assert.deepEqual(meta.plugins, [{ name: 'polymodal-test-plugin', version: '1.0.0', apiVersion: 1 }]);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('the same seed gives the same model and metrics; another seed does not', async () => {
  const { dir, manifestPath } = workspace(testManifest());
  try {
    const run = async (seed: number, out: string) => {
      const result = await train({ manifest: manifestPath, plugins: [testPlugin], outDir: join(dir, out), overrides: { seed } });
      return { metrics: result.metrics, weights: readFileSync(join(result.outDir, 'model', 'weights.bin')) };
    };
    const first = await run(5, 'a');
    const second = await run(5, 'b');
    const other = await run(6, 'c');
    assert.deepEqual(second.metrics, first.metrics);
    assert.ok(second.weights.equals(first.weights), 'weights are byte-identical');
    assert.ok(!other.weights.equals(first.weights));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('evaluate and predict from the folder agree with training-time metrics', async () => {
  const { dir, manifestPath } = workspace(testManifest({ training: { backend: 'wasm', epochs: 4, batchSize: 16, seed: 5, earlyStopping: { patience: 2 }, checkpoint: {} } }));
  try {
    const trained = await train({ manifest: manifestPath, plugins: [testPlugin] });
    assert.ok(existsSync(join(trained.outDir, 'checkpoints', 'best', 'model.json')));
    const evaluated = await evaluate(trained.outDir, { plugins: [testPlugin], backend: 'wasm' });
    assert.equal(evaluated.rowsUsed, 'test split');
    assert.equal(evaluated.rows, trained.metrics.rows.test);
    for (const [name, value] of Object.entries(trained.metrics.test)) assert.ok(Math.abs(evaluated.metrics[name] - value) < 1e-6, name);
    assert.match(evaluated.report ?? '', /precision\s+recall\s+f1-score\s+support/);
    const predicted = await predict(trained.outDir, { input: join(dir, 'data.csv'), output: join(dir, 'out.jsonl'), plugins: [testPlugin], backend: 'wasm' });
    assert.equal(predicted.predictions.length, 300);
    const lines = readFileSync(join(dir, 'out.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l));
    assert.equal(lines[0].row, 2);
    assert.ok(['neg', 'pos'].includes(lines[0].prediction));
    assert.ok(Math.abs(lines[0].probabilities.neg + lines[0].probabilities.pos - 1) < 1e-5);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('invalid rows fail with file, line and column, or are skipped and counted', async () => {
  const csv = syntheticCsv(200).split('\n');
  csv[5] = csv[5].replace(/^[^,]+/, 'oops');
  csv[9] = csv[9].replace(/,[^,]+$/, ',');
  const { dir, manifestPath } = workspace(testManifest());
  writeFileSync(join(dir, 'data.csv'), csv.join('\n'));
  try {
    await assert.rejects(train({ manifest: manifestPath, plugins: [testPlugin] }), (error: any) =>
      /data\.csv:6: column "a": not a number/.test(error.message) && /onInvalidRow/.test(error.details.hint));
    const warnings: string[] = [];
    writeFileSync(manifestPath, JSON.stringify(testManifest({ data: { source: 'data.csv', onInvalidRow: 'skip' } })));
    const result = await train({ manifest: manifestPath, plugins: [testPlugin], reporter: { event: (e) => e.type === 'warning' && warnings.push(e.message) } });
    assert.equal(result.metrics.skippedRows.count, 2);
    assert.deepEqual(result.metrics.skippedRows.byColumn, { a: 1, label: 1 });
    assert.match(warnings.join('\n'), /skipped 2 of 200 rows/);
    assert.equal(result.metrics.rows.train + result.metrics.rows.validation + result.metrics.rows.test, 198);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a run that fails during training leaves no model folder, no staging folder and no tensors', async () => {
  const { dir, manifestPath } = workspace(testManifest({ training: { backend: 'wasm', epochs: 2, batchSize: 16, seed: 5, checkpoint: {} } }));
  try {
    const failing = { train: async () => { throw new Error('trainer exploded'); } };
    // A first run settles what stays allocated for good (backend kernels, the plugin's constants).
    await assert.rejects(train({ manifest: manifestPath, plugins: [testPlugin], configure: (c) => c.register(TOKENS.Trainer, { useValue: failing }) }), /trainer exploded/);
    const before = tf.memory().numTensors;
    await assert.rejects(train({ manifest: manifestPath, plugins: [testPlugin], configure: (c) => c.register(TOKENS.Trainer, { useValue: failing }) }), /trainer exploded/);
    assert.equal(tf.memory().numTensors, before, 'the model built for a failed run is disposed');
    assert.deepEqual(readdirSync(join(dir, 'runs')), [], 'no model, staging or resume folder');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('class weights shift the model toward the weighted class; unknown classes are refused', async () => {
  const { dir, manifestPath } = workspace(testManifest(), 300);
  try {
    const meanScore = async (classWeight: unknown, out: string) => {
      writeFileSync(manifestPath, JSON.stringify(testManifest({ training: { backend: 'wasm', epochs: 4, batchSize: 16, seed: 5, optimizer: { learningRate: 0.02 }, classWeight } })));
      const result = await train({ manifest: manifestPath, plugins: [testPlugin], outDir: join(dir, out) });
      const { predictions } = await predict(result.outDir, { input: join(dir, 'data.csv'), plugins: [testPlugin], backend: 'wasm' });
      return predictions.reduce((sum, p) => sum + p.probabilities!.pos, 0) / predictions.length;
    };
    const plain = await meanScore(undefined, 'plain');
    const weighted = await meanScore({ pos: 20 }, 'weighted');
    assert.ok(weighted > plain + 0.1, `mean P(pos): ${plain} without weights, ${weighted} with pos weighted 20x`);
    writeFileSync(manifestPath, JSON.stringify(testManifest({ training: { backend: 'wasm', epochs: 1, batchSize: 16, seed: 5, classWeight: { maybe: 2 } } })));
    await assert.rejects(train({ manifest: manifestPath, plugins: [testPlugin] }), /classWeight\/maybe: "maybe" is not a class/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
