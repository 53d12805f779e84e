import { readFile } from 'node:fs/promises';
import { LOWER_IS_BETTER, PolymodalError } from '@polymodal/core';
import { SearchSpace } from './search-space.js';
import type { Direction, SearchSection } from './types.js';
import { validateSearchSection } from './validate-space.js';

export interface LoadedSpace {
  section: SearchSection;
  space: SearchSpace;
  /** Where the section came from: `<manifest>#/search` or the --space file. */
  source: string;
}

async function readJson(path: string, what: string): Promise<unknown> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new PolymodalError(`${path}: ${code === 'ENOENT' ? `no such ${what}` : `cannot read the ${what} (${code})`}`, { exitCode: 2 });
  }
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new PolymodalError(`${path}: the ${what} is not valid JSON (${(error as Error).message})`, { exitCode: 2 });
  }
}

/** The manifest as written (no defaults), for trial manifests and pointer checks. */
export function readRawManifest(path: string): Promise<unknown> {
  return readJson(path, 'manifest file');
}

/**
 * The search space: a --space file when given (its pointers still point into the manifest), else the
 * manifest's `search` section. Validated completely, pointers included.
 */
export async function loadSearchSpace(manifestPath: string, rawManifest: unknown, spacePath?: string): Promise<LoadedSpace> {
  let value: unknown;
  let at: string;
  let source: string;
  if (spacePath !== undefined) {
    value = await readJson(spacePath, 'search space file');
    at = '';
    source = spacePath;
  } else {
    value = (rawManifest as { search?: unknown } | null)?.search;
    at = '/search';
    source = manifestPath;
    if (value === undefined) {
      throw new PolymodalError(`${manifestPath}: no search space: the manifest has no "search" section and no --space file was given`, {
        hint: 'Add "search": { "params": { "units": { "type": "int", "pointer": "/inputs/<name>/options/units/0", "low": 32, "high": 512, "step": 32 } } } to the manifest, or pass --space FILE.',
        exitCode: 2,
      });
    }
  }
  const section = validateSearchSection(value, at, source, rawManifest);
  return { section, space: new SearchSpace(section.params), source };
}

/** The objective's natural direction: down for losses and error metrics, up for the rest. */
export function defaultDirection(objective: string): Direction {
  const metric = objective.replace(/^(val|cv)_/, '');
  return metric === 'loss' || LOWER_IS_BETTER.has(metric) ? 'min' : 'max';
}
