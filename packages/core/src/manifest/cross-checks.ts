import { availableParallelism } from 'node:os';
import { checkModalityDropout } from './missing-input-checks.js';
import { checkMonitors, splitMayGiveValidation } from './monitors.js';
import type { Manifest } from './types.js';
import { inputColumns, labelColumns } from './types.js';

/** Whether the core schema found no problem at or around a JSON pointer (see ShapeCheck.isClean). */
export type IsClean = (pointer: string) => boolean;

/** A random split needs rows left for training. */
function checkSplitFractions(manifest: Manifest): string[] {
  const { validation, test, column } = manifest.data.split;
  if (column !== undefined || validation + test < 1) return [];
  return [`/data/split: validation (${validation}) + test (${test}) = ${+(validation + test).toFixed(6)} leaves no rows for training; keep the sum below 1, e.g. 0.2 and 0.2`];
}

/** A model given its own label as an input learns to copy it: test accuracy 1.0 that means nothing. */
function checkLabelNotAnInput(manifest: Manifest): string[] {
  const labels = labelColumns(manifest);
  const labelPointer = (column: string) => (Array.isArray(manifest.output.column) ? `/output/column/${labels.indexOf(column)}` : '/output/column');
  const problems: string[] = [];
  for (const [name, entry] of Object.entries(manifest.inputs)) {
    inputColumns(entry).forEach((column, i) => {
      if (!labels.includes(column)) return;
      const at = entry.column !== undefined ? `/inputs/${name}/column` : `/inputs/${name}/columns/${i}`;
      problems.push(`${at}: column "${column}" is the label (${labelPointer(column)}); an input must not contain the label, or the model just copies it. Remove it from the input`);
    });
  }
  return problems;
}

/** Checks that need the whole manifest but no plugin and no data. Sections the schema rejected are skipped. */
export function checkManifestConsistency(manifest: Manifest, isClean: IsClean): string[] {
  const problems: string[] = [];
  if (isClean('/data/split')) problems.push(...checkSplitFractions(manifest));
  if (isClean('/inputs') && isClean('/output/column')) problems.push(...checkLabelNotAnInput(manifest));
  problems.push(...checkModalityDropout(manifest, isClean));
  if (isClean('/training') && isClean('/output/task') && isClean('/data/split')) {
    problems.push(...checkMonitors(manifest, splitMayGiveValidation(manifest)).problems);
  }
  return problems;
}

/**
 * Limits of the machine that runs the manifest (not part of the schema, which is the same everywhere):
 * more worker threads than cores only costs memory and start-up time.
 */
export function checkHostLimits(manifest: Manifest, isClean: IsClean, cores = availableParallelism()): string[] {
  if (!isClean('/data/workers')) return [];
  const workers = manifest.data.workers;
  if (typeof workers !== 'number' || workers <= cores) return [];
  return [`/data/workers: ${workers} worker threads, but this machine has ${cores} core${cores === 1 ? '' : 's'}; use at most ${cores}, or "auto"`];
}
