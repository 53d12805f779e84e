// The Conv2D filter gradient: one of Polymodal's SIMD kernels, exported by
// simd-kernels.ts. Every pointer is a byte offset in the tfjs wasm backend's memory.
import { madd } from './multiply-add';
import { reluStep } from './vector-kernels';


// dW[kh, kw, ci, co] = sum over (b, oy, ox) of x[b, oy*sh + kh - pt, ox*sw + kw - pl, ci] * dy[b, oy, ox, co]
// (NHWC). For each image, filter tap, pair of input channels and block of 16 output channels, the sums
// over the image's pixels are kept in eight vector registers (the pair shares each dy load) and then added
// to `out`: float32 sums grow over one image's OH x OW terms at a time, and the image's x and dy stay in
// L2 across taps.
export function conv2dFilterGrad(
  x: usize, dy: usize, out: usize,
  batch: i32, h: i32, w: i32, c: i32, oh: i32, ow: i32, oc: i32,
  kh: i32, kw: i32, sh: i32, sw: i32, pt: i32, pl: i32,
): void {
  memory.fill(out, 0, <usize>(kh * kw * c * oc) << 2);
  const xImage = <usize>(h * w * c) << 2;
  const dyImage = <usize>(oh * ow * oc) << 2;
  for (let b = 0; b < batch; b++) {
    filterGradImage(x + <usize>b * xImage, dy + <usize>b * dyImage, out, h, w, c, oh, ow, oc, kh, kw, sh, sw, pt, pl);
  }
}

// The gradients of y = relu(conv2d(x) + bias) when y, flattened to [batch, oh*ow*oc], is read only by a one-unit
// product y . v (the article's model: Conv2D relu -> Flatten -> Dense(1)), from that product's gradient g [batch]:
// the filter's (out), the bias's (sums [oc], oc a multiple of 4) and v's (dv = y^T . g). The convolution's dy is
// (g[b] * v[i]) * step(y[b, i]): the outer product g . v^T and then relu's gradient, as this module computes each
// alone (outerProduct, reluGradChannelSums), bit for bit; made one image at a time in `scratch` (one image's
// [oh, ow, oc], which stays in cache for the image's taps) instead of by two passes over the whole batch's dy
// through memory (the seed model's is 15.7 MB per 32 rows). dv and sums are added up over the rows in order, as
// weightedRowSum and reluGradChannelSums do, from the same read of y.
export function conv2dReluProductGrads(
  x: usize, y: usize, g: usize, v: usize, scratch: usize, out: usize, sums: usize, dv: usize,
  batch: i32, h: i32, w: i32, c: i32, oh: i32, ow: i32, oc: i32,
  kh: i32, kw: i32, sh: i32, sw: i32, pt: i32, pl: i32,
): void {
  memory.fill(out, 0, <usize>(kh * kw * c * oc) << 2);
  memory.fill(sums, 0, <usize>oc << 2);
  const xImage = <usize>(h * w * c) << 2;
  const yImage = <usize>(oh * ow * oc) << 2;
  memory.fill(dv, 0, yImage);
  for (let b = 0; b < batch; b++) {
    const yb = y + <usize>b * yImage;
    reluOuterImage(v, load<f32>(g + (<usize>b << 2)), yb, scratch, sums, dv, oh * ow, oc);
    filterGradImage(x + <usize>b * xImage, scratch, out, h, w, c, oh, ow, oc, kh, kw, sh, sw, pt, pl);
  }
}

