import { test } from 'node:test';
import assert from 'node:assert/strict';
import { kFoldAssignment, kFoldSplit } from './kfold-split.js';

test('every row is held out exactly once across the folds, and never trained on in its own fold', () => {
  const n = 53;
  const seen = new Array<number>(n).fill(0);
  for (let fold = 0; fold < 5; fold++) {
    const split = kFoldSplit(n, { folds: 5, fold, seed: 3, validation: 0.25 });
    split.test.forEach((r) => seen[r]++);
    const all = [...split.train, ...split.validation, ...split.test].sort((a, b) => a - b);
    assert.deepEqual(all, Array.from({ length: n }, (_, i) => i), 'a partition of the rows');
    const test = new Set(split.test);
    assert.ok(![...split.train, ...split.validation].some((r) => test.has(r)));
    assert.ok(split.test.length === 10 || split.test.length === 11);
    assert.equal(split.validation.length, Math.round((n - split.test.length) * 0.25));
  }
  assert.deepEqual(seen, new Array<number>(n).fill(1));
});

test('stratified folds keep the class proportions; seeds are reproducible', () => {
  const strata = Array.from({ length: 100 }, (_, i) => (i < 20 ? 'yes' : 'no'));
  for (let fold = 0; fold < 4; fold++) {
    const split = kFoldSplit(100, { folds: 4, fold, seed: 1, validation: 0, strata });
    assert.equal(split.test.filter((r) => strata[r] === 'yes').length, 5);
  }
  assert.deepEqual(kFoldAssignment(100, { folds: 4, seed: 1, strata }), kFoldAssignment(100, { folds: 4, seed: 1, strata }));
  assert.notDeepEqual(kFoldAssignment(100, { folds: 4, seed: 1 }), kFoldAssignment(100, { folds: 4, seed: 2 }));
  assert.throws(() => kFoldAssignment(3, { folds: 4, seed: 1 }), /needs at least 4 usable rows/);
  assert.throws(() => kFoldAssignment(30, { folds: 1, seed: 1 }), /at least 2 folds/);
});

test('a million rows fold in linear time without overflowing the stack', () => {
  const rows = 1_000_000;
  const strata = Array.from({ length: rows }, (_, i) => (i % 3 === 0 ? 'a' : 'b'));
  const started = Date.now();
  for (const options of [{ folds: 5, fold: 2, seed: 1, validation: 0.2 }, { folds: 5, fold: 0, seed: 1, validation: 0.2, strata }]) {
    const split = kFoldSplit(rows, options);
    assert.equal(split.test.length, 200_000);
    assert.equal(split.validation.length, 160_000);
    assert.equal(split.train.length, 640_000);
  }
  assert.ok(Date.now() - started < 20_000, `took ${Date.now() - started} ms`);
});
