import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readTable, tableFromCsv, tableFromJsonl } from './table.js';

test('CSV rows keep their file line numbers; empty fields are null', async () => {
  const table = await tableFromCsv('x,y\n1,\n"a\nb",3\n', 'f.csv');
  assert.deepEqual(table.columns, ['x', 'y']);
  assert.deepEqual(table.rows.map((r) => ({ ...r })), [{ x: '1', y: null }, { x: 'a\nb', y: '3' }]);
  assert.deepEqual(table.lines, [2, 3]);
});

test('a CSV row with the wrong field count names its line', async () => {
  await assert.rejects(tableFromCsv('x,y\n1,2\n1,2,3\n', 'f.csv'), /f\.csv:3: 3 fields, but the header has 2/);
});

test('duplicate and empty header names are refused', async () => {
  await assert.rejects(tableFromCsv('x,x\n1,2\n', 'f.csv'), /column name "x" appears twice/);
  await assert.rejects(tableFromCsv('x,\n1,2\n', 'f.csv'), /column 2 of the header row has no name/);
});

test('JSONL keeps scalar types, collects columns in order and rejects nested values', async () => {
  const table = await tableFromJsonl('{"a":1,"b":"x"}\n\n{"b":true,"c":null}\n', 'f.jsonl');
  assert.deepEqual(table.columns, ['a', 'b', 'c']);
  assert.deepEqual(table.lines, [1, 3]);
  assert.equal(table.rows[1].b, true);
  await assert.rejects(tableFromJsonl('{"a":[1]}\n', 'f.jsonl'), /f\.jsonl:1: column "a" holds an array/);
  await assert.rejects(tableFromJsonl('{"a":1}\n{oops}\n', 'f.jsonl'), /f\.jsonl:2: not valid JSON/);
  await assert.rejects(tableFromJsonl('[1,2]\n', 'f.jsonl'), /expected a JSON object, found an array/);
});

test('readTable reports missing files, unknown extensions and empty files', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'polymodal-table-'));
  try {
    await assert.rejects(readTable(join(dir, 'missing.csv')), /missing\.csv: no such file/);
    writeFileSync(join(dir, 'data.xlsx'), 'x');
    await assert.rejects(readTable(join(dir, 'data.xlsx')), /cannot tell the format from the extension ".xlsx"/);
    writeFileSync(join(dir, 'empty.csv'), 'a,b\n');
    await assert.rejects(readTable(join(dir, 'empty.csv')), /empty\.csv: no data rows/);
    writeFileSync(join(dir, 'data.tsv'), 'a\tb\n1\t2\n');
    assert.deepEqual({ ...(await readTable(join(dir, 'data.tsv'))).rows[0] }, { a: '1', b: '2' });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
