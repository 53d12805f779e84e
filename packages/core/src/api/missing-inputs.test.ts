import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PolymodalError } from '../errors.js';
import { TOKENS } from '../tokens.js';
import { DefaultTrainer, type Trainer, type TrainingJob } from '../training/trainer.js';
import { syntheticCsv } from '../test-fixtures/numeric-plugin.js';
import { optionalManifest, optionalTestPlugin, withEmptyCells } from '../test-fixtures/optional-plugin.js';
import { evaluate } from './evaluate.js';
import { explain } from './explain.js';
import { predict } from './predict.js';
import { isRowError, loadPredictor } from './predictor.js';
import { train } from './train.js';

const plugins = [optionalTestPlugin];

function workspace(manifest: Record<string, unknown>, csv = withEmptyCells(syntheticCsv(300), 1, 3)): { dir: string; manifestPath: string } {
  const dir = mkdtempSync(join(tmpdir(), 'polymodal-missing-'));
  writeFileSync(join(dir, 'data.csv'), csv);
  const manifestPath = join(dir, 'polymodal.json');
  writeFileSync(manifestPath, JSON.stringify(manifest));
  return { dir, manifestPath };
}

test('rows without an optional input train, predict (saying which inputs they had), explain and evaluate with --drop', async () => {
  const { dir, manifestPath } = workspace(optionalManifest());
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
      plugins,
      overrides: { epochs: 4 },
      configure: (c) => c.register(TOKENS.Trainer, { useFactory: (inner) => new CountingTrainer(inner.resolve(DefaultTrainer)) }),
    });
    // A third of the rows lack b: none was skipped.
    assert.deepEqual(result.metrics.rows, { train: 180, validation: 60, test: 60 });
    assert.equal(new Set(counts.slice(1)).size, 1, `tensor counts per epoch: ${counts.join(', ')}`);
    const meta = JSON.parse(readFileSync(join(result.outDir, 'polymodal.json'), 'utf8'));
    assert.deepEqual(meta.modelInputs, ['first', 'second', 'second__present']);
    assert.deepEqual(meta.inputs.map((i: { required: boolean }) => i.required), [true, false]);
    assert.deepEqual(meta.reliance, [{ name: 'weights', layer: 'fusion_weights', columns: ['first', 'second'] }]);

    const input = join(dir, 'new.csv');
    writeFileSync(input, 'a,b,noise\n1.5,,0.2\n-1,0.5,0.1\n');
    const plain = await predict(result.outDir, { input, plugins });
    assert.deepEqual(plain.predictions.map((p) => p.modalities), [['first'], ['first', 'second']]);
    assert.equal(plain.predictions[0].reliance, undefined);
    const explained = await predict(result.outDir, { input, plugins, explain: true });
    assert.deepEqual(explained.predictions.map((p) => p.probabilities), plain.predictions.map((p) => p.probabilities));
    assert.deepEqual(explained.predictions.map((p) => p.reliance!.presence), [{ first: 1, second: 0 }, { first: 1, second: 1 }]);
    for (const p of explained.predictions) {
      const weights = p.reliance!.weights;
      assert.deepEqual(Object.keys(weights), ['first', 'second']);
      assert.ok(Math.abs(weights.first + weights.second - 1) < 1e-5);
    }

    const predictor = await loadPredictor(result.outDir, { plugins });
    try {
      assert.deepEqual(predictor.inputs.map((c) => [c.name, c.required]), [['a', true], ['b', false]]);
      const results = await predictor.predict([{ a: 1.5 }, { a: -1, b: 0.5 }, { b: 2 }]);
      assert.deepEqual(results.slice(0, 2).map((r) => (isRowError(r) ? r : r.probabilities)), plain.predictions.map((p) => p.probabilities));
      assert.ok(isRowError(results[2]) && results[2].error.column === 'a', 'the required input stays required');
      const [withReliance] = await predictor.predict([{ a: 1.5, b: null }], { explain: true });
      assert.ok(!isRowError(withReliance));
      assert.deepEqual(withReliance.modalities, ['first']);
      assert.deepEqual(withReliance.reliance, explained.predictions[0].reliance);
    } finally {
      predictor.dispose();
    }

    const full = await evaluate(result.outDir, { plugins });
    const without = await evaluate(result.outDir, { plugins, drop: ['second'] });
    assert.deepEqual(without.dropped, ['second']);
    assert.equal(without.rows, full.rows);
    assert.ok(without.metrics.accuracy < full.metrics.accuracy, `b carries signal: ${without.metrics.accuracy} vs ${full.metrics.accuracy}`);
    const tensorsBefore = tf.memory().numTensors;
    await assert.rejects(evaluate(result.outDir, { plugins, drop: ['first'] }), (error: unknown) =>
      error instanceof PolymodalError && error.exitCode === 2 && /--drop first: input "first" is required/.test(error.message));
    await assert.rejects(evaluate(result.outDir, { plugins, drop: ['secnd'] }), /--drop secnd: the model has no input "secnd". Did you mean "second"\?/);
    assert.equal(tf.memory().numTensors, tensorsBefore, 'a refused --drop leaves no tensor behind (the model is disposed)');

    const explanation = await explain(result.outDir, { plugins, repeats: 2, write: false });
    const [first, second] = explanation.inputs;
    assert.equal(first.masked, undefined, 'a required input has no masked drop');
    assert.ok(Math.abs(second.masked!.accuracy - (full.metrics.accuracy - without.metrics.accuracy)) < 1e-9);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('modality dropout is reproducible: the same seed gives byte-identical weights, another seed others', async () => {
  const weightsOf = async (seed: number) => {
    const { dir, manifestPath } = workspace(optionalManifest());
    try {
      const result = await train({ manifest: manifestPath, plugins, overrides: { seed, epochs: 2 } });
      return readFileSync(join(result.outDir, 'model', 'weights.bin'));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  };
  const [a, b] = [await weightsOf(11), await weightsOf(11)];
  assert.ok(a.equals(b));
  assert.ok(!(await weightsOf(12)).equals(a));
});

test('with every input optional, a row that has none of them is invalid: failed with its line, or skipped and counted', async () => {
  const manifest = optionalManifest({
    inputs: {
      first: { encoder: 'test/optional-numeric', columns: ['a'], required: false },
      second: { encoder: 'test/optional-numeric', columns: ['b'], required: false },
    },
  });
  const csv = withEmptyCells(withEmptyCells(syntheticCsv(200), 1, 4), 0, 8);
  const failing = workspace(manifest, csv);
  try {
    await assert.rejects(train({ manifest: failing.manifestPath, plugins }), /data\.csv:2: column "a": the row has none of its inputs \(first, second are all optional and all missing\)/);
  } finally {
    rmSync(failing.dir, { recursive: true, force: true });
  }
  const skipping = workspace({ ...manifest, data: { ...manifest.data, onInvalidRow: 'skip' } }, csv);
  try {
    const result = await train({ manifest: skipping.manifestPath, plugins, overrides: { epochs: 1 } });
    assert.equal(result.metrics.skippedRows.count, 25);
  } finally {
    rmSync(skipping.dir, { recursive: true, force: true });
  }
});

test('an optional input missing from every training row is a data error naming it', async () => {
  const { dir, manifestPath } = workspace(optionalManifest(), withEmptyCells(syntheticCsv(60), 1, 1));
  try {
    await assert.rejects(train({ manifest: manifestPath, plugins }), (error: unknown) =>
      error instanceof PolymodalError && error.exitCode === 1 && /input "second" is missing from every training row \(36\)/.test(error.message));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
