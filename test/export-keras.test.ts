// Every example's model, one with an optional input and the gated fusion, one on a backbone Keras saved, and small
// random models using every other mapped layer, exported to Keras 3, predict in Keras as in Polymodal;
// tools/keras-export/apply_preprocessing.py and the README's snippet turn raw rows into Polymodal's arrays.
// One Python process checks every model (TensorFlow loads once); it skips, with the reason, without the
// reference venv (tools/reference-venv.sh), and fails then under POLYMODAL_REQUIRE_REFERENCE=1.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadModel, train } from '@polymodal/core';
import { exportKerasLayersModel, exportKerasModel } from '@polymodal/keras';
import { makeWorkspace, removeWorkspace, REPO_ROOT } from './helpers.js';
import { preprocessedRows, predict } from './keras-parity.js';
import { syntheticModels } from './keras-synthetic-models.js';
import { speechExampleData } from '../tools/speech-example-data.mjs';

/** Every shipped example; the two speech ones train on generated WAVs (tools/speech-example-data.mjs). */
const EXAMPLES = ['quickstart', 'penguins', 'movies', 'digits', 'seed', 'tune-article', 'digit-genre'];
const SPEECH_EXAMPLES = ['speech', 'speech-context'];
const TOLERANCE = 1e-4;
/** Inputs the README snippet covers; models with other inputs are checked on Polymodal's arrays only. */
const SNIPPET_KINDS = new Set(['tabular', 'text']);

async function referencePython(): Promise<{ python?: string; skip?: string }> {
  const module = join(REPO_ROOT, 'tools/reference-python.mjs');
  return ((await import(module)) as { referencePython(): { python?: string; skip?: string } }).referencePython();
}

/**
 * Keras in and out: image/pretrained on a backbone Keras 3.15 saved (keras-in's fixture, a small MobileNet-like CNN),
 * cut at a feature layer and fine-tuned from a later one, on the seed example's images.
 */
function pretrainedProject(dir: string): string {
  const manifest = {
    version: 1,
    name: 'pretrained',
    plugins: ['@polymodal/encoder-image', '@polymodal/fusion-concat'],
    data: { source: join(REPO_ROOT, 'examples/seed/data/seed.csv'), split: { validation: 0.2, test: 0.2, seed: 7 } },
    inputs: {
      image: {
        encoder: 'image/pretrained',
        column: 'image',
        options: { model: join(REPO_ROOT, 'packages/keras/src/read/test-fixtures/custom_cnn.keras'), size: [16, 16], channels: 3, layer: 'features', trainableFrom: 'sep' },
      },
    },
    fusion: { type: 'concat' },
    output: { column: 'label', task: 'binary' },
    training: { epochs: 1, batchSize: 32, seed: 1 },
  };
  writeFileSync(join(dir, 'pretrained.json'), JSON.stringify(manifest, null, 2));
  return join(dir, 'pretrained.json');
}

/** A project with an optional input (every third row lacks it) fused by the gated fusion: null embeddings, gates. */
function optionalInputProject(dir: string): string {
  const lines = readFileSync(join(REPO_ROOT, 'examples/quickstart/data/customers.csv'), 'utf8').trim().split('\n');
  const header = lines[0].split(',');
  const blank = ['monthly_charges', 'support_calls'].map((column) => header.indexOf(column));
  const data = lines.map((line, i) => (i === 0 || i % 3 !== 1 ? line : line.split(',').map((v, k) => (blank.includes(k) ? '' : v)).join(',')));
  writeFileSync(join(dir, 'customers.csv'), data.join('\n') + '\n');
  const manifest = {
    version: 1,
    name: 'optional',
    plugins: ['@polymodal/encoder-tabular', '@polymodal/fusion-concat'],
    data: { source: 'customers.csv', split: { validation: 0.2, test: 0.2, seed: 7 } },
    inputs: {
      account: { encoder: 'tabular/mlp', columns: ['tenure_months', 'contract', 'region'], options: { units: [8], categoricalEncoding: 'embedding' } },
      usage: { encoder: 'tabular/mlp', columns: ['monthly_charges', 'support_calls'], required: false, options: { units: [8] } },
    },
    fusion: { type: 'gated', options: { width: 8 } },
    output: { column: 'churned', task: 'binary', positiveClass: 'yes' },
    training: { epochs: 1, batchSize: 32, seed: 1 },
  };
  writeFileSync(join(dir, 'polymodal.json'), JSON.stringify(manifest, null, 2));
  return join(dir, 'polymodal.json');
}

