// The matrix product without packing: one of Polymodal's SIMD kernels, exported by
// simd-kernels.ts. Every pointer is a byte offset in the tfjs wasm backend's memory.
import { madd } from './multiply-add';


// out[M, N] = a[M, K] . b[K, N], all row-major, read where they lie (no packing: for a b used once, such as
// a Dense layer's weights in training, which change every step, packing costs XNNPACK more than the product).
// Blocks of MC rows x KC of K: the block's rows of a (MC x KC floats) stay in L2 and each b panel (KC x 8)
// in L1 while every 4 rows of the block pass over it, their 4 x 8 sums in eight vector registers.
export function gemm(a: usize, b: usize, out: usize, m: i32, k: i32, n: i32): void {
  gemmStrided(a, <usize>k << 2, 4, b, out, m, k, n);
}

// out[M, N] = a^T . b for a [K, M], b [K, N], row-major (a weight gradient x^T . dy over many rows), read where
// they lie: the same blocks as gemm, a's rows of the product being its columns here. No transposed copy of a.
export function gemmTransposedA(a: usize, b: usize, out: usize, m: i32, k: i32, n: i32): void {
  gemmStrided(a, 4, <usize>m << 2, b, out, m, k, n);
}

// gemm with a's element (i, kk) at a + i * aRow + kk * aStep (bytes).
function gemmStrided(a: usize, aRow: usize, aStep: usize, b: usize, out: usize, m: i32, k: i32, n: i32): void {
  const MC = 64;
  const KC = 256;
  memory.fill(out, 0, <usize>(m * n) << 2);
  for (let m0 = 0; m0 < m; m0 += MC) {
    const m1 = min(m, m0 + MC);
    for (let k0 = 0; k0 < k; k0 += KC) gemmBlock(a, aRow, aStep, b, out, m0, m1, k0, min(KC, k - k0), n);
  }
}

// Adds a[m0..m1, k0..k0+kn] . b[k0..k0+kn, :] to out[m0..m1, :].
function gemmBlock(a: usize, aRow: usize, aStep: usize, b: usize, out: usize, m0: i32, m1: i32, k0: i32, kn: i32, n: i32): void {
  const n8 = n & ~7;
  const rowA = aRow;
  const rowB = <usize>n << 2;
  for (let j = 0; j < n8; j += 8) {
    const bp0 = b + (<usize>(k0 * n + j) << 2);
    let i = m0;
    for (; i + 4 <= m1; i += 4) {
      let c00 = f32x4.splat(0);
      let c01 = f32x4.splat(0);
      let c10 = f32x4.splat(0);
      let c11 = f32x4.splat(0);
      let c20 = f32x4.splat(0);
      let c21 = f32x4.splat(0);
      let c30 = f32x4.splat(0);
      let c31 = f32x4.splat(0);
      let ap = a + <usize>i * aRow + <usize>k0 * aStep;
      let bp = bp0;
      for (let kk = 0; kk < kn; kk++) {
        const b0 = v128.load(bp);
        const b1 = v128.load(bp, 16);
        const s0 = v128.load32_splat(ap);
        const s1 = v128.load32_splat(ap + rowA);
        const s2 = v128.load32_splat(ap + 2 * rowA);
        const s3 = v128.load32_splat(ap + 3 * rowA);
        c00 = madd(s0, b0, c00);
        c01 = madd(s0, b1, c01);
        c10 = madd(s1, b0, c10);
        c11 = madd(s1, b1, c11);
        c20 = madd(s2, b0, c20);
        c21 = madd(s2, b1, c21);
        c30 = madd(s3, b0, c30);
        c31 = madd(s3, b1, c31);
        ap += aStep;
        bp += rowB;
      }
      const o = out + (<usize>(i * n + j) << 2);
      v128.store(o, f32x4.add(v128.load(o), c00));
      v128.store(o, f32x4.add(v128.load(o, 16), c01), 16);
      v128.store(o + rowB, f32x4.add(v128.load(o + rowB), c10));
      v128.store(o + rowB, f32x4.add(v128.load(o + rowB, 16), c11), 16);
      v128.store(o + 2 * rowB, f32x4.add(v128.load(o + 2 * rowB), c20));
      v128.store(o + 2 * rowB, f32x4.add(v128.load(o + 2 * rowB, 16), c21), 16);
      v128.store(o + 3 * rowB, f32x4.add(v128.load(o + 3 * rowB), c30));
      v128.store(o + 3 * rowB, f32x4.add(v128.load(o + 3 * rowB, 16), c31), 16);
    }
    for (; i < m1; i++) {
      let c0 = f32x4.splat(0);
      let c1 = f32x4.splat(0);
      let ap = a + <usize>i * aRow + <usize>k0 * aStep;
      let bp = bp0;
      for (let kk = 0; kk < kn; kk++) {
        const s = v128.load32_splat(ap);
        c0 = madd(s, v128.load(bp), c0);
        c1 = madd(s, v128.load(bp, 16), c1);
        ap += aStep;
        bp += rowB;
      }
      const o = out + (<usize>(i * n + j) << 2);
      v128.store(o, f32x4.add(v128.load(o), c0));
      v128.store(o, f32x4.add(v128.load(o, 16), c1), 16);
    }
  }
  // The last n % 8 columns, one output at a time.
  for (let i = m0; i < m1; i++) {
    for (let j = n8; j < n; j++) {
      let t: f32 = 0;
      let ap = a + <usize>i * aRow + <usize>k0 * aStep;
      let bp = b + (<usize>(k0 * n + j) << 2);
      for (let kk = 0; kk < kn; kk++) {
        t += load<f32>(ap) * load<f32>(bp);
        ap += aStep;
        bp += rowB;
      }
      const o = out + (<usize>(i * n + j) << 2);
      store<f32>(o, load<f32>(o) + t);
    }
  }
}

