import type { CrossvalResult, Manifest } from '@polymodal/core';
import { foldMetricChart } from './charts.js';
import { escapeHtml, figure, page, renderCharts, table } from './page.js';
import type { Report } from './types.js';

/** The cross-validation report: summary (mean, sd) of each metric, a chart of each metric's fold values, every fold, the manifest. */
export async function buildCrossvalReport(result: CrossvalResult, manifest: Manifest): Promise<Report> {
  const names = Object.keys(result.summary);
  const label = (r: CrossvalResult['results'][number]) => (result.repeats > 1 ? `repeat ${r.repeat + 1}, fold ${r.fold + 1}` : `fold ${r.fold + 1}`);
  const subtitle = `${result.folds} folds${result.repeats > 1 ? ` x ${result.repeats} repeats` : ''}${result.stratify ? ', stratified' : ''}; red rule: mean`;
  const charts = await renderCharts(names.map((name) => foldMetricChart(name, result.results.filter((r) => Number.isFinite(r.metrics[name])).map((r) => ({ fold: label(r), value: r.metrics[name] })), subtitle)));
  const summaryTable = table(['metric', 'mean', 'std', 'min', 'max'], names.map((n) => [n, result.summary[n].mean, result.summary[n].std, result.summary[n].min, result.summary[n].max]));
  const foldTable = table(['fold', 'train rows', 'validation rows', 'held-out rows', 'epochs', ...names], result.results.map((r) => [
    label(r), r.rows.train, r.rows.validation, r.rows.test, r.epochsRun, ...names.map((n) => r.metrics[n] ?? null),
  ]));
  const html = page(`${result.name}: cross-validation`, `${result.task}, ${subtitle.replace('; red rule: mean', '')}`, [
    {
      id: 'summary',
      title: 'Summary',
      body: `<p>Metrics on each held-out fold; preprocessing and training used the fold's other rows only. Manifest: <code>${escapeHtml(result.manifest)}</code></p>${summaryTable}`,
    },
    { id: 'charts', title: 'Metrics per fold', body: `<div class="charts">${charts.map(figure).join('')}</div>` },
    { id: 'folds', title: 'Folds', body: `${foldTable}<p>Each fold's model folder (with its own report) is under <code>${escapeHtml(result.outDir)}/folds/</code>.</p>` },
    { id: 'manifest', title: 'Resolved manifest', body: `<pre>${escapeHtml(JSON.stringify(manifest, null, 2))}</pre>` },
  ]);
  return { html, charts };
}
