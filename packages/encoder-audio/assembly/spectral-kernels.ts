// Polymodal's audio feature kernels, compiled with AssemblyScript (tools/build-wasm-kernels.mjs) into a
// module that imports its memory from src/features/spectral-kernels.ts, which lays out the tables and buffers
// there: every pointer is a byte offset in that memory, every array float64 unless named otherwise.
//
// Frames are transformed two at a time, one per lane of an f64x2 vector: the arithmetic of each lane is the
// scalar real FFT's, operation for operation (no fused multiply-add; multiplications by a twiddle of exactly 1
// are skipped, which can change only the sign of a zero), so for finite samples the spectra equal the scalar
// transform's bit for bit while two frames cost about what one did.

// The plan, set once per module instance by `plan`.
let half: i32 = 0; // n / 2: the size of the complex FFT
let bitReverseAt: usize = 0; // i32[half]
let twiddlesAt: usize = 0; // per radix-4 pass of span h after the first, for 0 < j < h: w^j, w^2j, w^3j (re, im), w = e^{-2 pi i / 4h}
let splitCosAt: usize = 0; // cos(2 pi k / n), k <= half
let splitSinAt: usize = 0; // sin(2 pi k / n)
let windowAt: usize = 0; // the analysis window, n values
let pairsAt: usize = 0; // scratch: half complex points, each (re of both frames, im of both frames), 32 bytes
let powerAt: usize = 0; // scratch: half + 1 bins, each the pair's |X|^2 (or |X|), 16 bytes

export function plan(n: i32, bitReverse: usize, twiddles: usize, splitCos: usize, splitSin: usize, window: usize, pairs: usize, power: usize): void {
  half = n >> 1;
  bitReverseAt = bitReverse;
  twiddlesAt = twiddles;
  splitCosAt = splitCos;
  splitSinAt = splitSin;
  windowAt = window;
  pairsAt = pairs;
  powerAt = power;
}

// Point p of the pair: samples 2p and 2p + 1 of the frames at `a` and `b`, windowed, as they lie in memory
// (lane 0: sample 2p, lane 1: sample 2p + 1); `real` and `imaginary` regroup two such loads per frame into
// (frame a, frame b) lanes.
// @ts-ignore: decorator
@inline
function windowed(frame: usize, p: usize): v128 {
  const at = p << 4;
  return f64x2.mul(v128.load(frame + at), v128.load(windowAt + at));
}
// @ts-ignore: decorator
@inline
function real(xa: v128, xb: v128): v128 {
  return v128.shuffle<f64>(xa, xb, 0, 2);
}
// @ts-ignore: decorator
@inline
function imaginary(xa: v128, xb: v128): v128 {
  return v128.shuffle<f64>(xa, xb, 1, 3);
}

