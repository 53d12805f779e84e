import { Dct2 } from './dct.js';
import type { FeatureOptions } from './feature-options.js';
import { compress } from './log-scale.js';
import { MelFilterbank } from './mel.js';
import { Stft } from './stft.js';

/** A time-major feature matrix: `frames x bins` values, row t holding frame t. */
export interface FeatureMatrix {
  readonly values: Float64Array;
  readonly frames: number;
  readonly bins: number;
}

/**
 * Waveform to features as librosa computes them (transposed to time-major): `raw` (the samples, one "bin"),
 * `stft` (|STFT|^power), `mel` (melspectrogram) or `mfcc`, with the `log` compression applied to stft and mel
 * (librosa's MFCC takes power_to_db of the mel spectrogram, i.e. `log: "db"`). Window, FFT tables, mel
 * filterbank and DCT matrix are built once per extractor.
 */
export class FeatureExtractor {
  private readonly stft: Stft | undefined;
  private readonly mel: MelFilterbank | undefined;
  private readonly dct: Dct2 | undefined;
  readonly bins: number;

  constructor(readonly options: FeatureOptions) {
    const o = options;
    if (o.features === 'raw') {
      this.bins = 1;
      return;
    }
    if (o.winLength > o.nFft) throw new RangeError(`winLength (${o.winLength}) must not exceed nFft (${o.nFft})`);
    if (o.features === 'stft') {
      this.stft = new Stft(o);
      this.bins = this.stft.bins;
      return;
    }
    if (o.fMax > o.sampleRate / 2 || o.fMin >= o.fMax) {
      throw new RangeError(`fMin (${o.fMin}) and fMax (${o.fMax}) must satisfy 0 <= fMin < fMax <= sampleRate / 2 (${o.sampleRate / 2})`);
    }
    this.mel = new MelFilterbank({ sampleRate: o.sampleRate, nFft: o.nFft, nMels: o.nMels, fMin: o.fMin, fMax: o.fMax, scale: o.melScale, norm: o.melNorm });
    this.stft = new Stft(o, this.mel);
    if (o.features === 'mel') {
      this.bins = o.nMels;
      return;
    }
    this.dct = new Dct2(o.nMels, o.nMfcc, o.lifter);
    this.bins = o.nMfcc;
  }

  /** Frames the extractor gives for a signal of `samples` samples. */
  frameCount(samples: number): number {
    return this.stft ? this.stft.frameCount(samples) : samples;
  }

  extract(signal: ArrayLike<number>): FeatureMatrix {
    if (!this.stft) return { values: Float64Array.from(signal), frames: signal.length, bins: 1 };
    const frames = this.stft.frameCount(signal.length);
    if (!this.mel) return { values: this.stft.compute(signal, this.options), frames, bins: this.stft.bins };
    let mel = this.stft.bandCompute(signal, this.options);
    if (!mel) {
      mel = this.projectRows(this.stft.compute(signal), frames, this.stft.bins, this.mel);
      compress(mel, this.options);
    }
    if (!this.dct) return { values: mel, frames, bins: this.mel.bands };
    const mfcc = new Float64Array(frames * this.dct.outputs);
    for (let t = 0; t < frames; t++) this.dct.apply(mel, t * this.mel.bands, mfcc, t * this.dct.outputs);
    return { values: mfcc, frames, bins: this.dct.outputs };
  }

  /** The mel projection of each spectrogram row (the path for powers other than 1 and 2, or nFft not a power of two). */
  private projectRows(spectrogram: Float64Array, frames: number, bins: number, filterbank: MelFilterbank): Float64Array {
    const mel = new Float64Array(frames * filterbank.bands);
    for (let t = 0; t < frames; t++) filterbank.apply(spectrogram, t * bins, mel, t * filterbank.bands);
    return mel;
  }
}
