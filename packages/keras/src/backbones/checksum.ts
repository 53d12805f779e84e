import { createHash, type Hash } from 'node:crypto';
import { createReadStream } from 'node:fs';

/**
 * A file's expected digest: hex sha256, or hex md5 where the publisher gives only that (keras.applications does),
 * or `unverified` for a file whose digest nobody has published and that could not be checked here.
 */
export type Checksum = { sha256: string } | { md5: string } | 'unverified';

export function checksumAlgorithm(checksum: Checksum): 'sha256' | 'md5' | null {
  if (checksum === 'unverified') return null;
  return 'sha256' in checksum ? 'sha256' : 'md5';
}

export function expectedDigest(checksum: Checksum): string | null {
  if (checksum === 'unverified') return null;
  return ('sha256' in checksum ? checksum.sha256 : checksum.md5).toLowerCase();
}

/** A running hash for the checksum's algorithm (sha256 for unverified files, to report what was received). */
export function createChecksumHash(checksum: Checksum): Hash {
  return createHash(checksumAlgorithm(checksum) ?? 'sha256');
}

export function describeChecksum(checksum: Checksum): string {
  const algorithm = checksumAlgorithm(checksum);
  return algorithm ? `${algorithm} ${expectedDigest(checksum)}` : 'no published checksum';
}

/** The hex digest of a file on disk, with the checksum's algorithm. */
export async function fileDigest(path: string, checksum: Checksum): Promise<string> {
  const hash = createChecksumHash(checksum);
  for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}
