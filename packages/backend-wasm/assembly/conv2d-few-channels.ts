// Conv2D forward for few input channels: one of Polymodal's SIMD kernels, exported by
// simd-kernels.ts. Every pointer is a byte offset in the tfjs wasm backend's memory.
import { madd } from './multiply-add';


// Conv2D forward (NHWC, dilation 1) for few input channels (a first layer on images: K = KH x KW x C is
// small, which leaves XNNPACK's GEMM tiles mostly idle). For each output row and block of 16 output
// channels, two neighbouring output pixels at a time keep their sums in eight vector registers and share
// each filter load; pixels whose window crosses the left or right edge go one at a time, with checks.
// Requires oc % 16 == 0. With `hasBias`, bias[oc] is added to every pixel as it is stored, and with `relu`
// negative sums are stored as 0 (FusedConv2D's bias and activation, for no extra pass over the output).
export function conv2dFewChannels(
  x: usize, f: usize, out: usize,
  batch: i32, h: i32, w: i32, c: i32, oh: i32, ow: i32, oc: i32,
  kh: i32, kw: i32, sh: i32, sw: i32, pt: i32, pl: i32,
  bias: usize, hasBias: i32, relu: i32,
): void {
  const rowBytes = <usize>(ow * oc) << 2;
  for (let b = 0; b < batch; b++) {
    for (let oy = 0; oy < oh; oy++) convRow(x, f, out + <usize>(b * oh + oy) * rowBytes, b, oy, h, w, c, ow, oc, kh, kw, sh, sw, pt, pl, bias, hasBias, relu);
  }
}

// conv2dFewChannels, and prod[b] = y[b] . v for each image's output y[b] flattened ([oh * ow * oc]) and v of that
// length: a one-unit product of the convolution's features (Conv2D -> Flatten -> Dense(1)), each output row added
// up while it is still in L1 instead of by a second pass over y through memory. The sums are gemv's (two vector
// sums over eight floats at a time, in order, then their lanes), carried across the rows (ow * oc is a multiple of 16),
// so prod is bit for bit gemv(y, v, prod, batch, oh * ow * oc). With keepOutput 0, `out` is one output row
// (ow * oc floats) that every row is written to in turn: the product alone, for inference, where y is never read
// again (the seed model's y is 15.7 MB per 32 images, written and freed for nothing).
export function conv2dFewChannelsProduct(
  x: usize, f: usize, out: usize, v: usize, prod: usize,
  batch: i32, h: i32, w: i32, c: i32, oh: i32, ow: i32, oc: i32,
  kh: i32, kw: i32, sh: i32, sw: i32, pt: i32, pl: i32,
  bias: usize, hasBias: i32, relu: i32, keepOutput: i32,
): void {
  const rowFloats = ow * oc;
  const rowBytes = <usize>rowFloats << 2;
  for (let b = 0; b < batch; b++) {
    let s0 = f32x4.splat(0);
    let s1 = f32x4.splat(0);
    for (let oy = 0; oy < oh; oy++) {
      const yr = keepOutput ? out + <usize>(b * oh + oy) * rowBytes : out;
      convRow(x, f, yr, b, oy, h, w, c, ow, oc, kh, kw, sh, sw, pt, pl, bias, hasBias, relu);
      const vr = v + <usize>oy * rowBytes;
      for (let i = 0; i < rowFloats; i += 8) {
        const off = <usize>i << 2;
        s0 = madd(v128.load(yr + off), v128.load(vr + off), s0);
        s1 = madd(v128.load(yr + off + 16), v128.load(vr + off + 16), s1);
      }
    }
    const s = f32x4.add(s0, s1);
    store<f32>(prod + (<usize>b << 2), f32x4.extract_lane(s, 0) + f32x4.extract_lane(s, 1) + f32x4.extract_lane(s, 2) + f32x4.extract_lane(s, 3));
  }
}

// Output row oy of image b, stored at o (ow * oc floats).
function convRow(
  x: usize, f: usize, o: usize, b: i32, oy: i32,
  h: i32, w: i32, c: i32, ow: i32, oc: i32,
  kh: i32, kw: i32, sh: i32, sw: i32, pt: i32, pl: i32,
  bias: usize, hasBias: i32, relu: i32,
): void {
  const tapStep = <usize>(c * oc) << 2;
  let iLo = 0;
  while (iLo < kh && oy * sh + iLo - pt < 0) iLo++;
  let iHi = kh;
  while (iHi > iLo && oy * sh + iHi - 1 - pt >= h) iHi--;
  // x at (b, oy*sh - pt + iLo, 0, 0) and the filter at row iLo.
  const xRows = x + (<usize>((b * h + oy * sh - pt + iLo) * w * c) << 2);
  const fRows = f + (<usize>(iLo * kw) * tapStep);
  const rows = iHi - iLo;
  for (let n = 0; n < oc; n += 16) {
    let ox = 0;
    while (ox < ow) {
      const left = ox * sw - pl;
      if (left >= 0 && ox + 1 < ow && (ox + 1) * sw - pl + kw <= w) {
        convPair(xRows, fRows + (<usize>n << 2), o + (<usize>(ox * oc + n) << 2), left, rows, w, c, oc, kw, sw, tapStep, bias + (<usize>n << 2), hasBias, relu);
        ox += 2;
      } else {
        convOne(xRows, fRows + (<usize>n << 2), o + (<usize>(ox * oc + n) << 2), left, rows, w, c, oc, kw, tapStep, bias + (<usize>n << 2), hasBias, relu);
        ox += 1;
      }
    }
  }
}

