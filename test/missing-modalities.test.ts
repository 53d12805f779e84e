// Optional inputs through the built CLI in fresh processes: rows without a text or an image (an empty cell, or a
// file that does not exist with missing: "absent") train with the attention fusion and modality dropout; the saved
// folder predicts rows with and without them (saying which inputs each had, and with --explain what it relied on),
// evaluate --drop and explain's masked drop work, and the manifest mistakes get their pointer.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { encode, solid } from '../packages/encoder-image/src/test-fixtures/images.js';
import { assertSuccess, assertUserError, makeWorkspace, readJson, removeWorkspace, runCli } from './helpers.js';

const workspace = makeWorkspace();
after(() => removeWorkspace(workspace));

const ROWS = 80;
/** The label is "yes" when the text is positive or the image is red; x alone says little. */
function row(i: number): { x: string; note: string; photo: string; label: string } {
  const positive = i % 2 === 0;
  const red = i % 4 < 2;
  const note = i % 5 === 0 ? '' : positive ? 'great good fine' : 'awful bad poor';
  const photo = i % 7 === 0 ? `gone-${i}.png` : red ? 'red.png' : 'blue.png';
  return { x: ((i * 37) % 11 / 10).toFixed(2), note, photo, label: positive || red ? 'yes' : 'no' };
}

function manifest(name: string, extra: Record<string, unknown> = {}): string {
  const path = join(workspace, `${name}.json`);
  writeFileSync(path, JSON.stringify({
    version: 1,
    name,
    plugins: ['@polymodal/encoder-tabular', '@polymodal/encoder-text', '@polymodal/encoder-image', '@polymodal/fusion-attention'],
    data: { source: 'data.csv', split: { validation: 0.2, test: 0.2, stratify: true, seed: 3 } },
    inputs: {
      measures: { encoder: 'tabular/mlp', columns: ['x'], options: { units: [4] } },
      note: { encoder: 'text/bag', column: 'note', options: { numWords: 20, units: [4] }, required: false },
      photo: { encoder: 'image/cnn', column: 'photo', options: { size: [8, 8], blocks: [{ filters: 2 }], missing: 'absent' }, required: false },
    },
    fusion: { type: 'attention', options: { dModel: 8, numHeads: 2, ffDim: 8, dropout: 0 } },
    output: { column: 'label', task: 'binary', positiveClass: 'yes' },
    training: { epochs: 4, batchSize: 16, seed: 1, optimizer: { type: 'adam', learningRate: 0.02 }, modalityDropout: { note: 0.2, photo: 0.2 } },
    ...extra,
  }));
  return path;
}

const model = join(workspace, 'run');

before(async () => {
  writeFileSync(join(workspace, 'red.png'), await encode(solid(8, 8, [230, 20, 20]), 8, 8, 3));
  writeFileSync(join(workspace, 'blue.png'), await encode(solid(8, 8, [20, 20, 230]), 8, 8, 3));
  const lines = ['x,note,photo,label', ...Array.from({ length: ROWS }, (_, i) => Object.values(row(i)).join(','))];
  writeFileSync(join(workspace, 'data.csv'), `${lines.join('\n')}\n`);
  assertSuccess(runCli(['train', manifest('optional'), '--out', model], workspace));
});

test('the folder records the presence inputs and the attention reliance; no row was skipped', () => {
  const meta = readJson(join(model, 'polymodal.json')) as Record<string, any>;
  assert.deepEqual(meta.modelInputs.slice(-2), ['note__present', 'photo__present']);
  assert.deepEqual(meta.inputs.map((i: { name: string; required: boolean }) => [i.name, i.required]), [['measures', true], ['note', false], ['photo', false]]);
  assert.deepEqual(meta.reliance, [{ name: 'attention', layer: 'fusion_attention_reliance', columns: ['measures', 'note', 'photo'] }]);
  const metrics = readJson(join(model, 'metrics.json')) as { rows: Record<string, number>; skippedRows: { count: number } };
  assert.equal(metrics.rows.train + metrics.rows.validation + metrics.rows.test, ROWS);
});

