import { readFile } from 'node:fs/promises';
import { PolymodalError, resolveCellPath, type CellPathSpec, type RawValue } from '@polymodal/core';
import { bytesProblem, fileProblem } from './image-format.js';

/** Where one cell's image comes from: a file, or bytes from a base64 data URI. */
export type ImageSource =
  | { readonly kind: 'file'; readonly path: string }
  | { readonly kind: 'bytes'; readonly bytes: Buffer; readonly label: string };

const DATA_URI = /^data:([^;,]*)(;[^,]*)?,/;

/** Decodes `data:[mime][;base64],payload`; undefined when the cell is not a data URI. */
export function parseDataUri(value: string): Buffer | undefined {
  const match = DATA_URI.exec(value);
  if (!match) return undefined;
  const payload = value.slice(match[0].length);
  return (match[2] ?? '').split(';').includes('base64') ? Buffer.from(payload, 'base64') : Buffer.from(decodeURIComponent(payload), 'latin1');
}

/**
 * Resolves a cell to an image source: a data URI, or a path relative to `baseDir`, which must stay inside the
 * input's data root (`spec`, by default `baseDir` itself; see core's resolveCellPath). Undefined when empty.
 */
export function imageSource(value: RawValue, baseDir: string, spec: CellPathSpec = { dataDir: baseDir }): ImageSource | undefined {
  if (value === null || value === undefined) return undefined;
  const text = String(value).trim();
  if (text === '') return undefined;
  const bytes = parseDataUri(text);
  if (bytes) return { kind: 'bytes', bytes, label: `data URI "${text.slice(0, 32)}..."` };
  return { kind: 'file', path: resolveCellPath(spec, text, baseDir) };
}

export function describeSource(source: ImageSource): string {
  return source.kind === 'file' ? source.path : source.label;
}

/** Why the source cannot be an intact image, checked synchronously and cheaply; undefined when it looks fine. */
export function sourceProblem(source: ImageSource): string | undefined {
  if (source.kind === 'file') return fileProblem(source.path);
  const problem = bytesProblem(source.bytes);
  return problem ? `${source.label}: ${problem}` : undefined;
}

export async function readSource(source: ImageSource): Promise<Buffer> {
  if (source.kind === 'bytes') return source.bytes;
  try {
    return await readFile(source.path);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new PolymodalError(`${source.path}: ${code === 'ENOENT' ? 'no such file' : `cannot read (${code})`}`, { cause: error });
  }
}
