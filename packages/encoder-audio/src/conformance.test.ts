import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { encoderConformanceChecks, runEncoderConformance } from '@polymodal/core/testing';
import audioEncoders from './index.js';
import { tempDir, tone, writeWav } from './test-fixtures/clips.js';

const dir = tempDir('polymodal-audio-conformance-');
after(() => rmSync(dir, { recursive: true, force: true }));
// Clips of different lengths and rates: 0.15-0.25 s, 22.05 kHz and 8 kHz, mono and stereo.
const rows = Array.from({ length: 6 }, (_, i) => {
  const rate = i % 2 ? 8000 : 22050;
  const seconds = 0.15 + 0.02 * i;
  const channels = i === 3 ? [tone(300 + 100 * i, rate, seconds), tone(500, rate, seconds)] : [tone(300 + 100 * i, rate, seconds, 0.5, i + 1)];
  writeWav(join(dir, `clip-${i}.wav`), channels, rate);
  return { path: `clip-${i}.wav` };
});
writeFileSync(join(dir, 'not-audio.wav'), 'plain text');
writeFileSync(join(dir, 'empty.wav'), '');

const small = { sampleRate: 8000, nFft: 256, winLength: 200, hopLength: 80, nMels: 16, units: [3], activation: 'tanh' };

runEncoderConformance({
  plugin: audioEncoders(),
  type: 'audio/cnn',
  // 0.23 s at 8 kHz = 1840 samples -> 24 frames x 16 mels; two blocks of 2 and 3 filters, max pooling
  options: { ...small, blocks: [{ filters: 2, batchNorm: true }, { filters: 3, batchNorm: true }], augment: { gainDb: 3, noiseSnrDb: [20, 30], timeMasks: 1, freqMasks: 1 } },
  columns: ['path'],
  rows,
  invalidRows: [{ path: 'missing.wav' }, { path: 'not-audio.wav' }, { path: 'empty.wav' }, { path: null }],
  dataDir: dir,
  moduleUrl: new URL('./index.ts', import.meta.url).href,
  // conv 3x3x1x2 + 2, BN 4x2, conv 3x3x2x3 + 3, BN 4x3, dense 3 -> 3
  expectedParams: (9 * 2 + 2) + 8 + (9 * 2 * 3 + 3) + 12 + (3 * 3 + 3),
});

runEncoderConformance({
  plugin: audioEncoders(),
  type: 'audio/cnn',
  options: { ...small, blocks: [{ filters: 2 }], output: 'sequence', normalize: 'file', features: 'mfcc', nMfcc: 8 },
  columns: ['path'],
  rows,
  invalidRows: [{ path: 'missing.wav' }],
  dataDir: dir,
  moduleUrl: new URL('./index.ts', import.meta.url).href,
  // conv 3x3x1x2 + 2, then per token: 4 mfcc bins x 2 filters = 8 features -> dense 3
  expectedParams: (9 * 2 + 2) + (8 * 3 + 3),
});

runEncoderConformance({
  plugin: audioEncoders(),
  type: 'audio/conv1d',
  options: { ...small, blocks: [{ filters: 4, kernelSize: 3, batchNorm: true }], crop: 'random', durationSeconds: 0.2 },
  columns: ['path'],
  rows,
  invalidRows: [{ path: 'not-audio.wav' }],
  dataDir: dir,
  moduleUrl: new URL('./index.ts', import.meta.url).href,
  // conv1d 3 x 16 x 4 + 4, BN 4x4, dense 4 -> 3
  expectedParams: (3 * 16 * 4 + 4) + 16 + (4 * 3 + 3),
});

runEncoderConformance({
  plugin: audioEncoders(),
  type: 'audio/conv1d',
  options: { sampleRate: 8000, features: 'raw', normalize: 'none', blocks: [{ filters: 2, kernelSize: 16, strides: 8 }], units: [3], activation: 'tanh' },
  columns: ['path'],
  rows,
  invalidRows: [],
  dataDir: dir,
  moduleUrl: new URL('./index.ts', import.meta.url).href,
  expectedParams: (16 * 1 * 2 + 2) + (2 * 3 + 3),
});

test('audio/cnn refuses raw waveforms at /options/features, naming audio/conv1d', async () => {
  const checks = encoderConformanceChecks({ plugin: audioEncoders(), type: 'audio/cnn', options: { features: 'raw' }, columns: ['path'], rows, invalidRows: [], dataDir: dir });
  const lifecycle = checks.find((check) => /lifecycle/.test(check.name));
  assert.ok(lifecycle, checks.map((c) => c.name).join(', '));
  await assert.rejects(lifecycle.run(), /options\/features: "raw" waveforms have no frequency axis/);
});
