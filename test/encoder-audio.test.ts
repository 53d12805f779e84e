// The audio plugin through the built CLI in fresh processes: train on WAV files, predict from the saved folder,
// and a missing file reported with its row (or skipped and counted).
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { wavBytes } from '../packages/encoder-audio/src/test-fixtures/clips.js';
import { assertSuccess, assertUserError, makeWorkspace, readJson, removeWorkspace, runCli } from './helpers.js';

const workspace = makeWorkspace();
after(() => removeWorkspace(workspace));

/** A 16-bit mono WAV of a tone at `hz` with a little noise, 0.25 s at 11.025 kHz. */
function toneWav(hz: number, seed: number): Buffer {
  const rate = 11025;
  let state = seed;
  const samples = Float32Array.from({ length: Math.round(rate * 0.25) }, (_, i) => {
    state = (state * 16807) % 2147483647;
    return 0.5 * Math.sin((2 * Math.PI * hz * i) / rate) + 0.05 * (state / 2147483647 - 0.5);
  });
  return wavBytes([samples], rate);
}

const lines = ['path,pitch'];
for (let i = 0; i < 40; i++) {
  const low = i % 2 === 0;
  writeFileSync(join(workspace, `clip-${i}.wav`), toneWav((low ? 300 : 1800) + 20 * (i % 5), i + 1));
  lines.push(`clip-${i}.wav,${low ? 'low' : 'high'}`);
}
writeFileSync(join(workspace, 'clips.csv'), `${lines.join('\n')}\n`);
writeFileSync(join(workspace, 'with-missing.csv'), `${[...lines, 'gone.wav,low'].join('\n')}\n`);

function manifest(source: string, onInvalidRow: 'fail' | 'skip'): string {
  const path = join(workspace, `${source}-${onInvalidRow}.json`);
  writeFileSync(path, JSON.stringify({
    version: 1,
    name: 'tones',
    plugins: ['@polymodal/encoder-audio', '@polymodal/fusion-concat'],
    data: { source, split: { validation: 0.2, test: 0.2, stratify: true, seed: 3 }, onInvalidRow },
    inputs: { clip: { encoder: 'audio/cnn', column: 'path', options: { sampleRate: 8000, nFft: 256, winLength: 200, hopLength: 80, nMels: 16, blocks: [{ filters: 4 }] } } },
    fusion: { type: 'concat' },
    output: { column: 'pitch', task: 'binary', positiveClass: 'high' },
    training: { epochs: 8, batchSize: 8, seed: 1, optimizer: { type: 'adam', learningRate: 0.01 } },
  }));
  return path;
}

test('train on WAV files and predict from the saved folder in a fresh process', () => {
  const out = join(workspace, 'run');
  assertSuccess(runCli(['train', manifest('clips.csv', 'fail'), '--out', out], workspace));
  const state = readJson(join(out, 'preprocessing.json')).inputs.clip;
  assert.equal(state.durationSeconds, 0.25);
  assert.equal(state.statistics.mean.length, 16);
  const metrics = readJson(join(out, 'metrics.json'));
  assert.ok(metrics.test.accuracy >= 0.75, `test accuracy ${metrics.test.accuracy}`);
  const predictions = join(workspace, 'predictions.jsonl');
  assertSuccess(runCli(['predict', out, '--input', join(workspace, 'clips.csv'), '--output', predictions], workspace));
  assert.equal(readFileSync(predictions, 'utf8').trim().split('\n').length, 40);
});

test('a missing audio file fails with its path and row, or is skipped and counted', () => {
  assertUserError(runCli(['train', manifest('with-missing.csv', 'fail'), '--out', join(workspace, 'bad')], workspace), 1, [/with-missing\.csv:42: column "path": .*gone\.wav: no such file/]);
  assert.equal(existsSync(join(workspace, 'bad')), false);
  const out = join(workspace, 'skipped');
  assertSuccess(runCli(['train', manifest('with-missing.csv', 'skip'), '--out', out], workspace));
  const skipped = readJson(join(out, 'metrics.json')).skippedRows;
  assert.equal(skipped.count, 1);
  assert.deepEqual(skipped.byColumn, { path: 1 });
  assert.match(skipped.examples[0].problem, /gone\.wav: no such file/);
});
