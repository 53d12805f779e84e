import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import sharp from 'sharp';
import { decodeImage, type DecodeOptions } from './decode.js';
import { decodePlainPng } from './png-fast-path.js';

const SEED_IMAGES = fileURLToPath(new URL('../../../examples/seed/data/images/', import.meta.url));

/** sharp's answer, with the fast path out of the way: the pipeline decodeImage runs for anything else. */
async function viaSharp(png: Buffer, options: DecodeOptions): Promise<Uint8Array> {
  const [height, width] = options.size;
  let pipeline = sharp(png, { failOn: 'warning', pages: 1 }).rotate().resize({ width, height, fit: options.fit, kernel: 'linear' }).removeAlpha();
  pipeline = options.channels === 1 ? pipeline.toColourspace('b-w') : pipeline.toColourspace('srgb');
  const { data, info } = await pipeline.raw().toBuffer({ resolveWithObject: true });
  assert.equal(info.channels, options.channels);
  return new Uint8Array(data);
}

function noise(length: number, seed: number): Buffer {
  const out = Buffer.alloc(length);
  let s = seed;
  for (let i = 0; i < length; i++) {
    s = (s * 1103515245 + 12345) & 0x7fffffff;
    // Runs of equal values too, so every PNG filter type gets chosen by the encoder.
    out[i] = i % 7 < 3 ? (s >> 16) & 0xff : out[Math.max(0, i - 1)];
  }
  return out;
}

test('the fast path gives exactly sharp\'s pixels for every seed image', async () => {
  const files = readdirSync(SEED_IMAGES).filter((f) => f.endsWith('.png')).slice(0, 60);
  assert.ok(files.length > 10);
  const options: DecodeOptions = { size: [64, 64], fit: 'cover', channels: 3, interpolation: 'bilinear' };
  for (const file of files) {
    const png = readFileSync(join(SEED_IMAGES, file));
    const fast = decodePlainPng(png, options.size, 3);
    assert.ok(fast, `${file} takes the fast path`);
    assert.deepEqual(Buffer.from(fast), Buffer.from(await viaSharp(png, options)), file);
  }
});

test('greyscale, RGB and RGBA PNGs with every filter equal sharp; other sizes, palettes and 16 bits go to sharp', async () => {
  const [h, w] = [13, 17];
  for (const [channels, target] of [[1, 1], [1, 3], [3, 3], [4, 3]] as const) {
    const raw = noise(h * w * channels, channels * 31 + target);
    for (const adaptiveFiltering of [false, true]) {
      const image = sharp(raw, { raw: { width: w, height: h, channels } });
      const png = await (channels === 1 ? image.toColourspace('b-w') : image).png({ adaptiveFiltering, compressionLevel: 6 }).toBuffer();
      const fast = decodePlainPng(png, [h, w], target);
      assert.ok(fast, `${channels} -> ${target} channels takes the fast path`);
      assert.deepEqual(Buffer.from(fast), Buffer.from(await viaSharp(png, { size: [h, w], fit: 'cover', channels: target, interpolation: 'bilinear' })), `${channels} -> ${target}`);
    }
  }
  const rgb = await sharp(noise(h * w * 3, 5), { raw: { width: w, height: h, channels: 3 } }).png().toBuffer();
  assert.equal(decodePlainPng(rgb, [h + 1, w], 3), undefined, 'another size is resized by sharp');
  assert.equal(decodePlainPng(rgb, [h, w], 1), undefined, 'colour to grey is sharp\'s conversion');
  assert.equal(decodePlainPng(await sharp(rgb).png({ palette: true }).toBuffer(), [h, w], 3), undefined, 'palette');
  assert.equal(decodePlainPng(await sharp(rgb).toColourspace('rgb16').png().toBuffer(), [h, w], 3), undefined, '16 bits');
  const flipped = Buffer.from(rgb);
  flipped[40] ^= 1;
  assert.equal(decodePlainPng(flipped, [h, w], 3), undefined, 'a damaged chunk (CRC)');
  assert.equal(decodePlainPng(rgb.subarray(0, rgb.length - 20), [h, w], 3), undefined, 'truncated');
  assert.equal(decodePlainPng(await sharp(rgb).jpeg().toBuffer(), [h, w], 3), undefined, 'not a PNG');
});

test('decodeImage still refuses a truncated PNG with the file named', async () => {
  const png = readFileSync(join(SEED_IMAGES, '000.png'));
  await assert.rejects(decodeImage(png.subarray(0, png.length - 30), { size: [64, 64], fit: 'cover', channels: 3, interpolation: 'bilinear' }, 'row 2, column image'), /row 2, column image: cannot decode the image/);
});
