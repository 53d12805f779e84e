import sharp from 'sharp';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { definePlugin, type InputSpec } from '@polymodal/core';
import { PREPROCESSING_DEFAULTS, type ImagePreprocessingOptions } from '../options.js';

export function tempDir(prefix = 'polymodal-image-'): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

/** Encodes raw interleaved pixels (`channels` 1..4 bytes per pixel) as an image file's bytes. */
export async function encode(pixels: readonly number[] | Uint8Array, width: number, height: number, channels: 1 | 2 | 3 | 4, format: 'png' | 'jpeg' | 'webp' | 'gif' | 'tiff' = 'png', orientation?: number): Promise<Buffer> {
  let image = sharp(Buffer.from(Uint8Array.from(pixels)), { raw: { width, height, channels } });
  if (orientation) image = image.withMetadata({ orientation });
  if (format === 'jpeg') return image.jpeg({ quality: 100, chromaSubsampling: '4:4:4' }).toBuffer();
  if (format === 'webp') return image.webp({ lossless: true }).toBuffer();
  if (format === 'gif') return image.gif().toBuffer();
  if (format === 'tiff') return image.tiff().toBuffer();
  return image.png().toBuffer();
}

/** A solid `width x height` RGB image. */
export function solid(width: number, height: number, rgb: readonly [number, number, number]): number[] {
  return Array.from({ length: width * height }, () => [...rgb]).flat();
}

export function writeFile(path: string, bytes: Uint8Array | string): string {
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, bytes);
  return path;
}

export function imageSpec(dataDir: string, options: Partial<ImagePreprocessingOptions> = {}, column = 'path'): InputSpec<ImagePreprocessingOptions> {
  return { name: 'photo', encoder: 'image/cnn', columns: [column], options: { ...PREPROCESSING_DEFAULTS, ...options }, dataDir, manifestDir: dataDir };
}

/** Random pixels from a tiny LCG, so fixtures are the same on every run. */
export function noise(count: number, seed = 1): number[] {
  let state = seed;
  return Array.from({ length: count }, () => ((state = (state * 1103515245 + 12345) % 2147483648) >> 16) & 255);
}

/**
 * A pass-through fusion for single-input test models, so these tests need no other Polymodal package
 * (this package depends on core only).
 */
export const passThroughFusion = definePlugin({
  name: 'polymodal-image-test-fusion',
  version: '1.0.0',
  fusions: [{
    type: 'pass',
    description: 'the only input, unchanged',
    optionsSchema: { type: 'object', additionalProperties: false, properties: {} },
    accepts: ['vector'],
    build: (features) => Object.values(features)[0].tensor,
  }],
});