// out[r, c] = (s * v[r, c]) * step(y[r, c]) over [rows, channels] (channels a multiple of 4), sums[c] += out[r, c]
// row by row, and dv += s * y: outerProduct's row for one image, reluGradChannelSums on it and weightedRowSum's row, in one pass.
function reluOuterImage(v: usize, s: f32, y: usize, out: usize, sums: usize, dv: usize, rows: i32, channels: i32): void {
  const splat = f32x4.splat(s);
  const rowBytes = <usize>channels << 2;
  for (let r = 0; r < rows; r++) {
    const base = <usize>r * rowBytes;
    for (let c = 0; c < channels; c += 4) {
      const off = base + (<usize>c << 2);
      const yv = v128.load(y + off);
      v128.store(dv + off, madd(splat, yv, v128.load(dv + off)));
      const g = f32x4.mul(f32x4.mul(splat, v128.load(v + off)), reluStep(yv));
      v128.store(out + off, g);
      const p = sums + (<usize>c << 2);
      v128.store(p, f32x4.add(v128.load(p), g));
    }
  }
}

// One image's filter-gradient sums, added to out [kh, kw, c, oc]: x at the image's [h, w, c], dy at its [oh, ow, oc].
function filterGradImage(
  x: usize, dy: usize, out: usize,
  h: i32, w: i32, c: i32, oh: i32, ow: i32, oc: i32,
  kh: i32, kw: i32, sh: i32, sw: i32, pt: i32, pl: i32,
): void {
  const xStep = <usize>(sw * c) << 2;
  for (let i = 0; i < kh; i++) {
    // Output rows whose input row oy*sh + i - pt lies inside the image.
    let yLo = 0;
    while (yLo < oh && yLo * sh + i - pt < 0) yLo++;
    let yHi = oh;
    while (yHi > yLo && (yHi - 1) * sh + i - pt >= h) yHi--;
    if (yLo >= yHi) continue;
    for (let j = 0; j < kw; j++) {
      let lo = 0;
      while (lo < ow && lo * sw + j - pl < 0) lo++;
      let hi = ow;
      while (hi > lo && (hi - 1) * sw + j - pl >= w) hi--;
      if (lo >= hi) continue;
      // x at (yLo*sh + i - pt, lo*sw + j - pl, 0) and dy at (yLo, lo, 0).
      const x0 = x + (<usize>(((yLo * sh + i - pt) * w + lo * sw + j - pl) * c) << 2);
      const d0 = dy + (<usize>((yLo * ow + lo) * oc) << 2);
      const o = out + (<usize>((i * kw + j) * c * oc) << 2);
      filterGradTap(x0, d0, o, yHi - yLo, hi - lo, c, oc, <usize>(sh * w * c) << 2, xStep, <usize>(ow * oc) << 2);
    }
  }
}

