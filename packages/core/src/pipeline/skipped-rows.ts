import type { InvalidValue } from '../plugin/contracts.js';

export interface SkippedRow {
  readonly line: number;
  readonly column: string;
  readonly problem: string;
}

/** Rows left out under `onInvalidRow: "skip"`: counted per column, with the first few kept as examples. */
export interface SkippedRows {
  count: number;
  byColumn: Record<string, number>;
  examples: SkippedRow[];
}

const EXAMPLES_KEPT = 10;

export function emptySkippedRows(): SkippedRows {
  return { count: 0, byColumn: {}, examples: [] };
}

/** The `byColumn` key of records that could not be read at all (broken quotes, wrong field count, bad JSON). */
export const UNREADABLE_RECORD = '(unreadable record)';

export function recordSkipped(skipped: SkippedRows, line: number, invalid: InvalidValue): void {
  skipped.count++;
  const before = Object.hasOwn(skipped.byColumn, invalid.column) ? skipped.byColumn[invalid.column] : 0;
  // defineProperty: a column named "__proto__" is a key like any other, not the object's prototype.
  Object.defineProperty(skipped.byColumn, invalid.column, { value: before + 1, enumerable: true, writable: true, configurable: true });
  if (skipped.examples.length < EXAMPLES_KEPT) skipped.examples.push({ line, ...invalid });
}

export function describeSkipped(skipped: SkippedRows, source: string, total: number): string {
  const columns = Object.entries(skipped.byColumn).map(([column, n]) => `${column}: ${n}`).join(', ');
  const first = skipped.examples[0];
  return `${source}: skipped ${skipped.count} of ${total} rows with invalid values (${columns}); first at line ${first?.line}: ${first?.column === UNREADABLE_RECORD ? '' : `column "${first?.column}": `}${first?.problem}`;
}
