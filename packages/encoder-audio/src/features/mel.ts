export type MelScale = 'slaney' | 'htk';

const SLANEY_STEP = 200 / 3;
const SLANEY_MIN_LOG_HZ = 1000;
const SLANEY_MIN_LOG_MEL = SLANEY_MIN_LOG_HZ / SLANEY_STEP;
const SLANEY_LOG_STEP = Math.log(6.4) / 27;

/** librosa's `hz_to_mel`: Slaney's (linear below 1 kHz, logarithmic above) or HTK's `2595 log10(1 + f / 700)`. */
export function hzToMel(hz: number, scale: MelScale): number {
  if (scale === 'htk') return 2595 * Math.log10(1 + hz / 700);
  return hz >= SLANEY_MIN_LOG_HZ ? SLANEY_MIN_LOG_MEL + Math.log(hz / SLANEY_MIN_LOG_HZ) / SLANEY_LOG_STEP : hz / SLANEY_STEP;
}

export function melToHz(mel: number, scale: MelScale): number {
  if (scale === 'htk') return 700 * (10 ** (mel / 2595) - 1);
  return mel >= SLANEY_MIN_LOG_MEL ? SLANEY_MIN_LOG_HZ * Math.exp(SLANEY_LOG_STEP * (mel - SLANEY_MIN_LOG_MEL)) : SLANEY_STEP * mel;
}

export interface MelFilterbankOptions {
  readonly sampleRate: number;
  readonly nFft: number;
  readonly nMels: number;
  readonly fMin: number;
  readonly fMax: number;
  readonly scale: MelScale;
  /** `slaney` divides each triangle by its width in Hz (constant energy per band), as librosa's default `norm='slaney'`. */
  readonly norm: 'slaney' | 'none';
}

/**
 * librosa's `filters.mel`: triangles between `nMels + 2` points equally spaced in mels, over the `nFft / 2 + 1`
 * FFT bins. Stored sparsely (each band's first bin and its weights), since each band covers few bins.
 */
export class MelFilterbank {
  readonly starts: Int32Array;
  readonly weights: Float64Array[];

  constructor(readonly options: MelFilterbankOptions) {
    const { sampleRate, nFft, nMels, fMin, fMax, scale, norm } = options;
    const bins = Math.floor(nFft / 2) + 1;
    const fftFreqs = Array.from({ length: bins }, (_, k) => (k * sampleRate) / nFft);
    const low = hzToMel(fMin, scale);
    const high = hzToMel(fMax, scale);
    const points = Array.from({ length: nMels + 2 }, (_, i) => melToHz(low + ((high - low) * i) / (nMels + 1), scale));
    this.starts = new Int32Array(nMels);
    this.weights = [];
    for (let m = 0; m < nMels; m++) {
      const [left, centre, right] = [points[m], points[m + 1], points[m + 2]];
      const scaleBy = norm === 'slaney' ? 2 / (right - left) : 1;
      const row = fftFreqs.map((f) => Math.max(0, Math.min((f - left) / (centre - left), (right - f) / (right - centre))) * scaleBy);
      let first = row.findIndex((w) => w > 0);
      let last = row.length - 1 - [...row].reverse().findIndex((w) => w > 0);
      // A band narrower than one FFT bin is empty, as in librosa (which warns about it).
      if (first < 0) { first = 0; last = -1; }
      this.starts[m] = first;
      this.weights.push(Float64Array.from(row.slice(first, last + 1)));
    }
  }

  get bands(): number {
    return this.options.nMels;
  }

  /** Mel energies of one spectrum `spectrum[offset ..]` into `out[outOffset ..]`. */
  apply(spectrum: Float64Array, offset: number, out: Float64Array, outOffset: number): void {
    for (let m = 0; m < this.weights.length; m++) {
      const w = this.weights[m];
      const start = offset + this.starts[m];
      let sum = 0;
      for (let i = 0; i < w.length; i++) sum += w[i] * spectrum[start + i];
      out[outOffset + m] = sum;
    }
  }
}
