import { test } from 'node:test';
import assert from 'node:assert/strict';
import { channelAffine, writeNormalized } from './normalize.js';

test('writeNormalized maps each interleaved channel with its own affine, only inside the row it writes', () => {
  const affine = channelAffine({ rescale: 1 / 255, normalize: { mean: [0.1, 0.5, 0.9], std: [0.5, 0.25, 2] }, channels: 3 }, 'photo');
  const pixels = Uint8Array.from([0, 255, 10, 20, 30, 40, 250, 128, 1, 7, 8, 9]);
  const out = new Float32Array(5 + pixels.length + 3).fill(-99);
  writeNormalized(pixels, affine, out, 5);
  const mean = [0.1, 0.5, 0.9];
  const std = [0.5, 0.25, 2];
  pixels.forEach((value, i) => {
    const k = i % 3;
    assert.ok(Math.abs(out[5 + i] - (value / 255 - mean[k]) / std[k]) < 1e-6, `value ${i}: ${out[5 + i]}`);
  });
  assert.deepEqual([...out.subarray(0, 5), ...out.subarray(5 + pixels.length)], Array(8).fill(-99));
  const grey = new Float32Array(3);
  writeNormalized(Uint8Array.from([0, 51, 255]), channelAffine({ rescale: 1 / 255, normalize: 'none', channels: 1 }, 'scan'), grey, 0);
  assert.deepEqual([...grey].map((v) => Math.round(v * 1e6) / 1e6), [0, 0.2, 1]);
});
