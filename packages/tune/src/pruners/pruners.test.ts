import assert from 'node:assert/strict';
import { test } from 'node:test';
import { medianPruner } from './median-pruner.js';
import type { Curve } from './pruner.js';
import { rungEpochs, successiveHalvingPruner } from './successive-halving.js';

const complete = (number: number, losses: number[]): Curve => ({ number, state: 'complete', losses });

test('median stopping prunes a trial worse than the median of complete trials at its epoch, after the warm-up', () => {
  const pruner = medianPruner({ warmupEpochs: 1, minTrials: 3 });
  const others = [complete(0, [1, 0.8, 0.6]), complete(1, [1, 0.7, 0.5]), complete(2, [1, 0.9, 0.7])];
  assert.equal(pruner.shouldPrune({ number: 9, state: 'running', losses: [5] }, others), false, 'warm-up');
  assert.equal(pruner.shouldPrune({ number: 9, state: 'running', losses: [1, 0.95] }, others), true);
  assert.equal(pruner.shouldPrune({ number: 9, state: 'running', losses: [1, 0.75] }, others), false);
  assert.equal(pruner.shouldPrune({ number: 9, state: 'running', losses: [1, 0.95] }, others.slice(0, 2)), false, 'too few complete trials');
});

test('successive halving keeps the best 1/factor at each rung', () => {
  assert.deepEqual(rungEpochs(1, 3, 30), [1, 3, 9, 27]);
  const pruner = successiveHalvingPruner({ minEpochs: 1, reductionFactor: 3 });
  const others = [complete(0, [0.5]), complete(1, [0.6]), complete(2, [0.7]), complete(3, [0.8]), complete(4, [0.9])];
  assert.equal(pruner.shouldPrune({ number: 9, state: 'running', losses: [0.65] }, others), true, 'third of six: only the best 6/3 = 2 go on');
  assert.equal(pruner.shouldPrune({ number: 9, state: 'running', losses: [0.55] }, others), false, 'second of six');
  assert.equal(pruner.shouldPrune({ number: 9, state: 'running', losses: [0.4] }, others), false, 'best of six');
  assert.equal(pruner.shouldPrune({ number: 9, state: 'running', losses: [0.4, 9] }, others), false, 'not a rung');
  assert.equal(pruner.shouldPrune({ number: 9, state: 'running', losses: [0.95] }, []), false, 'alone at its rung');
});
