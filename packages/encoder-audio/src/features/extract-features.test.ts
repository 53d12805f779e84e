import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { decodeWav } from '../wav/decode-wav.js';
import { FeatureExtractor } from './extract-features.js';
import { featureOptions, type FeatureOptions } from './feature-options.js';

/** librosa 0.11's output for each case: tools/audio-fixtures/make-librosa-fixtures.py. */
const dir = new URL('../test-fixtures/librosa/', import.meta.url);
const fixtures = JSON.parse(readFileSync(new URL('features.json', dir), 'utf8')) as {
  librosa: string;
  cases: Array<{ name: string; clip: string; options: Partial<FeatureOptions>; frames: number; bins: number; values: number[] }>;
};

/**
 * The stated tolerance: log-scaled features (dB, ln, MFCC) within 1e-4 relative (absolute 1e-4 below magnitude 1);
 * linear spectra within 1e-4 relative or 1e-9 of the clip's largest value (bins near zero).
 */
function within(actual: number, expected: number, log: boolean, peak: number): boolean {
  const error = Math.abs(actual - expected);
  return log ? error <= 1e-4 * Math.max(1, Math.abs(expected)) : error <= 1e-4 * Math.abs(expected) + 1e-9 * peak;
}

for (const c of fixtures.cases) {
  test(`${c.name} matches librosa ${fixtures.librosa}`, () => {
    const clip = decodeWav(readFileSync(new URL(c.clip, dir)));
    const options = featureOptions({ sampleRate: clip.sampleRate, ...c.options });
    const extractor = new FeatureExtractor(options);
    const { values, frames, bins } = extractor.extract(clip.channels[0]);
    assert.deepEqual([frames, bins], [c.frames, c.bins]);
    const log = options.log !== 'none' || options.features === 'mfcc';
    const peak = Math.max(...c.values.map(Math.abs));
    let worst = 0;
    c.values.forEach((expected, i) => {
      assert.ok(within(values[i], expected, log, peak), `frame ${Math.floor(i / bins)} bin ${i % bins}: ${values[i]} vs librosa ${expected}`);
      worst = Math.max(worst, Math.abs(values[i] - expected) / Math.max(1, Math.abs(expected)));
    });
    assert.ok(Number.isFinite(worst));
  });
}

test('a tone between two mel bands lights those bands, and the frames follow librosa\'s count', () => {
  const options = featureOptions({});
  const extractor = new FeatureExtractor(options);
  const tone = Float64Array.from({ length: 16000 }, (_, i) => Math.sin((2 * Math.PI * 1000 * i) / 16000));
  const { values, frames, bins } = extractor.extract(tone);
  assert.equal(frames, 1 + Math.floor(16000 / 160));
  const middle = values.subarray(50 * bins, 51 * bins);
  const loudest = middle.indexOf(Math.max(...middle));
  // 1 kHz is mel 15 on Slaney's scale; 64 bands over 0..8 kHz (45.2 mels) put it near band 20.
  assert.ok(Math.abs(loudest - 20) <= 1, `loudest band ${loudest}`);
});
