import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { mean, pairwiseSum } from './numeric.js';

describe('NumPy-compatible reductions', () => {
  it('pairwise sum is exact on integers for every code path (n < 8, <= 128, recursive)', () => {
    for (const n of [0, 1, 7, 8, 9, 127, 128, 129, 1000]) {
      const a = Array.from({ length: n }, (_, i) => i + 1);
      assert.equal(pairwiseSum(a), (n * (n + 1)) / 2, `n=${n}`);
    }
  });

  it('groups like NumPy (eight accumulators), which differs from a left-to-right sum', () => {
    // expected values are what np.sum prints for these float64 arrays
    const a = [1e16, 1, 1, 1, 1, 1, 1, 1, -1e16, 1, 1, 1, 1, 1, 1, 1];
    // accumulators: r0 = 1e16 + -1e16 = 0, r1..r7 = 2 each -> 14; left to right the first seven ones are lost
    assert.equal(pairwiseSum(a), 14);
    assert.equal(a.reduce((x, y) => x + y, 0), 7);
    const b = [1e16, 1, 1, 1, 1, 1, 1, 1, 1, -1e16, 1, 1, 1, 1, 1, 1];
    assert.equal(pairwiseSum(b), 12);
  });

  it('mean of an empty array is NaN', () => {
    assert.ok(Number.isNaN(mean([])));
    assert.equal(mean([1, 2, 3, 4]), 2.5);
  });
});