// out[M, N] = a[M, K] . b[N, K]^T, both row-major (a Dense layer's input gradient dy . W^T): each output is
// a dot product of two contiguous rows. Tiles of 2 rows of a x 4 rows of b keep eight 4-lane partial sums
// in registers over K, then add their lanes; b's tile rows (4 x K floats) stay in L1 while a's rows pass.
export function gemmTransposedB(a: usize, b: usize, out: usize, m: i32, k: i32, n: i32): void {
  const k4 = k & ~3;
  const row = <usize>k << 2;
  const n4 = n & ~3;
  for (let j = 0; j < n4; j += 4) {
    const b0 = b + <usize>j * row;
    let i = 0;
    for (; i + 2 <= m; i += 2) {
      const a0 = a + <usize>i * row;
      let s00 = f32x4.splat(0);
      let s01 = f32x4.splat(0);
      let s02 = f32x4.splat(0);
      let s03 = f32x4.splat(0);
      let s10 = f32x4.splat(0);
      let s11 = f32x4.splat(0);
      let s12 = f32x4.splat(0);
      let s13 = f32x4.splat(0);
      for (let kk = 0; kk < k4; kk += 4) {
        const off = <usize>kk << 2;
        const x0 = v128.load(a0 + off);
        const x1 = v128.load(a0 + row + off);
        const w0 = v128.load(b0 + off);
        const w1 = v128.load(b0 + row + off);
        const w2 = v128.load(b0 + 2 * row + off);
        const w3 = v128.load(b0 + 3 * row + off);
        s00 = madd(x0, w0, s00);
        s01 = madd(x0, w1, s01);
        s02 = madd(x0, w2, s02);
        s03 = madd(x0, w3, s03);
        s10 = madd(x1, w0, s10);
        s11 = madd(x1, w1, s11);
        s12 = madd(x1, w2, s12);
        s13 = madd(x1, w3, s13);
      }
      const o0 = out + (<usize>(i * n + j) << 2);
      const o1 = o0 + (<usize>n << 2);
      v128.store(o0, f32x4.add(lanesSum4(s00, s01, s02, s03), dotTails(a0, b0, row, k4, k)));
      v128.store(o1, f32x4.add(lanesSum4(s10, s11, s12, s13), dotTails(a0 + row, b0, row, k4, k)));
    }
    for (; i < m; i++) {
      const ai = a + <usize>i * row;
      let s0 = f32x4.splat(0);
      let s1 = f32x4.splat(0);
      let s2 = f32x4.splat(0);
      let s3 = f32x4.splat(0);
      for (let kk = 0; kk < k4; kk += 4) {
        const off = <usize>kk << 2;
        const x = v128.load(ai + off);
        s0 = madd(x, v128.load(b0 + off), s0);
        s1 = madd(x, v128.load(b0 + row + off), s1);
        s2 = madd(x, v128.load(b0 + 2 * row + off), s2);
        s3 = madd(x, v128.load(b0 + 3 * row + off), s3);
      }
      v128.store(out + (<usize>(i * n + j) << 2), f32x4.add(lanesSum4(s0, s1, s2, s3), dotTails(ai, b0, row, k4, k)));
    }
  }
  // The last n % 4 columns, one dot product at a time.
  for (let i = 0; i < m; i++) {
    for (let j = n4; j < n; j++) {
      const ai = a + <usize>i * row;
      const bj = b + <usize>j * row;
      let t: f32 = 0;
      for (let kk = 0; kk < k; kk++) t += load<f32>(ai + (<usize>kk << 2)) * load<f32>(bj + (<usize>kk << 2));
      store<f32>(out + (<usize>(i * n + j) << 2), t);
    }
  }
}

// [sum of p's lanes, sum of q's, sum of r's, sum of s's].
function lanesSum4(p: v128, q: v128, r: v128, s: v128): v128 {
  // Pairwise: [p0+p1, q0+q1, ...] by interleaving, then the two halves.
  const pq0 = v128.shuffle<f32>(p, q, 0, 4, 1, 5); // p0 q0 p1 q1
  const pq1 = v128.shuffle<f32>(p, q, 2, 6, 3, 7); // p2 q2 p3 q3
  const rs0 = v128.shuffle<f32>(r, s, 0, 4, 1, 5);
  const rs1 = v128.shuffle<f32>(r, s, 2, 6, 3, 7);
  const pq = f32x4.add(pq0, pq1); // p0+p2 q0+q2 p1+p3 q1+q3
  const rs = f32x4.add(rs0, rs1);
  const lo = v128.shuffle<f32>(pq, rs, 0, 1, 4, 5); // p02 q02 r02 s02
  const hi = v128.shuffle<f32>(pq, rs, 2, 3, 6, 7); // p13 q13 r13 s13
  return f32x4.add(lo, hi);
}

// The products past the last multiple of 4 of K, for one row of a against 4 rows of b, as a vector.
function dotTails(ai: usize, b0: usize, row: usize, from: i32, k: i32): v128 {
  let t0: f32 = 0;
  let t1: f32 = 0;
  let t2: f32 = 0;
  let t3: f32 = 0;
  for (let kk = from; kk < k; kk++) {
    const off = <usize>kk << 2;
    const x = load<f32>(ai + off);
    t0 += x * load<f32>(b0 + off);
    t1 += x * load<f32>(b0 + row + off);
    t2 += x * load<f32>(b0 + 2 * row + off);
    t3 += x * load<f32>(b0 + 3 * row + off);
  }
  return f32x4.replace_lane(f32x4.replace_lane(f32x4.replace_lane(f32x4.splat(t0), 1, t1), 2, t2), 3, t3);
}
