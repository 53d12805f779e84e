import { test } from 'node:test';
import assert from 'node:assert/strict';
import { tableFromCsv, tableFromJsonl } from './table.js';
import { numberCell } from './cell.js';
import { storedNumber } from './row-view.js';

test('CSV cells read back exactly as written, numbers or not; empty cells are null', async () => {
  const cells = ['12.5', '007', '1.50', '1e5', 'NaN', 'Infinity', '-0', '  12  ', '0x1a', '3', '-0.250', '12.', '+4', '1e21'];
  const table = await tableFromCsv(`a,b\n${cells.map((c, i) => `${c},${i % 2 ? '' : i}`).join('\n')}\n`, 'f.csv');
  assert.deepEqual(table.rows.map((row) => row.a), cells);
  assert.deepEqual(table.rows.map((row) => row.b), cells.map((_, i) => (i % 2 ? null : String(i))));
  assert.deepEqual(table.rows.map((row) => numberCell(row, 'b')), cells.map((_, i) => (i % 2 ? undefined : i)));
  assert.equal(numberCell(table.rows[0], 'a'), 12.5, 'a text column still parses its decimal cells');
  assert.equal(numberCell(table.rows[8], 'a'), undefined, '0x1a is not a number');
  const fixed = await tableFromCsv('v,w\n12.300,1\n-0.50,2\n7,3\n', 'f.csv');
  assert.deepEqual(fixed.rows.map((row) => row.v), ['12.300', '-0.50', '7'], 'fixed decimals are kept as written');
  assert.deepEqual(fixed.rows.map((row) => numberCell(row, 'v')), [12.3, -0.5, 7]);
});

test('rows behave as frozen null-prototype records, whatever the column names', async () => {
  const table = await tableFromCsv('constructor,__proto__,toString\n1,x,\n', 'f.csv');
  const [row] = table.rows;
  assert.equal(row.constructor, '1');
  assert.equal(row.__proto__, 'x');
  assert.equal(row.toString, null);
  assert.equal(Object.getPrototypeOf(row), null);
  assert.deepEqual(Object.keys(row), ['constructor', '__proto__', 'toString']);
  assert.deepEqual(Object.entries(row), [['constructor', '1'], ['__proto__', 'x'], ['toString', null]]);
  assert.equal(JSON.stringify(row), '{"constructor":"1","__proto__":"x","toString":null}');
  assert.ok(Reflect.has(row, 'constructor') && !Reflect.has(row, 'valueOf'));
  const copy = { ...row };
  assert.equal(Object.hasOwn(copy, '__proto__'), true);
  const key: string = 'constructor';
  assert.throws(() => {
    (row as Record<string, unknown>)[key] = 'changed';
  }, TypeError);
  const keys: string[] = [];
  for (const key in row) keys.push(key);
  assert.deepEqual(keys, ['constructor', '__proto__', 'toString']);
});

test('JSONL keeps types, absent keys stay absent, mixed columns keep each value as it was', async () => {
  const table = await tableFromJsonl('{"n":1.5,"s":"12.5","m":1}\n{"n":null,"m":"x"}\n{"n":3,"s":"b","m":true,"late":"y"}\n', 'f.jsonl');
  assert.deepEqual(table.rows.map((row) => ({ ...row })), [
    { n: 1.5, s: '12.5', m: 1 },
    { n: null, m: 'x' },
    { n: 3, s: 'b', m: true, late: 'y' },
  ]);
  assert.equal('s' in table.rows[1], false);
  assert.equal(table.rows[1].s, undefined);
  assert.equal(numberCell(table.rows[0], 'n'), 1.5);
  assert.equal(numberCell(table.rows[1], 'n'), undefined);
});

test('many distinct strings (ids, free text) read back exactly once the column stops keeping a dictionary', async () => {
  const count = 70_000;
  const lines = Array.from({ length: count }, (_, i) => `id-${i},${i % 3 === 0 ? 'red' : 'blue'}`);
  const table = await tableFromCsv(`id,colour\n${lines.join('\n')}\n`, 'f.csv');
  assert.equal(table.rows.length, count);
  assert.equal(table.rows[count - 1].id, `id-${count - 1}`);
  assert.equal(table.rows[65_536].id, 'id-65536');
  assert.equal(table.rows[3].colour, 'red');
});

test('a column that turns from numbers to text late converts its earlier numbers exactly', async () => {
  const table = await tableFromCsv(`v,w\n${['1', '2.25', '', '1e-7', 'word'].map((v) => `${v},x`).join('\n')}\n`, 'f.csv');
  assert.deepEqual(table.rows.map((row) => row.v), ['1', '2.25', null, '1e-7', 'word']);
});

test('a few odd cells in a numeric column are kept as written and still parse as before', async () => {
  const values = Array.from({ length: 300 }, (_, i) => String(i));
  values[10] = 'n/a';
  values[20] = '-0.000';
  values[30] = '1e5';
  const table = await tableFromCsv(`v,w\n${values.map((v) => `${v},x`).join('\n')}\n`, 'f.csv');
  assert.deepEqual(table.rows.map((row) => row.v), values);
  assert.equal(numberCell(table.rows[30], 'v'), 100000);
  assert.equal(numberCell(table.rows[20], 'v'), -0);
  assert.equal(numberCell(table.rows[10], 'v'), undefined);
  assert.equal(numberCell(table.rows[11], 'v'), 11);
});

test('numeric columns are stored as numbers (fixed decimals and a few odd cells included), text columns are not', async () => {
  const lines = Array.from({ length: 500 }, (_, i) => `${(i / 7).toFixed(3)},${i === 3 ? 'n/a' : i},${i % 2 ? 'red' : 'blue'}`);
  const table = await tableFromCsv(`fixed,mostly,colour\n${lines.join('\n')}\n`, 'f.csv');
  assert.ok(table.rows.every((row) => storedNumber(row, 'fixed') !== null), 'every fixed-decimal cell is a stored number');
  assert.ok(table.rows.every((row, i) => (storedNumber(row, 'mostly') === null) === (i === 3)), 'only the odd cell is kept as text');
  assert.ok(table.rows.every((row) => storedNumber(row, 'colour') === null));
  assert.equal(storedNumber({ fixed: '1' }, 'fixed'), null, 'a plain row has nothing stored');
});
