import { compress, type LogCompression } from './log-scale.js';
import { RealFft } from './real-fft.js';
import { isPowerOfTwoFft, SpectralKernels, type BandWeights } from './spectral-kernels.js';
import { analysisWindow, type WindowName } from './window.js';

export interface StftOptions {
  readonly nFft: number;
  readonly hopLength: number;
  readonly winLength: number;
  readonly window: WindowName;
  readonly center: boolean;
  readonly padMode: 'constant' | 'reflect';
  readonly power: number;
}

/** numpy's `pad(mode='reflect')` index: the edge sample is not repeated. */
function reflectIndex(i: number, n: number): number {
  if (n === 1) return 0;
  const period = 2 * (n - 1);
  let m = ((i % period) + period) % period;
  if (m >= n) m = period - m;
  return m;
}

/**
 * librosa's `|stft(y)|**power` in typed arrays, time-major: `[frames, nFft / 2 + 1]`. A power-of-two `nFft`
 * (every default) pads the signal once into the SIMD kernels' memory and transforms all frames in one call,
 * optionally projecting each spectrum on sparse bands (the mel filterbank) there too, so the spectrogram is
 * never copied out; other sizes window each frame into a scratch array for a per-frame DFT.
 */
export class Stft {
  readonly bins: number;
  private readonly kernels: SpectralKernels | undefined;
  private readonly dft: RealFft | undefined;
  private readonly window: Float64Array;
  private readonly bands: BandWeights | undefined;

  /** `bands`: the projection `bandCompute` applies (the mel filterbank). */
  constructor(readonly options: StftOptions, bands?: BandWeights) {
    this.window = analysisWindow(options.window, options.winLength, options.nFft);
    this.bins = Math.floor(options.nFft / 2) + 1;
    this.bands = bands;
    if (isPowerOfTwoFft(options.nFft)) this.kernels = new SpectralKernels(options.nFft, this.window, bands);
    else this.dft = new RealFft(options.nFft);
  }

  frameCount(samples: number): number {
    const padded = this.options.center ? samples + 2 * Math.floor(this.options.nFft / 2) : samples;
    if (padded < this.options.nFft) return 0;
    return 1 + Math.floor((padded - this.options.nFft) / this.options.hopLength);
  }

  /** The spectrogram of `signal` (length n), `frameCount(n) * bins` values, log-compressed when `compression` is given. */
  compute(signal: ArrayLike<number>, compression?: LogCompression): Float64Array {
    const frames = this.frameCount(signal.length);
    const { power, hopLength } = this.options;
    const fused = this.kernels !== undefined && (power === 1 || power === 2);
    let out: Float64Array;
    if (this.kernels) {
      const length = this.pad(signal, this.kernels, frames * this.bins);
      out = this.kernels.spectrogram(length, frames, hopLength, power === 1, fused ? compression : undefined);
      if (!fused) for (let i = 0; i < out.length; i++) out[i] **= power / 2;
    } else {
      out = this.computeByFrame(signal, frames);
    }
    if (compression && !fused) {
      if (this.kernels) this.kernels.compress(out, compression);
      else compress(out, compression);
    }
    return out;
  }

  /**
   * Each frame's spectrum projected on the bands given to the constructor, then log-compressed when `compression`
   * is given: `frameCount(n) * bands` values, computed in the kernels' memory without a spectrogram when they can
   * (power-of-two nFft, power 1 or 2); undefined otherwise (project `compute`'s rows instead).
   */
  bandCompute(signal: ArrayLike<number>, compression?: LogCompression): Float64Array | undefined {
    const { power, hopLength } = this.options;
    if (!this.kernels || !this.bands || (power !== 1 && power !== 2)) return undefined;
    const frames = this.frameCount(signal.length);
    const length = this.pad(signal, this.kernels, frames * this.bands.starts.length);
    return this.kernels.bandSpectrogram(length, frames, hopLength, power === 1, compression);
  }

  /** Writes the signal, padded by nFft / 2 on both sides when centred, into the kernels' input; its length. */
  private pad(signal: ArrayLike<number>, kernels: SpectralKernels, outputs: number): number {
    const { nFft, center, padMode } = this.options;
    const n = signal.length;
    const shift = center ? Math.floor(nFft / 2) : 0;
    const length = n + 2 * shift;
    const input = kernels.input(length, outputs);
    if (signal instanceof Float32Array || signal instanceof Float64Array) input.set(signal, shift);
    else for (let i = 0; i < n; i++) input[shift + i] = signal[i];
    for (let i = 0; i < shift; i++) {
      input[i] = padMode === 'reflect' ? signal[reflectIndex(i - shift, n)] : 0;
      input[shift + n + i] = padMode === 'reflect' ? signal[reflectIndex(n + i, n)] : 0;
    }
    return length;
  }

  private computeByFrame(signal: ArrayLike<number>, frames: number): Float64Array {
    const { nFft, hopLength, center, padMode, power } = this.options;
    const dft = this.dft as RealFft;
    const n = signal.length;
    const out = new Float64Array(frames * this.bins);
    const shift = center ? Math.floor(nFft / 2) : 0;
    const frame = new Float64Array(nFft);
    const window = this.window;
    for (let t = 0; t < frames; t++) {
      const start = t * hopLength - shift;
      for (let i = 0; i < nFft; i++) {
        const at = start + i;
        const inside = at >= 0 && at < n;
        const value = inside ? signal[at] : padMode === 'reflect' ? signal[reflectIndex(at, n)] : 0;
        frame[i] = value * window[i];
      }
      dft.transform(frame, out, t * this.bins, power);
    }
    return out;
  }
}
