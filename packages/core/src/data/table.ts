import { createReadStream } from 'node:fs';
import { open } from 'node:fs/promises';
import { extname } from 'node:path';
import { PolymodalError } from '../errors.js';

type Chunks = AsyncIterable<Buffer | string> | Iterable<Buffer | string>;
import { CsvRecordReader, DEFAULT_CSV_LIMITS, type CsvLimits, type CsvReadSummary, type MalformedRecord } from './csv-records.js';
import { isDirectory, tableFromDirectory } from './directory-table.js';
import { JsonlRecordReader } from './jsonl-records.js';
import { TableBuilder } from './table-builder.js';

export type { Table, TableFormat } from './table-types.js';
import type { Table, TableFormat } from './table-types.js';

/** Where a row came from, for messages: `data.csv:12`, or `images/cat/01.png` for a folder source. */
export function describeRow(table: Table, index: number): string {
  return table.rowNames ? `${table.source}/${table.rowNames[index]}` : `${table.source}:${table.lines[index]}`;
}

export interface ReadTableOptions {
  format?: Exclude<TableFormat, 'directory'>;
  delimiter?: string;
  /** What to tell the user when the file is missing (where the path came from). */
  missingHint?: string;
  /** A record that cannot be read (broken quotes, wrong field count, bad JSON): fail, or leave it out and count it. */
  onInvalidRow?: 'fail' | 'skip';
  /** How the user asks for skipping, for the hint of a `fail` error. */
  skipHint?: string;
  /** Loud warnings about data that reads but is probably wrong (quotes that joined rows). */
  warn?: (message: string) => void;
  limits?: CsvLimits;
}

/** How to ask for skipping when the caller is a manifest (train, validate); predict and evaluate pass their flag. */
export const MANIFEST_SKIP_HINT = 'set "data.onInvalidRow": "skip" to leave such rows out (they are counted and reported)';
export const FLAG_SKIP_HINT = 'pass --on-invalid-row skip to leave such rows out (they are counted and reported)';

/** Reads a file in chunks of this size; only the current record is held as text. */
const CHUNK_BYTES = 1 << 20;

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
    const table = await tableFromDirectory(path, options.warn);
    if (table.rows.length === 0) throw new PolymodalError(`${path}: the class subfolders hold no files`);
    return table;
  }
  const format = formatOf(path, options.format);
  await checkReadable(path, options.missingHint);
  const delimiter = options.delimiter ?? (extname(path).toLowerCase() === '.tsv' ? '\t' : ',');
  const chunks = createReadStream(path, { highWaterMark: CHUNK_BYTES });
  const table = format === 'csv' ? await readCsvTable(chunks, path, delimiter, options) : await readJsonlTable(chunks, path, options);
  if (table.rows.length === 0 && (table.skippedRecords?.length ?? 0) === 0) {
    throw new PolymodalError(`${path}: no data rows`, { hint: 'The file needs a header row and at least one data row.' });
  }
  return table;
}

async function checkReadable(path: string, missingHint: string | undefined): Promise<void> {
  try {
    await (await open(path, 'r')).close();
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new PolymodalError(`${path}: ${code === 'ENOENT' ? 'no such file' : `cannot read (${code})`}`, {
      hint: missingHint ?? 'Paths in a manifest are relative to the manifest file.',
      cause: error,
    });
  }
}

/** Throws (fail) or keeps the record for the skipped-rows report (skip). */
function malformedHandler(source: string, builder: TableBuilder, options: ReadTableOptions): (record: MalformedRecord) => void {
  return (record) => {
    if (options.onInvalidRow === 'skip') {
      builder.skipped.push(record);
      return;
    }
    throw new PolymodalError(`${source}:${record.line}: ${record.problem}`, {
      hint: `${record.hint} Or ${options.skipHint ?? MANIFEST_SKIP_HINT}.`,
    });
  };
}

function checkHeader(header: readonly string[], source: string): void {
  const seen = new Set<string>();
  header.forEach((name, index) => {
    if (name === '') throw new PolymodalError(`${source}:1: column ${index + 1} of the header row has no name`);
    if (seen.has(name)) throw new PolymodalError(`${source}:1: column name "${name}" appears twice in the header row`);
    seen.add(name);
  });
}

/** CSV with a header row; see CsvRecordReader for the quoting rules. */
export async function readCsvTable(chunks: Chunks, source: string, delimiter = ',', options: ReadTableOptions = {}): Promise<Table> {
  const builder = new TableBuilder(true);
  const malformed = malformedHandler(source, builder, options);
  let width = -1;
  const reader = new CsvRecordReader(source, delimiter, {
    record(fields, line) {
      if (width < 0) {
        const header = fields.map((name) => name.trim());
        checkHeader(header, source);
        builder.setColumns(header);
        width = header.length;
        return;
      }
      if (fields.length !== width) {
        malformed({
          line,
          problem: `${fields.length} fields, but the header has ${width}`,
          hint: 'Quote fields that contain the delimiter ("a, b") and check for missing or extra delimiters.',
        });
        return;
      }
      builder.addFields(fields, line);
    },
    malformed,
  }, options.limits ?? DEFAULT_CSV_LIMITS);
  for await (const chunk of chunks) await reader.write(typeof chunk === 'string' ? Buffer.from(chunk) : chunk);
  const summary = await reader.end();
  if (options.warn) warnAboutJoinedRows(summary, builder.rowCount + builder.skipped.length, source, options.warn);
  return builder.build(source, 'csv');
}

/** Quoted cells that span many lines read fine but are usually a stray quote that joined rows into one cell. */
function warnAboutJoinedRows(summary: CsvReadSummary, rows: number, source: string, warn: (message: string) => void): void {
  if (summary.tallCells > 0) {
    warn(`${source}:${summary.firstTallCellLine}: ${summary.tallCells} cell${summary.tallCells === 1 ? ' spans' : 's span'} more than 5 lines; ` +
      'a stray double quote joins the rows that follow it into one cell. Check the quotes near that line.');
  }
  if (summary.lines >= 20 && summary.linesInsideCells * 5 > summary.lines) {
    warn(`${source}: ${rows} rows from ${summary.lines} lines: ${summary.linesInsideCells} lines are inside quoted cells. ` +
      'If each row should be one line, a stray double quote has joined rows.');
  }
}

/** One JSON object per line; its keys are the columns, in the order first seen. */
export async function readJsonlTable(chunks: Chunks, source: string, options: ReadTableOptions = {}): Promise<Table> {
  const builder = new TableBuilder(false);
  const limits = options.limits ?? DEFAULT_CSV_LIMITS;
  const reader = new JsonlRecordReader(
    { record: (values, line) => builder.addObject(values, line), malformed: malformedHandler(source, builder, options) },
    { maxCellBytes: limits.maxCellBytes, maxLineBytes: limits.maxRecordBytes },
  );
  for await (const chunk of chunks) reader.write(typeof chunk === 'string' ? Buffer.from(chunk) : chunk);
  reader.end();
  return builder.build(source, 'jsonl');
}

/** A table from CSV text (tests, small inputs). */
export function tableFromCsv(text: string, source: string, delimiter = ',', options: ReadTableOptions = {}): Promise<Table> {
  return readCsvTable([Buffer.from(text)], source, delimiter, options);
}

/** A table from JSONL text (tests, small inputs). */
export function tableFromJsonl(text: string, source: string, options: ReadTableOptions = {}): Promise<Table> {
  return readJsonlTable([Buffer.from(text)], source, options);
}
