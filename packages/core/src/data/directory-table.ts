import type { Dirent } from 'node:fs';
import { readdir, realpath, stat } from 'node:fs/promises';
import { join, relative, sep } from 'node:path';
import { PolymodalError } from '../errors.js';
import type { RawValue, Row } from '../plugin/contracts.js';
import type { Table } from './table-types.js';

/** Column names of a table read from a folder of class subfolders. */
export const DIRECTORY_COLUMNS = { path: 'path', label: 'label' } as const;

/** What a folder walk could not use, so nothing is dropped silently. */
interface WalkProblems {
  readonly notes: string[];
}

/** A symlink is followed to what it points at; a broken one, or one back into a folder being walked, is noted. */
async function resolveEntry(path: string, entry: Dirent, problems: WalkProblems): Promise<'file' | 'dir' | undefined> {
  if (!entry.isSymbolicLink()) return entry.isDirectory() ? 'dir' : entry.isFile() ? 'file' : undefined;
  try {
    const target = await stat(path);
    return target.isDirectory() ? 'dir' : target.isFile() ? 'file' : undefined;
  } catch (error) {
    problems.notes.push(`${path}: broken symbolic link (${(error as NodeJS.ErrnoException).code}), left out`);
    return undefined;
  }
}

function byName(a: Dirent, b: Dirent): number {
  return a.name < b.name ? -1 : a.name > b.name ? 1 : 0;
}

/** Files under `dir` at any depth, in sorted order; `ancestors` (real paths) guards against link cycles. */
async function filesUnder(dir: string, ancestors: ReadonlySet<string>, problems: WalkProblems): Promise<string[]> {
  const real = await realpath(dir);
  if (ancestors.has(real)) {
    problems.notes.push(`${dir}: a symbolic link back to ${real}, which is already being read; not followed again`);
    return [];
  }
  const inside = new Set(ancestors).add(real);
  const entries = await readdir(dir, { withFileTypes: true });
  const files: string[] = [];
  for (const entry of entries.sort(byName)) {
    if (entry.name.startsWith('.')) continue;
    const path = join(dir, entry.name);
    const kind = await resolveEntry(path, entry, problems);
    if (kind === 'dir') files.push(...(await filesUnder(path, inside, problems)));
    else if (kind === 'file') files.push(path);
    else if (!entry.isSymbolicLink()) problems.notes.push(`${path}: not a regular file or folder, left out`);
  }
  return files;
}

/** Reports what was left out: through `warn`, or as an error when there is no one to warn. */
function reportProblems(dir: string, problems: WalkProblems, warn: ((message: string) => void) | undefined): void {
  if (problems.notes.length === 0) return;
  const message = `${dir}: ${problems.notes.length} entr${problems.notes.length === 1 ? 'y' : 'ies'} of the folder source could not be used`;
  if (!warn) throw new PolymodalError(message, { problems: problems.notes, hint: 'Fix or remove the links listed.' });
  warn(`${message}: ${problems.notes.slice(0, 5).join('; ')}${problems.notes.length > 5 ? `; and ${problems.notes.length - 5} more` : ''}`);
}

/**
 * Keras's `flow_from_directory` layout: each subfolder of `dir` is a class and holds that class's files
 * (at any depth). Rows have a `path` column (relative to `dir`, with forward slashes) and a `label` column.
 * Hidden files and folders are ignored; symbolic links are followed; rows are in sorted order.
 */
export async function tableFromDirectory(dir: string, warn?: (message: string) => void): Promise<Table> {
  const problems: WalkProblems = { notes: [] };
  const classes: string[] = [];
  for (const entry of (await readdir(dir, { withFileTypes: true })).sort(byName)) {
    if (entry.name.startsWith('.')) continue;
    if ((await resolveEntry(join(dir, entry.name), entry, problems)) === 'dir') classes.push(entry.name);
  }
  if (classes.length === 0) {
    reportProblems(dir, problems, warn);
    throw new PolymodalError(`${dir}: a folder data source needs one subfolder per class`, {
      hint: 'Lay the files out as <source>/<class name>/<file>, or give a CSV/JSONL file that lists them.',
    });
  }
  const root = new Set([await realpath(dir)]);
  const rows: Row[] = [];
  const names: string[] = [];
  for (const label of classes) {
    for (const file of await filesUnder(join(dir, label), root, problems)) {
      const path = relative(dir, file).split(sep).join('/');
      const row: Record<string, RawValue> = Object.create(null);
      row[DIRECTORY_COLUMNS.path] = path;
      row[DIRECTORY_COLUMNS.label] = label;
      rows.push(row);
      names.push(path);
    }
  }
  reportProblems(dir, problems, warn);
  return { source: dir, format: 'directory', columns: [DIRECTORY_COLUMNS.path, DIRECTORY_COLUMNS.label], rows, lines: rows.map((_, i) => i + 1), rowNames: names };
}

export async function isDirectory(path: string): Promise<boolean> {
  try {
    return (await stat(path)).isDirectory();
  } catch {
    return false;
  }
}