// The complex FFT of the even/odd-packed, windowed frames at `a` and `b` (lane 0 frame a, lane 1 frame b) into
// the pairs scratch, in natural order. The first stage reads the samples in bit-reversed order and has only
// trivial twiddles, so it is fused with the gather: a radix-2 pass when log2(half) is odd, a radix-4 pass when
// even; radix-4 passes follow (two radix-2 stages fused: three complex multiplications per four points).
function complexFft(a: usize, b: usize): void {
  const m = half;
  const z = pairsAt;
  let h: i32;
  if ((ctz<i32>(m) & 1) == 1) {
    // After bit reversal, points (2q, 2q + 1) are inputs r and r + m/2, with r = rev[2q].
    const second = <usize>(m >> 1);
    for (let q = 0; q < m; q += 2) {
      const r = <usize>load<i32>(bitReverseAt + (<usize>q << 2));
      const a0 = windowed(a, r);
      const b0 = windowed(b, r);
      const a1 = windowed(a, r + second);
      const b1 = windowed(b, r + second);
      const r0 = real(a0, b0);
      const i0 = imaginary(a0, b0);
      const r1 = real(a1, b1);
      const i1 = imaginary(a1, b1);
      const p = z + (<usize>q << 5);
      v128.store(p, f64x2.add(r0, r1));
      v128.store(p, f64x2.add(i0, i1), 16);
      v128.store(p, f64x2.sub(r0, r1), 32);
      v128.store(p, f64x2.sub(i0, i1), 48);
    }
    h = 2;
  } else {
    // After bit reversal, points 4q .. 4q + 3 are inputs r, r + m/2, r + m/4, r + 3m/4, with r = rev[4q].
    const quarter = <usize>(m >> 2);
    for (let q = 0; q < m; q += 4) {
      const r = <usize>load<i32>(bitReverseAt + (<usize>q << 2));
      const a0 = windowed(a, r);
      const b0 = windowed(b, r);
      const a1 = windowed(a, r + 2 * quarter);
      const b1 = windowed(b, r + 2 * quarter);
      const a2 = windowed(a, r + quarter);
      const b2 = windowed(b, r + quarter);
      const a3 = windowed(a, r + 3 * quarter);
      const b3 = windowed(b, r + 3 * quarter);
      const x0r = real(a0, b0);
      const x0i = imaginary(a0, b0);
      const x1r = real(a1, b1);
      const x1i = imaginary(a1, b1);
      const x2r = real(a2, b2);
      const x2i = imaginary(a2, b2);
      const x3r = real(a3, b3);
      const x3i = imaginary(a3, b3);
      const sr = f64x2.add(x0r, x1r);
      const si = f64x2.add(x0i, x1i);
      const dr = f64x2.sub(x0r, x1r);
      const di = f64x2.sub(x0i, x1i);
      const pr = f64x2.add(x2r, x3r);
      const pi = f64x2.add(x2i, x3i);
      const qr = f64x2.sub(x2i, x3i);
      const qi = f64x2.sub(x3r, x2r);
      const p0 = z + (<usize>q << 5);
      v128.store(p0, f64x2.add(sr, pr));
      v128.store(p0, f64x2.add(si, pi), 16);
      v128.store(p0, f64x2.add(dr, qr), 32);
      v128.store(p0, f64x2.add(di, qi), 48);
      v128.store(p0, f64x2.sub(sr, pr), 64);
      v128.store(p0, f64x2.sub(si, pi), 80);
      v128.store(p0, f64x2.sub(dr, qr), 96);
      v128.store(p0, f64x2.sub(di, qi), 112);
    }
    h = 4;
  }
  let tw = twiddlesAt;
  for (; h < m; h <<= 2) {
    const size = h << 2;
    const span = <usize>h << 5;
    // j = 0: trivial twiddles, butterflies without multiplications.
    for (let a0 = 0; a0 < m; a0 += size) {
      const p0 = z + (<usize>a0 << 5);
      const p1 = p0 + span;
      const p2 = p1 + span;
      const p3 = p2 + span;
      const x0r = v128.load(p0);
      const x0i = v128.load(p0, 16);
      const x1r = v128.load(p1);
      const x1i = v128.load(p1, 16);
      const x2r = v128.load(p2);
      const x2i = v128.load(p2, 16);
      const x3r = v128.load(p3);
      const x3i = v128.load(p3, 16);
      const sr = f64x2.add(x0r, x1r);
      const si = f64x2.add(x0i, x1i);
      const dr = f64x2.sub(x0r, x1r);
      const di = f64x2.sub(x0i, x1i);
      const pr = f64x2.add(x2r, x3r);
      const pi = f64x2.add(x2i, x3i);
      const qr = f64x2.sub(x2i, x3i);
      const qi = f64x2.sub(x3r, x2r);
      v128.store(p0, f64x2.add(sr, pr));
      v128.store(p0, f64x2.add(si, pi), 16);
      v128.store(p2, f64x2.sub(sr, pr));
      v128.store(p2, f64x2.sub(si, pi), 16);
      v128.store(p1, f64x2.add(dr, qr));
      v128.store(p1, f64x2.add(di, qi), 16);
      v128.store(p3, f64x2.sub(dr, qr));
      v128.store(p3, f64x2.sub(di, qi), 16);
    }
    for (let j = 1; j < h; j++) {
      const w1r = v128.load64_splat(tw);
      const w1i = v128.load64_splat(tw, 8);
      const w2r = v128.load64_splat(tw, 16);
      const w2i = v128.load64_splat(tw, 24);
      const w3r = v128.load64_splat(tw, 32);
      const w3i = v128.load64_splat(tw, 40);
      tw += 48;
      for (let a0 = j; a0 < m; a0 += size) {
        const p0 = z + (<usize>a0 << 5);
        const p1 = p0 + span;
        const p2 = p1 + span;
        const p3 = p2 + span;
        const x1r = v128.load(p1);
        const x1i = v128.load(p1, 16);
        const x2r = v128.load(p2);
        const x2i = v128.load(p2, 16);
        const x3r = v128.load(p3);
        const x3i = v128.load(p3, 16);
        // After bit reversal the stage-h halves are (a0, a1) and (a2, a3): b1 = w^2j x1, b2 = w^j x2, b3 = w^3j x3.
        const b1r = f64x2.sub(f64x2.mul(x1r, w2r), f64x2.mul(x1i, w2i));
        const b1i = f64x2.add(f64x2.mul(x1r, w2i), f64x2.mul(x1i, w2r));
        const b2r = f64x2.sub(f64x2.mul(x2r, w1r), f64x2.mul(x2i, w1i));
        const b2i = f64x2.add(f64x2.mul(x2r, w1i), f64x2.mul(x2i, w1r));
        const b3r = f64x2.sub(f64x2.mul(x3r, w3r), f64x2.mul(x3i, w3i));
        const b3i = f64x2.add(f64x2.mul(x3r, w3i), f64x2.mul(x3i, w3r));
        const x0r = v128.load(p0);
        const x0i = v128.load(p0, 16);
        const sr = f64x2.add(x0r, b1r);
        const si = f64x2.add(x0i, b1i);
        const dr = f64x2.sub(x0r, b1r);
        const di = f64x2.sub(x0i, b1i);
        const pr = f64x2.add(b2r, b3r);
        const pi = f64x2.add(b2i, b3i);
        // -i (b2 - b3)
        const qr = f64x2.sub(b2i, b3i);
        const qi = f64x2.sub(b3r, b2r);
        v128.store(p0, f64x2.add(sr, pr));
        v128.store(p0, f64x2.add(si, pi), 16);
        v128.store(p2, f64x2.sub(sr, pr));
        v128.store(p2, f64x2.sub(si, pi), 16);
        v128.store(p1, f64x2.add(dr, qr));
        v128.store(p1, f64x2.add(di, qi), 16);
        v128.store(p3, f64x2.sub(dr, qr));
        v128.store(p3, f64x2.sub(di, qi), 16);
      }
    }
  }
}

