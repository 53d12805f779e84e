import { cell, numberCell, PolymodalError, toNumber, type FeatureArrays, type FeatureSpec, type InputSpec, type InvalidValue, type Preprocessor, type Row } from '@polymodal/core';
import { inferColumnKinds, type ColumnKind } from './column-kinds.js';
import type { TabularOptions } from './options.js';

export type NumericColumnState = {
  name: string;
  kind: 'numeric';
  /** Scaled value = (raw - center) / scale. */
  center: number;
  scale: number;
  /** Raw value used for missing cells (the training mean). */
  fill: number;
  /** Whether a 0/1 "was missing" feature follows the value. */
  indicator: boolean;
};

export type CategoricalColumnState = {
  name: string;
  kind: 'categorical';
  /** Index i + RESERVED_SLOTS in the encoding; slot 0 is unknown, slot 1 is missing. */
  vocabulary: string[];
};

export type ColumnState = NumericColumnState | CategoricalColumnState;

export type TabularState = { columns: ColumnState[] };

export const UNKNOWN_SLOT = 0;
export const MISSING_SLOT = 1;
export const RESERVED_SLOTS = 2;

function categoryKey(value: unknown): string {
  return String(value).trim();
}

/**
 * Count, mean, population standard deviation, min and max of a column's numbers, without holding them in an
 * array (two passes over the rows, so the deviation is as exact as the former subtract-the-mean form).
 */
function numericSummary(rows: readonly Row[], column: string): { count: number; mean: number; deviation: number; min: number; max: number } {
  let count = 0;
  let sum = 0;
  let min = Infinity;
  let max = -Infinity;
  for (const row of rows) {
    const value = numberCell(row, column);
    if (value === undefined) continue;
    count++;
    sum += value;
    if (value < min) min = value;
    if (value > max) max = value;
  }
  const mean = count ? sum / count : 0;
  let squares = 0;
  for (const row of rows) {
    const value = numberCell(row, column);
    if (value !== undefined) squares += (value - mean) ** 2;
  }
  return { count, mean, deviation: count ? Math.sqrt(squares / count) : 0, min, max };
}

/** Numeric scaling with missing-value indicators and categorical vocabularies, fitted on the training split. */
export class TabularPreprocessor implements Preprocessor<TabularState> {
  private kinds: Record<string, ColumnKind> | undefined;
  private fitted: ColumnState[] | undefined;
  private readonly lookup = new Map<string, Map<string, number>>();

  constructor(private readonly input: InputSpec<TabularOptions>, state?: TabularState) {
    if (state) this.restore(state.columns);
  }

  inspect(rows: readonly Row[]): void {
    this.kinds = inferColumnKinds(this.input.columns, rows, this.input.options);
  }

  check(row: Row): InvalidValue | undefined {
    for (const column of this.input.columns) {
      if (this.kindOf(column) !== 'numeric' || numberCell(row, column) !== undefined) continue;
      const value = cell(row, column);
      if (value !== null && toNumber(value) === undefined) {
        return { column, problem: `${JSON.stringify(value)} is not a number (the column is numeric)` };
      }
    }
    return undefined;
  }

