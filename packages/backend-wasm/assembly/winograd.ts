// Winograd F(2x2, 3x3) convolution (NHWC, stride 1, dilation 1): one of Polymodal's SIMD kernels, exported by
// simd-kernels.ts. Every pointer is a byte offset in the tfjs wasm backend's memory. Each 2x2 block of outputs
// comes from a 4x4 input tile: V = B^T d B per tile and channel, U = G g G^T per filter, then for each of
// the 16 tile positions e one product M_e = V_e [tiles, C] . U_e [C, OC] (the GEMM), and Y = A^T M A:
// 16 multiply-adds per 2x2 outputs and channel pair instead of 36. Requires c % 4 == 0 and oc % 4 == 0.
import { gemm } from './gemm';

// v[e, tile, ci] for the tiles of x (zero outside the image): tile (b, ty, tx) starts at row 2 ty - pt,
// column 2 tx - pl.
export function winogradInput(x: usize, v: usize, batch: i32, h: i32, w: i32, c: i32, th: i32, tw: i32, pt: i32, pl: i32): void {
  const tiles = batch * th * tw;
  const plane = <usize>(tiles * c) << 2; // bytes between tile positions e
  for (let b = 0; b < batch; b++) {
    for (let ty = 0; ty < th; ty++) {
      for (let tx = 0; tx < tw; tx++) {
        const t = (b * th + ty) * tw + tx;
        const y0 = 2 * ty - pt;
        const x0 = 2 * tx - pl;
        const inside = y0 >= 0 && x0 >= 0 && y0 + 4 <= h && x0 + 4 <= w;
        for (let ci = 0; ci < c; ci += 4) {
          const dst = v + (<usize>(t * c + ci) << 2);
          // d[i][j]: load the 16 vectors.
          const d00 = px(x, b, y0, x0, ci, h, w, c, inside), d01 = px(x, b, y0, x0 + 1, ci, h, w, c, inside);
          const d02 = px(x, b, y0, x0 + 2, ci, h, w, c, inside), d03 = px(x, b, y0, x0 + 3, ci, h, w, c, inside);
          const d10 = px(x, b, y0 + 1, x0, ci, h, w, c, inside), d11 = px(x, b, y0 + 1, x0 + 1, ci, h, w, c, inside);
          const d12 = px(x, b, y0 + 1, x0 + 2, ci, h, w, c, inside), d13 = px(x, b, y0 + 1, x0 + 3, ci, h, w, c, inside);
          const d20 = px(x, b, y0 + 2, x0, ci, h, w, c, inside), d21 = px(x, b, y0 + 2, x0 + 1, ci, h, w, c, inside);
          const d22 = px(x, b, y0 + 2, x0 + 2, ci, h, w, c, inside), d23 = px(x, b, y0 + 2, x0 + 3, ci, h, w, c, inside);
          const d30 = px(x, b, y0 + 3, x0, ci, h, w, c, inside), d31 = px(x, b, y0 + 3, x0 + 1, ci, h, w, c, inside);
          const d32 = px(x, b, y0 + 3, x0 + 2, ci, h, w, c, inside), d33 = px(x, b, y0 + 3, x0 + 3, ci, h, w, c, inside);
          // t = B^T d (rows): t0 = d0 - d2, t1 = d1 + d2, t2 = d2 - d1, t3 = d1 - d3.
          const t00 = f32x4.sub(d00, d20), t01 = f32x4.sub(d01, d21), t02 = f32x4.sub(d02, d22), t03 = f32x4.sub(d03, d23);
          const t10 = f32x4.add(d10, d20), t11 = f32x4.add(d11, d21), t12 = f32x4.add(d12, d22), t13 = f32x4.add(d13, d23);
          const t20 = f32x4.sub(d20, d10), t21 = f32x4.sub(d21, d11), t22 = f32x4.sub(d22, d12), t23 = f32x4.sub(d23, d13);
          const t30 = f32x4.sub(d10, d30), t31 = f32x4.sub(d11, d31), t32 = f32x4.sub(d12, d32), t33 = f32x4.sub(d13, d33);
          // u = t B (columns), stored at e = 4 i + j.
          inputRow(dst, plane, 0, t00, t01, t02, t03);
          inputRow(dst, plane, 4, t10, t11, t12, t13);
          inputRow(dst, plane, 8, t20, t21, t22, t23);
          inputRow(dst, plane, 12, t30, t31, t32, t33);
        }
      }
    }
  }
}

