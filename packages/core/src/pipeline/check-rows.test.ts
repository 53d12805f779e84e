import { test } from 'node:test';
import assert from 'node:assert/strict';
import { FLAG_SKIP_HINT, tableFromCsv } from '../data/table.js';
import { PolymodalError } from '../errors.js';
import type { Row } from '../plugin/contracts.js';
import { checkRows } from './check-rows.js';
import { UNREADABLE_RECORD } from './skipped-rows.js';

const positive = (column: string) => (row: Row) => (Number(row[column]) > 0 ? undefined : { column, problem: 'not positive' });

test('skipped rows and unreadable records are counted together, in line order, with their lines', async () => {
  const table = await tableFromCsv('__proto__,b\n1,2\n-1,2\n3,4,5\n6,7\n', 'f.csv', ',', { onInvalidRow: 'skip' });
  const warnings: string[] = [];
  const { valid, skipped } = checkRows(table, [positive('__proto__')], 'skip', (m) => warnings.push(m));
  assert.deepEqual(valid, [0, 2]);
  assert.equal(skipped.count, 2);
  assert.deepEqual(skipped.examples.map((e) => [e.line, e.column]), [[3, '__proto__'], [4, UNREADABLE_RECORD]]);
  assert.deepEqual(Object.entries(skipped.byColumn), [['__proto__', 1], [UNREADABLE_RECORD, 1]]);
  assert.deepEqual(JSON.parse(JSON.stringify(skipped.byColumn)), { ['__proto__']: 1, [UNREADABLE_RECORD]: 1 });
  assert.match(warnings[0], /skipped 2 of 4 rows with invalid values .* first at line 3: column "__proto__": not positive/);
});

test('a failing row names its line; the hint names the manifest key or, for predict and evaluate, the flag', async () => {
  const table = await tableFromCsv('a\n1\n-1\n', 'f.csv');
  const failure = (hint?: string) => {
    try {
      checkRows(table, [positive('a')], 'fail', () => {}, hint);
    } catch (error) {
      return error as PolymodalError;
    }
    assert.fail('no error');
  };
  assert.match(failure().message, /^f\.csv:3: column "a": not positive/);
  assert.match(failure().details.hint!, /"data\.onInvalidRow": "skip"/);
  assert.match(failure(FLAG_SKIP_HINT).details.hint!, /--on-invalid-row skip/);
  assert.doesNotMatch(failure(FLAG_SKIP_HINT).details.hint!, /data\.onInvalidRow/);
});
