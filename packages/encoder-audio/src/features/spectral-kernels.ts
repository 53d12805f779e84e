import { instantiateKernels, MemoryLayout, reserve, type WasmMemory } from '../wasm-kernels.js';
import { dbOffset, type LogCompression } from './log-scale.js';
import { SPECTRAL_KERNELS_WASM } from './spectral-kernels-wasm.js';

interface KernelExports {
  plan(n: number, bitReverse: number, twiddles: number, splitCos: number, splitSin: number, window: number, pairs: number, power: number): void;
  spectrogram(signal: number, frames: number, hop: number, magnitude: number, out: number): void;
  bandSpectrogram(signal: number, frames: number, hop: number, magnitude: number, bands: number, starts: number, lengths: number, offsets: number, weights: number, out: number): void;
  powerToDb(values: number, count: number, amin: number, offset: number, floorBelowMax: number, hasFloor: number): void;
  logWithOffset(values: number, count: number, offset: number): void;
}

/** A sparse band matrix over FFT bins: band i has weights[i] on bins starts[i] .. starts[i] + weights[i].length - 1. */
export interface BandWeights {
  readonly starts: Int32Array;
  readonly weights: readonly Float64Array[];
}

export function isPowerOfTwoFft(n: number): boolean {
  return Number.isInteger(n) && n >= 4 && (n & (n - 1)) === 0;
}

/**
 * The power-of-two real FFT of many frames of one signal, the sparse band (mel) projection of their spectra and
 * their log compression (power_to_db, ln(S + offset)), in WebAssembly SIMD (source:
 * packages/encoder-audio/assembly/spectral-kernels.ts). Each instance owns a memory laid out here: the FFT tables,
 * the window and the band weights (written once), scratch, then the padded signal and the output, which grow with
 * the longest signal seen. Two frames are transformed at once, one per f64x2 lane, with the scalar algorithm's
 * float64 arithmetic operation for operation (radix-4 FFT of size n/2 on the even/odd samples, then the real
 * split; no fused multiply-add), so the spectra equal the scalar transform's; the logarithm is fdlibm's,
 * within one ulp of Math.log.
 */
export class SpectralKernels {
  readonly bins: number;
  private readonly kernels: KernelExports;
  private readonly memory: WasmMemory;
  private readonly bandTables: { count: number; starts: number; lengths: number; offsets: number; weights: number } | undefined;
  /** Where the padded signal starts; the output follows it. */
  private readonly signalAt: number;

  /** `window`: n values applied to each frame before the transform; `bands`: the projection `bandSpectrogram` applies. */
  constructor(readonly n: number, window: Float64Array, bands?: BandWeights) {
    if (!isPowerOfTwoFft(n)) throw new RangeError(`the SIMD FFT needs a power of two >= 4, got ${n}`);
    if (window.length !== n) throw new RangeError(`window has ${window.length} values for an FFT of ${n}`);
    const m = n / 2;
    this.bins = m + 1;
    const twiddles = radix4Twiddles(m);
    const layout = new MemoryLayout();
    const at = {
      bitReverse: layout.take(4 * m), twiddles: layout.take(8 * twiddles.length), splitCos: layout.take(8 * (m + 1)),
      splitSin: layout.take(8 * (m + 1)), window: layout.take(8 * n), pairs: layout.take(32 * m), power: layout.take(16 * (m + 1)),
    };
    const bandCount = bands?.starts.length ?? 0;
    const weightCount = bands ? bands.weights.reduce((sum, w) => sum + w.length, 0) : 0;
    if (bands) {
      this.bandTables = { count: bandCount, starts: layout.take(4 * bandCount), lengths: layout.take(4 * bandCount), offsets: layout.take(4 * bandCount), weights: layout.take(8 * weightCount) };
    }
    this.signalAt = layout.end;
    ({ exports: this.kernels, memory: this.memory } = instantiateKernels<KernelExports>(SPECTRAL_KERNELS_WASM, layout.end + 16));
    const buffer = this.memory.buffer;
    new Int32Array(buffer, at.bitReverse, m).set(bitReversal(m));
    new Float64Array(buffer, at.twiddles, twiddles.length).set(twiddles);
    const cos = new Float64Array(buffer, at.splitCos, m + 1);
    const sin = new Float64Array(buffer, at.splitSin, m + 1);
    for (let k = 0; k <= m; k++) {
      cos[k] = Math.cos((2 * Math.PI * k) / n);
      sin[k] = Math.sin((2 * Math.PI * k) / n);
    }
    new Float64Array(buffer, at.window, n).set(window);
    if (bands && this.bandTables) {
      const t = this.bandTables;
      new Int32Array(buffer, t.starts, bandCount).set(bands.starts);
      const lengths = new Int32Array(buffer, t.lengths, bandCount);
      const offsets = new Int32Array(buffer, t.offsets, bandCount);
      const weights = new Float64Array(buffer, t.weights, weightCount);
      let offset = 0;
      bands.weights.forEach((w, i) => {
        if (w.length > 0 && bands.starts[i] + w.length > this.bins) throw new RangeError(`band ${i} reaches past bin ${this.bins - 1}`);
        lengths[i] = w.length;
        offsets[i] = offset;
        weights.set(w, offset);
        offset += w.length;
      });
    }
    this.kernels.plan(n, at.bitReverse, at.twiddles, at.splitCos, at.splitSin, at.window, at.pairs, at.power);
  }

