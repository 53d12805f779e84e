// examples/digit-genre: its data is what tools/make-digit-genre-data.ts generates, and a gated model trained on it
// with optional inputs predicts, in a fresh process, rows that lack the image or the text.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { assertSuccess, makeWorkspace, removeWorkspace, REPO_ROOT, runCli } from './helpers.js';

const EXAMPLE = join(REPO_ROOT, 'examples/digit-genre');

test('the committed data is exactly what tools/make-digit-genre-data.ts writes', () => {
  const ws = makeWorkspace();
  try {
    const out = join(ws, 'data');
    const result = spawnSync(process.execPath, ['--import', 'tsx', join(REPO_ROOT, 'tools/make-digit-genre-data.ts'), out], { encoding: 'utf8', cwd: REPO_ROOT });
    assert.equal(result.status, 0, result.stderr);
    assert.equal(readFileSync(join(out, 'pairs.jsonl'), 'utf8'), readFileSync(join(EXAMPLE, 'data/pairs.jsonl'), 'utf8'));
    const images = readdirSync(join(out, 'images')).sort();
    assert.deepEqual(images, readdirSync(join(EXAMPLE, 'data/images')).sort());
    assert.equal(images.length, 1797);
    for (const image of images) {
      assert.ok(readFileSync(join(out, 'images', image)).equals(readFileSync(join(EXAMPLE, 'data/images', image))), image);
    }
  } finally {
    removeWorkspace(ws);
  }
});

test('gated fusion with optional inputs: a fresh process predicts rows without the image or the text', () => {
  const ws = makeWorkspace();
  try {
    const gated = readFileSync(join(EXAMPLE, 'fusions/gated.json'), 'utf8');
    const model = join(ws, 'model');
    assertSuccess(runCli(['train', join(EXAMPLE, 'polymodal.json'), '--out', model, '--epochs', '3',
      '--set', `/fusion=${gated}`, '--set', '/training/modalityDropout=0.3'], ws));

    const input = join(ws, 'input');
    mkdirSync(join(input, 'images'), { recursive: true });
    for (const image of ['0000.png', '0001.png']) cpSync(join(EXAMPLE, 'data/images', image), join(input, 'images', image));
    const text = 'After the Sunset (2004), an action film';
    const rows = [
      { image: 'images/0000.png', text },
      { image: null, text }, // no image: null
      { image: '', text }, // no image: an empty cell
      { image: 'images/0000.png', text: '' }, // no text
      { image: 'images/0000.png' }, // no text: the key is absent
      { image: 'images/0001.png' },
    ];
    writeFileSync(join(input, 'rows.jsonl'), rows.map((row) => JSON.stringify(row)).join('\n') + '\n');
    const result = runCli(['predict', model, '--input', join(input, 'rows.jsonl')], ws);
    assertSuccess(result);
    const predictions = result.stdout.trim().split('\n').map((line) => JSON.parse(line) as { probabilities: Record<string, number> });
    assert.equal(predictions.length, rows.length);
    const p = predictions.map((prediction) => JSON.stringify(prediction.probabilities));
    // A missing modality is missing however the row says so, and nothing of it reaches the output.
    assert.equal(p[2], p[1]);
    assert.equal(p[4], p[3]);
    // What is present still counts.
    assert.notEqual(p[1], p[0]);
    assert.notEqual(p[3], p[0]);
    assert.notEqual(p[5], p[4]);
  } finally {
    removeWorkspace(ws);
  }
});
