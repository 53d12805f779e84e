import { createHash, randomUUID } from 'node:crypto';
import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

/** Bumped when decoding, resampling or feature extraction change in a way that makes old entries wrong. */
export const AUDIO_CACHE_FORMAT = 1;

/**
 * Float32 arrays on disk, one file per (audio file content, options that shaped the array):
 * `<dir>/<aa>/<sha256>.f32`. Content-addressed, so an edited file misses and a renamed one hits; written to a
 * temporary name and renamed, so concurrent runs and workers never read half a file.
 */
export class AudioCache {
  hits = 0;
  misses = 0;

  constructor(readonly dir: string) {}

  /** `descriptor` is every option that changes the cached array (JSON), besides the file's bytes. */
  keyOf(bytes: Uint8Array, descriptor: string): string {
    return createHash('sha256').update(JSON.stringify({ v: AUDIO_CACHE_FORMAT, descriptor })).update('\0').update(bytes).digest('hex');
  }

  private pathOf(key: string): string {
    return join(this.dir, key.slice(0, 2), `${key}.f32`);
  }

  async get(key: string): Promise<Float32Array | undefined> {
    try {
      const data = await readFile(this.pathOf(key));
      if (data.length % 4 === 0) {
        this.hits++;
        // A copy: Buffers from the pool may not be 4-byte aligned.
        return new Float32Array(new Uint8Array(data).buffer);
      }
    } catch {
      // a miss
    }
    this.misses++;
    return undefined;
  }

  async set(key: string, values: Float32Array): Promise<void> {
    const path = this.pathOf(key);
    const temporary = `${path}.${randomUUID()}.tmp`;
    try {
      await mkdir(join(this.dir, key.slice(0, 2)), { recursive: true });
      await writeFile(temporary, new Uint8Array(values.buffer, values.byteOffset, values.byteLength));
      await rename(temporary, path);
    } catch {
      // A cache that cannot be written (read-only data folder) only costs speed.
      await rm(temporary, { force: true });
    }
  }
}
