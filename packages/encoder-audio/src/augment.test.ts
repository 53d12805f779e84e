import { test } from 'node:test';
import assert from 'node:assert/strict';
import { augments, augmentWaveform, drawAudioAugmentation, maskFeatures, type AudioAugmentParams } from './augment.js';

const none: AudioAugmentParams = { crop: 0, gain: 1, shiftFraction: 0, snrDb: null, noiseSeed: 1, timeMasks: [], freqMasks: [] };
const sine = () => Float32Array.from({ length: 8000 }, (_, i) => Math.sin(i / 5));
const power = (x: Float32Array) => x.reduce((s, v) => s + v * v, 0) / x.length;

test('noise is added at the drawn SNR', () => {
  for (const snrDb of [0, 10, 30]) {
    const clean = sine();
    const noisy = clean.slice();
    augmentWaveform(noisy, { ...none, snrDb });
    const noise = noisy.map((v, i) => v - clean[i]);
    const measured = 10 * Math.log10(power(clean) / power(noise));
    assert.ok(Math.abs(measured - snrDb) < 0.3, `asked ${snrDb} dB, got ${measured.toFixed(2)}`);
  }
});

test('gain scales, shift moves the clip and shifts zeros in, at the drawn amounts', () => {
  const x = Float32Array.from({ length: 10 }, (_, i) => i + 1);
  const later = x.slice();
  augmentWaveform(later, { ...none, shiftFraction: 0.2, gain: 2 });
  assert.deepEqual([...later], [0, 0, 2, 4, 6, 8, 10, 12, 14, 16]);
  const earlier = x.slice();
  augmentWaveform(earlier, { ...none, shiftFraction: -0.3 });
  assert.deepEqual([...earlier], [4, 5, 6, 7, 8, 9, 10, 0, 0, 0]);
});

test('draws: the same count per clip whatever is enabled, so streams stay aligned; ranges respected', () => {
  let calls = 0;
  const counting = () => { calls++; return 0.999; };
  drawAudioAugmentation({ gainDb: 6 }, counting);
  assert.equal(calls, 5);
  const params = drawAudioAugmentation({ gainDb: 6, timeShift: 0.1, noiseSnrDb: [5, 15], timeMasks: 2, freqMasks: 1 }, counting);
  assert.equal(calls, 5 + 5 + 6);
  assert.ok(Math.abs(20 * Math.log10(params.gain) - 6) < 0.02);
  assert.ok(Math.abs(params.shiftFraction - 0.1) < 1e-3);
  assert.ok(params.snrDb !== null && Math.abs(params.snrDb - 15) < 0.02);
  assert.equal(augments({}), false);
  assert.equal(augments({ freqMasks: 1 }), true);
});

test('SpecAugment masks whole frames and whole bins, no wider than asked', () => {
  const frames = 20;
  const bins = 8;
  const values = new Float64Array(frames * bins).fill(1);
  maskFeatures(values, frames, bins, { ...none, timeMasks: [[0.5, 0.999]], freqMasks: [[0, 0.999]] }, { timeMaskWidth: 4, freqMaskWidth: 2 });
  const maskedFrames = Array.from({ length: frames }, (_, t) => values.subarray(t * bins, (t + 1) * bins).every((v) => v === 0)).filter(Boolean).length;
  assert.equal(maskedFrames, 4);
  const maskedBins = Array.from({ length: bins }, (_, b) => Array.from({ length: frames }, (_, t) => values[t * bins + b]).every((v) => v === 0)).filter(Boolean).length;
  assert.equal(maskedBins, 2);
});
