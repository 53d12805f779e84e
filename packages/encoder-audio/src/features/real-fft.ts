/**
 * Power or magnitude spectra of real frames, `n / 2 + 1` bins. A power-of-two `n` uses a radix-4 (and -2) complex FFT of
 * size n/2 on the even/odd samples packed as real/imaginary parts, then the usual split step; any other `n` uses a
 * DFT against precomputed cosine and sine tables (O(n^2), still exact). Twiddles, bit reversal and tables are
 * computed once per instance; all arithmetic is float64.
 */
export class RealFft {
  readonly bins: number;
  private readonly half: number;
  private readonly bitReverse: Uint32Array | undefined;
  /** Per radix-4 pass of span h, for j < h: w^j, w^2j, w^3j (re, im) with w = e^{-2 pi i / 4h}, passes in order. */
  private readonly twiddles: Float64Array;
  /** cos and sin of 2 pi k / n for the split step (or the DFT tables, bins x n). */
  private readonly splitCos: Float64Array;
  private readonly splitSin: Float64Array;
  private readonly re: Float64Array;
  private readonly im: Float64Array;
  /** The half-size complex FFT's working arrays (radix-2 only). */
  private readonly zr: Float64Array;
  private readonly zi: Float64Array;

  constructor(readonly n: number) {
    if (!Number.isInteger(n) || n < 2) throw new RangeError(`FFT size must be an integer >= 2, got ${n}`);
    this.bins = Math.floor(n / 2) + 1;
    const radix2 = (n & (n - 1)) === 0 && n >= 4;
    this.half = n / 2;
    if (radix2) {
      const m = this.half;
      this.bitReverse = new Uint32Array(m);
      const bits = Math.log2(m);
      for (let i = 0; i < m; i++) {
        let r = 0;
        for (let b = 0; b < bits; b++) r |= ((i >> b) & 1) << (bits - 1 - b);
        this.bitReverse[i] = r;
      }
      const twiddles: number[] = [];
      for (let h = Math.log2(m) % 2 === 1 ? 2 : 1; h < m; h <<= 2) {
        for (let j = 0; j < h; j++) {
          for (const k of [1, 2, 3]) twiddles.push(Math.cos((-2 * Math.PI * k * j) / (4 * h)), Math.sin((-2 * Math.PI * k * j) / (4 * h)));
        }
      }
      this.twiddles = Float64Array.from(twiddles);
      this.splitCos = new Float64Array(m + 1);
      this.splitSin = new Float64Array(m + 1);
      for (let k = 0; k <= m; k++) {
        this.splitCos[k] = Math.cos((2 * Math.PI * k) / n);
        this.splitSin[k] = Math.sin((2 * Math.PI * k) / n);
      }
      this.re = new Float64Array(m + 1);
      this.im = new Float64Array(m + 1);
      this.zr = new Float64Array(m);
      this.zi = new Float64Array(m);
    } else {
      this.zr = new Float64Array(0);
      this.zi = new Float64Array(0);
      this.bitReverse = undefined;
      this.twiddles = new Float64Array(0);
      this.splitCos = new Float64Array(this.bins * n);
      this.splitSin = new Float64Array(this.bins * n);
      for (let k = 0; k < this.bins; k++) {
        for (let t = 0; t < n; t++) {
          // (k * t) mod n keeps the angle small, so large tables stay accurate.
          const angle = (2 * Math.PI * ((k * t) % n)) / n;
          this.splitCos[k * n + t] = Math.cos(angle);
          this.splitSin[k * n + t] = Math.sin(angle);
        }
      }
      this.re = new Float64Array(this.bins);
      this.im = new Float64Array(this.bins);
    }
  }

  /**
   * The spectrum of `frame` (length n) raised to `power` (|X|^power: 1 magnitude, 2 power), written to
   * `out[offset .. offset + bins)`.
   */
  transform(frame: ArrayLike<number>, out: Float32Array | Float64Array, offset: number, power: number): void {
    if (this.bitReverse) this.radix2(frame);
    else this.dft(frame);
    const { re, im } = this;
    for (let k = 0; k < this.bins; k++) {
      const p = re[k] * re[k] + im[k] * im[k];
      out[offset + k] = power === 2 ? p : power === 1 ? Math.sqrt(p) : p ** (power / 2);
    }
  }

