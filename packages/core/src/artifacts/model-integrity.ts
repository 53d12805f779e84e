import { createHash } from 'node:crypto';
import { readdir, readFile, realpath } from 'node:fs/promises';
import { isAbsolute, join, relative, sep } from 'node:path';
import { PolymodalError } from '../errors.js';
import { writeJsonAtomic } from '../util/atomic-write.js';
import { ARTIFACT_FILES, type ArtifactMeta } from './artifact.js';

/**
 * A model folder is sealed: polymodal.json lists the sha256 of every other file. A reader that takes
 * polymodal.json once and checks each file it reads against it sees one model, never the label codec
 * of one training run with the weights of the next (a `train` may replace the folder while a `predict` reads it).
 */

export function sha256(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

/** Regular files under `dir`, as `/`-separated paths relative to it, sorted. Links are not followed. */
async function listFiles(dir: string, prefix = ''): Promise<string[]> {
  const files: string[] = [];
  const entries = await readdir(join(dir, prefix), { withFileTypes: true });
  for (const entry of entries) {
    const path = prefix === '' ? entry.name : `${prefix}/${entry.name}`;
    if (entry.isDirectory()) files.push(...(await listFiles(dir, path)));
    else if (entry.isFile()) files.push(path);
  }
  return files.sort();
}

/**
 * Records the sha256 of every file of a (staging) model folder, except polymodal.json itself, in
 * polymodal.json's `files`. Called last, right before the folder is committed: nothing may change after it.
 */
export async function sealModelFolder(dir: string): Promise<void> {
  const metaPath = join(dir, ARTIFACT_FILES.meta);
  const meta = JSON.parse(await readFile(metaPath, 'utf8')) as ArtifactMeta;
  const files: Record<string, string> = Object.create(null);
  for (const path of await listFiles(dir)) {
    if (path !== ARTIFACT_FILES.meta) files[path] = sha256(await readFile(join(dir, path)));
  }
  await writeJsonAtomic(metaPath, { ...meta, files: { ...files } });
}

/** A listed file that is absent or has other content: the folder was replaced while being read. */
export class ModelFolderChanged extends Error {
  override readonly name = 'ModelFolderChanged';
}

function isInside(path: string, dir: string): boolean {
  const rel = relative(dir, path);
  return rel === '' || (!rel.startsWith('..') && !isAbsolute(rel));
}

/**
 * Reads files of a model folder checked against the `files` of the polymodal.json read at the start
 * (older folders without `files` are read as they are). Every file must lie inside the folder, links included.
 */
export class VerifiedFolderReader {
  private realDir: Promise<string> | undefined;

  constructor(
    readonly dir: string,
    private readonly files: Readonly<Record<string, string>> | undefined,
  ) {}

  async read(path: string): Promise<Buffer> {
    const key = path.split(sep).join('/');
    const expected = this.files === undefined ? undefined : Object.prototype.hasOwnProperty.call(this.files, key) ? this.files[key] : null;
    if (expected === null) {
      throw new PolymodalError(`${join(this.dir, path)}: not one of the files ${ARTIFACT_FILES.meta} lists for this model`, {
        hint: 'The model folder was damaged or edited after training; train the model again.',
        exitCode: 2,
      });
    }
    const absolute = join(this.dir, path);
    let bytes: Buffer;
    try {
      await this.confine(absolute);
      bytes = await readFile(absolute);
    } catch (error) {
      if (expected !== undefined && (error as NodeJS.ErrnoException).code === 'ENOENT') throw new ModelFolderChanged(absolute);
      throw error;
    }
    if (expected !== undefined && sha256(bytes) !== expected) throw new ModelFolderChanged(absolute);
    return bytes;
  }

  private async confine(absolute: string): Promise<void> {
    // Awaited before anything else can throw, so a failed lookup never goes unhandled.
    this.realDir ??= realpath(this.dir);
    const realDir = await this.realDir;
    const real = await realpath(absolute);
    if (!isInside(real, realDir)) {
      throw new PolymodalError(`${absolute}: links outside the model folder (to ${real})`, {
        hint: 'A model folder\'s files must lie inside it; this folder was damaged or crafted.',
        exitCode: 2,
      });
    }
  }
}
