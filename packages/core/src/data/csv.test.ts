import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseCsv } from './csv.js';
import { PolymodalError } from '../errors.js';

test('parses RFC 4180 quoting: delimiters, doubled quotes and newlines inside quotes', async () => {
  const records = await parseCsv('a,b,c\n"x, y","say ""hi""","two\nlines"\n1,2,3\n', 'f.csv');
  assert.deepEqual(records.map((r) => r.fields), [['a', 'b', 'c'], ['x, y', 'say "hi"', 'two\nlines'], ['1', '2', '3']]);
  assert.deepEqual(records.map((r) => r.line), [1, 2, 4]);
});

test('handles CRLF, a byte order mark, empty fields, blank lines and no final newline', async () => {
  const records = await parseCsv('\uFEFFa,b\r\n1,\r\n\r\n,2', 'f.csv');
  assert.deepEqual(records.map((r) => r.fields), [['a', 'b'], ['1', ''], ['', '2']]);
  assert.deepEqual(records.map((r) => r.line), [1, 2, 4]);
});

test('another delimiter', async () => {
  assert.deepEqual((await parseCsv('a\tb\n1\t"x\ty"\n', 'f.tsv', '\t')).map((r) => r.fields), [['a', 'b'], ['1', 'x\ty']]);
});

test('an unterminated quote names the line where the field starts', async () => {
  await assert.rejects(parseCsv('a,b\n1,2\n3,"oops\n4,5\n', 'data.csv'), (error: unknown) =>
    error instanceof PolymodalError && /data\.csv:3: a quoted field is never closed/.test(error.message));
});

test('text after a closing quote is an error', async () => {
  await assert.rejects(parseCsv('a\n"x"y\n', 'data.csv'), /data\.csv:2: unexpected character "y" after a closing quote/);
});