  private dft(frame: ArrayLike<number>): void {
    const { n, bins, splitCos, splitSin } = this;
    for (let k = 0; k < bins; k++) {
      let sr = 0;
      let si = 0;
      const row = k * n;
      for (let t = 0; t < n; t++) {
        sr += frame[t] * splitCos[row + t];
        si -= frame[t] * splitSin[row + t];
      }
      this.re[k] = sr;
      this.im[k] = si;
    }
  }

  /**
   * The complex FFT of the even/odd-packed frame: bit reversal, one radix-2 pass when log2(m) is odd, then
   * radix-4 passes (two radix-2 stages fused: 3 complex multiplications per 4 points, half the memory passes).
   */
  private radix2(frame: ArrayLike<number>): void {
    const m = this.half;
    const re = this.zr;
    const im = this.zi;
    const rev = this.bitReverse as Uint32Array;
    for (let i = 0; i < m; i++) {
      const j = rev[i];
      re[j] = frame[2 * i];
      im[j] = frame[2 * i + 1];
    }
    let h = 1;
    if (Math.log2(m) % 2 === 1) {
      for (let a = 0; a < m; a += 2) {
        const r = re[a + 1];
        const i = im[a + 1];
        re[a + 1] = re[a] - r;
        im[a + 1] = im[a] - i;
        re[a] += r;
        im[a] += i;
      }
      h = 2;
    }
    const tw = this.twiddles;
    let offset = 0;
    for (; h < m; h <<= 2) {
      const size = h << 2;
      for (let j = 0; j < h; j++) {
        const t = offset + 6 * j;
        const w1r = tw[t], w1i = tw[t + 1], w2r = tw[t + 2], w2i = tw[t + 3], w3r = tw[t + 4], w3i = tw[t + 5];
        for (let a0 = j; a0 < m; a0 += size) {
          const a1 = a0 + h;
          const a2 = a1 + h;
          const a3 = a2 + h;
          // After bit reversal the stage-h halves are (a0, a1) and (a2, a3): b1 = w^2j x1, b2 = w^j x2, b3 = w^3j x3.
          const x1r = re[a1], x1i = im[a1], x2r = re[a2], x2i = im[a2], x3r = re[a3], x3i = im[a3];
          const b1r = x1r * w2r - x1i * w2i;
          const b1i = x1r * w2i + x1i * w2r;
          const b2r = x2r * w1r - x2i * w1i;
          const b2i = x2r * w1i + x2i * w1r;
          const b3r = x3r * w3r - x3i * w3i;
          const b3i = x3r * w3i + x3i * w3r;
          const x0r = re[a0], x0i = im[a0];
          const sr = x0r + b1r, si = x0i + b1i;
          const dr = x0r - b1r, di = x0i - b1i;
          const pr = b2r + b3r, pi = b2i + b3i;
          // -i (b2 - b3)
          const qr = b2i - b3i, qi = b3r - b2r;
          re[a0] = sr + pr;
          im[a0] = si + pi;
          re[a2] = sr - pr;
          im[a2] = si - pi;
          re[a1] = dr + qr;
          im[a1] = di + qi;
          re[a3] = dr - qr;
          im[a3] = di - qi;
        }
      }
      offset += 6 * h;
    }
    this.split(re, im, m);
  }

  /** X[k] = E[k] + W^k O[k], with E and O the spectra of the even and odd samples, read from Z = FFT(even + i odd). */
  private split(zr: Float64Array, zi: Float64Array, m: number): void {
    const outRe = this.re;
    const outIm = this.im;
    for (let k = 0; k <= m; k++) {
      const a = k % m;
      const b = (m - k) % m;
      const ar = zr[a];
      const ai = zi[a];
      const br = zr[b];
      const bi = zi[b];
      const er = (ar + br) / 2;
      const ei = (ai - bi) / 2;
      const or = (ai + bi) / 2;
      const oi = -(ar - br) / 2;
      const c = this.splitCos[k];
      const s = this.splitSin[k];
      outRe[k] = er + c * or + s * oi;
      outIm[k] = ei + c * oi - s * or;
    }
  }
}
