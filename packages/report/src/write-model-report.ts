import { join } from 'node:path';
import { readArtifacts, type ArtifactContents, type CrossvalResult, type EvaluationData, type Manifest } from '@polymodal/core';
import { buildReport } from './build-report.js';
import { buildCrossvalReport } from './crossval-report.js';
import type { SharpFactory } from './png.js';
import { PLOTS_DIR, REPORT_FILE } from './report-files.js';
import { writeReport, type PlotFormat, type WrittenReport } from './write-report.js';

/** What a model report shows besides the model folder's own files. */
export interface ModelReportInput {
  /** The folder's contents; default: read from the folder (so explanation.json written by explain is included). */
  artifacts?: ArtifactContents;
  /** Predictions on labelled rows (train(), evaluate() and explain() return them) for the confusion matrix and curves. */
  evaluation?: EvaluationData;
  /** Shown in the header, e.g. "polymodal train". */
  generatedBy?: string;
  /** Where the folder will be once committed (train's `beforeCommit` gives a staging folder), shown in the report. */
  targetDir?: string;
}

export interface ReportFileOptions {
  /** Also write each chart as a file (PNG needs the optional package sharp). */
  plots?: PlotFormat;
  /** sharp from loadSharp(), loaded before the work that precedes the report so a missing sharp fails early. */
  sharp?: SharpFactory;
}

async function artifactsOf(modelDir: string, input: ModelReportInput): Promise<ArtifactContents> {
  const artifacts = input.artifacts ?? (await readArtifacts(modelDir));
  return input.targetDir === undefined ? artifacts : { ...artifacts, dir: input.targetDir };
}

/**
 * Writes `<modelDir>/report.html` (atomically) and, with `plots`, `<modelDir>/plots/` (staged and renamed, so
 * complete or absent). `modelDir` may be a staging folder that is renamed into place afterwards.
 */
export async function writeTrainingReport(modelDir: string, input: ModelReportInput = {}, options: ReportFileOptions = {}): Promise<WrittenReport> {
  const report = await buildReport({ artifacts: await artifactsOf(modelDir, input), evaluation: input.evaluation, generatedBy: input.generatedBy });
  return writeReport(report, join(modelDir, REPORT_FILE), { plots: options.plots, plotsDir: join(modelDir, PLOTS_DIR), sharp: options.sharp });
}

/**
 * Writes a model's report to `htmlPath` outside its folder (`polymodal evaluate`: the folder train wrote stays as
 * it was); plots go to `<htmlPath without .html>-plots/`.
 */
export async function writeEvaluationReport(modelDir: string, input: ModelReportInput, htmlPath: string, options: ReportFileOptions = {}): Promise<WrittenReport> {
  const report = await buildReport({ artifacts: await artifactsOf(modelDir, input), evaluation: input.evaluation, generatedBy: input.generatedBy });
  return writeReport(report, htmlPath, { plots: options.plots, sharp: options.sharp });
}

/** Writes `<dir>/report.html` for a cross-validation (crossval's `beforeCommit` gives its staging folder). */
export async function writeCrossvalReport(dir: string, result: CrossvalResult, manifest: Manifest): Promise<WrittenReport> {
  return writeReport(await buildCrossvalReport(result, manifest), join(dir, REPORT_FILE));
}
