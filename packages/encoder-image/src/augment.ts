import type { AugmentOptions, FillMode } from './options.js';

/** One image's random draws; drawn in row order before any decoding so results do not depend on timing. */
export interface AugmentParams {
  readonly flipHorizontal: boolean;
  readonly flipVertical: boolean;
  /** Radians. */
  readonly angle: number;
  /** Scale factor: above 1 zooms in. */
  readonly scale: number;
  /** Shift in pixels. */
  readonly dx: number;
  readonly dy: number;
  /** Added to every 0..255 value. */
  readonly brightness: number;
  /** Contrast factor about the per-channel mean. */
  readonly contrast: number;
}

/** Whether the options ask for any augmentation at all. */
export function augments(options: AugmentOptions | undefined): boolean {
  if (!options) return false;
  return Boolean(options.flipHorizontal || options.flipVertical || options.rotation || options.zoom || options.translation || options.brightness || options.contrast);
}


/** Draws one image's parameters; always the same number of draws, so streams stay aligned across options. */
export function drawAugmentation(options: AugmentOptions, size: readonly [number, number], random: () => number): AugmentParams {
  const draws = Array.from({ length: 8 }, () => random());
  const pick = (i: number, limit: number) => (limit > 0 ? (draws[i] * 2 - 1) * limit : 0);
  return {
    flipHorizontal: Boolean(options.flipHorizontal) && draws[0] < 0.5,
    flipVertical: Boolean(options.flipVertical) && draws[1] < 0.5,
    angle: (pick(2, options.rotation ?? 0) * Math.PI) / 180,
    scale: 1 + pick(3, options.zoom ?? 0),
    dx: pick(4, options.translation ?? 0) * size[1],
    dy: pick(5, options.translation ?? 0) * size[0],
    brightness: pick(6, options.brightness ?? 0) * 255,
    contrast: 1 + pick(7, options.contrast ?? 0),
  };
}

function mapCoordinate(v: number, n: number, mode: FillMode): number {
  if (v >= 0 && v <= n - 1) return v;
  if (mode === 'nearest') return v < 0 ? 0 : n - 1;
  if (mode === 'constant') return -1;
  // reflect (Keras's "reflect": d c b a | a b c d | d c b a)
  if (n === 1) return 0;
  const period = 2 * n;
  let m = ((v + 0.5) % period + period) % period - 0.5;
  if (m > n - 0.5) m = period - 1 - m;
  return Math.min(n - 1, Math.max(0, m));
}

/**
 * Applies `params` to `h x w x c` interleaved 0..255 floats, in place when nothing moves, else into a new
 * array: flips, rotation, zoom and translation as one affine map about the centre (bilinear sampling),
 * then contrast and brightness, then clipping to 0..255.
 */
export function applyAugmentation(pixels: Float32Array, h: number, w: number, c: number, params: AugmentParams, fillMode: FillMode): Float32Array {
  let out = pixels;
  const moves = params.flipHorizontal || params.flipVertical || params.angle !== 0 || params.scale !== 1 || params.dx !== 0 || params.dy !== 0;
  if (moves) {
    out = new Float32Array(pixels.length);
    const cx = (w - 1) / 2;
    const cy = (h - 1) / 2;
    const cos = Math.cos(params.angle);
    const sin = Math.sin(params.angle);
    for (let y = 0; y < h; y++) {
      for (let x = 0; x < w; x++) {
        // Inverse map: output pixel -> source position.
        const ux = (x - cx - params.dx) / params.scale;
        const uy = (y - cy - params.dy) / params.scale;
        let sx = cos * ux + sin * uy + cx;
        let sy = -sin * ux + cos * uy + cy;
        if (params.flipHorizontal) sx = w - 1 - sx;
        if (params.flipVertical) sy = h - 1 - sy;
        sx = mapCoordinate(sx, w, fillMode);
        sy = mapCoordinate(sy, h, fillMode);
        const o = (y * w + x) * c;
        if (sx < 0 || sy < 0) continue; // constant fill: zeros
        const x0 = Math.floor(sx);
        const y0 = Math.floor(sy);
        const x1 = Math.min(x0 + 1, w - 1);
        const y1 = Math.min(y0 + 1, h - 1);
        const fx = sx - x0;
        const fy = sy - y0;
        const i00 = (y0 * w + x0) * c;
        const i01 = (y0 * w + x1) * c;
        const i10 = (y1 * w + x0) * c;
        const i11 = (y1 * w + x1) * c;
        for (let k = 0; k < c; k++) {
          const top = pixels[i00 + k] + (pixels[i01 + k] - pixels[i00 + k]) * fx;
          const bottom = pixels[i10 + k] + (pixels[i11 + k] - pixels[i10 + k]) * fx;
          out[o + k] = top + (bottom - top) * fy;
        }
      }
    }
  }
  if (params.contrast !== 1 || params.brightness !== 0) {
    const means = new Float64Array(c);
    if (params.contrast !== 1) {
      for (let i = 0; i < out.length; i++) means[i % c] += out[i];
      for (let k = 0; k < c; k++) means[k] /= out.length / c;
    }
    for (let i = 0; i < out.length; i++) {
      const mean = means[i % c];
      const v = (out[i] - mean) * params.contrast + mean + params.brightness;
      out[i] = v < 0 ? 0 : v > 255 ? 255 : v;
    }
  }
  return out;
}
