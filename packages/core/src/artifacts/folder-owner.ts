import { readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { ARTIFACT_FILES, ARTIFACT_FORMAT } from './artifact.js';

/** Written into every folder Polymodal commits, so a later run can tell its own folders from anything else. */
export const OWNER_MARKER = '.polymodal-folder.json';

/** True when something (file, folder, link) is at `path`; an error other than ENOENT counts as something there. */
export async function pathExists(path: string): Promise<boolean> {
  try {
    await stat(path);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code !== 'ENOENT';
  }
}

async function isFile(path: string): Promise<boolean> {
  try {
    return (await stat(path)).isFile();
  } catch {
    return false;
  }
}

/** A model folder written before the owner marker existed still counts: its polymodal.json says what it is. */
async function isLegacyModelFolder(dir: string): Promise<boolean> {
  try {
    const meta = JSON.parse(await readFile(join(dir, ARTIFACT_FILES.meta), 'utf8')) as { format?: unknown };
    return meta.format === ARTIFACT_FORMAT;
  } catch {
    return false;
  }
}

/** True when `dir` is a folder Polymodal wrote (a model, a cross-validation run, a plots folder). */
export async function isPolymodalFolder(dir: string): Promise<boolean> {
  return (await isFile(join(dir, OWNER_MARKER))) || isLegacyModelFolder(dir);
}