test('a fresh process predicts rows with and without the optional inputs, and --explain says what each relied on', () => {
  writeFileSync(join(workspace, 'new.jsonl'), [
    { x: 0.5, note: 'great good', photo: 'red.png' },
    { x: 0.5, photo: 'blue.png' },
    { x: 0.5, note: 'awful', photo: 'nowhere.png' },
    { x: 0.5 },
  ].map((r) => JSON.stringify(r)).join('\n') + '\n');
  const plain = runCli(['predict', model, '--input', 'new.jsonl'], workspace);
  assertSuccess(plain);
  const predictions = plain.stdout.trim().split('\n').map((line) => JSON.parse(line));
  assert.deepEqual(predictions.map((p) => p.modalities), [['measures', 'note', 'photo'], ['measures', 'photo'], ['measures', 'note'], ['measures']]);
  const explained = runCli(['predict', model, '--input', 'new.jsonl', '--explain'], workspace);
  assertSuccess(explained);
  const rows = explained.stdout.trim().split('\n').map((line) => JSON.parse(line));
  assert.deepEqual(rows.map((p) => p.probabilities), predictions.map((p) => p.probabilities), '--explain changes no prediction');
  assert.deepEqual(rows.map((p) => p.reliance.presence), [
    { measures: 1, note: 1, photo: 1 }, { measures: 1, note: 0, photo: 1 }, { measures: 1, note: 1, photo: 0 }, { measures: 1, note: 0, photo: 0 },
  ]);
  for (const [i, p] of rows.entries()) {
    const attention = p.reliance.attention as Record<string, number>;
    for (const input of ['note', 'photo'] as const) if (p.reliance.presence[input] === 0) assert.equal(attention[input], 0, `row ${i}: a missing ${input} gets no attention`);
    const total = Object.values(attention).reduce((a, b) => a + b, 0);
    assert.ok(Math.abs(total - 1) < 1e-4, `row ${i}: attention sums to 1 (${total})`);
  }
  assert.equal(rows[3].reliance.attention.measures, 1, 'a row with only its required input relies on it alone');
});

test('evaluate --drop scores the test split without an optional input; a required or unknown one is refused', () => {
  const dropped = runCli(['evaluate', model, '--drop', 'photo', '--drop', 'note', '--json'], workspace);
  assertSuccess(dropped);
  const result = JSON.parse(dropped.stdout.trim().split('\n').at(-1)!);
  assert.deepEqual(result.dropped, ['photo', 'note']);
  assertUserError(runCli(['evaluate', model, '--drop', 'measures'], workspace), 2, ['--drop measures: input "measures" is required']);
  assertUserError(runCli(['evaluate', model, '--drop', 'photos'], workspace), 2, ['--drop photos: the model has no input "photos". Did you mean "photo"?']);
});

test('explain adds the masked drop of each optional input beside its permutation drop', () => {
  const explained = runCli(['explain', model, '--repeats', '1', '--json'], workspace);
  assertSuccess(explained);
  const result = JSON.parse(explained.stdout.trim().split('\n').at(-1)!);
  const byName = new Map(result.inputs.map((input: { name: string }) => [input.name, input]));
  assert.equal((byName.get('measures') as { masked?: unknown }).masked, undefined);
  for (const name of ['note', 'photo']) assert.equal(typeof (byName.get(name) as { masked: Record<string, number> }).masked.accuracy, 'number');
});

test('manifest mistakes about optional inputs are exit 2 with their JSON pointer', () => {
  const concat = manifest('concat-dropout', {
    plugins: ['@polymodal/encoder-tabular', '@polymodal/fusion-concat'],
    inputs: { measures: { encoder: 'tabular/mlp', columns: ['x'] } },
    fusion: { type: 'concat' },
    training: { modalityDropout: 0.3 },
  });
  assertUserError(runCli(['validate', concat], workspace), 2, ['/training/modalityDropout: no input is optional']);
  const absentRequired = manifest('absent-required', {
    inputs: {
      measures: { encoder: 'tabular/mlp', columns: ['x'] },
      photo: { encoder: 'image/cnn', column: 'photo', options: { size: [8, 8], missing: 'absent' } },
    },
    training: { modalityDropout: { photo: 0.1, mesures: 0.2 } },
  });
  assertUserError(runCli(['validate', absentRequired], workspace), 2, [
    '/inputs/photo/options/missing: "absent" applies to optional inputs only',
    '/training/modalityDropout: no input is optional',
  ]);
});
