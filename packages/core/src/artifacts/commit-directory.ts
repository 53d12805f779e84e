import { randomBytes } from 'node:crypto';
import { mkdir, rename, rm } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';

/** A fresh staging folder beside `target`, so the final rename stays on one filesystem. */
export async function stagingDirectory(target: string): Promise<string> {
  await mkdir(dirname(target), { recursive: true });
  const staging = join(dirname(target), `.${basename(target)}.partial-${randomBytes(4).toString('hex')}`);
  await mkdir(staging);
  return staging;
}

/** Puts a fully written staging folder at `target`, replacing what was there: readers see the old or the new, never half. */
export async function commitDirectory(staging: string, target: string): Promise<void> {
  const previous = `${staging}.previous`;
  let moved = false;
  try {
    await rename(target, previous);
    moved = true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
  await rename(staging, target);
  if (moved) await rm(previous, { recursive: true, force: true });
}