  fit(rows: readonly Row[]): void {
    const { scaling, missingIndicator, maxCategories, minFrequency } = this.input.options;
    const columns = this.input.columns.map((name): ColumnState => {
      if (this.kindOf(name) === 'numeric') {
        const { count, mean, deviation, min, max } = numericSummary(rows, name);
        let center = 0;
        let scale = 1;
        if (scaling === 'zscore' && count) {
          center = mean;
          scale = deviation || 1;
        } else if (scaling === 'minmax' && count) {
          center = min;
          scale = max - min || 1;
        }
        return { name, kind: 'numeric', center, scale, fill: mean, indicator: missingIndicator && count < rows.length };
      }
      const counts = new Map<string, number>();
      for (const row of rows) {
        const value = cell(row, name);
        if (value !== null) counts.set(categoryKey(value), (counts.get(categoryKey(value)) ?? 0) + 1);
      }
      const vocabulary = [...counts]
        .filter(([, count]) => count >= minFrequency)
        .sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0))
        .slice(0, maxCategories)
        .map(([value]) => value);
      return { name, kind: 'categorical', vocabulary };
    });
    this.restore(columns);
  }

  features(): FeatureSpec[] {
    const columns = this.columns();
    const numericWidth = columns.reduce((w, c) => w + (c.kind === 'numeric' ? 1 + (c.indicator ? 1 : 0) : 0), 0);
    const categorical = columns.filter((c): c is CategoricalColumnState => c.kind === 'categorical');
    if (this.input.options.categoricalEncoding === 'onehot') {
      const width = numericWidth + categorical.reduce((w, c) => w + c.vocabulary.length + RESERVED_SLOTS, 0);
      return [{ key: 'features', shape: [width], dtype: 'float32' }];
    }
    const specs: FeatureSpec[] = [];
    if (numericWidth > 0) specs.push({ key: 'numeric', shape: [numericWidth], dtype: 'float32' });
    if (categorical.length > 0) specs.push({ key: 'categories', shape: [categorical.length], dtype: 'int32' });
    return specs;
  }

  /** Total embedding rows when categories share one table with per-column offsets. */
  categorySlots(): number[] {
    return this.columns().filter((c): c is CategoricalColumnState => c.kind === 'categorical').map((c) => c.vocabulary.length + RESERVED_SLOTS);
  }

  transform(rows: readonly Row[]): FeatureArrays {
    const columns = this.columns();
    const features = this.features();
    const onehot = this.input.options.categoricalEncoding === 'onehot';
    const numericWidth = columns.reduce((w, c) => w + (c.kind === 'numeric' ? 1 + (c.indicator ? 1 : 0) : 0), 0);
    const width = onehot ? features[0].shape[0] : numericWidth;
    const dense = new Float32Array(rows.length * width);
    const categoricalCount = columns.filter((c) => c.kind === 'categorical').length;
    const ids = onehot ? undefined : new Int32Array(rows.length * categoricalCount);
    rows.forEach((row, r) => {
      let offset = r * width;
      let categoryIndex = 0;
      let slotOffset = 0;
      for (const column of columns) {
        // Numeric values come first in each row; categorical one-hot blocks follow at numericWidth.
        if (column.kind === 'numeric') {
          const number = numberCell(row, column.name);
          dense[offset++] = ((number ?? column.fill) - column.center) / column.scale;
          if (column.indicator) dense[offset++] = number === undefined ? 1 : 0;
          continue;
        }
        const value = cell(row, column.name);
        const slot = value === null ? MISSING_SLOT : this.lookup.get(column.name)!.get(categoryKey(value)) ?? UNKNOWN_SLOT;
        if (onehot) {
          dense[r * width + numericWidth + slotOffset + slot] = 1;
        } else {
          ids![r * categoricalCount + categoryIndex] = slotOffset + slot;
        }
        slotOffset += column.vocabulary.length + RESERVED_SLOTS;
        categoryIndex++;
      }
    });
    if (onehot) return { features: dense };
    const out: FeatureArrays = {};
    if (numericWidth > 0) out.numeric = dense;
    if (ids && categoricalCount > 0) out.categories = ids;
    return out;
  }

  state(): TabularState {
    return { columns: this.columns().map((c) => ({ ...c })) };
  }

  private columns(): ColumnState[] {
    if (!this.fitted) throw new Error(`tabular preprocessor for input "${this.input.name}" used before fit`);
    return this.fitted;
  }

  private kindOf(column: string): ColumnKind {
    if (this.fitted) return this.fitted.find((c) => c.name === column)!.kind;
    if (!this.kinds) throw new Error(`tabular preprocessor for input "${this.input.name}" used before inspect`);
    return this.kinds[column];
  }

  private restore(columns: ColumnState[]): void {
    const names = columns.map((c) => c.name).join(',');
    if (names !== this.input.columns.join(',')) {
      throw new PolymodalError(`input "${this.input.name}": saved tabular state covers columns ${names}, the manifest lists ${this.input.columns.join(',')}`);
    }
    this.fitted = columns;
    this.lookup.clear();
    for (const column of columns) {
      if (column.kind === 'categorical') this.lookup.set(column.name, new Map(column.vocabulary.map((v, i) => [v, i + RESERVED_SLOTS])));
    }
  }
}
