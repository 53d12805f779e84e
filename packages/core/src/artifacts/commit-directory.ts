import { randomBytes } from 'node:crypto';
import { mkdir, readdir, readFile, rename, rm, rmdir, writeFile } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { PolymodalError } from '../errors.js';
import { fileSystemError } from '../util/file-system-error.js';
import { trackUnfinished, untrackUnfinished } from '../util/interrupts.js';
import { isPolymodalFolder, OWNER_MARKER, pathExists } from './folder-owner.js';
import { isProcessAlive } from '../util/process-alive.js';

/**
 * Folders are written in a staging folder beside their target and renamed into place, so a target is
 * complete or absent. A staging folder carries a lock file naming the process that writes it, so a later
 * run can tell a folder left by a killed run (its process is gone) from one another run is still writing.
 */
const STAGING_LOCK = '.polymodal-staging.json';

interface StagingLock {
  pid: number;
  startedAt: string;
  target: string;
}

function stagingPrefix(target: string): string {
  return `.${basename(target)}.partial-`;
}

function previousPrefix(target: string): string {
  return `.${basename(target)}.previous-`;
}


async function readLock(staging: string): Promise<StagingLock | undefined> {
  try {
    return JSON.parse(await readFile(join(staging, STAGING_LOCK), 'utf8')) as StagingLock;
  } catch {
    return undefined;
  }
}

/**
 * Removes what killed runs left beside `target`: staging folders whose writer is gone (only folders that
 * carry Polymodal's lock file: nothing else is touched), and the previous version of a target that a
 * killed commit had moved aside (put back when the target is missing, else removed).
 */
export async function removeStaleStaging(target: string): Promise<string[]> {
  const parent = dirname(target);
  let names: string[];
  try {
    names = await readdir(parent);
  } catch {
    return [];
  }
  const removed: string[] = [];
  for (const name of names) {
    const path = join(parent, name);
    if (name.startsWith(stagingPrefix(target))) {
      const lock = await readLock(path);
      if (!lock || lock.target !== target || isProcessAlive(lock.pid)) continue;
      await rm(path, { recursive: true, force: true });
      removed.push(path);
    } else if (name.startsWith(previousPrefix(target)) && (await isPolymodalFolder(path))) {
      if (await isPolymodalFolder(target)) await rm(path, { recursive: true, force: true });
      else await rename(path, target).catch(() => undefined);
      removed.push(path);
    }
  }
  return removed;
}

/** A fresh staging folder beside `target` (same filesystem, so the final rename is atomic), locked by this process. */
export async function stagingDirectory(target: string): Promise<string> {
  try {
    await mkdir(dirname(target), { recursive: true });
    await removeStaleStaging(target);
    const staging = join(dirname(target), `${stagingPrefix(target)}${randomBytes(4).toString('hex')}`);
    await mkdir(staging);
    trackUnfinished(staging);
    const lock: StagingLock = { pid: process.pid, startedAt: new Date().toISOString(), target };
    await writeFile(join(staging, STAGING_LOCK), JSON.stringify(lock) + '\n');
    return staging;
  } catch (error) {
    throw fileSystemError(error, `cannot create the output folder ${target}`);
  }
}

export interface CommitOptions {
  /**
   * What may stand at `target` already: `never` (refuse anything), or `polymodal` (the default: a folder
   * Polymodal wrote is replaced; anything else is refused, never removed).
   */
  replace?: 'never' | 'polymodal';
}

export function targetExistsError(target: string, ours: boolean): PolymodalError {
  return ours
    ? new PolymodalError(`${target} already holds a Polymodal folder`, {
      hint: 'Pass --overwrite to replace it, or choose another --out.',
      exitCode: 2,
    })
    : new PolymodalError(`${target} exists and is not a folder Polymodal wrote; Polymodal never removes what it did not write`, {
      hint: 'Choose an --out that does not exist yet (Polymodal creates it).',
      exitCode: 2,
    });
}

/** Moves the existing target aside when it may be replaced; returns where it went (removed after the commit). */
async function moveAsideReplaceable(target: string, replace: CommitOptions['replace']): Promise<string | undefined> {
  if (!(await pathExists(target))) return undefined;
  const ours = await isPolymodalFolder(target);
  if (replace === 'never' || !ours) {
    // An empty folder holds nothing to lose: take its place (rmdir refuses a folder that is not empty).
    if (!ours && (await rmdir(target).then(() => true, () => false))) return undefined;
    throw targetExistsError(target, ours);
  }
  const previous = join(dirname(target), `${previousPrefix(target)}${randomBytes(4).toString('hex')}`);
  await rename(target, previous);
  return previous;
}

/** Puts a fully written staging folder at `target`: readers see the old folder or the new one, never half of either. */
export async function commitDirectory(staging: string, target: string, options: CommitOptions = {}): Promise<void> {
  try {
    await writeFile(join(staging, OWNER_MARKER), JSON.stringify({ writtenBy: 'polymodal', at: new Date().toISOString() }) + '\n');
    await rm(join(staging, STAGING_LOCK), { force: true });
    const previous = await moveAsideReplaceable(target, options.replace ?? 'polymodal');
    try {
      await rename(staging, target);
    } catch (error) {
      if (previous) await rename(previous, target).catch(() => undefined);
      const code = (error as NodeJS.ErrnoException).code;
      if (code === 'ENOTEMPTY' || code === 'EEXIST') throw targetExistsError(target, await isPolymodalFolder(target));
      throw error;
    }
    untrackUnfinished(staging);
    if (previous) await rm(previous, { recursive: true, force: true });
  } catch (error) {
    if (error instanceof PolymodalError) throw error;
    throw fileSystemError(error, `cannot write the output folder ${target}`);
  }
}

/** Removes a staging folder that will not be committed (the run failed or was interrupted). */
export async function discardStaging(staging: string): Promise<void> {
  await rm(staging, { recursive: true, force: true });
  untrackUnfinished(staging);
}
