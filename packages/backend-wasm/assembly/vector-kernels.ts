// Products with one vector operand and the bias add: one of Polymodal's SIMD kernels, exported by
// simd-kernels.ts. Every pointer is a byte offset in the tfjs wasm backend's memory.
import { madd } from './multiply-add';


// out[r] = sum over k of a[r, k] * v[k], for a [rows, K] row-major (a Dense layer with one unit).
export function gemv(a: usize, v: usize, out: usize, rows: i32, k: i32): void {
  const kv = k & ~7;
  for (let r = 0; r < rows; r++) {
    const ar = a + (<usize>(r * k) << 2);
    let s0 = f32x4.splat(0);
    let s1 = f32x4.splat(0);
    let i = 0;
    for (; i < kv; i += 8) {
      const off = <usize>i << 2;
      s0 = madd(v128.load(ar + off), v128.load(v + off), s0);
      s1 = madd(v128.load(ar + off + 16), v128.load(v + off + 16), s1);
    }
    const s = f32x4.add(s0, s1);
    let t: f32 = f32x4.extract_lane(s, 0) + f32x4.extract_lane(s, 1) + f32x4.extract_lane(s, 2) + f32x4.extract_lane(s, 3);
    for (; i < k; i++) t += load<f32>(ar + (<usize>i << 2)) * load<f32>(v + (<usize>i << 2));
    store<f32>(out + (<usize>r << 2), t);
  }
}

// out[m] = sum over k of s[k] * x[k, m], for x [K, M] row-major (x^T . s: a one-unit Dense layer's
// kernel gradient). Columns go in blocks that stay in L1 while all K rows are added, four rows a pass (one load
// and store of the block's sums per four rows read); the sums are taken in row order all the same.
export function weightedRowSum(x: usize, s: usize, out: usize, k: i32, m: i32): void {
  const BLOCK = 2048;
  const row = <usize>m << 2;
  for (let m0 = 0; m0 < m; m0 += BLOCK) {
    const m1 = min(m, m0 + BLOCK);
    const mv = m0 + ((m1 - m0) & ~3);
    memory.fill(out + (<usize>m0 << 2), 0, <usize>(m1 - m0) << 2);
    let r = 0;
    for (; r + 4 <= k; r += 4) {
      const sp = s + (<usize>r << 2);
      const a0 = v128.load32_splat(sp);
      const a1 = v128.load32_splat(sp + 4);
      const a2 = v128.load32_splat(sp + 8);
      const a3 = v128.load32_splat(sp + 12);
      const x0 = x + <usize>r * row;
      for (let i = m0; i < mv; i += 4) {
        const off = <usize>i << 2;
        const p = out + off;
        const xp = x0 + off;
        let acc = madd(a0, v128.load(xp), v128.load(p));
        acc = madd(a1, v128.load(xp + row), acc);
        acc = madd(a2, v128.load(xp + 2 * row), acc);
        v128.store(p, madd(a3, v128.load(xp + 3 * row), acc));
      }
      for (let i = mv; i < m1; i++) {
        const off = <usize>i << 2;
        const p = out + off;
        const xp = x0 + off;
        let t = load<f32>(p) + load<f32>(sp) * load<f32>(xp);
        t += load<f32>(sp + 4) * load<f32>(xp + row);
        t += load<f32>(sp + 8) * load<f32>(xp + 2 * row);
        store<f32>(p, t + load<f32>(sp + 12) * load<f32>(xp + 3 * row));
      }
    }
    for (; r < k; r++) {
      const sr = load<f32>(s + (<usize>r << 2));
      const a = f32x4.splat(sr);
      const xr = x + <usize>r * row;
      let i = m0;
      for (; i < mv; i += 4) {
        const p = out + (<usize>i << 2);
        v128.store(p, madd(a, v128.load(xr + (<usize>i << 2)), v128.load(p)));
      }
      for (; i < m1; i++) {
        const p = out + (<usize>i << 2);
        store<f32>(p, load<f32>(p) + sr * load<f32>(xr + (<usize>i << 2)));
      }
    }
  }
}

