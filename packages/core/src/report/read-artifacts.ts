import { readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { ARTIFACT_FILES } from '../artifacts/artifact.js';
import { PolymodalError } from '../errors.js';
import type { ArtifactContents } from './types.js';

/** explanation.json: written by explain() into the model folder. */
export const EXPLANATION_FILE = 'explanation.json';
/** report.html: written by train() (and explain()) into the model folder. */
export const REPORT_FILE = 'report.html';
/** PNG/SVG files of the report's charts, beside report.html. */
export const PLOTS_DIR = 'plots';

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
