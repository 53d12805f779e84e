import { readdir, stat } from 'node:fs/promises';
import { join, relative, sep } from 'node:path';
import { PolymodalError } from '../errors.js';
import type { RawValue, Row } from '../plugin/contracts.js';
import type { Table } from './table.js';

/** Column names of a table read from a folder of class subfolders. */
export const DIRECTORY_COLUMNS = { path: 'path', label: 'label' } as const;

async function filesUnder(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true });
  const files: string[] = [];
  for (const entry of entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))) {
    if (entry.name.startsWith('.')) continue;
    const path = join(dir, entry.name);
    if (entry.isDirectory()) files.push(...(await filesUnder(path)));
    else if (entry.isFile()) files.push(path);
  }
  return files;
}

/**
 * Keras's `flow_from_directory` layout: each subfolder of `dir` is a class and holds that class's files
 * (at any depth). Rows have a `path` column (relative to `dir`, with forward slashes) and a `label` column.
 * Hidden files and folders are ignored; rows are in sorted order.
 */
export async function tableFromDirectory(dir: string): Promise<Table> {
  const classes = (await readdir(dir, { withFileTypes: true })).filter((e) => e.isDirectory() && !e.name.startsWith('.')).map((e) => e.name).sort();
  if (classes.length === 0) {
    throw new PolymodalError(`${dir}: a folder data source needs one subfolder per class`, {
      hint: 'Lay the files out as <source>/<class name>/<file>, or give a CSV/JSONL file that lists them.',
    });
  }
  const rows: Row[] = [];
  const names: string[] = [];
  for (const label of classes) {
    for (const file of await filesUnder(join(dir, label))) {
      const path = relative(dir, file).split(sep).join('/');
      const row: Record<string, RawValue> = Object.create(null);
      row[DIRECTORY_COLUMNS.path] = path;
      row[DIRECTORY_COLUMNS.label] = label;
      rows.push(row);
      names.push(path);
    }
  }
  return { source: dir, format: 'directory', columns: [DIRECTORY_COLUMNS.path, DIRECTORY_COLUMNS.label], rows, lines: rows.map((_, i) => i + 1), rowNames: names };
}

export async function isDirectory(path: string): Promise<boolean> {
  try {
    return (await stat(path)).isDirectory();
  } catch {
    return false;
  }
}
