// The shipped examples are valid, and the seed example is exactly the Keras article's model.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { REPO_ROOT, runCli } from './helpers.js';

const EXAMPLES = ['quickstart', 'penguins', 'digits', 'movies', 'seed', 'digit-genre'];

test('every shipped example manifest validates against its data', () => {
  for (const name of EXAMPLES) {
    const result = runCli(['validate', join(REPO_ROOT, 'examples', name, 'polymodal.json')], REPO_ROOT);
    assert.equal(result.status, 0, `${name}: ${result.stderr}`);
  }
});

test('the seed example is the article\'s model: 200,353 parameters as Keras counts them', () => {
  const result = runCli(['inspect', join(REPO_ROOT, 'examples/seed/polymodal.json'), '--json'], REPO_ROOT);
  assert.equal(result.status, 0, result.stderr);
  const summary = JSON.parse(result.stdout);
  assert.equal(summary.totalParams, 200353);
  assert.equal(summary.trainableParams, 200353);
  const byType = (type: string) => summary.layers.filter((l: { type: string }) => l.type === type).map((l: { params: number; outputShape: string }) => [l.params, l.outputShape]);
  assert.deepEqual(byType('Conv2D'), [[896, '(None, 62, 62, 32)']]);
  assert.deepEqual(byType('Embedding'), [[64000, '(None, 100, 64)']]);
  assert.deepEqual(byType('PolymodalLSTM'), [[12416, '(None, 32)']]);
  assert.deepEqual(byType('Dense'), [[123041, '(None, 1)']]);
});
