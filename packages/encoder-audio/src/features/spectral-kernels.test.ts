import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { featureOptions } from './feature-options.js';
import { logWithOffset, powerToDb } from './log-scale.js';
import { MelFilterbank } from './mel.js';
import { SPECTRAL_KERNELS_WASM } from './spectral-kernels-wasm.js';
import { SpectralKernels } from './spectral-kernels.js';
import { Stft } from './stft.js';
import { analysisWindow } from './window.js';

function noise(length: number, seed: number): Float64Array {
  return Float64Array.from({ length }, () => ((seed = (seed * 16807) % 2147483647) / 2147483647) * 2 - 1);
}

/** |DFT(frame)|^2 by the definition. */
function directPower(frame: ArrayLike<number>): number[] {
  const n = frame.length;
  return Array.from({ length: Math.floor(n / 2) + 1 }, (_, k) => {
    let re = 0;
    let im = 0;
    for (let t = 0; t < n; t++) {
      re += frame[t] * Math.cos((2 * Math.PI * ((k * t) % n)) / n);
      im -= frame[t] * Math.sin((2 * Math.PI * ((k * t) % n)) / n);
    }
    return re * re + im * im;
  });
}

function assertClose(actual: number, expected: number, relative: number, absolute: number, what: string): void {
  assert.ok(Math.abs(actual - expected) <= relative * Math.abs(expected) + absolute, `${what}: ${actual} vs ${expected}`);
}

test('the kernels module is the compilation of its AssemblyScript source (node tools/build-wasm-kernels.mjs rewrites it)', () => {
  const tool = fileURLToPath(new URL('../../tools/build-wasm-kernels.mjs', import.meta.url));
  const compiled = execFileSync(process.execPath, [tool, '--print', 'spectral-kernels'], { encoding: 'utf8' }).trim();
  assert.equal(compiled, SPECTRAL_KERNELS_WASM, 'spectral-kernels-wasm.ts is stale: run node tools/build-wasm-kernels.mjs in packages/encoder-audio');
});

// Sizes whose log2(n / 2) is odd (8, 32, 128, 1024) start with a radix-2 stage, the others with a radix-4 one.
for (const n of [4, 8, 16, 32, 128, 256, 1024]) {
  test(`an FFT of ${n}: every frame of a windowed spectrogram (odd frame count) equals a direct DFT`, () => {
    const window = analysisWindow('hann', n - n / 4, n);
    const kernels = new SpectralKernels(n, window);
    const hop = Math.max(1, n / 4) + 1;
    const frames = 7;
    const length = (frames - 1) * hop + n;
    const signal = noise(length, n);
    kernels.input(length, frames * kernels.bins).set(signal);
    const power = kernels.spectrogram(length, frames, hop, false);
    kernels.input(length, frames * kernels.bins).set(signal);
    const magnitude = kernels.spectrogram(length, frames, hop, true);
    assert.equal(power.length, frames * kernels.bins);
    for (let t = 0; t < frames; t++) {
      const expected = directPower(Array.from({ length: n }, (_, i) => signal[t * hop + i] * window[i]));
      const peak = Math.max(...expected);
      expected.forEach((e, k) => {
        assertClose(power[t * kernels.bins + k], e, 1e-9, 1e-12 * peak, `n=${n} frame ${t} bin ${k}`);
        assertClose(magnitude[t * kernels.bins + k], Math.sqrt(e), 1e-9, 1e-9 * Math.sqrt(peak), `n=${n} frame ${t} bin ${k} magnitude`);
      });
    }
  });
}

test('the band projection equals the mel filterbank applied to each spectrogram row', () => {
  const mel = new MelFilterbank({ sampleRate: 16000, nFft: 512, nMels: 64, fMin: 0, fMax: 8000, scale: 'slaney', norm: 'slaney' });
  const kernels = new SpectralKernels(512, analysisWindow('hann', 400, 512), mel);
  const frames = 9;
  const length = (frames - 1) * 160 + 512;
  const signal = noise(length, 5);
  kernels.input(length, frames * kernels.bins).set(signal);
  const spectrogram = kernels.spectrogram(length, frames, 160, false);
  kernels.input(length, frames * 64).set(signal);
  const bands = kernels.bandSpectrogram(length, frames, 160, false);
  const expected = new Float64Array(frames * 64);
  for (let t = 0; t < frames; t++) mel.apply(spectrogram, t * kernels.bins, expected, t * 64);
  bands.forEach((v, i) => assertClose(v, expected[i], 1e-12, 0, `frame ${Math.floor(i / 64)} band ${i % 64}`));
});

