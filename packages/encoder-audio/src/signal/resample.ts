import { instantiateKernels, MemoryLayout, reserve, type WasmMemory } from '../wasm-kernels.js';
import { RESAMPLE_KERNEL_WASM } from './resample-kernel-wasm.js';

/**
 * Band-limited resampling with a Kaiser-windowed sinc (the method of resampy and libsamplerate's sinc
 * converters): the ratio is reduced to L/M, each of the L output phases gets its own set of taps (the filter
 * bank, computed once per ratio), and the cutoff is ROLLOFF times the lower of the two Nyquist frequencies so
 * that content above the new Nyquist is removed before it can alias. Stopband about -90 dB; passband flat to
 * within 0.01 dB up to ~0.9 of the new Nyquist. The filtering runs in a WebAssembly SIMD kernel
 * (assembly/resample-kernel.ts): float64 taps and sums, float32 output.
 */
const ZERO_CROSSINGS = 24;
const ROLLOFF = 0.94;
const KAISER_BETA = 9;

function gcd(a: number, b: number): number {
  while (b) [a, b] = [b, a % b];
  return a;
}

/** The zeroth-order modified Bessel function of the first kind (series), for the Kaiser window. */
function besselI0(x: number): number {
  let sum = 1;
  let term = 1;
  for (let k = 1; k < 50; k++) {
    term *= (x / (2 * k)) ** 2;
    sum += term;
    if (term < 1e-17 * sum) break;
  }
  return sum;
}

interface ResampleKernel {
  resample(input: number, outputs: number, up: number, down: number, taps: number, length: number, first: number, out: number): void;
}

export class Resampler {
  private readonly up: number;
  private readonly down: number;
  /** Cutoff as a fraction of the input's sample rate's Nyquist. */
  private readonly cutoff: number;
  /** Half the filter's length, in input samples. */
  private readonly halfWidth: number;
  /** Taps per phase, zero-padded to a multiple of 4 (the kernel's step). */
  private readonly tapCount: number;
  /** Zeros the kernel finds on each side of the signal: every tap of every output reads inside the buffer. */
  private readonly margin: number;
  private readonly kernel: ResampleKernel | undefined;
  private readonly memory: WasmMemory | undefined;
  private readonly tapsAt: number = 0;
  private readonly firstAt: number = 0;
  private readonly signalAt: number = 0;

  constructor(readonly from: number, readonly to: number) {
    if (!(from > 0 && to > 0 && Number.isInteger(from) && Number.isInteger(to))) throw new RangeError(`sample rates must be positive integers, got ${from} and ${to}`);
    const g = gcd(from, to);
    this.up = to / g;
    this.down = from / g;
    this.cutoff = Math.min(1, to / from) * ROLLOFF;
    this.halfWidth = ZERO_CROSSINGS / this.cutoff;
    const phases = Array.from({ length: this.up === this.down ? 0 : this.up }, (_, p) => this.phase(p));
    this.tapCount = Math.ceil(Math.max(0, ...phases.map((phase) => phase.taps.length)) / 4) * 4;
    this.margin = this.tapCount + Math.ceil(this.halfWidth) + 4;
    if (phases.length === 0) return;
    const layout = new MemoryLayout();
    this.tapsAt = layout.take(8 * this.up * this.tapCount);
    this.firstAt = layout.take(4 * this.up);
    this.signalAt = layout.end;
    ({ exports: this.kernel, memory: this.memory } = instantiateKernels<ResampleKernel>(RESAMPLE_KERNEL_WASM, layout.end));
    const taps = new Float64Array(this.memory.buffer, this.tapsAt, this.up * this.tapCount);
    const first = new Int32Array(this.memory.buffer, this.firstAt, this.up);
    phases.forEach((phase, p) => {
      taps.set(phase.taps, p * this.tapCount);
      first[p] = phase.first;
    });
  }

  /** Output samples for `samples` input samples: ceil(samples * to / from), as librosa and soxr give. */
  outputLength(samples: number): number {
    return Math.ceil((samples * this.up) / this.down);
  }

  /** The taps of output phase `p` (output time = input index k0 + p / up) and the input index of the first tap. */
  private phase(p: number): { first: number; taps: Float64Array } {
    const offset = p / this.up;
    const first = Math.ceil(offset - this.halfWidth);
    const last = Math.floor(offset + this.halfWidth);
    const taps = new Float64Array(last - first + 1);
    const i0Beta = besselI0(KAISER_BETA);
    for (let j = 0; j < taps.length; j++) {
      const u = first + j - offset;
      const x = this.cutoff * u;
      const sinc = x === 0 ? 1 : Math.sin(Math.PI * x) / (Math.PI * x);
      const r = u / this.halfWidth;
      const window = Math.abs(r) >= 1 ? 0 : besselI0(KAISER_BETA * Math.sqrt(1 - r * r)) / i0Beta;
      taps[j] = this.cutoff * sinc * window;
    }
    return { first, taps };
  }

  resample(input: ArrayLike<number>): Float32Array {
    if (!this.kernel || !this.memory) return Float32Array.from(input);
    const n = input.length;
    const outputs = this.outputLength(n);
    const padded = n + 2 * this.margin;
    const outAt = this.signalAt + 8 * padded;
    reserve(this.memory, outAt + 4 * outputs);
    const signal = new Float64Array(this.memory.buffer, this.signalAt, padded);
    signal.fill(0, 0, this.margin);
    if (input instanceof Float32Array || input instanceof Float64Array) signal.set(input, this.margin);
    else for (let i = 0; i < n; i++) signal[this.margin + i] = input[i];
    signal.fill(0, this.margin + n);
    this.kernel.resample(this.signalAt + 8 * this.margin, outputs, this.up, this.down, this.tapsAt, this.tapCount, this.firstAt, outAt);
    return new Float32Array(this.memory.buffer, outAt, outputs).slice();
  }
}