@inline
function px(x: usize, b: i32, y: i32, col: i32, ci: i32, h: i32, w: i32, c: i32, inside: bool): v128 {
  if (!inside && (y < 0 || y >= h || col < 0 || col >= w)) return f32x4.splat(0);
  return v128.load(x + (<usize>(((b * h + y) * w + col) * c + ci) << 2));
}

@inline
function inputRow(dst: usize, plane: usize, e0: i32, a0: v128, a1: v128, a2: v128, a3: v128): void {
  v128.store(dst + <usize>e0 * plane, f32x4.sub(a0, a2));
  v128.store(dst + <usize>(e0 + 1) * plane, f32x4.add(a1, a2));
  v128.store(dst + <usize>(e0 + 2) * plane, f32x4.sub(a2, a1));
  v128.store(dst + <usize>(e0 + 3) * plane, f32x4.sub(a1, a3));
}

// u[e, ci, o] = (G g G^T)[e] for the filter g [3, 3, c, oc].
export function winogradFilter(g: usize, u: usize, c: i32, oc: i32): void {
  const tap = <usize>(c * oc) << 2;
  const plane = tap; // u's tile positions are [c, oc] planes too
  const half = f32x4.splat(0.5);
  for (let ci = 0; ci < c; ci++) {
    for (let o = 0; o < oc; o += 4) {
      const off = <usize>(ci * oc + o) << 2;
      const g00 = v128.load(g + off), g01 = v128.load(g + tap + off), g02 = v128.load(g + 2 * tap + off);
      const g10 = v128.load(g + 3 * tap + off), g11 = v128.load(g + 4 * tap + off), g12 = v128.load(g + 5 * tap + off);
      const g20 = v128.load(g + 6 * tap + off), g21 = v128.load(g + 7 * tap + off), g22 = v128.load(g + 8 * tap + off);
      // t = G g: rows g0, (g0 + g1 + g2) / 2, (g0 - g1 + g2) / 2, g2.
      const t10 = f32x4.mul(half, f32x4.add(f32x4.add(g00, g10), g20));
      const t11 = f32x4.mul(half, f32x4.add(f32x4.add(g01, g11), g21));
      const t12 = f32x4.mul(half, f32x4.add(f32x4.add(g02, g12), g22));
      const t20 = f32x4.mul(half, f32x4.add(f32x4.sub(g00, g10), g20));
      const t21 = f32x4.mul(half, f32x4.add(f32x4.sub(g01, g11), g21));
      const t22 = f32x4.mul(half, f32x4.add(f32x4.sub(g02, g12), g22));
      filterRow(u + off, plane, 0, g00, g01, g02, half);
      filterRow(u + off, plane, 4, t10, t11, t12, half);
      filterRow(u + off, plane, 8, t20, t21, t22, half);
      filterRow(u + off, plane, 12, g20, g21, g22, half);
    }
  }
}

@inline
function filterRow(dst: usize, plane: usize, e0: i32, a0: v128, a1: v128, a2: v128, half: v128): void {
  v128.store(dst + <usize>e0 * plane, a0);
  v128.store(dst + <usize>(e0 + 1) * plane, f32x4.mul(half, f32x4.add(f32x4.add(a0, a1), a2)));
  v128.store(dst + <usize>(e0 + 2) * plane, f32x4.mul(half, f32x4.add(f32x4.sub(a0, a1), a2)));
  v128.store(dst + <usize>(e0 + 3) * plane, a2);
}

