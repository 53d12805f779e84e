import { readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { PolymodalError } from '../errors.js';
import { EXPLANATION_FILE, type Explanation } from '../evaluation/explanation.js';
import type { Manifest } from '../manifest/types.js';
import { ARTIFACT_FILES, type ArtifactMeta } from './artifact.js';
import type { HistoryFile, MetricsFile } from './run-records.js';

/** What a model folder holds, as read by readArtifacts(). Optional parts are absent in older folders. */
export interface ArtifactContents {
  dir?: string;
  meta: ArtifactMeta;
  manifest: Manifest;
  history?: HistoryFile;
  metrics?: MetricsFile;
  summary?: string;
  explanation?: Explanation;
}

async function optional(path: string): Promise<string | undefined> {
  try {
    return await readFile(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
}

function parse<T>(path: string, text: string | undefined): T | undefined {
  if (text === undefined) return undefined;
  try {
    return JSON.parse(text) as T;
  } catch (error) {
    throw new PolymodalError(`${path}: corrupt JSON (${(error as Error).message})`, { hint: 'Train the model again.' });
  }
}

/** Reads what a report shows from a model folder; history, metrics, summary and explanation are optional. */
export async function readArtifacts(dir: string): Promise<ArtifactContents> {
  const absolute = resolve(dir);
  const read = async <T>(file: string) => parse<T>(join(absolute, file), await optional(join(absolute, file)));
  const meta = await read<ArtifactContents['meta']>(ARTIFACT_FILES.meta);
  const manifest = await read<ArtifactContents['manifest']>(ARTIFACT_FILES.manifest);
  if (!meta || !manifest) {
    throw new PolymodalError(`${absolute}: not a Polymodal model folder (no ${!meta ? ARTIFACT_FILES.meta : ARTIFACT_FILES.manifest})`, {
      hint: 'Give the folder that `polymodal train` wrote.',
      exitCode: 2,
    });
  }
  return {
    dir: absolute,
    meta,
    manifest,
    history: await read(ARTIFACT_FILES.history),
    metrics: await read(ARTIFACT_FILES.metrics),
    summary: await optional(join(absolute, ARTIFACT_FILES.summary)),
    explanation: await read(EXPLANATION_FILE),
  };
}