test('every example, and models using every other mapped layer, exported to Keras 3 predict there as in Polymodal (within 1e-4)', { timeout: 600_000 }, async (t) => {
  const reference = await referencePython();
  if (!reference.python) {
    console.log(`# skipped: ${reference.skip}`);
    t.skip(reference.skip);
    return;
  }
  const dir = makeWorkspace();
  try {
    const models: unknown[] = [];
    const preprocessing: unknown[] = [];
    const speech = speechExampleData();
    if (speech.skip) console.log(`# speech examples left out: ${speech.skip}`);
    const examples = speech.skip ? EXAMPLES : [...EXAMPLES, ...SPEECH_EXAMPLES];
    const manifests = new Map(examples.map((name) => [name, join(REPO_ROOT, 'examples', name, 'polymodal.json')]));
    manifests.set('optional', optionalInputProject(dir));
    manifests.set('pretrained', pretrainedProject(dir));
    for (const [name, manifest] of manifests) {
      const outDir = join(dir, name);
      await train({ manifest, outDir, overrides: { epochs: 1 } });
      const loaded = await loadModel(outDir);
      const exported = await exportKerasModel(loaded, join(dir, `${name}.keras`));
      const { rows, arrays } = await preprocessedRows(loaded);
      const expected = predict(loaded.model, arrays);
      models.push({ name, keras: exported.file, inputs: Object.fromEntries(arrays), expected: expected.values, expectedShape: expected.shape });
      const kinds = loaded.meta.inputs.map((input) => input.encoder.split('/')[0]);
      if (kinds.every((kind) => SNIPPET_KINDS.has(kind))) {
        // The README's short snippet leaves optional inputs to apply_preprocessing.py.
        const readme = loaded.manifest.inputs && Object.values(loaded.manifest.inputs).every((input) => input.required !== false);
        preprocessing.push({ name, file: exported.preprocessingFile, rows, expected: Object.fromEntries(arrays), readme });
      }
      loaded.model.dispose();
    }
    const synthetic = syntheticModels();
    for (const { name, model, inputs } of synthetic) {
      const keras = await exportKerasLayersModel(model, join(dir, `${name}.keras`));
      const expected = predict(model, inputs);
      models.push({ name, keras, inputs: Object.fromEntries(inputs), expected: expected.values, expectedShape: expected.shape });
      model.dispose();
    }
    const jobs = join(dir, 'jobs.json');
    writeFileSync(jobs, JSON.stringify({ models, preprocessing }));
    const started = Date.now();
    const run = spawnSync(reference.python, [join(REPO_ROOT, 'tools/keras-export/check_models.py'), jobs], { encoding: 'utf8', timeout: 300_000, maxBuffer: 64 * 1024 * 1024 });
    assert.equal(run.status, 0, `the Keras check failed\n${run.stderr.slice(-4000)}`);
    const result = JSON.parse(run.stdout.trim().split('\n').pop()!) as {
      keras: string;
      models: Record<string, { maxAbsDiff?: number; spread?: number; error?: string; trace?: string }>;
      preprocessing: Record<string, { maxAbsDiff?: number; error?: string; trace?: string }>;
      readme: Record<string, { maxAbsDiff?: number; error?: string; trace?: string }>;
    };
    console.log(`# Keras ${result.keras} checked ${models.length} models in ${((Date.now() - started) / 1000).toFixed(1)} s: ${JSON.stringify(result)}`);
    for (const name of [...manifests.keys(), ...synthetic.map((m) => m.name)]) {
      const outcome = result.models[name];
      assert.ok(outcome && outcome.error === undefined, `${name}: Keras failed: ${outcome?.error}\n${outcome?.trace ?? ''}`);
      assert.ok(outcome.maxAbsDiff! <= TOLERANCE, `${name}: Keras and Polymodal differ by ${outcome.maxAbsDiff}`);
      // Predictions that vary across rows, so equality says something about the weights.
      assert.ok(outcome.spread! > 1e-6, `${name}: Keras predicted the same value for every row`);
    }
    const checked = [
      ['apply_preprocessing.py', result.preprocessing, ['movies', 'optional', 'penguins', 'quickstart', 'tune-article']],
      ['the README snippet', result.readme, ['movies', 'penguins', 'quickstart', 'tune-article']],
    ] as const;
    for (const [snippet, outcomes, names] of checked) {
      assert.deepEqual(Object.keys(outcomes).sort(), names);
      for (const [name, outcome] of Object.entries(outcomes)) {
        assert.ok(outcome.error === undefined, `${name}: ${snippet} failed: ${outcome.error}\n${outcome.trace ?? ''}`);
        assert.ok(outcome.maxAbsDiff! <= 1e-5, `${name}: ${snippet}'s arrays differ from Polymodal's by ${outcome.maxAbsDiff}`);
      }
    }
  } finally {
    removeWorkspace(dir);
  }
});
