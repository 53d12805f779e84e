import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomSplit, splitFromColumn } from './split.js';

test('the same seed gives the same split; another seed another', () => {
  const a = randomSplit(500, { validation: 0.2, test: 0.1, seed: 9 });
  const b = randomSplit(500, { validation: 0.2, test: 0.1, seed: 9 });
  const c = randomSplit(500, { validation: 0.2, test: 0.1, seed: 10 });
  assert.deepEqual(a, b);
  assert.notDeepEqual(a.test, c.test);
  assert.equal(a.validation.length, 100);
  assert.equal(a.test.length, 50);
  assert.equal(a.train.length, 350);
  const all = [...a.train, ...a.validation, ...a.test].sort((x, y) => x - y);
  assert.deepEqual(all, Array.from({ length: 500 }, (_, i) => i));
});

test('stratified splits keep class proportions in every part', () => {
  const strata = Array.from({ length: 1000 }, (_, i) => (i % 10 === 0 ? 'rare' : 'common'));
  const split = randomSplit(1000, { validation: 0.2, test: 0.2, seed: 1, strata });
  for (const part of [split.train, split.validation, split.test]) {
    const rare = part.filter((i) => strata[i] === 'rare').length;
    assert.ok(Math.abs(rare / part.length - 0.1) < 0.005, `rare share ${rare / part.length}`);
  }
});

test('fractions that leave no training rows are refused', () => {
  assert.throws(() => randomSplit(10, { validation: 0.5, test: 0.5, seed: 1 }), /leaves no training rows/);
});

test('a split column names each row\'s part', () => {
  const split = splitFromColumn(['train', 'VALID', 'test', 'train'], (i) => `row ${i}`);
  assert.deepEqual(split, { train: [0, 3], validation: [1], test: [2] });
  assert.throws(() => splitFromColumn(['train', 'holdout'], (i) => `f.csv:${i + 2}`), /f\.csv:3: split value "holdout"/);
});

test('a million rows split without overflowing the stack, stratified or not', () => {
  const rows = 1_000_000;
  const plain = randomSplit(rows, { validation: 0.1, test: 0.2, seed: 3 });
  assert.deepEqual([plain.train.length, plain.validation.length, plain.test.length], [700_000, 100_000, 200_000]);
  const strata = Array.from({ length: rows }, (_, i) => (i % 4 === 0 ? 'yes' : 'no'));
  const stratified = randomSplit(rows, { validation: 0.1, test: 0.2, seed: 3, strata });
  assert.equal(stratified.train.length + stratified.validation.length + stratified.test.length, rows);
  assert.equal(stratified.test.filter((i) => strata[i] === 'yes').length, 50_000);
});

test('split values that are Object.prototype names are errors naming the row, not crashes', () => {
  for (const value of ['constructor', '__proto__', 'toString', 'hasOwnProperty', 'valueOf']) {
    assert.throws(() => splitFromColumn(['train', value], (i) => `f.csv:${i + 2}`), new RegExp(`f\\.csv:3: split value "${value}" is not train, validation or test`));
  }
});