test('power_to_db and ln(S + offset) in the kernels equal the scalar functions, special values included', () => {
  const kernels = new SpectralKernels(8, new Float64Array(8).fill(1));
  const special = [0, 5e-324, 1e-310, 2.2250738585072014e-308, 1e-12, 1e-10, 0.5, Math.SQRT1_2, 1, Math.SQRT2, 2, 1e5, 1e300, Number.MAX_VALUE, Infinity, NaN, -1];
  const values = Float64Array.from([...special, ...noise(2001, 9).map((v) => Math.exp(v * 700))]);
  for (const [name, compression] of [
    ['db, top_db 80', { log: 'db', ref: 1, amin: 1e-10, topDb: 80, logOffset: 0 }],
    ['db, ref 3, no top_db', { log: 'db', ref: 3, amin: 1e-10, topDb: null, logOffset: 0 }],
    ['log, offset 1e-6', { log: 'log', ref: 1, amin: 1e-10, topDb: null, logOffset: 1e-6 }],
    ['log, offset 0', { log: 'log', ref: 1, amin: 1e-10, topDb: null, logOffset: 0 }],
  ] as const) {
    const expected = values.slice();
    if (compression.log === 'db') powerToDb(expected, compression.ref, compression.amin, compression.topDb);
    else logWithOffset(expected, compression.logOffset);
    const actual = values.slice();
    kernels.compress(actual, compression);
    expected.forEach((e, i) => {
      const what = `${name}: value ${values[i]}`;
      if (!Number.isFinite(e)) assert.equal(actual[i], e, what);
      else assertClose(actual[i], e, 1e-15, 1e-13, what);
    });
  }
});

test('the STFT pads once (reflect or zeros, centred or not) and applies any power, as frame-by-frame windowing does', () => {
  const signal = noise(3000, 11).map((v, i) => v * 0.1 + Math.sin(i / 7));
  for (const [padMode, center, power] of [['reflect', true, 1.5], ['constant', true, 2], ['reflect', false, 1]] as const) {
    const options = featureOptions({ nFft: 256, hopLength: 100, winLength: 200, window: 'hamming', padMode, center, power });
    const stft = new Stft(options);
    const out = stft.compute(signal);
    const frames = stft.frameCount(signal.length);
    assert.equal(out.length, frames * 129);
    const window = analysisWindow('hamming', 200, 256);
    const shift = center ? 128 : 0;
    const at = (i: number) => {
      if (i >= 0 && i < signal.length) return signal[i];
      if (padMode === 'constant') return 0;
      return signal[i < 0 ? -i : 2 * (signal.length - 1) - i];
    };
    for (const t of [0, 1, Math.floor(frames / 2), frames - 1]) {
      const expected = directPower(Array.from({ length: 256 }, (_, i) => at(t * 100 - shift + i) * window[i])).map((p) => p ** (power / 2));
      const peak = Math.max(...expected);
      expected.forEach((e, k) => assertClose(out[t * 129 + k], e, 1e-9, 1e-12 * peak, `${padMode} centre=${center} power ${power}: frame ${t} bin ${k}`));
    }
  }
});

test('the kernels\' memory grows with the signal and keeps its tables', () => {
  const kernels = new SpectralKernels(64, analysisWindow('hann', 64, 64));
  for (const length of [1000, 400_000, 2000]) {
    const signal = noise(length, length);
    const frames = Math.floor((length - 64) / 64) + 1;
    kernels.input(length, frames * kernels.bins).set(signal);
    const out = kernels.spectrogram(length, frames, 64, false);
    const t = frames - 1;
    const expected = directPower(Array.from({ length: 64 }, (_, i) => signal[t * 64 + i] * (0.5 - 0.5 * Math.cos((2 * Math.PI * i) / 64))));
    expected.forEach((e, k) => assertClose(out[t * kernels.bins + k], e, 1e-9, 1e-12 * Math.max(...expected), `length ${length} bin ${k}`));
  }
});
