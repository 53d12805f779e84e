import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { decodeWav } from '../wav/decode-wav.js';
import { RealFft } from '../features/real-fft.js';
import { RESAMPLE_KERNEL_WASM } from './resample-kernel-wasm.js';
import { Resampler } from './resample.js';

function sine(frequency: number, rate: number, seconds: number, amplitude = 1): Float64Array {
  return Float64Array.from({ length: Math.round(rate * seconds) }, (_, i) => amplitude * Math.sin((2 * Math.PI * frequency * i) / rate));
}

/** The loudest FFT bin's frequency and the RMS of the middle of a signal (edges excluded). */
function analyse(signal: Float32Array, rate: number): { peakHz: number; rms: number; spectrum: Float64Array } {
  const n = 8192;
  const start = Math.floor((signal.length - n) / 2);
  const frame = Float64Array.from({ length: n }, (_, i) => signal[start + i] * (0.5 - 0.5 * Math.cos((2 * Math.PI * i) / n)));
  const fft = new RealFft(n);
  const spectrum = new Float64Array(fft.bins);
  fft.transform(frame, spectrum, 0, 2);
  const peak = spectrum.indexOf(Math.max(...spectrum));
  let sum = 0;
  for (let i = start; i < start + n; i++) sum += signal[i] ** 2;
  return { peakHz: (peak * rate) / n, rms: Math.sqrt(sum / n), spectrum };
}

for (const [from, to, hz] of [[22050, 16000, 1000], [16000, 44100, 3000], [48000, 16000, 5000], [8000, 16000, 440]] as const) {
  test(`a ${hz} Hz sine resampled ${from} -> ${to} Hz keeps its frequency and level`, () => {
    const resampler = new Resampler(from, to);
    const out = resampler.resample(sine(hz, from, 1, 0.5));
    assert.equal(out.length, to);
    const { peakHz, rms } = analyse(out, to);
    assert.ok(Math.abs(peakHz - hz) <= to / 8192, `peak at ${peakHz} Hz`);
    // A sine of amplitude 0.5 has RMS 0.5 / sqrt(2); within 0.01 dB.
    assert.ok(Math.abs(20 * Math.log10(rms / (0.5 / Math.SQRT2))) < 0.01, `RMS ${rms}`);
  });
}

test('content above the new Nyquist is removed (not folded down): 48 kHz -> 16 kHz', () => {
  // 11 kHz would alias to 5 kHz at 16 kHz; a 3 kHz tone beside it must pass.
  const input = sine(11000, 48000, 1).map((v, i) => v + Math.sin((2 * Math.PI * 3000 * i) / 48000));
  const { spectrum } = analyse(new Resampler(48000, 16000).resample(input), 16000);
  const at = (hz: number) => Math.max(...spectrum.subarray(Math.round((hz * 8192) / 16000) - 3, Math.round((hz * 8192) / 16000) + 4));
  const attenuationDb = 10 * Math.log10(at(3000) / at(5000));
  assert.ok(attenuationDb > 80, `alias only ${attenuationDb.toFixed(1)} dB below the tone`);
});

test('resampling a spoken word agrees with soxr (VHQ) and scipy resample_poly', () => {
  const dir = new URL('../test-fixtures/librosa/', import.meta.url);
  const word = decodeWav(readFileSync(new URL('word.wav', dir)));
  const fixture = JSON.parse(readFileSync(new URL('features.json', dir), 'utf8')).resampled as { from: number; soxr_vhq_16000: number[]; scipy_poly_16000: number[] };
  const ours = new Resampler(word.sampleRate, 16000).resample(word.channels[0]);
  for (const reference of [fixture.soxr_vhq_16000, fixture.scipy_poly_16000]) {
    let error = 0;
    let energy = 0;
    reference.forEach((v, i) => {
      error += (ours[fixture.from + i] - v) ** 2;
      energy += v * v;
    });
    const snrDb = 10 * Math.log10(energy / error);
    // Measured: 55.6 dB from soxr, 53.0 dB from scipy; the two references are 52.5 dB apart (filters differ near Nyquist).
    assert.ok(snrDb > 50, `difference only ${snrDb.toFixed(1)} dB below the signal`);
  }
});

test('the resampling kernel is the compilation of its AssemblyScript source (node tools/build-wasm-kernels.mjs rewrites it)', () => {
  const tool = fileURLToPath(new URL('../../tools/build-wasm-kernels.mjs', import.meta.url));
  const compiled = execFileSync(process.execPath, [tool, '--print', 'resample-kernel'], { encoding: 'utf8' }).trim();
  assert.equal(compiled, RESAMPLE_KERNEL_WASM, 'resample-kernel-wasm.ts is stale: run node tools/build-wasm-kernels.mjs in packages/encoder-audio');
});

/** Output i by the definition: the Kaiser-windowed sinc (24 zero crossings, beta 9, cutoff 0.94 x the lower Nyquist) at time i * from / to. */
function directResample(input: Float64Array, from: number, to: number): Float64Array {
  const cutoff = Math.min(1, to / from) * 0.94;
  const halfWidth = 24 / cutoff;
  const i0 = (x: number) => {
    let sum = 1;
    let term = 1;
    for (let k = 1; k < 60; k++) sum += term *= (x / (2 * k)) ** 2;
    return sum;
  };
  return Float64Array.from({ length: Math.ceil((input.length * to) / from) }, (_, i) => {
    const time = (i * from) / to;
    let sum = 0;
    for (let k = Math.ceil(time - halfWidth); k <= Math.floor(time + halfWidth); k++) {
      if (k < 0 || k >= input.length) continue;
      const u = k - time;
      const x = cutoff * u;
      const r = u / halfWidth;
      const window = Math.abs(r) >= 1 ? 0 : i0(9 * Math.sqrt(1 - r * r)) / i0(9);
      sum += cutoff * (x === 0 ? 1 : Math.sin(Math.PI * x) / (Math.PI * x)) * window * input[k];
    }
    return sum;
  });
}

for (const [from, to, samples] of [[22050, 16000, 7], [22050, 16000, 1001], [48000, 16000, 300], [8000, 16000, 45], [16000, 44100, 123]] as const) {
  test(`${samples} samples ${from} -> ${to} Hz equal the windowed-sinc sum by its definition, edges included`, () => {
    let seed = samples;
    const input = Float64Array.from({ length: samples }, () => ((seed = (seed * 16807) % 2147483647) / 2147483647) * 2 - 1);
    const ours = new Resampler(from, to).resample(input);
    const expected = directResample(input, from, to);
    assert.equal(ours.length, expected.length);
    // float32 output: within its rounding (and the sums' float64 rounding, far smaller).
    expected.forEach((e, i) => assert.ok(Math.abs(ours[i] - e) <= 1e-7 * Math.max(1, Math.abs(e)), `sample ${i}: ${ours[i]} vs ${e}`));
  });
}
