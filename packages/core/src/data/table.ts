import { readFile } from 'node:fs/promises';
import { extname } from 'node:path';
import { PolymodalError } from '../errors.js';
import type { RawValue, Row } from '../plugin/contracts.js';
import { parseCsv } from './csv.js';
import { isDirectory, tableFromDirectory } from './directory-table.js';

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
}

/** Where a row came from, for messages: `data.csv:12`, or `images/cat/01.png` for a folder source. */
export function describeRow(table: Table, index: number): string {
  return table.rowNames ? `${table.source}/${table.rowNames[index]}` : `${table.source}:${table.lines[index]}`;
}

export interface ReadTableOptions {
  format?: Exclude<TableFormat, 'directory'>;
  delimiter?: string;
  /** What to tell the user when the file is missing (where the path came from). */
  missingHint?: string;
}

export function formatOf(path: string, format?: Exclude<TableFormat, 'directory'>): Exclude<TableFormat, 'directory'> {
  if (format) return format;
  const extension = extname(path).toLowerCase();
  if (extension === '.csv' || extension === '.tsv' || extension === '.txt') return 'csv';
  if (extension === '.jsonl' || extension === '.ndjson') return 'jsonl';
  throw new PolymodalError(`${path}: cannot tell the format from the extension "${extension}"`, {
    hint: 'Use a .csv, .tsv or .jsonl file, or set "data.format" to "csv" or "jsonl".',
  });
}

/** A CSV or JSONL file, or a folder of class subfolders (see tableFromDirectory). */
export async function readTable(path: string, options: ReadTableOptions = {}): Promise<Table> {
  if (await isDirectory(path)) {
    const table = await tableFromDirectory(path);
    if (table.rows.length === 0) throw new PolymodalError(`${path}: the class subfolders hold no files`);
    return table;
  }
  const format = formatOf(path, options.format);
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new PolymodalError(`${path}: ${code === 'ENOENT' ? 'no such file' : `cannot read (${code})`}`, {
      hint: options.missingHint ?? 'Paths in a manifest are relative to the manifest file.',
      cause: error,
    });
  }
  const delimiter = options.delimiter ?? (extname(path).toLowerCase() === '.tsv' ? '\t' : ',');
  const table = format === 'csv' ? tableFromCsv(text, path, delimiter) : tableFromJsonl(text, path);
  if (table.rows.length === 0) {
    throw new PolymodalError(`${path}: no data rows`, { hint: 'The file needs a header row and at least one data row.' });
  }
  return table;
}

export function tableFromCsv(text: string, source: string, delimiter = ','): Table {
  const records = parseCsv(text, source, delimiter);
  if (records.length === 0) return { source, format: 'csv', columns: [], rows: [], lines: [] };
  const header = records[0].fields.map((name) => name.trim());
  const seen = new Set<string>();
  header.forEach((name, index) => {
    if (name === '') throw new PolymodalError(`${source}:1: column ${index + 1} of the header row has no name`);
    if (seen.has(name)) throw new PolymodalError(`${source}:1: column name "${name}" appears twice in the header row`);
    seen.add(name);
  });
  const rows: Row[] = [];
  const lines: number[] = [];
  for (const record of records.slice(1)) {
    if (record.fields.length !== header.length) {
      throw new PolymodalError(
        `${source}:${record.line}: ${record.fields.length} fields, but the header has ${header.length}`,
        { hint: 'Quote fields that contain the delimiter ("a, b") and check for missing or extra delimiters.' },
      );
    }
    const row: Record<string, RawValue> = Object.create(null);
    header.forEach((name, index) => {
      const value = record.fields[index];
      row[name] = value === '' ? null : value;
    });
    rows.push(row);
    lines.push(record.line);
  }
  return { source, format: 'csv', columns: header, rows, lines };
}

export function tableFromJsonl(text: string, source: string): Table {
  const rows: Row[] = [];
  const lines: number[] = [];
  const columns: string[] = [];
  const known = new Set<string>();
  const textLines = text.split(/\r?\n/);
  textLines.forEach((lineText, index) => {
    const line = index + 1;
    if (lineText.trim() === '') return;
    let parsed: unknown;
    try {
      parsed = JSON.parse(index === 0 ? lineText.replace(/^\uFEFF/, '') : lineText);
    } catch (error) {
      throw new PolymodalError(`${source}:${line}: not valid JSON (${(error as Error).message})`, {
        hint: 'Each line of a JSONL file must be one JSON object.',
      });
    }
    if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) {
      throw new PolymodalError(`${source}:${line}: expected a JSON object, found ${Array.isArray(parsed) ? 'an array' : typeof parsed}`);
    }
    const row: Record<string, RawValue> = Object.create(null);
    for (const [key, value] of Object.entries(parsed as Record<string, unknown>)) {
      if (value !== null && typeof value === 'object') {
        throw new PolymodalError(`${source}:${line}: column "${key}" holds ${Array.isArray(value) ? 'an array' : 'an object'}`, {
          hint: 'Cells must be strings, numbers, booleans or null.',
        });
      }
      if (!known.has(key)) {
        known.add(key);
        columns.push(key);
      }
      row[key] = value as RawValue;
    }
    rows.push(row);
    lines.push(line);
  });
  return { source, format: 'jsonl', columns, rows, lines };
}
