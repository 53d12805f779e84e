import type { RawValue, Row } from '../plugin/contracts.js';
import type { Column } from './columns.js';

/** The slot behind a row view, so core's own readers can reach the stored numbers without parsing text. */
const VIEW_SLOT = Symbol('polymodal.rowSlot');

class RowSlot {
  constructor(readonly index: number, readonly columns: ReadonlyMap<string, Column>) {}
}

/**
 * Rows that read their cells from a table's column arrays. Each row is a Proxy over a one-number slot: it
 * behaves as a frozen, null-prototype record (`row[column]`, `in`, Object.keys/entries, spread, JSON.stringify),
 * so plugins see the `Row` they always did, and a column named "constructor" or "__proto__" is just a column.
 */
export function rowViews(names: readonly string[], columns: readonly Column[], count: number): Row[] {
  const byName = new Map<string, Column>(names.map((name, i) => [name, columns[i]]));
  const valueOf = (slot: RowSlot, key: string | symbol): RawValue | undefined =>
    typeof key === 'string' ? byName.get(key)?.get(slot.index) : undefined;
  const refuse = (): boolean => false;
  const handler: ProxyHandler<RowSlot> = {
    get: (slot, key) => (key === VIEW_SLOT ? slot : valueOf(slot, key)),
    has: (slot, key) => valueOf(slot, key) !== undefined,
    ownKeys: (slot) => names.filter((name) => byName.get(name)!.get(slot.index) !== undefined),
    getOwnPropertyDescriptor: (slot, key) => {
      const value = valueOf(slot, key);
      return value === undefined ? undefined : { value, writable: false, enumerable: true, configurable: true };
    },
    getPrototypeOf: () => null,
    set: refuse,
    defineProperty: refuse,
    deleteProperty: refuse,
    setPrototypeOf: refuse,
  };
  const rows = new Array<Row>(count);
  for (let i = 0; i < count; i++) rows[i] = new Proxy(new RowSlot(i, byName), handler) as unknown as Row;
  return rows;
}

/**
 * A cell straight from a numeric column of a row view: the finite number, or undefined when it is missing.
 * Null when the row is not a view, its column does not store numbers or the cell is kept as text: the
 * caller then parses the value.
 */
export function storedNumber(row: Row, column: string): number | undefined | null {
  const slot = (row as unknown as Record<symbol, RowSlot | undefined>)[VIEW_SLOT];
  const stored = slot?.columns.get(column);
  return stored?.number ? stored.number(slot!.index) : null;
}