// X[k] = E[k] + W^k O[k] (E, O: the spectra of the even and odd samples, read from the complex FFT), then
// |X[k]|^2, or |X[k]| when `magnitude`, for k <= half, into the power scratch. Bins k and half - k read the
// same two points, and their E and O differ only in sign, exactly, so they are computed together.
function splitToPower(magnitude: bool): void {
  const m = half;
  const z = pairsAt;
  const halfOf = f64x2.splat(0.5);
  const middle = m >> 1;
  for (let k = 0; k <= middle; k++) {
    const pa = z + (<usize>k << 5);
    const pb = z + (<usize>(k == 0 ? 0 : m - k) << 5);
    const ar = v128.load(pa);
    const ai = v128.load(pa, 16);
    const br = v128.load(pb);
    const bi = v128.load(pb, 16);
    const er = f64x2.mul(f64x2.add(ar, br), halfOf);
    const ei = f64x2.mul(f64x2.sub(ai, bi), halfOf);
    const or = f64x2.mul(f64x2.add(ai, bi), halfOf);
    const oi = f64x2.mul(f64x2.sub(br, ar), halfOf);
    const c = v128.load64_splat(splitCosAt + (<usize>k << 3));
    const s = v128.load64_splat(splitSinAt + (<usize>k << 3));
    const re = f64x2.add(f64x2.add(er, f64x2.mul(c, or)), f64x2.mul(s, oi));
    const im = f64x2.sub(f64x2.add(ei, f64x2.mul(c, oi)), f64x2.mul(s, or));
    const p = f64x2.add(f64x2.mul(re, re), f64x2.mul(im, im));
    v128.store(powerAt + (<usize>k << 4), magnitude ? f64x2.sqrt(p) : p);
    if (k == middle) break;
    // Bin m - k: E' = conj(E), O' = conj(O), i.e. er, -ei, or, -oi.
    const k2 = m - k;
    const c2 = v128.load64_splat(splitCosAt + (<usize>k2 << 3));
    const s2 = v128.load64_splat(splitSinAt + (<usize>k2 << 3));
    const re2 = f64x2.sub(f64x2.add(er, f64x2.mul(c2, or)), f64x2.mul(s2, oi));
    const im2 = f64x2.sub(f64x2.neg(f64x2.add(ei, f64x2.mul(c2, oi))), f64x2.mul(s2, or));
    const p2 = f64x2.add(f64x2.mul(re2, re2), f64x2.mul(im2, im2));
    v128.store(powerAt + (<usize>k2 << 4), magnitude ? f64x2.sqrt(p2) : p2);
  }
}

function pairSpectra(a: usize, b: usize, magnitude: bool): void {
  complexFft(a, b);
  splitToPower(magnitude);
}

