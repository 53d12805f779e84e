import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FLAG_SKIP_HINT, readTable, tableFromCsv, tableFromJsonl } from './table.js';
import { PolymodalError } from '../errors.js';

const skip = { onInvalidRow: 'skip' as const };

test('under skip, broken CSV records are left out with their lines and the rest of the file still reads', async () => {
  const text = [
    'a,b',
    '1,2',
    '3,"oops"x', // text after a closing quote
    '5,6',
    '7,8"9', // a quote inside an unquoted field is a literal character, as before
    '10,11,12', // an extra field
    '13', // a missing field
    '"multi',
    'line",14',
    '15,"never closed',
    '16,17',
  ].join('\n');
  const table = await tableFromCsv(text, 'f.csv', ',', skip);
  assert.deepEqual(table.rows.map((row) => [row.a, row.b]), [['1', '2'], ['5', '6'], ['7', '8"9'], ['multi\nline', '14'], ['16', '17']]);
  assert.deepEqual(table.lines, [2, 4, 5, 8, 11]);
  assert.deepEqual(table.skippedRecords!.map((r) => r.line), [3, 6, 7, 10]);
  assert.match(table.skippedRecords![0].problem, /unexpected character "x" after a closing quote/);
  assert.match(table.skippedRecords![1].problem, /3 fields, but the header has 2/);
  assert.match(table.skippedRecords![2].problem, /1 fields, but the header has 2/);
  assert.match(table.skippedRecords![3].problem, /a quoted field is never closed/);
});

test('under fail, a broken record names its line and how to skip such records', async () => {
  await assert.rejects(tableFromCsv('a,b\n1,2\n3,"4"5\n', 'f.csv'), (error: unknown) =>
    error instanceof PolymodalError && /^f\.csv:3: unexpected character "5" after a closing quote/.test(error.message) && /"data\.onInvalidRow": "skip"/.test(error.details.hint ?? ''));
  await assert.rejects(tableFromCsv('a,b\n1,2\n3\n', 'f.csv', ',', { skipHint: FLAG_SKIP_HINT }), (error: unknown) =>
    error instanceof PolymodalError && /f\.csv:3: 1 fields/.test(error.message) && /--on-invalid-row skip/.test(error.details.hint ?? ''));
});

test('a cell or a record over the size limits is an error naming its line, or skipped', async () => {
  const limits = { maxCellBytes: 1000, maxRecordBytes: 4000 };
  const big = 'x'.repeat(2000);
  await assert.rejects(tableFromCsv(`a,b\n1,2\n3,${big}\n`, 'f.csv', ',', { limits }), /f\.csv:3: field 2 holds 2 KB, over the 1 KB limit for one cell/);
  const huge = 'y'.repeat(10_000);
  await assert.rejects(tableFromCsv(`a,b\n1,2\n3,${huge}\n5,6\n`, 'f.csv', ',', { limits }), /f\.csv:3: the record is over/);
  const skipped = await tableFromCsv(`a,b\n1,2\n3,${huge}\n5,6\n7,"${huge}\n8,9\n`, 'f.csv', ',', { limits, ...skip });
  assert.deepEqual(skipped.rows.map((row) => row.a), ['1', '5', '8']);
  assert.deepEqual(skipped.skippedRecords!.map((r) => r.line), [3, 5]);
});

test('a huge runaway cell read from a file stops at the limit without holding the file', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'polymodal-big-cell-'));
  try {
    const path = join(dir, 'big.csv');
    writeFileSync(path, `a,b\n1,"${'z'.repeat(12 * 2 ** 20)}\n2,3\n`);
    const limits = { maxCellBytes: 2 ** 20, maxRecordBytes: 4 * 2 ** 20 };
    await assert.rejects(readTable(path, { limits }), /big\.csv:2: the record is over the 4 MB limit/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('JSONL lines that are truncated, not objects or too long are skipped with their lines, or fail naming them', async () => {
  const text = '{"a":1}\n{"a":2\n[3]\n{"a":{"b":1}}\n{"a":"' + 'q'.repeat(5000) + '"}\n{"a":6}\n{"a":7';
  const limits = { maxCellBytes: 1000, maxRecordBytes: 2000 };
  const table = await tableFromJsonl(text, 'f.jsonl', { limits, ...skip });
  assert.deepEqual(table.rows.map((row) => row.a), [1, 6]);
  assert.deepEqual(table.skippedRecords!.map((r) => r.line), [2, 3, 4, 5, 7]);
  assert.match(table.skippedRecords![4].problem, /not valid JSON/);
  await assert.rejects(tableFromJsonl(text, 'f.jsonl', { limits }), /f\.jsonl:2: not valid JSON/);
});

test('a stray quote that joins rows into one cell is warned about', async () => {
  const rows = Array.from({ length: 40 }, (_, i) => `${i},v${i}`);
  rows[3] = '3,"v3';
  rows[30] = '30,v30"';
  const warnings: string[] = [];
  const table = await tableFromCsv(`id,v\n${rows.join('\n')}\n`, 'f.csv', ',', { warn: (m) => warnings.push(m) });
  assert.equal(table.rows.length, 13);
  assert.equal(warnings.length, 2);
  assert.match(warnings[0], /^f\.csv:5: 1 cell spans more than 5 lines/);
  assert.match(warnings[1], /13 rows from 41 lines: 27 lines are inside quoted cells/);
  const quiet: string[] = [];
  await tableFromCsv('id,text\n1,"two\nlines"\n2,x\n', 'f.csv', ',', { warn: (m) => quiet.push(m) });
  assert.deepEqual(quiet, []);
});
