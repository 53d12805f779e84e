import { randomBytes } from 'node:crypto';
import { access, constants, mkdir, readdir, rmdir, stat } from 'node:fs/promises';
import { basename, dirname, join, relative, resolve, sep } from 'node:path';
import { PolymodalError } from '../errors.js';
import { fileSystemError } from '../util/file-system-error.js';
import { targetExistsError } from './commit-directory.js';
import { isPolymodalFolder, pathExists } from './folder-owner.js';

export interface OutputTargetOptions {
  /** What the user asked for (`--out`); undefined means the default folder. */
  requested?: string;
  /** The default folder, e.g. `runs/<name>` beside the manifest. */
  defaultDir: string;
  /** Replace an existing Polymodal folder at the target (`--overwrite`). */
  overwrite: boolean;
  /** Paths the output must never contain (the manifest, the data, the current folder). */
  protect: readonly { path: string; what: string }[];
  /** The flag that names the target, for messages. */
  flag?: string;
}

async function isEmptyDirectory(path: string): Promise<boolean> {
  try {
    return (await readdir(path)).length === 0;
  } catch {
    return false;
  }
}

function contains(folder: string, path: string): boolean {
  const inside = relative(folder, path);
  return inside === '' || (!inside.startsWith('..') && !inside.startsWith(sep) && inside !== '..');
}

/** The nearest existing folder above `path`: where the output will be created, so where we must be able to write. */
async function nearestExistingParent(path: string): Promise<string> {
  let dir = dirname(path);
  while (!(await pathExists(dir)) && dirname(dir) !== dir) dir = dirname(dir);
  return dir;
}

async function checkWritableParent(target: string, flag: string): Promise<void> {
  try {
    await checkParent(target, flag);
  } catch (error) {
    if (error instanceof PolymodalError) throw error;
    const cause = fileSystemError(error, `${flag} ${target}`);
    if (cause instanceof PolymodalError) throw new PolymodalError(cause.message, { hint: `Give ${flag} a path you can write to.`, exitCode: 2, cause: error });
    throw error;
  }
}

async function checkParent(target: string, flag: string): Promise<void> {
  const parent = await nearestExistingParent(target);
  const info = await stat(parent);
  if (!info.isDirectory()) {
    throw new PolymodalError(`${flag} ${target}: ${parent} is a file, not a folder`, { hint: `Give ${flag} a path inside a folder.`, exitCode: 2 });
  }
  try {
    await access(parent, constants.W_OK);
    // access() says yes to root everywhere, and some file systems (/proc, /sys) refuse new entries whatever
    // the permissions (where a recursive mkdir can even spin forever): creating a folder is the real test.
    const probe = join(parent, `.polymodal-write-probe-${randomBytes(6).toString('hex')}`);
    await mkdir(probe);
    await rmdir(probe);
  } catch {
    throw new PolymodalError(`${flag} ${target}: cannot create files in ${parent}`, { hint: `Give ${flag} a folder you can write to.`, exitCode: 2 });
  }
  if (Buffer.byteLength(basename(target)) > 200) {
    throw new PolymodalError(`${flag} ${target}: the folder name is too long`, { hint: 'Use a name of at most 200 bytes.', exitCode: 2 });
  }
}

/** `runs/churn`, then `runs/churn_2`, `runs/churn_3`, ...: the first that does not exist (Ludwig numbers its runs alike). */
export async function firstFreeRunFolder(base: string): Promise<string> {
  if (!(await pathExists(base))) return base;
  for (let n = 2; ; n++) {
    const candidate = `${base}_${n}`;
    if (!(await pathExists(candidate))) return candidate;
  }
}

/**
 * Where a command writes its output folder. An explicit target that exists must be a Polymodal folder and
 * needs `overwrite` (an empty folder is taken as it is); anything else there is refused and never removed.
 * Without an explicit target, runs are numbered rather than replacing the previous one.
 */
export async function chooseOutputFolder(options: OutputTargetOptions): Promise<string> {
  const flag = options.flag ?? '--out';
  if (options.requested !== undefined && options.requested.trim() === '') {
    throw new PolymodalError(`${flag} is empty`, { hint: `Give ${flag} the path of a folder to create, e.g. ${flag} runs/model.`, exitCode: 2 });
  }
  const explicit = options.requested !== undefined;
  const base = resolve(options.requested ?? options.defaultDir);
  for (const { path, what } of options.protect) {
    if (contains(base, resolve(path))) {
      throw new PolymodalError(`${flag} ${base} would contain ${what} (${resolve(path)}); Polymodal never writes over it`, {
        hint: `Give ${flag} a new folder, e.g. ${join(base, 'runs', 'model')}.`,
        exitCode: 2,
      });
    }
  }
  const target = explicit || options.overwrite ? base : await firstFreeRunFolder(base);
  await checkWritableParent(target, flag);
  if (await pathExists(target)) {
    const ours = await isPolymodalFolder(target);
    if (!ours && !(await isEmptyDirectory(target))) throw targetExistsError(target, false);
    if (ours && !options.overwrite) throw targetExistsError(target, true);
  }
  return target;
}

/**
 * An output file (`predict --output`): its folder must be writable, it must not be a folder, and a file
 * already there is replaced only with `overwrite`, since Polymodal cannot tell whether it wrote it.
 */
export async function checkOutputFile(path: string, options: { overwrite: boolean; flag: string }): Promise<string> {
  const { flag } = options;
  if (path.trim() === '') throw new PolymodalError(`${flag} is empty`, { hint: `Give ${flag} a file path.`, exitCode: 2 });
  const target = resolve(path);
  await checkWritableParent(target, flag);
  let info;
  try {
    info = await stat(target);
  } catch {
    return target;
  }
  if (info.isDirectory()) {
    throw new PolymodalError(`${flag} ${target} is a folder`, { hint: `Give ${flag} the path of a file, e.g. ${join(target, 'predictions.jsonl')}.`, exitCode: 2 });
  }
  if (!info.isFile()) throw new PolymodalError(`${flag} ${target} is not a regular file`, { hint: `Give ${flag} the path of a new file.`, exitCode: 2 });
  if (!options.overwrite) {
    throw new PolymodalError(`${flag} ${target} already exists`, { hint: 'Pass --overwrite to replace it, or choose another file.', exitCode: 2 });
  }
  return target;
}