// Two output pixels whose windows (starting at input column `left` and left + sw) lie inside the row.
function convPair(
  xRows: usize, fp: usize, o: usize, left: i32, rows: i32, w: i32, c: i32, oc: i32, kw: i32, sw: i32, tapStep: usize,
  bias: usize, hasBias: i32, relu: i32,
): void {
  let a0 = f32x4.splat(0);
  let a1 = f32x4.splat(0);
  let a2 = f32x4.splat(0);
  let a3 = f32x4.splat(0);
  let b0 = f32x4.splat(0);
  let b1 = f32x4.splat(0);
  let b2 = f32x4.splat(0);
  let b3 = f32x4.splat(0);
  const second = <usize>(sw * c) << 2;
  const span = kw * c; // a window row's values, contiguous in x
  const ocStep = <usize>oc << 2;
  for (let r = 0; r < rows; r++) {
    let xp = xRows + (<usize>((r * w + left) * c) << 2);
    let wp = fp + <usize>(r * kw) * tapStep;
    for (let t = 0; t < span; t++) {
      const u = v128.load32_splat(xp);
      const v = v128.load32_splat(xp + second);
      const w0 = v128.load(wp);
      const w1 = v128.load(wp, 16);
      const w2 = v128.load(wp, 32);
      const w3 = v128.load(wp, 48);
      a0 = madd(u, w0, a0);
      a1 = madd(u, w1, a1);
      a2 = madd(u, w2, a2);
      a3 = madd(u, w3, a3);
      b0 = madd(v, w0, b0);
      b1 = madd(v, w1, b1);
      b2 = madd(v, w2, b2);
      b3 = madd(v, w3, b3);
      xp += 4;
      wp += ocStep;
    }
  }
  storeBlock(o, a0, a1, a2, a3, bias, hasBias, relu);
  storeBlock(o + ocStep, b0, b1, b2, b3, bias, hasBias, relu);
}

// One output pixel whose window starts at input column `left` (possibly outside the row on either side).
function convOne(
  xRows: usize, fp: usize, o: usize, left: i32, rows: i32, w: i32, c: i32, oc: i32, kw: i32, tapStep: usize,
  bias: usize, hasBias: i32, relu: i32,
): void {
  let a0 = f32x4.splat(0);
  let a1 = f32x4.splat(0);
  let a2 = f32x4.splat(0);
  let a3 = f32x4.splat(0);
  const jLo = max(0, -left);
  const jHi = min(kw, w - left);
  const ocStep = <usize>oc << 2;
  for (let r = 0; r < rows; r++) {
    let xp = xRows + (<usize>((r * w + left + jLo) * c) << 2);
    let wp = fp + <usize>(r * kw + jLo) * tapStep;
    const span = (jHi - jLo) * c;
    for (let t = 0; t < span; t++) {
      const u = v128.load32_splat(xp);
      a0 = madd(u, v128.load(wp), a0);
      a1 = madd(u, v128.load(wp, 16), a1);
      a2 = madd(u, v128.load(wp, 32), a2);
      a3 = madd(u, v128.load(wp, 48), a3);
      xp += 4;
      wp += ocStep;
    }
  }
  storeBlock(o, a0, a1, a2, a3, bias, hasBias, relu);
}

// One pixel's 16 output channels: + bias, then max(0, .) where asked.
@inline function storeBlock(o: usize, a0: v128, a1: v128, a2: v128, a3: v128, bias: usize, hasBias: i32, relu: i32): void {
  if (hasBias) {
    a0 = f32x4.add(a0, v128.load(bias));
    a1 = f32x4.add(a1, v128.load(bias, 16));
    a2 = f32x4.add(a2, v128.load(bias, 32));
    a3 = f32x4.add(a3, v128.load(bias, 48));
  }
  if (relu) {
    const zero = f32x4.splat(0);
    a0 = f32x4.max(a0, zero);
    a1 = f32x4.max(a1, zero);
    a2 = f32x4.max(a2, zero);
    a3 = f32x4.max(a3, zero);
  }
  v128.store(o, a0);
  v128.store(o, a1, 16);
  v128.store(o, a2, 32);
  v128.store(o, a3, 48);
}
