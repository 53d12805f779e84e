import { cp } from 'node:fs/promises';
import { dirname, isAbsolute, join, relative, resolve } from 'node:path';
import { applyPointerSettings, commitDirectory, stagingDirectory, writeFileAtomic, writeJsonAtomic } from '@polymodal/core';
import type { SearchSpace } from '../space/search-space.js';
import { bestTrial, type StudyView } from './trials.js';

export const STUDY_FILE = 'study.json';
export const BEST_MANIFEST_FILE = 'best-manifest.json';
export const BEST_MODEL_DIR = 'best-model';
export const STUDY_REPORT_FILE = 'report.html';

type ReportModule = typeof import('@polymodal/report');

/**
 * The best trial's manifest as a plain manifest (no search section) that lives in the study folder: its
 * parameters written in, and the paths that are relative to the manifest rebased onto the study folder.
 */
export function bestManifest(raw: unknown, manifestPath: string, dir: string, space: SearchSpace, params: Record<string, unknown>): Record<string, unknown> {
  const manifest = structuredClone(raw) as Record<string, unknown>;
  delete manifest.search;
  applyPointerSettings(manifest, space.settingsOf(params));
  const from = dirname(resolve(manifestPath));
  const rebase = (path: unknown) => (typeof path === 'string' && !isAbsolute(path) && !/^[a-z]+:/i.test(path) ? relative(resolve(dir), resolve(from, path)) || '.' : path);
  if (typeof manifest.$schema === 'string') manifest.$schema = rebase(manifest.$schema);
  const data = manifest.data as Record<string, unknown> | undefined;
  if (data && typeof data === 'object') {
    data.source = rebase(data.source);
    if (data.root !== undefined) data.root = rebase(data.root);
  }
  return manifest;
}

export interface StudySummary {
  manifest: string;
  algorithm: string;
  objective: string;
  direction: string;
  trials: StudyView['trials'];
  best: { trial: number; value: number; params: Record<string, unknown>; modelDir: string; manifest: string } | null;
}

/**
 * study.json, the best manifest, a copy of the best model's folder (complete or absent) and the report page
 * (when @polymodal/report is installed). Rewritten from the journal whenever a study run ends.
 */
export async function writeStudyOutputs(dir: string, view: StudyView, options: { raw: unknown; manifestPath: string; space: SearchSpace; report?: ReportModule; build?: (report: ReportModule) => Promise<string> }): Promise<StudySummary> {
  const best = bestTrial(view.trials, view.study.direction);
  const summary: StudySummary = {
    manifest: view.study.manifest, algorithm: view.study.algorithm, objective: view.study.objective, direction: view.study.direction,
    trials: view.trials,
    best: best ? { trial: best.number, value: best.value!, params: best.params, modelDir: join(dir, BEST_MODEL_DIR), manifest: join(dir, BEST_MANIFEST_FILE) } : null,
  };
  if (best?.outDir) {
    await writeJsonAtomic(join(dir, BEST_MANIFEST_FILE), bestManifest(options.raw, options.manifestPath, dir, options.space, best.params));
    const target = join(dir, BEST_MODEL_DIR);
    const staging = await stagingDirectory(target);
    await cp(best.outDir, staging, { recursive: true });
    await commitDirectory(staging, target);
  }
  await writeJsonAtomic(join(dir, STUDY_FILE), summary);
  if (options.report && options.build) await writeFileAtomic(join(dir, STUDY_REPORT_FILE), await options.build(options.report));
  return summary;
}
