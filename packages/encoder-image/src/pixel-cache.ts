import { createHash, randomUUID } from 'node:crypto';
import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { DecodeOptions } from './decode.js';

/** Bumped when decoding changes in a way that makes old cache entries wrong. */
export const CACHE_FORMAT = 1;

/** What a cache key covers besides the bytes: every option that changes the decoded pixels. */
export function decodeKey(options: DecodeOptions): string {
  return JSON.stringify({ v: CACHE_FORMAT, size: options.size, fit: options.fit, channels: options.channels, interpolation: options.interpolation });
}

/**
 * Decoded pixels on disk, one file per (image content, decoding options): `<dir>/<aa>/<sha256>.u8`.
 * Content-addressed, so an edited file misses and a renamed one hits; entries are written to a temporary name
 * and renamed, so concurrent runs and workers never read half a file.
 */
export class PixelCache {
  hits = 0;
  misses = 0;

  constructor(readonly dir: string, private readonly options: DecodeOptions) {}

  keyOf(bytes: Uint8Array): string {
    return createHash('sha256').update(decodeKey(this.options)).update('\0').update(bytes).digest('hex');
  }

  private pathOf(key: string): string {
    return join(this.dir, key.slice(0, 2), `${key}.u8`);
  }

  /** The cached pixels, or undefined (a missing or wrongly sized entry is a miss). */
  async get(key: string, length: number): Promise<Uint8Array | undefined> {
    try {
      const data = await readFile(this.pathOf(key));
      if (data.length === length) {
        this.hits++;
        return new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
      }
    } catch {
      // a miss
    }
    this.misses++;
    return undefined;
  }

  async set(key: string, pixels: Uint8Array): Promise<void> {
    const path = this.pathOf(key);
    const temporary = `${path}.${randomUUID()}.tmp`;
    try {
      await mkdir(join(this.dir, key.slice(0, 2)), { recursive: true });
      await writeFile(temporary, pixels);
      await rename(temporary, path);
    } catch {
      // A cache that cannot be written (read-only data folder) only costs speed.
      await rm(temporary, { force: true });
    }
  }
}