// |X|^2 (|X| when `magnitude`) of `frames` frames of the signal at `signal`, frame t starting at sample
// t * hop, into out[frames][half + 1]. An odd last frame is paired with itself.
export function spectrogram(signal: usize, frames: i32, hop: i32, magnitude: bool, out: usize): void {
  const bins = half + 1;
  const rowBytes = <usize>bins << 3;
  const step = <usize>hop << 3;
  for (let t = 0; t < frames; t += 2) {
    const a = signal + <usize>t * step;
    const pair = t + 1 < frames;
    pairSpectra(a, pair ? a + step : a, magnitude);
    const rowA = out + <usize>t * rowBytes;
    for (let k = 0; k < bins; k++) {
      const p = v128.load(powerAt + (<usize>k << 4));
      store<f64>(rowA + (<usize>k << 3), f64x2.extract_lane(p, 0));
      if (pair) store<f64>(rowA + rowBytes + (<usize>k << 3), f64x2.extract_lane(p, 1));
    }
  }
}

// The mel (or any sparse band) projection of each frame's spectrum: band i sums weights[offset_i + j] *
// spectrum[start_i + j] for j < length_i (starts, lengths, offsets: i32[bands]), into out[frames][bands].
export function bandSpectrogram(
  signal: usize, frames: i32, hop: i32, magnitude: bool,
  bands: i32, starts: usize, lengths: usize, offsets: usize, weights: usize, out: usize,
): void {
  const rowBytes = <usize>bands << 3;
  const step = <usize>hop << 3;
  for (let t = 0; t < frames; t += 2) {
    const a = signal + <usize>t * step;
    const pair = t + 1 < frames;
    pairSpectra(a, pair ? a + step : a, magnitude);
    const rowA = out + <usize>t * rowBytes;
    for (let i = 0; i < bands; i++) {
      const at = <usize>i << 2;
      const first = powerAt + (<usize>load<i32>(starts + at) << 4);
      const w = weights + (<usize>load<i32>(offsets + at) << 3);
      const length = load<i32>(lengths + at);
      let sum = f64x2.splat(0);
      for (let j = 0; j < length; j++) sum = f64x2.add(sum, f64x2.mul(v128.load64_splat(w + (<usize>j << 3)), v128.load(first + (<usize>j << 4))));
      store<f64>(rowA + (<usize>i << 3), f64x2.extract_lane(sum, 0));
      if (pair) store<f64>(rowA + rowBytes + (<usize>i << 3), f64x2.extract_lane(sum, 1));
    }
  }
}

// The natural logarithm of each lane: fdlibm's __ieee754_log (x = 2^k m, m in [sqrt(1/2), sqrt(2)), log(m)
// from s = (m - 1) / (m + 1) and a minimax polynomial in s^2; error below one ulp), lane-wise. Subnormals are
// scaled by 2^54 first; 0 gives -Infinity, negatives NaN, Infinity and NaN themselves, as Math.log does.
const LG1 = 6.666666666666735130e-01;
const LG2 = 3.999999999940941908e-01;
const LG3 = 2.857142874366239149e-01;
const LG4 = 2.222219843214978396e-01;
const LG5 = 1.818357216161805012e-01;
const LG6 = 1.531383769920937332e-01;
const LG7 = 1.479819860511658591e-01;
const LN2_HI = 6.93147180369123816490e-01;
const LN2_LO = 1.90821492927058770002e-10;
const MIN_NORMAL = 2.2250738585072014e-308;

// @ts-ignore: decorator
@inline
function splat(x: f64): v128 {
  return f64x2.splat(x);
}

// @ts-ignore: decorator
@inline
function ln(x: v128): v128 {
  const tiny = f64x2.lt(x, splat(MIN_NORMAL));
  const scaled = v128.bitselect(f64x2.mul(x, splat(18014398509481984.0)), x, tiny);
  const exponent = i64x2.shr_u(scaled, 52);
  let k = f64x2.sub(f64x2.convert_low_i32x4_s(v128.shuffle<i32>(exponent, exponent, 0, 2, 0, 2)), splat(1023));
  k = f64x2.sub(k, v128.and(tiny, splat(54)));
  let m = v128.or(v128.and(scaled, i64x2.splat(0x000fffffffffffff)), i64x2.splat(0x3ff0000000000000));
  const high = f64x2.gt(m, splat(1.4142135623730951));
  m = v128.bitselect(f64x2.mul(m, splat(0.5)), m, high);
  k = f64x2.add(k, v128.and(high, splat(1)));
  const f = f64x2.sub(m, splat(1));
  const s = f64x2.div(f, f64x2.add(splat(2), f));
  const z = f64x2.mul(s, s);
  const w = f64x2.mul(z, z);
  const t1 = f64x2.mul(w, f64x2.add(splat(LG2), f64x2.mul(w, f64x2.add(splat(LG4), f64x2.mul(w, splat(LG6))))));
  const t2 = f64x2.mul(z, f64x2.add(splat(LG1), f64x2.mul(w, f64x2.add(splat(LG3), f64x2.mul(w, f64x2.add(splat(LG5), f64x2.mul(w, splat(LG7))))))));
  const r = f64x2.add(t2, t1);
  const hfsq = f64x2.mul(f64x2.mul(splat(0.5), f), f);
  // k ln2_hi - ((hfsq - (s (hfsq + R) + k ln2_lo)) - f)
  let result = f64x2.sub(
    f64x2.mul(k, splat(LN2_HI)),
    f64x2.sub(f64x2.sub(hfsq, f64x2.add(f64x2.mul(s, f64x2.add(hfsq, r)), f64x2.mul(k, splat(LN2_LO)))), f),
  );
  const passThrough = v128.or(f64x2.ne(x, x), f64x2.eq(x, splat(Infinity)));
  result = v128.bitselect(x, result, passThrough);
  result = v128.bitselect(splat(-Infinity), result, f64x2.eq(x, splat(0)));
  return v128.bitselect(splat(NaN), result, f64x2.lt(x, splat(0)));
}

