import { PolymodalError } from '../errors.js';
import type { Table } from '../data/table.js';
import { didYouMean } from '../util/did-you-mean.js';

export interface ColumnUse {
  readonly column: string;
  /** JSON pointer of the manifest value that names the column. */
  readonly pointer: string;
}

/** Every column the manifest names must exist in the data file. */
export function checkColumnsExist(table: Table, uses: readonly ColumnUse[]): void {
  const present = new Set(table.columns);
  const problems = uses
    .filter((use) => !present.has(use.column))
    .map((use) => `${use.pointer}: column "${use.column}" is not in ${table.source}.${didYouMean(use.column, table.columns)}`);
  if (problems.length > 0) {
    throw new PolymodalError(`${table.source}: the manifest names ${problems.length} column${problems.length === 1 ? '' : 's'} the data does not have`, {
      problems,
      hint: `The file's columns are: ${table.columns.join(', ')}.`,
      exitCode: 2,
    });
  }
}
