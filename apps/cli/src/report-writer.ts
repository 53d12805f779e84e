import { join } from 'node:path';
import { PolymodalError, type TrainedFolder } from '@polymodal/core';
import { importIfInstalled } from './optional-package.js';

/**
 * Reports are rendered by @polymodal/report (Vega, Vega-Lite: about 60 packages), loaded only when a report
 * is written, so projects that install the CLI without it still train, evaluate and predict.
 */
type ReportModule = typeof import('@polymodal/report');

export const REPORT_FILE = 'report.html';
export const PLOTS_DIR = 'plots';
export const PLOT_FORMATS = ['png', 'svg'] as const;
export type PlotFormat = (typeof PLOT_FORMATS)[number];

/** Printed when a command would write a report but @polymodal/report is not installed (and none was asked for). */
export const REPORT_NOT_INSTALLED = 'no HTML report written: reports need @polymodal/report (run `npm install @polymodal/report`)';

let loaded: Promise<ReportModule | undefined> | undefined;

export function loadReportModule(): Promise<ReportModule | undefined> {
  // Not installed: no report. A report whose own dependency (vega) is missing is broken, and says so.
  loaded ??= importIfInstalled<ReportModule>('@polymodal/report');
  return loaded;
}

export async function requireReportModule(why: string): Promise<ReportModule> {
  const module = await loadReportModule();
  if (!module) {
    throw new PolymodalError(`${why} needs the package @polymodal/report, which is not installed`, {
      hint: 'Run `npm install @polymodal/report`.',
      exitCode: 2,
    });
  }
  return module;
}

/** Adds report.html (and plots/ when asked) to a trained model folder before it is committed; false when no report package is installed. */
export async function writeTrainingReport(folder: TrainedFolder, options: { plots?: PlotFormat }): Promise<boolean> {
  const report = options.plots ? await requireReportModule(`--plots ${options.plots}`) : await loadReportModule();
  if (!report) return false;
  const sharp = options.plots === 'png' ? await report.loadSharp() : undefined;
  const built = await report.buildReport({
    artifacts: { dir: folder.target, meta: folder.meta, manifest: folder.manifest, history: folder.history, metrics: folder.metrics, summary: folder.summary },
    evaluation: folder.evaluation,
    generatedBy: 'polymodal train',
  });
  await report.writeReport(built, join(folder.dir, REPORT_FILE), { plots: options.plots, plotsDir: join(folder.dir, PLOTS_DIR), sharp });
  return true;
}
