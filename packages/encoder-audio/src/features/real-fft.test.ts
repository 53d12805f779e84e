import { test } from 'node:test';
import assert from 'node:assert/strict';
import { RealFft } from './real-fft.js';

function naivePower(x: number[]): number[] {
  const n = x.length;
  return Array.from({ length: Math.floor(n / 2) + 1 }, (_, k) => {
    let re = 0;
    let im = 0;
    x.forEach((v, t) => {
      re += v * Math.cos((2 * Math.PI * k * t) / n);
      im -= v * Math.sin((2 * Math.PI * k * t) / n);
    });
    return re * re + im * im;
  });
}

for (const n of [4, 8, 16, 64, 512, 1024, 400, 25, 2]) {
  test(`power spectrum of size ${n} equals a direct DFT`, () => {
    let seed = n;
    const x = Array.from({ length: n }, () => ((seed = (seed * 16807) % 2147483647) / 2147483647) * 2 - 1);
    const fft = new RealFft(n);
    const out = new Float64Array(fft.bins);
    fft.transform(x, out, 0, 2);
    const expected = naivePower(x);
    assert.equal(fft.bins, expected.length);
    expected.forEach((e, k) => assert.ok(Math.abs(out[k] - e) <= 1e-9 * Math.max(1, e), `n=${n} bin ${k}: ${out[k]} vs ${e}`));
  });
}

test('a cosine at bin 5 puts (n/2)^2 power in bin 5 only; power 1 gives the magnitude', () => {
  const n = 64;
  const x = Array.from({ length: n }, (_, t) => Math.cos((2 * Math.PI * 5 * t) / n));
  const fft = new RealFft(n);
  const power = new Float64Array(fft.bins);
  const magnitude = new Float64Array(fft.bins);
  fft.transform(x, power, 0, 2);
  fft.transform(x, magnitude, 0, 1);
  power.forEach((p, k) => assert.ok(Math.abs(p - (k === 5 ? 1024 : 0)) < 1e-9, `bin ${k}: ${p}`));
  assert.ok(Math.abs(magnitude[5] - 32) < 1e-9);
});
