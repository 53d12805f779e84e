import { PolymodalError } from '../errors.js';
import { describeRow, type Table } from '../data/table.js';
import type { InvalidValue, Row } from '../plugin/contracts.js';
import { describeSkipped, emptySkippedRows, recordSkipped, type SkippedRows } from './skipped-rows.js';

export type RowCheck = (row: Row) => InvalidValue | undefined;

export interface CheckedRows {
  /** Indices into table.rows of the usable rows. */
  readonly valid: number[];
  readonly skipped: SkippedRows;
}

/** Applies every check to every row; fails at the first bad row, or skips and counts bad rows. */
export function checkRows(table: Table, checks: readonly RowCheck[], policy: 'fail' | 'skip', warn: (message: string) => void): CheckedRows {
  const valid: number[] = [];
  const skipped = emptySkippedRows();
  table.rows.forEach((row, index) => {
    let invalid: InvalidValue | undefined;
    for (const check of checks) {
      invalid = check(row);
      if (invalid) break;
    }
    if (!invalid) {
      valid.push(index);
      return;
    }
    const line = table.lines[index];
    if (policy === 'fail') {
      throw new PolymodalError(`${describeRow(table, index)}: column "${invalid.column}": ${invalid.problem}`, {
        hint: 'Fix the value, or set "data.onInvalidRow": "skip" to leave such rows out (they are counted and reported).',
      });
    }
    recordSkipped(skipped, line, invalid);
  });
  if (skipped.count > 0) warn(describeSkipped(skipped, table.source, table.rows.length));
  if (valid.length === 0) {
    throw new PolymodalError(`${table.source}: every row has an invalid value`, { hint: 'Check the column names and the data format.' });
  }
  return { valid, skipped };
}
