import type { AudioAugmentOptions } from './options.js';

/** One clip's random draws, made in row order before any file is read so results do not depend on timing. */
export interface AudioAugmentParams {
  /** Uniform [0, 1) draw for a random crop's start. */
  readonly crop: number;
  readonly gain: number;
  /** Shift in samples (positive: later). */
  readonly shiftFraction: number;
  /** Noise SNR in dB, or null for none. */
  readonly snrDb: number | null;
  readonly noiseSeed: number;
  /** [start fraction, width fraction] per time mask and per frequency mask. */
  readonly timeMasks: ReadonlyArray<readonly [number, number]>;
  readonly freqMasks: ReadonlyArray<readonly [number, number]>;
}

/** Whether the options change anything. */
export function augments(options: AudioAugmentOptions | undefined): boolean {
  if (!options) return false;
  return Boolean(options.gainDb || options.timeShift || options.noiseSnrDb || options.timeMasks || options.freqMasks);
}

/** Draws one clip's parameters: always 5 + 2 per mask draws, so the stream stays aligned across rows. */
export function drawAudioAugmentation(options: AudioAugmentOptions, random: () => number): AudioAugmentParams {
  const [crop, gain, shift, snr, seed] = [random(), random(), random(), random(), random()];
  const masks = (count: number | undefined) => Array.from({ length: count ?? 0 }, () => [random(), random()] as const);
  const gainDb = (gain * 2 - 1) * (options.gainDb ?? 0);
  const [low, high] = options.noiseSnrDb ?? [0, 0];
  return {
    crop,
    gain: 10 ** (gainDb / 20),
    shiftFraction: (shift * 2 - 1) * (options.timeShift ?? 0),
    snrDb: options.noiseSnrDb ? low + snr * (high - low) : null,
    noiseSeed: Math.floor(seed * 2 ** 32),
    timeMasks: masks(options.timeMasks),
    freqMasks: masks(options.freqMasks),
  };
}

/** mulberry32: a small seeded generator for the noise samples of one clip. */
function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Gain, shift (zeros shifted in) and white noise at the drawn SNR, on a fixed-length clip, in place. */
export function augmentWaveform(signal: Float32Array, params: AudioAugmentParams): void {
  const n = signal.length;
  const shift = Math.round(params.shiftFraction * n);
  if (shift > 0) {
    signal.copyWithin(shift, 0, n - shift);
    signal.fill(0, 0, shift);
  } else if (shift < 0) {
    signal.copyWithin(0, -shift);
    signal.fill(0, n + shift);
  }
  if (params.gain !== 1) for (let i = 0; i < n; i++) signal[i] *= params.gain;
  if (params.snrDb === null) return;
  let power = 0;
  for (let i = 0; i < n; i++) power += signal[i] * signal[i];
  power /= n;
  if (power === 0) return;
  const deviation = Math.sqrt(power / 10 ** (params.snrDb / 10));
  const random = mulberry32(params.noiseSeed);
  for (let i = 0; i < n; i++) {
    // Box-Muller: 1 - u keeps the logarithm finite.
    const gaussian = Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random());
    signal[i] += deviation * gaussian;
  }
}

/** SpecAugment masks on a `[frames, bins]` matrix (after normalisation, so 0 is the mean), in place. */
export function maskFeatures(values: Float64Array, frames: number, bins: number, params: AudioAugmentParams, options: AudioAugmentOptions): void {
  for (const [start, width] of params.timeMasks) {
    const w = Math.min(frames, Math.floor(width * ((options.timeMaskWidth ?? 10) + 1)));
    const t0 = Math.floor(start * (frames - w + 1));
    values.fill(0, t0 * bins, (t0 + w) * bins);
  }
  for (const [start, width] of params.freqMasks) {
    const w = Math.min(bins, Math.floor(width * ((options.freqMaskWidth ?? 8) + 1)));
    const f0 = Math.floor(start * (bins - w + 1));
    for (let t = 0; t < frames; t++) values.fill(0, t * bins + f0, t * bins + f0 + w);
  }
}
