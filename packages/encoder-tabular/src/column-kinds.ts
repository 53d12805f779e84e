import { cell, toNumber, type Row } from '@polymodal/core';
import type { TabularOptions } from './options.js';

export type ColumnKind = 'numeric' | 'categorical';

/** A column is numeric when at least this share of its non-missing values are numbers; the rest are then errors. */
const NUMERIC_SHARE = 0.9;
/** Below this many values a single non-number makes the column categorical. */
const MIN_VALUES_FOR_TOLERANCE = 10;

/** Numeric or categorical per column: from the options, else from the values (types only, no statistics). */
export function inferColumnKinds(columns: readonly string[], rows: readonly Row[], options: TabularOptions): Record<string, ColumnKind> {
  // Column names are user strings ("constructor" is a fine column name): no prototype to collide with.
  const kinds: Record<string, ColumnKind> = Object.create(null);
  for (const column of columns) {
    if (options.numeric?.includes(column)) kinds[column] = 'numeric';
    else if (options.categorical?.includes(column)) kinds[column] = 'categorical';
    else {
      let present = 0;
      let numbers = 0;
      let booleans = 0;
      for (const row of rows) {
        const value = cell(row, column);
        if (value === null) continue;
        present++;
        if (typeof value === 'boolean') booleans++;
        else if (toNumber(value) !== undefined) numbers++;
      }
      const share = present === 0 ? 0 : numbers / present;
      const numeric = booleans === 0 && present > 0 && (share === 1 || (present >= MIN_VALUES_FOR_TOLERANCE && share >= NUMERIC_SHARE));
      kinds[column] = numeric ? 'numeric' : 'categorical';
    }
  }
  return kinds;
}
