import { isPowerOfTwoFft, SpectralKernels } from './spectral-kernels.js';

/**
 * Power or magnitude spectra of single real frames, `n / 2 + 1` bins. A power-of-two `n` goes through the SIMD
 * kernels' FFT (a radix-4 complex FFT of size n/2 on the even/odd samples, then the real split); any other `n`
 * uses a DFT against precomputed cosine and sine tables (O(n^2), still exact). All arithmetic is float64.
 * Spectrograms of whole signals use `Stft`, which transforms all of a signal's frames in one call.
 */
export class RealFft {
  readonly bins: number;
  private readonly kernels: SpectralKernels | undefined;
  /** cos and sin of 2 pi k t / n, bins x n (the DFT's tables; empty for powers of two). */
  private readonly cos: Float64Array;
  private readonly sin: Float64Array;

  constructor(readonly n: number) {
    if (!Number.isInteger(n) || n < 2) throw new RangeError(`FFT size must be an integer >= 2, got ${n}`);
    this.bins = Math.floor(n / 2) + 1;
    if (isPowerOfTwoFft(n)) {
      this.kernels = new SpectralKernels(n, new Float64Array(n).fill(1));
      this.cos = new Float64Array(0);
      this.sin = new Float64Array(0);
      return;
    }
    this.cos = new Float64Array(this.bins * n);
    this.sin = new Float64Array(this.bins * n);
    for (let k = 0; k < this.bins; k++) {
      for (let t = 0; t < n; t++) {
        // (k * t) mod n keeps the angle small, so large tables stay accurate.
        const angle = (2 * Math.PI * ((k * t) % n)) / n;
        this.cos[k * n + t] = Math.cos(angle);
        this.sin[k * n + t] = Math.sin(angle);
      }
    }
  }

  /**
   * The spectrum of `frame` (length n) raised to `power` (|X|^power: 1 magnitude, 2 power), written to
   * `out[offset .. offset + bins)`.
   */
  transform(frame: ArrayLike<number>, out: Float32Array | Float64Array, offset: number, power: number): void {
    if (this.kernels) {
      const input = this.kernels.input(this.n, this.bins);
      for (let t = 0; t < this.n; t++) input[t] = frame[t];
      const spectrum = this.kernels.spectrogram(this.n, 1, 0, power === 1);
      for (let k = 0; k < this.bins; k++) out[offset + k] = power === 1 || power === 2 ? spectrum[k] : spectrum[k] ** (power / 2);
      return;
    }
    const { n, bins, cos, sin } = this;
    for (let k = 0; k < bins; k++) {
      let re = 0;
      let im = 0;
      const row = k * n;
      for (let t = 0; t < n; t++) {
        re += frame[t] * cos[row + t];
        im -= frame[t] * sin[row + t];
      }
      const p = re * re + im * im;
      out[offset + k] = power === 2 ? p : power === 1 ? Math.sqrt(p) : p ** (power / 2);
    }
  }
}
