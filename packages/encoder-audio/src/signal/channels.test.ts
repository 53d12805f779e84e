import { test } from 'node:test';
import assert from 'node:assert/strict';
import { selectChannels } from './channels.js';
import { centreStart, fixLength, randomStart } from './fix-length.js';

test('mono is the mean of the channels; N channels are the first N; a mono file fills every channel', () => {
  const a = Float32Array.from([1, 2, 3]);
  const b = Float32Array.from([3, 2, 1]);
  const c = Float32Array.from([0, 0, 9]);
  assert.deepEqual([...selectChannels([a, b], 1)![0]], [2, 2, 2]);
  assert.deepEqual(selectChannels([a, b, c], 2), [a, b]);
  assert.deepEqual(selectChannels([a], 3), [a, a, a]);
  assert.equal(selectChannels([a, b], 3), undefined);
});

test('fixLength pads zeros at the end or cuts at the given start; centre and random starts stay in range', () => {
  const x = Float32Array.from([1, 2, 3, 4, 5]);
  assert.deepEqual([...fixLength(x, 7, 0)], [1, 2, 3, 4, 5, 0, 0]);
  assert.deepEqual([...fixLength(x, 3, centreStart(5, 3))], [2, 3, 4]);
  assert.equal(randomStart(5, 3, 0), 0);
  assert.equal(randomStart(5, 3, 0.9999), 2);
  assert.equal(centreStart(3, 5), 0);
});
