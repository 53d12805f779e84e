import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { SearchSpace } from '../space/search-space.js';
import type { ParamSpec } from '../space/types.js';
import { domainOf, neighbourBandwidths, observationWeights, ParzenEstimator } from './parzen-estimator.js';

// Log densities Optuna 5.0's _ParzenEstimator gives (tools/tune-fixtures/parzen.py made the fixture).
const fixture = JSON.parse(readFileSync(new URL('./test-fixtures/optuna-parzen.json', import.meta.url), 'utf8')) as {
  cases: { params: Record<string, ParamSpec>; observations: Record<string, unknown>[]; points: Record<string, unknown>[]; logPdf: number[] }[];
};

test("the Parzen estimator's log density equals Optuna 5's (floats, log floats, stepped and log ints, choices; 0-5 observations)", () => {
  for (const [index, c] of fixture.cases.entries()) {
    const space = new SearchSpace(c.params);
    const estimator = new ParzenEstimator(space.params, space.params.map(domainOf), c.observations);
    c.points.forEach((point, i) => {
      const ours = estimator.logPdf(estimator.encode(point));
      assert.ok(Math.abs(ours - c.logPdf[i]) < 1e-5, `case ${index}, point ${i}: ${ours} vs Optuna ${c.logPdf[i]}`);
    });
  }
});

test('kernel widths are the larger neighbour gap, the outer kernels their inner gap, clipped', () => {
  assert.deepEqual(neighbourBandwidths([0.5], 0, 1), [0.5]);
  const widths = neighbourBandwidths([0.9, 0.1, 0.5], 0, 1);
  assert.deepEqual(widths.map((w) => Number(w.toFixed(12))), [0.4, 0.4, 0.4]);
  assert.deepEqual(neighbourBandwidths([0.5, 0.5, 0.5], 0, 1), [0.2, 0.2, 0.2], 'clipped at range / (n + 2)');
  assert.deepEqual(observationWeights(3), [1, 1, 1]);
  const long = observationWeights(30);
  assert.equal(long.length, 30);
  assert.ok(Math.abs(long[0] - 1 / 30) < 1e-12 && long[4] === 1 && long[29] === 1);
});