// One filter tap's sums for one image: rows x cols output pixels, x advancing xRow / xStep bytes per output
// row / column, dy dyRow bytes per output row; out is the tap's [c, oc] slice.
function filterGradTap(x0: usize, d0: usize, o: usize, rows: i32, cols: i32, c: i32, oc: i32, xRow: usize, xStep: usize, dyRow: usize): void {
  const oc16 = oc & ~15;
  const dyStep = <usize>oc << 2;
  let ci = 0;
  for (; ci + 1 < c; ci += 2) {
    const oa = o + (<usize>(ci * oc) << 2);
    const ob = oa + dyStep;
    for (let n = 0; n < oc16; n += 16) {
      let a0 = f32x4.splat(0);
      let a1 = f32x4.splat(0);
      let a2 = f32x4.splat(0);
      let a3 = f32x4.splat(0);
      let b0 = f32x4.splat(0);
      let b1 = f32x4.splat(0);
      let b2 = f32x4.splat(0);
      let b3 = f32x4.splat(0);
      let xr = x0 + (<usize>ci << 2);
      let dr = d0 + (<usize>n << 2);
      for (let r = 0; r < rows; r++) {
        let xp = xr;
        let dp = dr;
        for (let col = 0; col < cols; col++) {
          const u = v128.load32_splat(xp);
          const v = v128.load32_splat(xp, 4);
          const g0 = v128.load(dp);
          const g1 = v128.load(dp, 16);
          const g2 = v128.load(dp, 32);
          const g3 = v128.load(dp, 48);
          a0 = madd(u, g0, a0);
          a1 = madd(u, g1, a1);
          a2 = madd(u, g2, a2);
          a3 = madd(u, g3, a3);
          b0 = madd(v, g0, b0);
          b1 = madd(v, g1, b1);
          b2 = madd(v, g2, b2);
          b3 = madd(v, g3, b3);
          xp += xStep;
          dp += dyStep;
        }
        xr += xRow;
        dr += dyRow;
      }
      const pa = oa + (<usize>n << 2);
      v128.store(pa, f32x4.add(v128.load(pa), a0));
      v128.store(pa, f32x4.add(v128.load(pa, 16), a1), 16);
      v128.store(pa, f32x4.add(v128.load(pa, 32), a2), 32);
      v128.store(pa, f32x4.add(v128.load(pa, 48), a3), 48);
      const pb = ob + (<usize>n << 2);
      v128.store(pb, f32x4.add(v128.load(pb), b0));
      v128.store(pb, f32x4.add(v128.load(pb, 16), b1), 16);
      v128.store(pb, f32x4.add(v128.load(pb, 32), b2), 32);
      v128.store(pb, f32x4.add(v128.load(pb, 48), b3), 48);
    }
    filterGradScalar(x0, d0, oa, ci, oc16, oc, rows, cols, oc, xRow, xStep, dyRow);
    filterGradScalar(x0, d0, ob, ci + 1, oc16, oc, rows, cols, oc, xRow, xStep, dyRow);
  }
  for (; ci < c; ci++) {
    const oa = o + (<usize>(ci * oc) << 2);
    for (let n = 0; n < oc16; n += 16) {
      let a0 = f32x4.splat(0);
      let a1 = f32x4.splat(0);
      let a2 = f32x4.splat(0);
      let a3 = f32x4.splat(0);
      let xr = x0 + (<usize>ci << 2);
      let dr = d0 + (<usize>n << 2);
      for (let r = 0; r < rows; r++) {
        let xp = xr;
        let dp = dr;
        for (let col = 0; col < cols; col++) {
          const u = v128.load32_splat(xp);
          a0 = madd(u, v128.load(dp), a0);
          a1 = madd(u, v128.load(dp, 16), a1);
          a2 = madd(u, v128.load(dp, 32), a2);
          a3 = madd(u, v128.load(dp, 48), a3);
          xp += xStep;
          dp += dyStep;
        }
        xr += xRow;
        dr += dyRow;
      }
      const pa = oa + (<usize>n << 2);
      v128.store(pa, f32x4.add(v128.load(pa), a0));
      v128.store(pa, f32x4.add(v128.load(pa, 16), a1), 16);
      v128.store(pa, f32x4.add(v128.load(pa, 32), a2), 32);
      v128.store(pa, f32x4.add(v128.load(pa, 48), a3), 48);
    }
    filterGradScalar(x0, d0, oa, ci, oc16, oc, rows, cols, oc, xRow, xStep, dyRow);
  }
}

// The output channels [from, to) of input channel ci, one at a time (the part of oc past its last block of 16).
function filterGradScalar(
  x0: usize, d0: usize, oa: usize, ci: i32, from: i32, to: i32,
  rows: i32, cols: i32, oc: i32, xRow: usize, xStep: usize, dyRow: usize,
): void {
  const dyStep = <usize>oc << 2;
  for (let n = from; n < to; n++) {
    let t: f32 = 0;
    let xr = x0 + (<usize>ci << 2);
    let dr = d0 + (<usize>n << 2);
    for (let r = 0; r < rows; r++) {
      let xp = xr;
      let dp = dr;
      for (let col = 0; col < cols; col++) {
        t += load<f32>(xp) * load<f32>(dp);
        xp += xStep;
        dp += dyStep;
      }
      xr += xRow;
      dr += dyRow;
    }
    const p = oa + (<usize>n << 2);
    store<f32>(p, load<f32>(p) + t);
  }
}
