// Polymodal's SIMD kernels for the wasm backend, compiled with AssemblyScript into a module that
// imports the tfjs wasm backend's memory: every pointer is a byte offset in that heap.

// dW[kh, kw, ci, co] = sum over (b, oy, ox) of x[b, oy*sh + kh - pt, ox*sw + kw - pl, ci] * dy[b, oy, ox, co]
// (NHWC). For each output row (b, oy), filter tap and block of 16 output channels, the sums over the
// row's pixels are kept in four vector registers and then added to `out`: float32 sums grow over OW
// terms at a time, and the row's dy (OW x OC floats) stays in L1 across taps.
export function conv2dFilterGrad(
  x: usize, dy: usize, out: usize,
  batch: i32, h: i32, w: i32, c: i32, oh: i32, ow: i32, oc: i32,
  kh: i32, kw: i32, sh: i32, sw: i32, pt: i32, pl: i32,
): void {
  memory.fill(out, 0, <usize>(kh * kw * c * oc) << 2);
  const oc16 = oc & ~15;
  const xStep = <usize>(sw * c) << 2;
  const dyStep = <usize>oc << 2;
  for (let b = 0; b < batch; b++) {
    for (let oy = 0; oy < oh; oy++) {
      const dRow = dy + (<usize>((b * oh + oy) * ow * oc) << 2);
      for (let i = 0; i < kh; i++) {
        const iy = oy * sh + i - pt;
        if (iy < 0 || iy >= h) continue;
        const xRow = x + (<usize>((b * h + iy) * w * c) << 2);
        for (let j = 0; j < kw; j++) {
          // Output columns whose input column ox*sw + j - pl lies inside the image.
          let lo = 0;
          while (lo < ow && lo * sw + j - pl < 0) lo++;
          let hi = ow;
          while (hi > lo && (hi - 1) * sw + j - pl >= w) hi--;
          if (lo >= hi) continue;
          for (let ci = 0; ci < c; ci++) {
            const x0 = xRow + (<usize>((lo * sw + j - pl) * c + ci) << 2);
            const d0 = dRow + (<usize>(lo * oc) << 2);
            const o = out + (<usize>(((i * kw + j) * c + ci) * oc) << 2);
            let n = 0;
            for (; n < oc16; n += 16) {
              let a0 = f32x4.splat(0);
              let a1 = f32x4.splat(0);
              let a2 = f32x4.splat(0);
              let a3 = f32x4.splat(0);
              let xp = x0;
              let dp = d0 + (<usize>n << 2);
              for (let ox = lo; ox < hi; ox++) {
                const v = f32x4.splat(load<f32>(xp));
                a0 = f32x4.add(a0, f32x4.mul(v, v128.load(dp)));
                a1 = f32x4.add(a1, f32x4.mul(v, v128.load(dp, 16)));
                a2 = f32x4.add(a2, f32x4.mul(v, v128.load(dp, 32)));
                a3 = f32x4.add(a3, f32x4.mul(v, v128.load(dp, 48)));
                xp += xStep;
                dp += dyStep;
              }
              const p = o + (<usize>n << 2);
              v128.store(p, f32x4.add(v128.load(p), a0));
              v128.store(p, f32x4.add(v128.load(p, 16), a1), 16);
              v128.store(p, f32x4.add(v128.load(p, 32), a2), 32);
              v128.store(p, f32x4.add(v128.load(p, 48), a3), 48);
            }
            for (; n < oc; n++) {
              let t: f32 = 0;
              let xp = x0;
              let dp = d0 + (<usize>n << 2);
              for (let ox = lo; ox < hi; ox++) {
                t += load<f32>(xp) * load<f32>(dp);
                xp += xStep;
                dp += dyStep;
              }
              const p = o + (<usize>n << 2);
              store<f32>(p, load<f32>(p) + t);
            }
          }
        }
      }
    }
  }
}

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
