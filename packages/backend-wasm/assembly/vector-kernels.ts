// Products with one vector operand and the bias add: one of Polymodal's SIMD kernels, exported by
// simd-kernels.ts. Every pointer is a byte offset in the tfjs wasm backend's memory.

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
      s0 = f32x4.add(s0, f32x4.mul(v128.load(ar + off), v128.load(v + off)));
      s1 = f32x4.add(s1, f32x4.mul(v128.load(ar + off + 16), v128.load(v + off + 16)));
    }
    const s = f32x4.add(s0, s1);
    let t: f32 = f32x4.extract_lane(s, 0) + f32x4.extract_lane(s, 1) + f32x4.extract_lane(s, 2) + f32x4.extract_lane(s, 3);
    for (; i < k; i++) t += load<f32>(ar + (<usize>i << 2)) * load<f32>(v + (<usize>i << 2));
    store<f32>(out + (<usize>r << 2), t);
  }
}

// out[m] = sum over k of s[k] * x[k, m], for x [K, M] row-major (x^T . s: a one-unit Dense layer's
// kernel gradient). Columns go in blocks that stay in L1 while all K rows are added.
export function weightedRowSum(x: usize, s: usize, out: usize, k: i32, m: i32): void {
  const BLOCK = 2048;
  for (let m0 = 0; m0 < m; m0 += BLOCK) {
    const m1 = min(m, m0 + BLOCK);
    const mv = m0 + ((m1 - m0) & ~3);
    memory.fill(out + (<usize>m0 << 2), 0, <usize>(m1 - m0) << 2);
    for (let r = 0; r < k; r++) {
      const sr = load<f32>(s + (<usize>r << 2));
      const a = f32x4.splat(sr);
      const xr = x + (<usize>(r * m) << 2);
      let i = m0;
      for (; i < mv; i += 4) {
        const p = out + (<usize>i << 2);
        v128.store(p, f32x4.add(v128.load(p), f32x4.mul(a, v128.load(xr + (<usize>i << 2)))));
      }
      for (; i < m1; i++) {
        const p = out + (<usize>i << 2);
        store<f32>(p, load<f32>(p) + sr * load<f32>(xr + (<usize>i << 2)));
      }
    }
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
