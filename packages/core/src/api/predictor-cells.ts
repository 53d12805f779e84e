import type { InvalidValue, RawValue, Row } from '../plugin/contracts.js';
import { isFileColumn, type PredictorColumn } from './predictor-columns.js';

/** A cell given to a predictor: what a data file holds, or a file's bytes for an image or audio column. */
export type PredictorCell = RawValue | Uint8Array;
export type PredictorRow = Readonly<Record<string, PredictorCell | undefined>>;

const DATA_URI = /^\s*data:/i;

const PATHS_REFUSED = 'file paths are not accepted here: send the file itself (bytes, or a base64 data: URI)';

function describeValue(value: unknown): string {
  if (Array.isArray(value)) return 'a list';
  return value === null ? 'null' : typeof value === 'object' ? 'an object' : typeof value;
}

/** The cell as the encoders read it (bytes become a base64 data: URI), or why it cannot be one. */
function convertCell(column: PredictorColumn, value: unknown, allowPaths: boolean): RawValue | InvalidValue {
  const problem = (text: string): InvalidValue => ({ column: column.name, problem: text });
  if (value === undefined || value === null) return null;
  if (value instanceof Uint8Array) {
    if (!isFileColumn(column)) return problem(`bytes are accepted only in image and audio columns; this one holds ${column.type === 'number' ? 'numbers' : 'text'}`);
    return `data:application/octet-stream;base64,${Buffer.from(value.buffer, value.byteOffset, value.byteLength).toString('base64')}`;
  }
  if (typeof value === 'string') {
    if (isFileColumn(column) && !allowPaths && value.trim() !== '' && !DATA_URI.test(value)) return problem(PATHS_REFUSED);
    return value;
  }
  if (typeof value === 'number' || typeof value === 'boolean') {
    if (isFileColumn(column)) return problem(`expected a file (bytes or a data: URI), got ${describeValue(value)}`);
    return value;
  }
  return problem(`expected ${column.type === 'number' ? 'a number' : 'text'}, got ${describeValue(value)}`);
}

function isInvalid(value: RawValue | InvalidValue): value is InvalidValue {
  return value !== null && typeof value === 'object';
}

/**
 * The model's columns of a client's row as a data row (other keys are left out, so a client's object never
 * reaches the encoders), or the first cell's problem. A null-prototype object: column names are user strings.
 */
export function toDataRow(row: PredictorRow, columns: readonly PredictorColumn[], allowPaths: boolean): { row: Row } | { invalid: InvalidValue } {
  if (row === null || typeof row !== 'object' || Array.isArray(row) || row instanceof Uint8Array) {
    return { invalid: { column: '', problem: `a row must be an object of column name to value, got ${describeValue(row)}` } };
  }
  const out: Record<string, RawValue> = Object.create(null);
  for (const column of columns) {
    const value = Object.hasOwn(row, column.name) ? row[column.name] : undefined;
    const converted = convertCell(column, value, allowPaths);
    if (isInvalid(converted)) return { invalid: converted };
    out[column.name] = converted;
  }
  return { row: out };
}
