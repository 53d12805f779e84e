import { readFileSync } from 'node:fs';
import { PolymodalError, resolveCellPath, type CellPathSpec, type RawValue } from '@polymodal/core';
import { inspectWavFile } from './wav/wav-file.js';
import type { WavLayout } from './wav/wav-layout.js';

/** The audio file a cell names: a path relative to `baseDir` that must stay inside the data root; undefined when empty. */
export function audioPath(value: RawValue, baseDir: string, spec: CellPathSpec): string | undefined {
  if (value === null || value === undefined) return undefined;
  const text = String(value).trim();
  if (text === '') return undefined;
  return resolveCellPath(spec, text, baseDir);
}

/** Why the file cannot be a usable clip (checked cheaply: the header), or its layout. */
export function audioFileProblem(path: string, channels: number): { layout: WavLayout } | { problem: string } {
  const inspected = inspectWavFile(path);
  if ('problem' in inspected) return inspected;
  const { layout } = inspected;
  if (layout.frames === 0) return { problem: `${path}: the WAV file holds no samples` };
  if (channels > 1 && layout.channels > 1 && layout.channels < channels) {
    return { problem: `${path}: has ${layout.channels} channels, the input asks for ${channels} ("channels" option; 1 mixes down to mono)` };
  }
  return inspected;
}

/**
 * The file's bytes, read synchronously: WAV clips are small, and an asynchronous read costs 0.1-0.5 ms per file
 * in thread-pool hand-offs (measured), as long as extracting its features; in a worker thread nothing else waits.
 */
export function readAudioFile(path: string): Buffer {
  try {
    return readFileSync(path);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new PolymodalError(`${path}: ${code === 'ENOENT' ? 'no such file' : `cannot read (${code})`}`, { cause: error, exitCode: 1 });
  }
}
