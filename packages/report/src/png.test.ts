import { test } from 'node:test';
import assert from 'node:assert/strict';
import { isPolymodalError } from '@polymodal/core';
import { loadSharp, svgToPng } from './png.js';

test('a missing sharp gives a usage error that says how to install it', async () => {
  const error = await loadSharp(() => Promise.reject(new Error("Cannot find package 'sharp'"))).then(() => undefined, (e: unknown) => e);
  assert.ok(isPolymodalError(error));
  assert.equal(error.exitCode, 2);
  assert.match(error.describe(), /PNG plots need the optional package "sharp".*Cannot find package 'sharp'/s);
  assert.match(error.describe(), /npm install sharp/);
});

test('rasterizes an SVG to a PNG at twice its size', async () => {
  const sharp = await loadSharp();
  const png = await svgToPng(sharp, '<svg xmlns="http://www.w3.org/2000/svg" width="20" height="10"><rect width="20" height="10" fill="red"/></svg>');
  assert.deepEqual([...png.subarray(1, 4)], [...Buffer.from('PNG')]);
  assert.equal(png.readUInt32BE(16), 40);
  assert.equal(png.readUInt32BE(20), 20);
});
