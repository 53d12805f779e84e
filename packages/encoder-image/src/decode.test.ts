import { test } from 'node:test';
import assert from 'node:assert/strict';
import { PolymodalError } from '@polymodal/core';
import { convertChannels, decodeImage, type DecodeOptions } from './decode.js';
import { encode, solid } from './test-fixtures/images.js';

const options = (o: Partial<DecodeOptions> = {}): DecodeOptions => ({ size: [2, 2], fit: 'fill', channels: 3, interpolation: 'nearest', ...o });
const RED = [255, 0, 0];
const GREEN = [0, 255, 0];
const BLUE = [0, 0, 255];
const WHITE = [255, 255, 255];

test('a 2x2 PNG decodes to its exact pixels, row-major RGB', async () => {
  const png = await encode([...RED, ...GREEN, ...BLUE, ...WHITE], 2, 2, 3);
  assert.deepEqual([...(await decodeImage(png, options(), 'x.png'))], [...RED, ...GREEN, ...BLUE, ...WHITE]);
});

test('alpha is dropped; greyscale sources give 3 equal channels; channels 1 gives luma', async () => {
  const rgba = await encode([10, 20, 30, 0, 40, 50, 60, 128, 70, 80, 90, 255, 1, 2, 3, 7], 2, 2, 4);
  assert.deepEqual([...(await decodeImage(rgba, options(), 'a.png'))], [10, 20, 30, 40, 50, 60, 70, 80, 90, 1, 2, 3]);
  const grey = await encode([0, 100, 200, 255], 2, 2, 1);
  assert.deepEqual([...(await decodeImage(grey, options(), 'g.png'))], [0, 0, 0, 100, 100, 100, 200, 200, 200, 255, 255, 255]);
  const colour = await encode([...RED, ...GREEN, ...BLUE, ...WHITE], 2, 2, 3);
  const luma = [...(await decodeImage(colour, options({ channels: 1 }), 'c.png'))];
  // sharp's b-w conversion uses Rec. 709-ish weights; the order and white are what matter.
  assert.equal(luma.length, 4);
  assert.ok(luma[1] > luma[0] && luma[0] > luma[2], `green > red > blue: ${luma}`);
  assert.equal(luma[3], 255);
  assert.deepEqual([...convertChannels(Uint8Array.from([...RED, ...WHITE]), 2, 3, 1)], [76, 255]);
});

test('resizing: fill stretches, cover crops the centre, contain letterboxes in black', async () => {
  // 4 wide x 2 high: left half red, right half blue.
  const wide = await encode([...RED, ...RED, ...BLUE, ...BLUE, ...RED, ...RED, ...BLUE, ...BLUE], 4, 2, 3);
  const px = (data: Uint8Array, i: number) => [...data.subarray(i * 3, i * 3 + 3)];
  const fill = await decodeImage(wide, options({ size: [4, 4] }), 'w.png');
  assert.deepEqual([px(fill, 0), px(fill, 3), px(fill, 12), px(fill, 15)], [RED, BLUE, RED, BLUE]);
  const letterbox = await decodeImage(wide, options({ size: [4, 4], fit: 'contain' }), 'w.png');
  assert.deepEqual([px(letterbox, 0), px(letterbox, 4), px(letterbox, 7), px(letterbox, 12)], [[0, 0, 0], RED, BLUE, [0, 0, 0]]);
  const cover = await decodeImage(wide, options({ size: [2, 2], fit: 'cover' }), 'w.png');
  assert.deepEqual([px(cover, 0), px(cover, 1)], [RED, BLUE], 'the centre 2x2 crop');
});

test('JPEG, WebP, GIF (first frame) and TIFF decode to the colour they hold', async () => {
  for (const format of ['jpeg', 'webp', 'gif', 'tiff'] as const) {
    const bytes = await encode(solid(8, 8, [200, 40, 90]), 8, 8, 3, format);
    const pixels = await decodeImage(bytes, options({ size: [4, 4], interpolation: 'bilinear' }), `x.${format}`);
    assert.equal(pixels.length, 48);
    for (let i = 0; i < pixels.length; i += 3) {
      const error = Math.max(Math.abs(pixels[i] - 200), Math.abs(pixels[i + 1] - 40), Math.abs(pixels[i + 2] - 90));
      assert.ok(error <= (format === 'gif' ? 24 : 3), `${format}: ${[...pixels.subarray(i, i + 3)]}`);
    }
  }
});

test('EXIF orientation is applied: a landscape JPEG tagged "rotate 90 clockwise" comes out portrait', async () => {
  // Stored 8 wide x 4 high, left half red, right half blue; orientation 6 displays it rotated 90 degrees clockwise:
  // 4 wide x 8 high with red on top.
  const stored: number[] = [];
  for (let y = 0; y < 4; y++) for (let x = 0; x < 8; x++) stored.push(...(x < 4 ? RED : BLUE));
  const jpeg = await encode(stored, 8, 4, 3, 'jpeg', 6);
  const pixels = await decodeImage(jpeg, options({ size: [8, 4] }), 'o.jpg');
  const at = (x: number, y: number) => [...pixels.subarray((y * 4 + x) * 3, (y * 4 + x) * 3 + 3)];
  const close = (a: number[], b: number[]) => a.every((v, i) => Math.abs(v - b[i]) < 40);
  // Unrotated, the right-hand columns would be blue and the left-hand ones red at every height.
  assert.ok(close(at(3, 1), RED), `top right is red: ${at(3, 1)}`);
  assert.ok(close(at(0, 6), BLUE), `bottom left is blue: ${at(0, 6)}`);
});

test('bytes that do not decode fail with the file named', async () => {
  const png = await encode(solid(16, 16, [1, 2, 3]), 16, 16, 3);
  const damaged = Buffer.concat([png.subarray(0, 40), Buffer.alloc(30, 7), png.subarray(png.length - 12)]);
  await assert.rejects(decodeImage(damaged, options(), '/data/bad.png'), (error: unknown) => {
    assert.ok(error instanceof PolymodalError);
    assert.match(error.message, /^\/data\/bad\.png: cannot decode the image \(/);
    return true;
  });
});
