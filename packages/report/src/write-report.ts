import { basename, dirname, join } from 'node:path';
import { commitDirectory, discardStaging, stagingDirectory, writeFileAtomic } from '@polymodal/core';
import { loadSharp, svgToPng, type SharpFactory } from './png.js';
import type { Report } from './types.js';

/** Extra chart files written beside a report: none, SVG or PNG (PNG needs sharp). */
export type PlotFormat = 'none' | 'svg' | 'png';
/** The formats `--plots` accepts. */
export const PLOT_FORMATS = ['png', 'svg'] as const;

export interface WrittenReport {
  html: string;
  plotsDir?: string;
  plots: string[];
}

/**
 * Writes report.html (atomically) and, when asked, one file per chart into `plotsDir` (written to a staging
 * folder and renamed, so it is complete or absent). Pass `sharp` from loadSharp() up front to fail before work.
 */
export async function writeReport(report: Report, htmlPath: string, options: { plots?: PlotFormat; plotsDir?: string; sharp?: SharpFactory } = {}): Promise<WrittenReport> {
  const plots = options.plots ?? 'none';
  const written: WrittenReport = { html: htmlPath, plots: [] };
  if (plots !== 'none') {
    const plotsDir = options.plotsDir ?? join(dirname(htmlPath), `${basename(htmlPath).replace(/\.html?$/i, '')}-plots`);
    const sharp = plots === 'png' ? options.sharp ?? await loadSharp() : undefined;
    const staging = await stagingDirectory(plotsDir);
    try {
      for (const chart of report.charts) {
        const file = `${chart.id}.${plots}`;
        await writeFileAtomic(join(staging, file), sharp ? await svgToPng(sharp, chart.svg) : chart.svg);
        written.plots.push(join(plotsDir, file));
      }
      await commitDirectory(staging, plotsDir);
    } catch (error) {
      await discardStaging(staging);
      throw error;
    }
    written.plotsDir = plotsDir;
  }
  await writeFileAtomic(htmlPath, report.html);
  return written;
}
