import { test } from 'node:test';
import assert from 'node:assert/strict';
import { meanWithInterval, standardDeviation, tQuantile975 } from './statistics.js';

test('t quantiles match the table and approach 1.96', () => {
  assert.equal(tQuantile975(1), 12.706);
  assert.equal(tQuantile975(4), 2.776);
  assert.ok(Math.abs(tQuantile975(60) - 2.0003) < 0.002);
  assert.ok(Math.abs(tQuantile975(120) - 1.9799) < 0.002);
  assert.throws(() => tQuantile975(0));
});

test('mean with a Student-t interval (values checked with scipy.stats.t.interval)', () => {
  // scipy: t.interval(0.95, 4, loc=3, scale=stdev([1,2,3,4,5])/sqrt(5)) = (1.036757, 4.963243)
  const { mean, ci95 } = meanWithInterval([1, 2, 3, 4, 5]);
  assert.equal(mean, 3);
  assert.ok(Math.abs(ci95![0] - 1.036757) < 1e-3 && Math.abs(ci95![1] - 4.963243) < 1e-3, String(ci95));
  assert.deepEqual(meanWithInterval([2]), { mean: 2, ci95: null });
  assert.ok(Math.abs(standardDeviation([1, 2, 3, 4, 5]) - Math.sqrt(2.5)) < 1e-12);
});
