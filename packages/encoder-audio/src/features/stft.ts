import { RealFft } from './real-fft.js';
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
 * librosa's `|stft(y)|**power` computed frame by frame in typed arrays: the window is built once, each frame is
 * windowed into one scratch array and transformed with a real FFT. Output is time-major: `[frames, nFft / 2 + 1]`.
 */
export class Stft {
  readonly bins: number;
  private readonly fft: RealFft;
  private readonly window: Float64Array;
  private readonly frame: Float64Array;
  private readonly spectrum: Float64Array;

  constructor(readonly options: StftOptions) {
    this.fft = new RealFft(options.nFft);
    this.bins = this.fft.bins;
    this.window = analysisWindow(options.window, options.winLength, options.nFft);
    this.frame = new Float64Array(options.nFft);
    this.spectrum = new Float64Array(this.bins);
  }

  frameCount(samples: number): number {
    const padded = this.options.center ? samples + 2 * Math.floor(this.options.nFft / 2) : samples;
    if (padded < this.options.nFft) return 0;
    return 1 + Math.floor((padded - this.options.nFft) / this.options.hopLength);
  }

  /** The spectrogram of `signal` (length n), `frameCount(n) * bins` values. */
  compute(signal: ArrayLike<number>): Float64Array {
    const out = new Float64Array(this.frameCount(signal.length) * this.bins);
    this.forEachFrame(signal, (spectrum, t) => out.set(spectrum, t * this.bins));
    return out;
  }

  /**
   * Calls `visit` with each frame's |X|^power spectrum (one scratch array, overwritten by the next frame), so a
   * mel projection can consume frames without the whole spectrogram being allocated.
   */
  forEachFrame(signal: ArrayLike<number>, visit: (spectrum: Float64Array, frame: number) => void): void {
    const { nFft, hopLength, center, padMode, power } = this.options;
    const n = signal.length;
    const frames = this.frameCount(n);
    const spectrum = this.spectrum;
    const shift = center ? Math.floor(nFft / 2) : 0;
    const { frame, window } = this;
    for (let t = 0; t < frames; t++) {
      const start = t * hopLength - shift;
      if (start >= 0 && start + nFft <= n) {
        for (let i = 0; i < nFft; i++) frame[i] = signal[start + i] * window[i];
      } else {
        for (let i = 0; i < nFft; i++) {
          const at = start + i;
          const inside = at >= 0 && at < n;
          const value = inside ? signal[at] : padMode === 'reflect' ? signal[reflectIndex(at, n)] : 0;
          frame[i] = value * window[i];
        }
      }
      this.fft.transform(frame, spectrum, 0, power);
      visit(spectrum, t);
    }
  }
}
