import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { formatFixed } from './format.js';

// Expected strings are what Python's format(x, '.Nf') prints (round half to even on the exact binary value).
describe('formatFixed (Python float formatting)', () => {
  it('rounds exact binary ties to even, unlike toFixed', () => {
    assert.equal(formatFixed(0.625, 2), '0.62');
    assert.equal((0.625).toFixed(2), '0.63');
    assert.equal(formatFixed(0.375, 2), '0.38');
    assert.equal(formatFixed(0.125, 2), '0.12');
    assert.equal(formatFixed(2.5, 0), '2');
    assert.equal(formatFixed(3.5, 0), '4');
  });

  it('rounds non-ties by their exact binary value', () => {
    assert.equal(formatFixed(0.665, 2), '0.67'); // 0.66500000000000003552713678800500929355621337890625
    assert.equal(formatFixed(1.005, 2), '1.00'); // 1.00499999999999989341858963598497211933135986328125
    assert.equal(formatFixed(2 / 3, 5), '0.66667');
    assert.equal(formatFixed(1, 3), '1.000');
    assert.equal(formatFixed(0, 2), '0.00');
    assert.equal(formatFixed(123456.789, 1), '123456.8');
    assert.equal(formatFixed(5e-324, 2), '0.00');
    assert.equal(formatFixed(1e22, 0), '10000000000000000000000');
  });

  it('handles signs and non-finite values', () => {
    assert.equal(formatFixed(-0.005, 2), '-0.01'); // -0.005000000000000000104083408558608425664715468883514404296875
    assert.equal(formatFixed(-0, 1), '-0.0');
    assert.equal(formatFixed(NaN, 2), 'nan');
    assert.equal(formatFixed(Infinity, 2), 'inf');
    assert.equal(formatFixed(-Infinity, 2), '-inf');
  });
});
