import { PolymodalError } from '../errors.js';
import { describeRow, MANIFEST_SKIP_HINT, type Table } from '../data/table.js';
import type { InvalidValue, Row } from '../plugin/contracts.js';
import { describeSkipped, emptySkippedRows, recordSkipped, UNREADABLE_RECORD, type SkippedRows } from './skipped-rows.js';

export type RowCheck = (row: Row) => InvalidValue | undefined;

export interface CheckedRows {
  /** Indices into table.rows of the usable rows. */
  readonly valid: number[];
  readonly skipped: SkippedRows;
}

/**
 * Applies every check to every row; fails at the first bad row, or skips and counts bad rows together with
 * the records the reader could not read (table.skippedRecords), in line order.
 * @param skipHint how the caller asks for skipping (the manifest key, or predict's and evaluate's flag).
 */
export function checkRows(table: Table, checks: readonly RowCheck[], policy: 'fail' | 'skip', warn: (message: string) => void, skipHint = MANIFEST_SKIP_HINT): CheckedRows {
  const valid: number[] = [];
  const skipped = emptySkippedRows();
  const unreadable = table.skippedRecords ?? [];
  let nextUnreadable = 0;
  const recordUnreadableBefore = (line: number) => {
    for (; nextUnreadable < unreadable.length && unreadable[nextUnreadable].line < line; nextUnreadable++) {
      const record = unreadable[nextUnreadable];
      recordSkipped(skipped, record.line, { column: UNREADABLE_RECORD, problem: record.problem });
    }
  };
  table.rows.forEach((row, index) => {
    let invalid: InvalidValue | undefined;
    for (const check of checks) {
      invalid = check(row);
      if (invalid) break;
    }
    const line = table.lines[index];
    recordUnreadableBefore(line);
    if (!invalid) {
      valid.push(index);
      return;
    }
    if (policy === 'fail') {
      throw new PolymodalError(`${describeRow(table, index)}: column "${invalid.column}": ${invalid.problem}`, {
        hint: `Fix the value, or ${skipHint}.`,
      });
    }
    recordSkipped(skipped, line, invalid);
  });
  recordUnreadableBefore(Infinity);
  if (skipped.count > 0) warn(describeSkipped(skipped, table.source, table.rows.length + unreadable.length));
  if (valid.length === 0) {
    throw new PolymodalError(`${table.source}: every row has an invalid value`, { hint: 'Check the column names and the data format.' });
  }
  return { valid, skipped };
}
