import type { RawValue, Row } from '../plugin/contracts.js';

/** A cell's value, with absent JSONL keys, empty CSV fields and whitespace-only strings all read as null. */
export function cell(row: Row, column: string): RawValue {
  const value = row[column];
  if (value === undefined || value === null) return null;
  if (typeof value === 'string' && value.trim() === '') return null;
  return value;
}

/** A finite number from a number or numeric string, else undefined. */
export function toNumber(value: RawValue): number | undefined {
  if (typeof value === 'number') return Number.isFinite(value) ? value : undefined;
  if (typeof value === 'boolean') return value ? 1 : 0;
  if (typeof value !== 'string') return undefined;
  const text = value.trim();
  if (text === '') return undefined;
  const parsed = Number(text);
  return Number.isFinite(parsed) ? parsed : undefined;
}