// out[r, j] = a[r] * b[j] for out [M, N] row-major: a product whose inner dimension is 1 (a one-unit Dense layer's
// input gradient dy . W^T). It only writes its output, which a GEMM would compute as M x N sums of one term.
export function outerProduct(a: usize, b: usize, out: usize, m: i32, n: i32): void {
  const n4 = n & ~3;
  const row = <usize>n << 2;
  for (let r = 0; r < m; r++) {
    const ar = load<f32>(a + (<usize>r << 2));
    const s = f32x4.splat(ar);
    const o = out + <usize>r * row;
    let j = 0;
    for (; j + 16 <= n4; j += 16) {
      const off = <usize>j << 2;
      v128.store(o + off, f32x4.mul(s, v128.load(b + off)));
      v128.store(o + off, f32x4.mul(s, v128.load(b + off, 16)), 16);
      v128.store(o + off, f32x4.mul(s, v128.load(b + off, 32)), 32);
      v128.store(o + off, f32x4.mul(s, v128.load(b + off, 48)), 48);
    }
    for (; j < n4; j += 4) {
      const off = <usize>j << 2;
      v128.store(o + off, f32x4.mul(s, v128.load(b + off)));
    }
    for (; j < n; j++) store<f32>(o + (<usize>j << 2), ar * load<f32>(b + (<usize>j << 2)));
  }
}

// out[r, i] = a[r, i] + v[i] for a [rows, n] (a bias added to every position of an activation).
export function addRowVector(a: usize, v: usize, out: usize, rows: i32, n: i32): void {
  const n4 = n & ~3;
  const row = <usize>n << 2;
  for (let r = 0; r < rows; r++) {
    const ap = a + <usize>r * row;
    const op = out + <usize>r * row;
    let i = 0;
    for (; i < n4; i += 4) {
      const off = <usize>i << 2;
      v128.store(op + off, f32x4.add(v128.load(ap + off), v128.load(v + off)));
    }
    for (; i < n; i++) {
      const off = <usize>i << 2;
      store<f32>(op + off, load<f32>(ap + off) + load<f32>(v + off));
    }
  }
}

// relu's derivative on four lanes, as tfjs's Relu gradient (dy * step(x)) takes it: 1 where x > 0, NaN where x is NaN, else 0.
@inline export function reluStep(x: v128): v128 {
  const zero = f32x4.splat(0);
  return v128.bitselect(f32x4.splat(NaN), v128.bitselect(f32x4.splat(1), zero, f32x4.gt(x, zero)), f32x4.ne(x, x));
}

// out[i] = dy[i] * step(x[i]) for n floats, step(x) being 1 where x > 0, NaN where x is NaN, else 0: relu's gradient
// as tfjs composes it (dy times step of x), in one pass instead of two full-size kernels.
export function reluGrad(dy: usize, x: usize, out: usize, n: i32): void {
  const n4 = n & ~3;
  let i = 0;
  for (; i < n4; i += 4) {
    const off = <usize>i << 2;
    v128.store(out + off, f32x4.mul(v128.load(dy + off), reluStep(v128.load(x + off))));
  }
  for (; i < n; i++) {
    const off = <usize>i << 2;
    const xi = load<f32>(x + off);
    const step: f32 = xi != xi ? NaN : xi > 0 ? 1 : 0;
    store<f32>(out + off, load<f32>(dy + off) * step);
  }
}

// reluGrad over [rows, channels] (channels a multiple of 4) that also sums each channel's gradient over the rows
// into sums[channels]: a relu convolution's bias gradient in the same pass, instead of a second read of dz.
export function reluGradChannelSums(dy: usize, x: usize, out: usize, sums: usize, rows: i32, channels: i32): void {
  const zero = f32x4.splat(0);
  const rowBytes = <usize>channels << 2;
  for (let c = 0; c < channels; c += 4) v128.store(sums + (<usize>c << 2), zero);
  for (let r = 0; r < rows; r++) {
    const base = <usize>r * rowBytes;
    for (let c = 0; c < channels; c += 4) {
      const off = base + (<usize>c << 2);
      const g = f32x4.mul(v128.load(dy + off), reluStep(v128.load(x + off)));
      v128.store(out + off, g);
      const s = sums + (<usize>c << 2);
      v128.store(s, f32x4.add(v128.load(s), g));
    }
  }
}
