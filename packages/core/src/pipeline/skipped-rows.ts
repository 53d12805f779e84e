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

export function recordSkipped(skipped: SkippedRows, line: number, invalid: InvalidValue): void {
  skipped.count++;
  skipped.byColumn[invalid.column] = (skipped.byColumn[invalid.column] ?? 0) + 1;
  if (skipped.examples.length < EXAMPLES_KEPT) skipped.examples.push({ line, ...invalid });
}

export function describeSkipped(skipped: SkippedRows, source: string, total: number): string {
  const columns = Object.entries(skipped.byColumn).map(([column, n]) => `${column}: ${n}`).join(', ');
  return `${source}: skipped ${skipped.count} of ${total} rows with invalid values (${columns}); first at line ${skipped.examples[0]?.line}: ${skipped.examples[0]?.problem}`;
}
