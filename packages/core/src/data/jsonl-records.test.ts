import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { RawValue } from '../plugin/contracts.js';
import type { MalformedRecord } from './csv-records.js';
import { JsonlRecordReader } from './jsonl-records.js';

function read(text: string, chunkBytes: number, maxLineBytes = 1000) {
  const records: { values: Record<string, RawValue>; line: number }[] = [];
  const skipped: MalformedRecord[] = [];
  const reader = new JsonlRecordReader({ record: (values, line) => records.push({ values, line }), malformed: (m) => skipped.push(m) }, { maxCellBytes: 100, maxLineBytes });
  const bytes = Buffer.from(text);
  for (let i = 0; i < bytes.length; i += chunkBytes) reader.write(bytes.subarray(i, i + chunkBytes));
  reader.end();
  return { records, skipped };
}

test('JSONL lines read the same whatever the chunks, with CRLF, a BOM, blank lines and multi-byte characters', () => {
  const text = '\uFEFF{"a":"€é"}\r\n\r\n{"a":2,"__proto__":"x"}\n{"a":\n{"b":"' + 'z'.repeat(200) + '"}\n{"a":3}';
  const whole = read(text, 1 << 20);
  assert.deepEqual(whole.records.map((r) => [r.values.a, r.line]), [['€é', 1], [2, 3], [3, 6]]);
  assert.equal(Object.hasOwn(whole.records[1].values, '__proto__'), true);
  assert.deepEqual(whole.skipped.map((s) => s.line), [4, 5]);
  for (const chunk of [1, 2, 3, 7]) assert.deepEqual(read(text, chunk), whole, `chunks of ${chunk} bytes`);
});

test('a JSONL line over the limit is reported once and dropped without being held', () => {
  const { records, skipped } = read(`{"a":1}\n{"a":"${'q'.repeat(5000)}"}\n{"a":2}\n`, 64, 1000);
  assert.deepEqual(records.map((r) => r.values.a), [1, 2]);
  assert.deepEqual(skipped.map((s) => [s.line, s.problem]), [[2, 'the line is over the 1 KB limit for one line']]);
});