  /**
   * The signal buffer, `length` float64 values in the kernels' memory (contents undefined: the caller writes all of
   * them), with room after it for `outputs` float64 results. Valid until the next call.
   */
  input(length: number, outputs: number): Float64Array {
    reserve(this.memory, this.signalAt + 8 * length + 8 * outputs);
    return new Float64Array(this.memory.buffer, this.signalAt, length);
  }

  private outputAt(length: number): number {
    return this.signalAt + 8 * length;
  }

  /**
   * |X|^2 (`magnitude`: |X|) of `frames` frames of the signal written with `input(length, frames * bins)`, frame t
   * starting at sample t * hop, then `compression` if given: `frames x bins` values, time-major.
   */
  spectrogram(length: number, frames: number, hop: number, magnitude: boolean, compression?: LogCompression): Float64Array {
    const out = this.outputAt(length);
    this.kernels.spectrogram(this.signalAt, frames, hop, magnitude ? 1 : 0, out);
    return this.finish(out, frames * this.bins, compression);
  }

  /** The band projection of each frame's |X|^2 (`magnitude`: |X|), then `compression`: `frames x bands` values (input as for spectrogram). */
  bandSpectrogram(length: number, frames: number, hop: number, magnitude: boolean, compression?: LogCompression): Float64Array {
    const t = this.bandTables;
    if (!t) throw new Error('these kernels were built without band weights');
    const out = this.outputAt(length);
    this.kernels.bandSpectrogram(this.signalAt, frames, hop, magnitude ? 1 : 0, t.count, t.starts, t.lengths, t.offsets, t.weights, out);
    return this.finish(out, frames * t.count, compression);
  }

  /** `compression` applied to `values` in place (through the kernels' memory). */
  compress(values: Float64Array, compression: LogCompression): void {
    const staged = this.input(values.length, 0);
    staged.set(values);
    values.set(this.finish(this.signalAt, values.length, compression));
  }

  /** Log-compresses `count` values at `at` in place and copies them out of the kernels' memory. */
  private finish(at: number, count: number, compression: LogCompression | undefined): Float64Array {
    if (compression?.log === 'db') {
      const { ref, amin, topDb } = compression;
      this.kernels.powerToDb(at, count, amin, dbOffset(ref, amin), topDb ?? 0, topDb === null ? 0 : 1);
    } else if (compression?.log === 'log') {
      this.kernels.logWithOffset(at, count, compression.logOffset);
    }
    return new Float64Array(this.memory.buffer, at, count).slice();
  }
}

function bitReversal(m: number): Int32Array {
  const bits = Math.log2(m);
  const out = new Int32Array(m);
  for (let i = 0; i < m; i++) {
    let r = 0;
    for (let b = 0; b < bits; b++) r |= ((i >> b) & 1) << (bits - 1 - b);
    out[i] = r;
  }
  return out;
}

/**
 * For each radix-4 pass after the fused first stage (span h = 2, or 4 when log2(m) is even, then x4 while h < m),
 * for 0 < j < h: w^j, w^2j, w^3j as (re, im), w = e^{-2 pi i / 4h}. (The twiddles of j = 0, and of the first
 * stage, are all 1: the kernels skip those multiplications.)
 */
function radix4Twiddles(m: number): Float64Array {
  const values: number[] = [];
  for (let h = Math.log2(m) % 2 === 1 ? 2 : 4; h < m; h <<= 2) {
    for (let j = 1; j < h; j++) {
      for (const k of [1, 2, 3]) values.push(Math.cos((-2 * Math.PI * k * j) / (4 * h)), Math.sin((-2 * Math.PI * k * j) / (4 * h)));
    }
  }
  return Float64Array.from(values);
}