// librosa's power_to_db in place: 10 log10(max(amin, v)) - offset, then, with `floorBelowMax` (top_db), no
// value more than that below the largest (NaN ignored by the maximum, as in the scalar code, and kept). Four
// vectors per iteration: the logarithms' long dependency chains then overlap.
export function powerToDb(values: usize, count: i32, amin: f64, offset: f64, floorBelowMax: f64, hasFloor: bool): void {
  const toDb = splat(10 / Math.LN10);
  const lowest = splat(amin);
  const minus = splat(offset);
  let max = splat(-Infinity);
  const eights = count & ~7;
  let i = 0;
  for (; i < eights; i += 8) {
    const at = values + (<usize>i << 3);
    const d0 = f64x2.sub(f64x2.mul(ln(f64x2.max(lowest, v128.load(at))), toDb), minus);
    const d1 = f64x2.sub(f64x2.mul(ln(f64x2.max(lowest, v128.load(at, 16))), toDb), minus);
    const d2 = f64x2.sub(f64x2.mul(ln(f64x2.max(lowest, v128.load(at, 32))), toDb), minus);
    const d3 = f64x2.sub(f64x2.mul(ln(f64x2.max(lowest, v128.load(at, 48))), toDb), minus);
    v128.store(at, d0);
    v128.store(at, d1, 16);
    v128.store(at, d2, 32);
    v128.store(at, d3, 48);
    max = f64x2.pmax(f64x2.pmax(max, f64x2.pmax(d0, d1)), f64x2.pmax(d2, d3));
  }
  for (; i < count; i++) {
    const at = values + (<usize>i << 3);
    const db = f64x2.sub(f64x2.mul(ln(f64x2.max(lowest, v128.load64_splat(at))), toDb), minus);
    v128.store64_lane(at, db, 0);
    max = f64x2.pmax(max, db);
  }
  if (!hasFloor) return;
  const largest = Math.max(f64x2.extract_lane(max, 0), f64x2.extract_lane(max, 1));
  const floor = splat(largest - floorBelowMax);
  const pairs = count & ~1;
  for (i = 0; i < pairs; i += 2) {
    const at = values + (<usize>i << 3);
    const v = v128.load(at);
    v128.store(at, v128.bitselect(floor, v, f64x2.lt(v, floor)));
  }
  if (pairs < count) {
    const at = values + (<usize>pairs << 3);
    const v = load<f64>(at);
    if (v < largest - floorBelowMax) store<f64>(at, largest - floorBelowMax);
  }
}

// ln(v + offset) in place.
export function logWithOffset(values: usize, count: i32, offset: f64): void {
  const add = splat(offset);
  const eights = count & ~7;
  let i = 0;
  for (; i < eights; i += 8) {
    const at = values + (<usize>i << 3);
    const l0 = ln(f64x2.add(v128.load(at), add));
    const l1 = ln(f64x2.add(v128.load(at, 16), add));
    const l2 = ln(f64x2.add(v128.load(at, 32), add));
    const l3 = ln(f64x2.add(v128.load(at, 48), add));
    v128.store(at, l0);
    v128.store(at, l1, 16);
    v128.store(at, l2, 32);
    v128.store(at, l3, 48);
  }
  for (; i < count; i++) {
    const at = values + (<usize>i << 3);
    v128.store64_lane(at, ln(f64x2.add(v128.load64_splat(at), add)), 0);
  }
}
