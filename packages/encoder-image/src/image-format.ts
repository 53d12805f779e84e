import { closeSync, openSync, readSync, statSync } from 'node:fs';

export type ImageFormat = 'jpeg' | 'png' | 'webp' | 'gif' | 'tiff';

/** Bytes read from the start and the end of a file to recognise and sanity-check it. */
export const HEAD_BYTES = 16;
export const TAIL_BYTES = 4096;

const PNG_SIGNATURE = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];

function startsWith(bytes: Uint8Array, prefix: readonly number[], at = 0): boolean {
  return bytes.length >= at + prefix.length && prefix.every((b, i) => bytes[at + i] === b);
}

/** The image format its first bytes announce, or undefined. */
export function sniffFormat(head: Uint8Array): ImageFormat | undefined {
  if (startsWith(head, [0xff, 0xd8, 0xff])) return 'jpeg';
  if (startsWith(head, PNG_SIGNATURE)) return 'png';
  if (startsWith(head, [0x52, 0x49, 0x46, 0x46]) && startsWith(head, [0x57, 0x45, 0x42, 0x50], 8)) return 'webp';
  if (startsWith(head, [0x47, 0x49, 0x46, 0x38])) return 'gif';
  if (startsWith(head, [0x49, 0x49, 0x2a, 0x00]) || startsWith(head, [0x4d, 0x4d, 0x00, 0x2a])) return 'tiff';
  return undefined;
}

/**
 * Why bytes (a file's head, its tail and its size) cannot be an intact image, or undefined. Cheap structural
 * checks only: the format's signature, and the end marker of PNG (IEND), JPEG (EOI), GIF (trailer) and the
 * declared length of WebP, which catch truncated files. Deeper damage shows when decoding.
 */
export function structuralProblem(head: Uint8Array, tail: Uint8Array, size: number): string | undefined {
  if (size === 0) return 'the file is empty';
  const format = sniffFormat(head);
  // The file's bytes are never echoed: the path may name a file that is not the user's to show (a key, a password file).
  if (!format) return 'not a JPEG, PNG, WebP, GIF or TIFF image (its first bytes are no image signature)';
  const truncated = `truncated ${format.toUpperCase()} (${size} bytes, no end marker)`;
  if (format === 'png') {
    // The IEND chunk: length 0, type "IEND", CRC ae426082.
    const iend = [0x49, 0x45, 0x4e, 0x44, 0xae, 0x42, 0x60, 0x82];
    const text = Buffer.from(tail);
    if (text.lastIndexOf(Buffer.from(iend)) < 0) return truncated;
  } else if (format === 'jpeg') {
    if (Buffer.from(tail).lastIndexOf(Buffer.from([0xff, 0xd9])) < 0) return truncated;
  } else if (format === 'gif') {
    if (tail.lastIndexOf(0x3b) < 0) return truncated;
  } else if (format === 'webp') {
    const declared = Buffer.from(head).readUInt32LE(4) + 8;
    if (declared > size) return `truncated WEBP (${size} bytes of ${declared})`;
  }
  return undefined;
}

/** Reads a file's head and tail synchronously (for `Preprocessor.check`, which cannot wait). */
export function fileProblem(path: string): string | undefined {
  let size: number;
  try {
    const stats = statSync(path);
    if (!stats.isFile()) return `${path}: not a file`;
    size = stats.size;
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    return `${path}: ${code === 'ENOENT' ? 'no such file' : `cannot read (${code})`}`;
  }
  if (size === 0) return `${path}: the file is empty`;
  const head = new Uint8Array(Math.min(HEAD_BYTES, size));
  const tail = new Uint8Array(Math.min(TAIL_BYTES, size));
  let fd: number | undefined;
  try {
    fd = openSync(path, 'r');
    readSync(fd, head, 0, head.length, 0);
    readSync(fd, tail, 0, tail.length, size - tail.length);
  } catch (error) {
    return `${path}: cannot read (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`;
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
  const problem = structuralProblem(head, tail, size);
  return problem ? `${path}: ${problem}` : undefined;
}

/** The same checks on bytes in memory (a data URI). */
export function bytesProblem(bytes: Uint8Array): string | undefined {
  return structuralProblem(bytes.subarray(0, HEAD_BYTES), bytes.subarray(Math.max(0, bytes.length - TAIL_BYTES)), bytes.length);
}