// The 16 products m[e] = v[e] . u[e].
export function winogradProducts(v: usize, u: usize, m: usize, tiles: i32, c: i32, oc: i32): void {
  for (let e = 0; e < 16; e++) {
    gemm(v + (<usize>(e * tiles * c) << 2), u + (<usize>(e * c * oc) << 2), m + (<usize>(e * tiles * oc) << 2), tiles, c, oc);
  }
}

/** One output value as FusedConv2D stores it: plus the bias when given, then relu when asked. */
@inline function finish(value: v128, bias: v128, relu: i32): v128 {
  const biased = f32x4.add(value, bias);
  return relu ? f32x4.max(biased, f32x4.splat(0)) : biased;
}

// out [batch, oh, ow, oc] from m[e, tile, o]: Y = A^T M A per tile, cropped at the bottom and right edges;
// with FusedConv2D's bias ([oc], when hasBias) and relu applied as it is stored.
export function winogradOutput(m: usize, out: usize, batch: i32, oh: i32, ow: i32, oc: i32, th: i32, tw: i32, bias: usize, hasBias: i32, relu: i32): void {
  const tiles = batch * th * tw;
  const plane = <usize>(tiles * oc) << 2;
  for (let b = 0; b < batch; b++) {
    for (let ty = 0; ty < th; ty++) {
      for (let tx = 0; tx < tw; tx++) {
        const t = (b * th + ty) * tw + tx;
        const src = m + (<usize>(t * oc) << 2);
        const y = 2 * ty;
        const xx = 2 * tx;
        const o00 = out + (<usize>(((b * oh + y) * ow + xx) * oc) << 2);
        const right = xx + 1 < ow;
        const down = y + 1 < oh;
        for (let o = 0; o < oc; o += 4) {
          const p = src + (<usize>o << 2);
          // s = A^T M (rows): s0 = m0 + m1 + m2, s1 = m1 - m2 - m3.
          const m00 = v128.load(p), m01 = v128.load(p + plane), m02 = v128.load(p + 2 * plane), m03 = v128.load(p + 3 * plane);
          const m10 = v128.load(p + 4 * plane), m11 = v128.load(p + 5 * plane), m12 = v128.load(p + 6 * plane), m13 = v128.load(p + 7 * plane);
          const m20 = v128.load(p + 8 * plane), m21 = v128.load(p + 9 * plane), m22 = v128.load(p + 10 * plane), m23 = v128.load(p + 11 * plane);
          const m30 = v128.load(p + 12 * plane), m31 = v128.load(p + 13 * plane), m32 = v128.load(p + 14 * plane), m33 = v128.load(p + 15 * plane);
          const s00 = f32x4.add(f32x4.add(m00, m10), m20), s01 = f32x4.add(f32x4.add(m01, m11), m21);
          const s02 = f32x4.add(f32x4.add(m02, m12), m22), s03 = f32x4.add(f32x4.add(m03, m13), m23);
          const s10 = f32x4.sub(f32x4.sub(m10, m20), m30), s11 = f32x4.sub(f32x4.sub(m11, m21), m31);
          const s12 = f32x4.sub(f32x4.sub(m12, m22), m32), s13 = f32x4.sub(f32x4.sub(m13, m23), m33);
          const q = o00 + (<usize>o << 2);
          const shift = hasBias ? v128.load(bias + (<usize>o << 2)) : f32x4.splat(0);
          v128.store(q, finish(f32x4.add(f32x4.add(s00, s01), s02), shift, relu));
          if (right) v128.store(q + (<usize>oc << 2), finish(f32x4.sub(f32x4.sub(s01, s02), s03), shift, relu));
          if (down) {
            const q1 = q + (<usize>(ow * oc) << 2);
            v128.store(q1, finish(f32x4.add(f32x4.add(s10, s11), s12), shift, relu));
            if (right) v128.store(q1 + (<usize>oc << 2), finish(f32x4.sub(f32x4.sub(s11, s12), s13), shift, relu));
          }
        }
      }
    }
  }
}
