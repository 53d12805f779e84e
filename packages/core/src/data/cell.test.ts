import { test } from 'node:test';
import assert from 'node:assert/strict';
import { cell, toNumber } from './cell.js';

test('toNumber reads plain decimal numbers only', () => {
  for (const [text, value] of [['12', 12], ['-3.5', -3.5], ['+2', 2], ['.5', 0.5], ['5.', 5], ['1e5', 100000], ['2.5E-3', 0.0025], ['  12  ', 12]] as const) {
    assert.equal(toNumber(text), value, text);
  }
  for (const text of ['0x1a', '0X1A', '0b11', '0o17', 'Infinity', '-Infinity', 'NaN', '1_000', '1,5', '12abc', '', '   ', 'e5', '.', '--1']) {
    assert.equal(toNumber(text), undefined, text);
  }
  assert.equal(toNumber(7), 7);
  assert.equal(toNumber(Infinity), undefined);
  assert.equal(toNumber(true), 1);
  assert.equal(toNumber(null), undefined);
});

test('cell reads empty and whitespace-only values as null', () => {
  assert.equal(cell({ a: '  ' }, 'a'), null);
  assert.equal(cell({}, 'a'), null);
  assert.equal(cell({ a: 'x' }, 'a'), 'x');
});
