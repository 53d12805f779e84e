import { test } from 'node:test';
import assert from 'node:assert/strict';
import { copyFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createRandom, PolymodalError } from '@polymodal/core';
import { AudioPreprocessor, DEFAULT_CACHE_DIR } from './audio-preprocessor.js';
import { audioSpec } from './test-fixtures/spec.js';
import { tempDir, tone, writeWav } from './test-fixtures/clips.js';

const row = (path: string | null) => ({ path });
const SMALL = { sampleRate: 8000, nFft: 256, winLength: 200, hopLength: 80, nMels: 16 };
const EVAL = { training: false, random: () => 0.5 };

async function withClips(run: (dir: string) => Promise<void>): Promise<void> {
  const dir = tempDir('polymodal-audio-pre-');
  try {
    writeWav(join(dir, 'low.wav'), [tone(300, 22050, 0.3)], 22050);
    writeWav(join(dir, 'high.wav'), [tone(2500, 16000, 0.5, 0.3, 2)], 16000);
    writeWav(join(dir, 'stereo.wav'), [tone(400, 8000, 0.2), tone(1200, 8000, 0.2, 0.5, 3)], 8000);
    writeWav(join(dir, 'three.wav'), [tone(400, 8000, 0.2), tone(500, 8000, 0.2), tone(600, 8000, 0.2)], 8000);
    await run(dir);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

test('"auto" duration is the longest training clip (capped); the feature shape follows it', () =>
  withClips(async (dir) => {
    const p = new AudioPreprocessor(audioSpec(dir, SMALL), '2d');
    await p.fit([row('low.wav'), row('high.wav')]);
    // 0.5 s at 8 kHz = 4000 samples: 1 + 4000 / 80 frames
    assert.deepEqual(p.features(), [{ key: 'audio', shape: [51, 16, 1], dtype: 'float32' }]);
    assert.equal(p.state().durationSeconds, 0.5);
    const capped = new AudioPreprocessor(audioSpec(dir, { ...SMALL, maxDurationSeconds: 0.25 }), '1d');
    await capped.fit([row('low.wav'), row('high.wav')]);
    assert.deepEqual(capped.features()[0].shape, [26, 16]);
  }));

test('dataset normalisation is fitted on the rows given to fit and saved in the state', () =>
  withClips(async (dir) => {
    const p = new AudioPreprocessor(audioSpec(dir, { ...SMALL, durationSeconds: 0.3 }), '2d');
    await p.fit([row('low.wav'), row('high.wav')]);
    const { audio } = await p.transform([row('low.wav'), row('high.wav')], EVAL);
    // Over the fitted clips every bin has mean 0 and standard deviation 1 (or is constant).
    const [frames, bins] = p.features()[0].shape;
    for (let b = 0; b < bins; b++) {
      let sum = 0;
      let squares = 0;
      for (let i = 0; i < 2 * frames; i++) {
        sum += audio[i * bins + b];
        squares += audio[i * bins + b] ** 2;
      }
      assert.ok(Math.abs(sum / (2 * frames)) < 1e-4, `bin ${b} mean ${sum / (2 * frames)}`);
      const variance = squares / (2 * frames);
      assert.ok(Math.abs(variance - 1) < 1e-3 || variance < 1e-6, `bin ${b} variance ${variance}`);
    }
    const other = new AudioPreprocessor(audioSpec(dir, { ...SMALL, durationSeconds: 0.3 }), '2d');
    await other.fit([row('low.wav')]);
    assert.notDeepEqual(other.state().statistics, p.state().statistics);
    const restored = new AudioPreprocessor(audioSpec(dir, { ...SMALL, durationSeconds: 0.3 }), '2d', JSON.parse(JSON.stringify(p.state())));
    assert.deepEqual(await restored.transform([row('low.wav'), row('high.wav')], EVAL), { audio });
  }));

test('a saved state that does not fit the options is refused with both descriptions', () =>
  withClips(async (dir) => {
    const p = new AudioPreprocessor(audioSpec(dir, SMALL), '2d');
    await p.fit([row('low.wav')]);
    assert.throws(() => new AudioPreprocessor(audioSpec(dir, { ...SMALL, sampleRate: 16000 }), '2d', p.state()),
      (error: unknown) => error instanceof PolymodalError && /trained on 1-channel mel features \(16 bins\) at 8000 Hz; the manifest asks for 1-channel mel \(16 bins\) at 16000 Hz/.test(error.message));
  }));

test('augmentation changes training batches only, reproducibly from the seed', () =>
  withClips(async (dir) => {
    const options = { ...SMALL, durationSeconds: 0.3, augment: { gainDb: 6, timeShift: 0.2, noiseSnrDb: [10, 20], timeMasks: 2, freqMasks: 1 } };
    const p = new AudioPreprocessor(audioSpec(dir, options), '2d');
    const plain = new AudioPreprocessor(audioSpec(dir, { ...SMALL, durationSeconds: 0.3 }), '2d');
    const rows = [row('low.wav'), row('high.wav')];
    await p.fit(rows);
    await plain.fit(rows);
    assert.equal(p.augments, true);
    assert.equal(plain.augments, false);
    const evaluated = await p.transform(rows, EVAL);
    assert.deepEqual(evaluated, await plain.transform(rows, EVAL), 'validation/test batches are not augmented');
    const a = await p.transform(rows, { training: true, random: createRandom(7).next });
    const b = await p.transform(rows, { training: true, random: createRandom(7).next });
    const c = await p.transform(rows, { training: true, random: createRandom(8).next });
    assert.deepEqual(a, b);
    assert.notDeepEqual(a, c);
    assert.notDeepEqual(a, evaluated);
    // SpecAugment: masked cells are exactly 0 (the training mean after normalisation); whole frames are masked.
    const [frames, bins] = p.features()[0].shape;
    const zeroFrames = Array.from({ length: frames }, (_, t) => a.audio.subarray(t * bins, (t + 1) * bins).every((v) => v === 0)).filter(Boolean).length;
    assert.ok(zeroFrames >= 1, 'no time mask');
  }));

test('random crop: a random window of a long clip in training, the centre otherwise', () =>
  withClips(async (dir) => {
    const p = new AudioPreprocessor(audioSpec(dir, { ...SMALL, durationSeconds: 0.1, crop: 'random', normalize: 'none', features: 'raw' }), '1d');
    await p.fit([row('high.wav')]);
    const centre = await p.transform([row('high.wav')], EVAL);
    const draws = [0.05, 0.95];
    const crops = await Promise.all(draws.map((d) => p.transform([row('high.wav')], { training: true, random: () => d })));
    assert.notDeepEqual(crops[0], crops[1]);
    assert.notDeepEqual(crops[0], centre);
    assert.equal(centre.audio.length, 800);
  }));

test('channels: 1 mixes down, 2 keeps both (a mono file repeated), a 3-channel file is refused for 2 only if it has fewer', () =>
  withClips(async (dir) => {
    const stereo = new AudioPreprocessor(audioSpec(dir, { ...SMALL, channels: 2, normalize: 'none', durationSeconds: 0.2 }), '2d');
    await stereo.fit([row('stereo.wav')]);
    assert.deepEqual(stereo.features()[0].shape, [21, 16, 2]);
    const { audio } = await stereo.transform([row('stereo.wav'), row('low.wav')], EVAL);
    const width = 21 * 16 * 2;
    const left = audio.filter((_, i) => i < width && i % 2 === 0);
    const right = audio.filter((_, i) => i < width && i % 2 === 1);
    assert.notDeepEqual(left, right);
    const monoLeft = audio.filter((_, i) => i >= width && i % 2 === 0);
    const monoRight = audio.filter((_, i) => i >= width && i % 2 === 1);
    assert.deepEqual(monoLeft, monoRight);
    assert.equal(stereo.check(row('three.wav')), undefined, 'the first 2 of 3 channels are kept');
    const four = new AudioPreprocessor(audioSpec(dir, { ...SMALL, channels: 4 }), '2d');
    assert.match(four.check(row('three.wav'))?.problem ?? '', /three\.wav: has 3 channels, the input asks for 4/);
  }));

test('check names the path and the problem: missing, empty, not a WAV, truncated, outside the data root', () =>
  withClips(async (dir) => {
    writeFileSync(join(dir, 'empty.wav'), '');
    writeFileSync(join(dir, 'text.wav'), 'hello');
    copyFileSync(new URL('./test-fixtures/wav/truncated-pcm16.wav', import.meta.url), join(dir, 'cut.wav'));
    const p = new AudioPreprocessor(audioSpec(dir, SMALL), '2d');
    const problem = (path: string | null) => p.check(row(path))?.problem ?? '';
    assert.match(problem('nope.wav'), /nope\.wav: no such file/);
    assert.match(problem('empty.wav'), /empty\.wav: the file is empty/);
    assert.match(problem('text.wav'), /text\.wav: not a WAV file/);
    assert.match(problem('cut.wav'), /cut\.wav: truncated/);
    assert.match(problem('../outside.wav'), /resolves outside the data root/);
    assert.match(problem(null), /no audio file \(the cell is empty\)/);
    assert.equal(p.check(row('low.wav')), undefined);
  }));

test('cache: decoded, resampled clips are stored by content; a second preprocessor reads them back identically', () =>
  withClips(async (dir) => {
    const options = { ...SMALL, durationSeconds: 0.3, cache: true };
    const first = new AudioPreprocessor(audioSpec(dir, options), '2d');
    await first.fit([row('low.wav'), row('high.wav')]);
    const expected = await first.transform([row('low.wav'), row('high.wav')], EVAL);
    assert.equal(readdirSync(join(dir, DEFAULT_CACHE_DIR)).length > 0, true);
    const second = new AudioPreprocessor(audioSpec(dir, options), '2d', first.state());
    assert.deepEqual(await second.transform([row('low.wav'), row('high.wav')], EVAL), expected);
    assert.equal(second.cache?.hits, 2);
    assert.equal(second.cache?.misses, 0);
    // Another sample rate is another entry.
    const other = new AudioPreprocessor(audioSpec(dir, { ...options, sampleRate: 16000 }), '2d');
    await other.fit([row('low.wav')]);
    assert.equal(other.cache?.hits, 0);
  }));

test('options that cannot make features are configuration errors naming the input', () =>
  withClips(async (dir) => {
    assert.throws(() => new AudioPreprocessor(audioSpec(dir, { ...SMALL, winLength: 400 }), '2d'), /\/inputs\/clip\/options: winLength \(400\) must not exceed nFft \(256\)/);
    assert.throws(() => new AudioPreprocessor(audioSpec(dir, { ...SMALL, fMax: 6000 }), '2d'), /fMax \(6000\) must satisfy/);
  }));

test('isMissing: an empty cell always; a file that does not exist only with missing: "absent"; a corrupt file never', () =>
  withClips(async (dir) => {
    writeFileSync(join(dir, 'corrupt.wav'), 'not a wav');
    const strict = new AudioPreprocessor(audioSpec(dir, SMALL), '2d');
    const lenient = new AudioPreprocessor(audioSpec(dir, { ...SMALL, missing: 'absent' }), '2d');
    for (const p of [strict, lenient]) {
      assert.equal(p.isMissing(row(null)), true);
      assert.equal(p.isMissing(row('')), true);
      assert.equal(p.isMissing(row('low.wav')), false);
      assert.equal(p.isMissing(row('corrupt.wav')), false);
    }
    assert.equal(strict.isMissing(row('gone.wav')), false);
    assert.ok(strict.check(row('gone.wav')));
    assert.equal(lenient.isMissing(row('gone.wav')), true);
  }));
