import sharp from 'sharp';
import { PolymodalError } from '@polymodal/core';
import type { Fit, Interpolation } from './options.js';
import { decodePlainPng } from './png-fast-path.js';

/** What decoding depends on; everything else (rescale, normalization, augmentation) is applied afterwards. */
export interface DecodeOptions {
  readonly size: readonly [number, number];
  readonly fit: Fit;
  readonly channels: 1 | 3;
  readonly interpolation: Interpolation;
}

const KERNEL: Record<Interpolation, keyof sharp.KernelEnum> = {
  nearest: 'nearest',
  bilinear: 'linear',
  bicubic: 'cubic',
  lanczos3: 'lanczos3',
};

/** Converts interleaved pixels with `from` channels to `to` channels (1 or 3), dropping alpha. */
export function convertChannels(data: Uint8Array, pixels: number, from: number, to: 1 | 3): Uint8Array {
  if (from === to) return data;
  const out = new Uint8Array(pixels * to);
  const colour = from >= 3;
  for (let p = 0; p < pixels; p++) {
    const s = p * from;
    if (to === 3) {
      out[p * 3] = data[s];
      out[p * 3 + 1] = data[colour ? s + 1 : s];
      out[p * 3 + 2] = data[colour ? s + 2 : s];
    } else {
      // ITU-R BT.601 luma, as Pillow's convert('L').
      out[p] = colour ? Math.round((data[s] * 299 + data[s + 1] * 587 + data[s + 2] * 114) / 1000) : data[s];
    }
  }
  return out;
}

/**
 * Decodes an image (JPEG, PNG, WebP, GIF's first frame, TIFF), applies its EXIF orientation, resizes it to
 * `size` and returns `h * w * channels` interleaved 0..255 bytes. Throws a PolymodalError naming `label`
 * when the bytes do not decode (truncated or corrupt files fail here rather than giving a partial image).
 */
export async function decodeImage(bytes: Buffer, options: DecodeOptions, label: string): Promise<Uint8Array> {
  const [height, width] = options.size;
  // Small PNGs already at the size need no processing: sharp's fixed cost per call would dominate serving them.
  const plain = decodePlainPng(bytes, options.size, options.channels);
  if (plain) return plain;
  try {
    let pipeline = sharp(bytes, { failOn: 'warning', pages: 1 })
      .rotate()
      .resize({ width, height, fit: options.fit, kernel: KERNEL[options.interpolation], background: { r: 0, g: 0, b: 0, alpha: 1 } })
      .removeAlpha();
    pipeline = options.channels === 1 ? pipeline.toColourspace('b-w') : pipeline.toColourspace('srgb');
    const { data, info } = await pipeline.raw().toBuffer({ resolveWithObject: true });
    if (info.width !== width || info.height !== height) {
      throw new Error(`resized to ${info.width}x${info.height}, expected ${width}x${height}`);
    }
    return convertChannels(new Uint8Array(data.buffer, data.byteOffset, data.byteLength), width * height, info.channels, options.channels);
  } catch (error) {
    throw new PolymodalError(`${label}: cannot decode the image (${(error as Error).message})`, {
      hint: 'Replace or remove the file, or set "data.onInvalidRow": "skip" (only files that fail the quick checks are skipped).',
      cause: error,
    });
  }
}
