import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createRandom } from '@polymodal/core';
import { applyAugmentation, augments, drawAugmentation, type AugmentParams } from './augment.js';

const none: AugmentParams = { flipHorizontal: false, flipVertical: false, angle: 0, scale: 1, dx: 0, dy: 0, brightness: 0, contrast: 1 };
// 3 wide x 2 high, one channel: 0 1 2 / 3 4 5
const image = () => Float32Array.from([0, 1, 2, 3, 4, 5]);
const round = (a: Float32Array) => [...a].map((v) => Math.round(v * 1e4) / 1e4);

test('no options: no augmentation', () => {
  assert.equal(augments(undefined), false);
  assert.equal(augments({ fillMode: 'reflect', rotation: 0 }), false);
  assert.equal(augments({ flipHorizontal: true }), true);
  assert.deepEqual([...applyAugmentation(image(), 2, 3, 1, none, 'reflect')], [0, 1, 2, 3, 4, 5]);
});

test('flips mirror exactly', () => {
  assert.deepEqual([...applyAugmentation(image(), 2, 3, 1, { ...none, flipHorizontal: true }, 'reflect')], [2, 1, 0, 5, 4, 3]);
  assert.deepEqual([...applyAugmentation(image(), 2, 3, 1, { ...none, flipVertical: true }, 'reflect')], [3, 4, 5, 0, 1, 2]);
});

test('rotation by 90 degrees on a square image permutes pixels; a shift fills by the fill mode', () => {
  // 0 1 / 2 3 rotated by +90 degrees (clockwise on screen, y down) gives 2 0 / 3 1.
  const square = Float32Array.from([0, 1, 2, 3]);
  assert.deepEqual(round(applyAugmentation(square, 2, 2, 1, { ...none, angle: Math.PI / 2 }, 'reflect')), [2, 0, 3, 1]);
  const row = Float32Array.from([10, 20, 30, 40]);
  assert.deepEqual(round(applyAugmentation(row, 1, 4, 1, { ...none, dx: 1 }, 'constant')), [0, 10, 20, 30]);
  assert.deepEqual(round(applyAugmentation(row, 1, 4, 1, { ...none, dx: 1 }, 'nearest')), [10, 10, 20, 30]);
  assert.deepEqual(round(applyAugmentation(row, 1, 4, 1, { ...none, dx: 2 }, 'reflect')), [20, 10, 10, 20]);
});

test('zoom in by 2 about the centre magnifies the middle; brightness and contrast clip to 0..255', () => {
  const row = Float32Array.from([0, 100, 200, 300].map((v) => v / 2));
  assert.deepEqual(round(applyAugmentation(row, 1, 4, 1, { ...none, scale: 2 }, 'reflect')), [37.5, 62.5, 87.5, 112.5]);
  const pixels = Float32Array.from([0, 100, 200, 250]);
  assert.deepEqual([...applyAugmentation(pixels, 2, 2, 1, { ...none, brightness: 10 }, 'reflect')], [10, 110, 210, 255]);
  // mean 137.5; factor 2: 2 * (v - 137.5) + 137.5
  assert.deepEqual([...applyAugmentation(Float32Array.from([0, 100, 200, 250]), 2, 2, 1, { ...none, contrast: 2 }, 'reflect')], [0, 62.5, 255, 255]);
});

test('the same seed draws the same parameters; another seed does not; ranges are respected', () => {
  const options = { flipHorizontal: true, rotation: 15, zoom: 0.1, translation: 0.1, brightness: 0.2, contrast: 0.3 };
  const draw = (seed: number) => {
    const random = createRandom(seed);
    return Array.from({ length: 50 }, () => drawAugmentation(options, [64, 32], () => random.next()));
  };
  assert.deepEqual(draw(3), draw(3));
  assert.notDeepEqual(draw(3), draw(4));
  for (const p of draw(5)) {
    assert.ok(Math.abs(p.angle) <= (15 * Math.PI) / 180);
    assert.ok(p.scale >= 0.9 && p.scale <= 1.1);
    assert.ok(Math.abs(p.dx) <= 3.2 && Math.abs(p.dy) <= 6.4);
    assert.ok(Math.abs(p.brightness) <= 51 && Math.abs(p.contrast - 1) <= 0.3);
    assert.equal(p.flipVertical, false);
  }
  assert.ok(draw(5).some((p) => p.flipHorizontal) && draw(5).some((p) => !p.flipHorizontal));
});
