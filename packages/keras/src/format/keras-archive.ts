// The Keras 3 `.keras` file: a zip holding config.json (the model's serialized config), metadata.json (Keras version,
// date) and model.weights.h5 (every variable, see keras-weights.ts). Shared by the reader and the writer.
import { strToU8, strFromU8, unzipSync, zipSync } from 'fflate';

export const KERAS_ARCHIVE_FILES = { config: 'config.json', metadata: 'metadata.json', weights: 'model.weights.h5' } as const;

export interface KerasArchive {
  /** config.json, parsed: `{ module, class_name, config, registered_name, build_config?, compile_config? }`. */
  config: unknown;
  /** metadata.json, parsed: `{ keras_version, date_saved }`. */
  metadata: unknown;
  /** model.weights.h5's bytes (read them with readH5Bytes). */
  weights: Uint8Array;
}

/** The first bytes of a zip file ("PK\3\4"). */
export function isZip(bytes: Uint8Array): boolean {
  return bytes[0] === 0x50 && bytes[1] === 0x4b && bytes[2] === 0x03 && bytes[3] === 0x04;
}

/**
 * The three entries of a `.keras` archive. Throws an Error naming the missing entry (callers add the file name and
 * turn it into a user error).
 */
export function readKerasArchive(bytes: Uint8Array): KerasArchive {
  const entries = unzipSync(bytes, { filter: (file) => Object.values(KERAS_ARCHIVE_FILES).includes(file.name as never) });
  for (const name of Object.values(KERAS_ARCHIVE_FILES)) {
    if (!entries[name]) throw new Error(`the archive has no ${name} (a Keras 3 .keras file holds ${Object.values(KERAS_ARCHIVE_FILES).join(', ')})`);
  }
  return {
    config: JSON.parse(strFromU8(entries[KERAS_ARCHIVE_FILES.config])),
    metadata: JSON.parse(strFromU8(entries[KERAS_ARCHIVE_FILES.metadata])),
    weights: entries[KERAS_ARCHIVE_FILES.weights],
  };
}

/** A `.keras` archive's bytes (entries stored uncompressed, as Keras writes them; fixed dates keep it reproducible). */
export function writeKerasArchive(archive: KerasArchive): Uint8Array {
  const mtime = new Date('1980-01-01T00:00:00Z');
  return zipSync(
    {
      [KERAS_ARCHIVE_FILES.metadata]: [strToU8(JSON.stringify(archive.metadata)), { level: 0, mtime }],
      [KERAS_ARCHIVE_FILES.config]: [strToU8(JSON.stringify(archive.config)), { level: 0, mtime }],
      [KERAS_ARCHIVE_FILES.weights]: [archive.weights, { level: 0, mtime }],
    },
  );
}
