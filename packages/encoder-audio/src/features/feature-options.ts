import type { MelScale } from './mel.js';
import type { WindowName } from './window.js';

export type FeatureKind = 'raw' | 'stft' | 'mel' | 'mfcc';
export type LogScale = 'db' | 'log' | 'none';

/** Everything that turns a waveform at `sampleRate` into features; names and meanings follow librosa's. */
export interface FeatureOptions {
  readonly features: FeatureKind;
  readonly sampleRate: number;
  readonly nFft: number;
  readonly hopLength: number;
  readonly winLength: number;
  readonly window: WindowName;
  /** Pad nFft / 2 on both sides so frame t is centred on sample t * hopLength (librosa's `center=True`). */
  readonly center: boolean;
  readonly padMode: 'constant' | 'reflect';
  /** |X|^power: 1 magnitude, 2 power. */
  readonly power: number;
  readonly nMels: number;
  readonly fMin: number;
  readonly fMax: number;
  readonly melScale: MelScale;
  readonly melNorm: 'slaney' | 'none';
  /** `db`: librosa's power_to_db (ref, amin, topDb); `log`: ln(S + logOffset); `none`. */
  readonly log: LogScale;
  readonly logOffset: number;
  readonly topDb: number | null;
  readonly amin: number;
  readonly ref: number;
  readonly nMfcc: number;
  readonly lifter: number;
}

/**
 * Polymodal's defaults, chosen for speech at 16 kHz: 25 ms Hann windows (400 samples) in a 512-point FFT, a
 * 10 ms hop (160), 64 Slaney mel bands over 0..8 kHz, power, then power_to_db with top_db 80. librosa's own
 * defaults (2048 / 512, 128 mels at 22.05 kHz) suit music; set them explicitly to match librosa exactly.
 */
export const FEATURE_DEFAULTS: Omit<FeatureOptions, 'fMax'> = {
  features: 'mel', sampleRate: 16000, nFft: 512, hopLength: 160, winLength: 400, window: 'hann', center: true, padMode: 'constant',
  power: 2, nMels: 64, fMin: 0, melScale: 'slaney', melNorm: 'slaney', log: 'db', logOffset: 1e-6, topDb: 80, amin: 1e-10, ref: 1,
  nMfcc: 20, lifter: 0,
};

/** Complete feature options from partial ones: defaults, and `fMax` = sampleRate / 2 when absent. */
export function featureOptions(partial: Partial<FeatureOptions>): FeatureOptions {
  const merged = { ...FEATURE_DEFAULTS, ...partial };
  return { ...merged, fMax: partial.fMax ?? merged.sampleRate / 2 };
}
