import type { RawValue } from '../plugin/contracts.js';
import { ColumnBuilder } from './columns.js';
import type { MalformedRecord } from './csv-records.js';
import { rowViews } from './row-view.js';
import type { Table, TableFormat } from './table-types.js';

/** Collects rows column by column (see ColumnBuilder) and hands them out as row views. */
export class TableBuilder {
  private readonly names: string[] = [];
  private readonly builders: ColumnBuilder[] = [];
  private readonly indexOf = new Map<string, number>();
  private readonly lines: number[] = [];
  readonly skipped: MalformedRecord[] = [];

  /** @param textCells CSV (cells are text; empty cells are null) rather than JSONL (typed values). */
  constructor(private readonly textCells: boolean) {}

  get rowCount(): number {
    return this.lines.length;
  }

  get columns(): readonly string[] {
    return this.names;
  }

  setColumns(names: readonly string[]): void {
    for (const name of names) this.column(name);
  }

  /** A CSV record, one field per column. */
  addFields(fields: readonly string[], line: number): void {
    for (let i = 0; i < this.builders.length; i++) {
      const field = fields[i];
      this.builders[i].append(field === '' ? null : field);
    }
    this.lines.push(line);
  }

  /** A JSONL object: its keys become columns as they are first seen; missing keys read as absent. */
  addObject(values: Record<string, RawValue>, line: number): void {
    for (const key of Object.keys(values)) this.column(key);
    for (let i = 0; i < this.builders.length; i++) {
      const name = this.names[i];
      this.builders[i].append(Object.hasOwn(values, name) ? values[name] : undefined);
    }
    this.lines.push(line);
  }

  build(source: string, format: TableFormat): Table {
    const columns = this.builders.map((builder) => builder.build());
    return {
      source,
      format,
      columns: this.names,
      rows: rowViews(this.names, columns, this.lines.length),
      lines: this.lines,
      skippedRecords: this.skipped,
    };
  }

  private column(name: string): number {
    let index = this.indexOf.get(name);
    if (index === undefined) {
      index = this.names.length;
      this.indexOf.set(name, index);
      this.names.push(name);
      const builder = new ColumnBuilder(this.textCells);
      builder.padTo(this.lines.length);
      this.builders.push(builder);
    }
    return index;
  }
}
