import type { RawValue, Row } from '../plugin/contracts.js';
import { storedNumber } from './row-view.js';

/** A cell's value, with absent JSONL keys, empty CSV fields and whitespace-only strings all read as null. */
export function cell(row: Row, column: string): RawValue {
  const value = row[column];
  if (value === undefined || value === null) return null;
  if (typeof value === 'string' && value.trim() === '') return null;
  return value;
}

/**
 * Plain decimal notation only: an optional sign, digits with an optional fraction, an optional exponent.
 * Number() also reads "0x1a" (26), "0b11", "0o7" and "Infinity", which in a data file are far more likely
 * a code or a typo than a number, so they stay text (and a numeric column reports them as invalid).
 */
const DECIMAL = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/;

/** A finite number from a number or a decimal string (surrounding spaces allowed), else undefined. */
export function toNumber(value: RawValue): number | undefined {
  if (typeof value === 'number') return Number.isFinite(value) ? value : undefined;
  if (typeof value === 'boolean') return value ? 1 : 0;
  if (typeof value !== 'string') return undefined;
  const text = value.trim();
  if (!DECIMAL.test(text)) return undefined;
  const parsed = Number(text);
  return Number.isFinite(parsed) ? parsed : undefined;
}

/** `toNumber(cell(row, column))`, read straight from the stored number when the row is a compact table's. */
export function numberCell(row: Row, column: string): number | undefined {
  const stored = storedNumber(row, column);
  return stored === null ? toNumber(cell(row, column)) : stored;
}
