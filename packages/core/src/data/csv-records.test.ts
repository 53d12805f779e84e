import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createRandom } from '../util/random.js';
import { CsvRecordReader, type MalformedRecord } from './csv-records.js';

const PIECES = ['a', 'bc', ',', ',', '"', '""', '\n', '\n', '\r\n', '\r', ' ', '1.5', 'é', '€'];

async function readInChunks(text: string, chunkBytes: number) {
  const records: { fields: string[]; line: number }[] = [];
  const skipped: MalformedRecord[] = [];
  const reader = new CsvRecordReader('f.csv', ',', { record: (fields, line) => records.push({ fields, line }), malformed: (m) => skipped.push(m) });
  const bytes = Buffer.from(text);
  for (let i = 0; i < bytes.length; i += chunkBytes) await reader.write(bytes.subarray(i, i + chunkBytes));
  const summary = await reader.end();
  return { records, skipped, summary };
}

test('records, lines and skipped records do not depend on where the chunks split the bytes', async () => {
  const random = createRandom(11);
  for (let n = 0; n < 1500; n++) {
    let text = '';
    const length = 1 + Math.floor(random.next() * 30);
    for (let i = 0; i < length; i++) text += PIECES[Math.floor(random.next() * PIECES.length)];
    const whole = await readInChunks(text, 1 << 20);
    for (const chunk of [1, 2, 3, 7]) {
      assert.deepEqual(await readInChunks(text, chunk), whole, `${JSON.stringify(text)} in chunks of ${chunk} bytes`);
    }
  }
});

test('a multi-byte character split across chunks decodes whole', async () => {
  const { records } = await readInChunks('a,b\n€é,"x€"\n', 1);
  assert.deepEqual(records.map((r) => r.fields), [['a', 'b'], ['€é', 'x€']]);
});
