// MaxPool's gradient: one of Polymodal's SIMD kernels, exported by
// simd-kernels.ts. Every pointer is a byte offset in the tfjs wasm backend's memory.

// MaxPool's gradient (NHWC): each output pixel's dy goes to the input pixel that was its window's maximum
// (the first one in row-major window order, as tfjs's cpu kernel picks it; a window of NaN / -Infinity gets
// none). Four channels at a time: the window's argmax as a flat pixel index per lane, then dy added to dx
// under a per-pixel lane mask, so overlapping windows and 'same' padding need no special case.
export function maxPoolGrad(
  x: usize, dy: usize, dx: usize,
  batch: i32, h: i32, w: i32, c: i32, oh: i32, ow: i32,
  fh: i32, fw: i32, sh: i32, sw: i32, pt: i32, pl: i32,
): void {
  // Windows that tile the input exactly (2x2 stride 2 on even sizes) cover each pixel once: dx is written, not added to.
  const tiled = fh == sh && fw == sw && pt == 0 && pl == 0 && oh * sh == h && ow * sw == w;
  if (!tiled) memory.fill(dx, 0, <usize>(batch * h * w * c) << 2);
  const c4 = c & ~3;
  for (let b = 0; b < batch; b++) {
    const plane = b * h * w;
    for (let oy = 0; oy < oh; oy++) {
      const y0 = max(0, oy * sh - pt);
      const y1 = min(h, oy * sh - pt + fh);
      for (let ox = 0; ox < ow; ox++) {
        const x0 = max(0, ox * sw - pl);
        const x1 = min(w, ox * sw - pl + fw);
        const g = dy + (<usize>(((b * oh + oy) * ow + ox) * c) << 2);
        for (let ci = 0; ci < c4; ci += 4) {
          let best = f32x4.splat(-Infinity);
          let at = i32x4.splat(-1);
          for (let iy = y0; iy < y1; iy++) {
            for (let ix = x0; ix < x1; ix++) {
              const pixel = plane + iy * w + ix;
              const v = v128.load(x + (<usize>(pixel * c + ci) << 2));
              const greater = f32x4.gt(v, best);
              best = v128.bitselect(v, best, greater);
              at = v128.bitselect(i32x4.splat(pixel), at, greater);
            }
          }
          const d = v128.load(g + (<usize>ci << 2));
          for (let iy = y0; iy < y1; iy++) {
            for (let ix = x0; ix < x1; ix++) {
              const pixel = plane + iy * w + ix;
              const p = dx + (<usize>(pixel * c + ci) << 2);
              const share = v128.and(d, i32x4.eq(at, i32x4.splat(pixel)));
              v128.store(p, tiled ? share : f32x4.add(v128.load(p), share));
            }
          }
        }
        for (let ci = c4; ci < c; ci++) {
          let best: f32 = -Infinity;
          let at = -1;
          for (let iy = y0; iy < y1; iy++) {
            for (let ix = x0; ix < x1; ix++) {
              const pixel = plane + iy * w + ix;
              const v = load<f32>(x + (<usize>(pixel * c + ci) << 2));
              if (v > best) {
                best = v;
                at = pixel;
              }
            }
          }
          if (tiled) {
            for (let iy = y0; iy < y1; iy++) {
              for (let ix = x0; ix < x1; ix++) {
                const pixel = plane + iy * w + ix;
                store<f32>(dx + (<usize>(pixel * c + ci) << 2), pixel == at ? load<f32>(g + (<usize>ci << 2)) : 0);
              }
            }
          } else if (at >= 0) {
            const p = dx + (<usize>(at * c + ci) << 2);
            store<f32>(p, load<f32>(p) + load<f32>(g + (<usize>ci << 2)));
          }
        }
      }
    }
  }
}
