import { createHash, randomBytes } from 'node:crypto';
import { copyFile, link, mkdir, open, readdir, rename, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { isProcessAlive } from '../util/process-alive.js';

/**
 * The on-disk side of a training backup. Each backup is one folder `epoch-<N>` inside the backup folder,
 * written under a hidden temporary name and renamed into place when complete, so at any moment (a kill -9
 * included) the folder holds the previous complete backup, the new complete one, or both; never a half-written
 * one under a backup's name. Older backups and abandoned temporary folders are removed after the rename.
 */

const BACKUP_NAME = /^epoch-(\d+)$/;
const PARTIAL_NAME = /^\.epoch-\d+\.partial-(\d+)-[0-9a-f]+$/;

export function backupFolderName(epochs: number): string {
  return `epoch-${String(epochs).padStart(6, '0')}`;
}

/** Complete backups in `dir`, newest first; none when the folder does not exist. */
export async function listBackups(dir: string): Promise<{ epochs: number; path: string }[]> {
  const names = await readdir(dir).catch((error: NodeJS.ErrnoException) => {
    if (error.code === 'ENOENT') return [] as string[];
    throw error;
  });
  return names
    .map((name) => ({ match: BACKUP_NAME.exec(name), name }))
    .filter((entry) => entry.match)
    .map((entry) => ({ epochs: Number(entry.match![1]), path: join(dir, entry.name) }))
    .sort((a, b) => b.epochs - a.epochs);
}

/** Our own pid never counts: a backup we are writing is not someone else's. */
function processAlive(pid: number): boolean {
  return pid !== process.pid && isProcessAlive(pid);
}

/**
 * Removes the backups and temporary folders this module wrote in `dir` (nothing else in it), except
 * `keep`. Temporary folders of a process still running are left to it.
 */
export async function removeBackups(dir: string, keep?: string): Promise<void> {
  const names = await readdir(dir).catch(() => [] as string[]);
  for (const name of names) {
    const partial = PARTIAL_NAME.exec(name);
    const ours = BACKUP_NAME.test(name) || (partial !== null && !processAlive(Number(partial[1])));
    if (ours && join(dir, name) !== keep) await rm(join(dir, name), { recursive: true, force: true });
  }
}

/** A file written and flushed to the disk, returning its SHA-256. */
export async function writeDurable(path: string, chunks: Iterable<Uint8Array> | AsyncIterable<Uint8Array>): Promise<string> {
  const hash = createHash('sha256');
  const handle = await open(path, 'wx');
  try {
    for await (const chunk of chunks) {
      hash.update(chunk);
      await handle.write(chunk);
    }
    await handle.sync();
  } finally {
    await handle.close();
  }
  return hash.digest('hex');
}

async function syncDirectory(path: string): Promise<void> {
  const handle = await open(path, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

/**
 * Writes a backup folder: `fill` writes its files into a temporary folder, which is then flushed and renamed
 * to `epoch-<N>`; older backups are removed last. Returns the backup's path.
 */
export async function commitBackup(dir: string, epochs: number, fill: (folder: string) => Promise<void>): Promise<string> {
  await mkdir(dir, { recursive: true });
  const target = join(dir, backupFolderName(epochs));
  const partial = join(dir, `.${backupFolderName(epochs)}.partial-${process.pid}-${randomBytes(4).toString('hex')}`);
  await mkdir(partial);
  try {
    await fill(partial);
    await syncDirectory(partial);
    // A backup of this epoch exists only if an earlier run got this far and was not resumed from it: replace it.
    await rm(target, { recursive: true, force: true });
    await rename(partial, target);
    await syncDirectory(dir);
  } catch (error) {
    await rm(partial, { recursive: true, force: true });
    throw error;
  }
  await removeBackups(dir, target);
  return target;
}

/** Copies a folder tree, hard-linking files where it can (backups never change a file in place). */
export async function linkTree(from: string, to: string): Promise<void> {
  await mkdir(to, { recursive: true });
  for (const entry of await readdir(from, { withFileTypes: true })) {
    const source = join(from, entry.name);
    const target = join(to, entry.name);
    if (entry.isDirectory()) await linkTree(source, target);
    else if (entry.isFile()) await link(source, target).catch(() => copyFile(source, target));
  }
}
