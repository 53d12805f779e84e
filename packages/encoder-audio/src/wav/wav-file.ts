import { closeSync, openSync, readFileSync, readSync, statSync } from 'node:fs';
import { NeedMoreBytes, readWavLayout, WavFormatError, type WavLayout } from './wav-layout.js';

/** Bytes read first when checking a file: enough for the header and the usual metadata chunks. */
const HEAD_BYTES = 64 * 1024;

function readHead(path: string, size: number): Uint8Array {
  const head = new Uint8Array(Math.min(HEAD_BYTES, size));
  const fd = openSync(path, 'r');
  try {
    readSync(fd, head, 0, head.length, 0);
  } finally {
    closeSync(fd);
  }
  return head;
}

/**
 * A WAV file's layout, read synchronously and cheaply (its head, the whole file only when metadata chunks
 * push the samples past 64 KB), or the problem that makes it unusable, prefixed with its path.
 */
export function inspectWavFile(path: string): { layout: WavLayout } | { problem: string } {
  let size: number;
  try {
    const stats = statSync(path);
    if (!stats.isFile()) return { problem: `${path}: not a file` };
    size = stats.size;
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    return { problem: `${path}: ${code === 'ENOENT' ? 'no such file' : `cannot read (${code})`}` };
  }
  try {
    try {
      return { layout: readWavLayout(readHead(path, size), size) };
    } catch (error) {
      if (!(error instanceof NeedMoreBytes)) throw error;
      return { layout: readWavLayout(readFileSync(path)) };
    }
  } catch (error) {
    if (error instanceof WavFormatError) return { problem: `${path}: ${error.message}` };
    return { problem: `${path}: cannot read (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})` };
  }
}
