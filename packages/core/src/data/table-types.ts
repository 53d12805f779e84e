import type { Row } from '../plugin/contracts.js';
import type { MalformedRecord } from './csv-records.js';

// The table's shape on its own, so the readers that build tables (directory-table, table-builder) and table.ts,
// which picks the reader, do not import each other.

export type TableFormat = 'csv' | 'jsonl' | 'directory';

/** Rows as read from one file; values are untyped until an encoder or the label parser reads them. */
export interface Table {
  readonly source: string;
  readonly format: TableFormat;
  readonly columns: readonly string[];
  readonly rows: readonly Row[];
  /** 1-based line number in `source` of each row (its position, for a folder). */
  readonly lines: readonly number[];
  /** For a folder source, each row's file, which names it better than a number. */
  readonly rowNames?: readonly string[];
  /** Records left out because they could not be read (under `onInvalidRow: "skip"`), with their lines. */
  readonly skippedRecords?: readonly MalformedRecord[];
}
