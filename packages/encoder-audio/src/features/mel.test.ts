import { test } from 'node:test';
import assert from 'node:assert/strict';
import { hzToMel, MelFilterbank, melToHz } from './mel.js';

test('mel scales: Slaney is linear to 1 kHz (15 mels) then logarithmic; HTK is 2595 log10(1 + f/700); both invert', () => {
  assert.ok(Math.abs(hzToMel(1000, 'slaney') - 15) < 1e-12);
  assert.ok(Math.abs(hzToMel(500, 'slaney') - 7.5) < 1e-12);
  assert.ok(Math.abs(hzToMel(1000, 'htk') - 999.9855) < 1e-3);
  for (const scale of ['slaney', 'htk'] as const) {
    for (const hz of [0, 123, 1000, 4321, 11025]) assert.ok(Math.abs(melToHz(hzToMel(hz, scale), scale) - hz) < 1e-9);
  }
});

test('Slaney-normalised triangles have unit area in Hz; unnormalised ones peak at 1', () => {
  const options = { sampleRate: 16000, nFft: 2048, nMels: 20, fMin: 0, fMax: 8000, scale: 'slaney' as const };
  const normalised = new MelFilterbank({ ...options, norm: 'slaney' });
  const plain = new MelFilterbank({ ...options, norm: 'none' });
  const binHz = 16000 / 2048;
  normalised.weights.forEach((w, m) => {
    const area = w.reduce((s, v) => s + v, 0) * binHz;
    assert.ok(Math.abs(area - 1) < 0.02, `band ${m} area ${area}`);
    assert.ok(Math.abs(Math.max(...plain.weights[m]) - 1) < 0.05);
  });
});
