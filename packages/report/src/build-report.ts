import type { Explanation, SkippedRows } from '@polymodal/core';
import { contributionChart, learningCurveCharts } from './charts.js';
import { evaluationCharts } from './evaluation-charts.js';
import { escapeHtml, figure, page, renderCharts, table, type Section } from './page.js';
import type { Chart, RenderedChart, Report, ReportInput } from './types.js';

function skippedBlock(label: string, skipped: SkippedRows | undefined): string {
  if (!skipped) return '';
  if (skipped.count === 0) return `<p>${escapeHtml(label)}: no rows skipped.</p>`;
  const byColumn = table(['column', 'rows skipped'], Object.entries(skipped.byColumn).map(([column, n]) => [column, n]));
  const examples = table(['line', 'column', 'problem'], skipped.examples.map((e) => [e.line, e.column, e.problem]));
  return `<p>${escapeHtml(label)}: <strong>${skipped.count}</strong> rows skipped.</p>${byColumn}<p>First examples:</p>${examples}`;
}

function chartsBlock(charts: readonly RenderedChart[]): string {
  return `<div class="charts">${charts.map(figure).join('')}</div>`;
}

/** The per-input contribution charts (one per metric) of an explanation. */
export function explanationCharts(explanation: Explanation): Chart[] {
  const metrics = Object.keys(explanation.baseline);
  const subtitle = `${explanation.dataSource} (${explanation.rowsUsed}, ${explanation.rows} rows), ${explanation.repeats} permutation${explanation.repeats === 1 ? '' : 's'}`;
  return metrics.map((metric) => contributionChart(metric, explanation.inputs.map((input) => {
    const estimate = input.metrics[metric];
    return { input: input.name, drop: estimate.drop, lo: estimate.ci95?.[0] ?? null, hi: estimate.ci95?.[1] ?? null };
  }), subtitle));
}

export function explanationTable(explanation: Explanation): string {
  const metrics = Object.keys(explanation.baseline);
  const rows = explanation.inputs.flatMap((input) => metrics.map((metric) => {
    const e = input.metrics[metric];
    return [input.name, metric, explanation.baseline[metric], e.drop, e.ci95?.[0] ?? null, e.ci95?.[1] ?? null];
  }));
  return table(['input', 'metric', 'baseline', 'mean drop', '95% CI low', '95% CI high'], rows);
}

/**
 * The model report: a pure function of a model folder's contents and (optionally) predictions on labelled
 * rows. Returns the self-contained HTML page and the rendered charts (for PNG/SVG files).
 */
export async function buildReport(input: ReportInput): Promise<Report> {
  const { artifacts, evaluation } = input;
  const { meta, manifest, metrics, history, summary, explanation } = artifacts;
  const sections: { section: Omit<Section, 'body'>; parts: (string | Chart[])[] }[] = [];

  const overview: string[] = [
    '<dl>',
    ...[
      ['model', meta.name],
      ['task', `${meta.task}${meta.classes.length > 0 ? ` (${meta.classes.join(', ')})` : ''}`],
      ...(meta.task === 'binary' || meta.task === 'multilabel' ? [['decision threshold', String(meta.threshold)]] : []),
      ['inputs', meta.inputs.map((i) => `${i.name}: ${i.encoder} [${i.columns.join(', ')}]`).join('; ')],
      ['trained', meta.createdAt],
      ['backend', `${meta.backend.name}${meta.backend.gpu ? ' (GPU)' : ''}`],
      ['plugins', meta.plugins.map((p) => `${p.name} ${p.version}`).join(', ')],
      ['core', meta.coreVersion],
      ['seed', String(meta.seed)],
      ...(artifacts.dir ? [['folder', artifacts.dir]] : []),
    ].map(([k, v]) => `<dt>${escapeHtml(k)}</dt><dd>${escapeHtml(v)}</dd>`),
    '</dl>',
  ];
  sections.push({ section: { id: 'overview', title: 'Overview' }, parts: overview });

  const dataParts: string[] = [`<p>Training data: <code>${escapeHtml(meta.trainingData)}</code></p>`];
  if (metrics) {
    const total = metrics.rows.train + metrics.rows.validation + metrics.rows.test;
    dataParts.push(table(['split', 'rows', 'share'], [
      ...(['train', 'validation', 'test'] as const).map((s) => [s, metrics.rows[s], total === 0 ? null : metrics.rows[s] / total]),
      ['total', total, total === 0 ? null : 1],
    ]));
    dataParts.push(skippedBlock('Training data', metrics.skippedRows));
  }
  if (evaluation) {
    dataParts.push(`<p>Evaluated on: ${escapeHtml(evaluation.title)}, ${evaluation.rows} rows.</p>`);
    if (evaluation.skippedRows) dataParts.push(skippedBlock('Evaluation data', evaluation.skippedRows));
  }
  sections.push({ section: { id: 'data', title: 'Data' }, parts: dataParts });

  const columns: Record<string, Record<string, number>> = {};
  if (metrics) Object.assign(columns, { train: metrics.train, validation: metrics.validation, test: metrics.test });
  if (evaluation) columns[`evaluation (${evaluation.title})`] = evaluation.metrics;
  const names = [...new Set(Object.values(columns).flatMap((m) => Object.keys(m)))];
  if (names.length > 0) {
    const warnings = [...new Set([...(metrics?.warnings ?? []), ...(evaluation?.warnings ?? [])])];
    sections.push({
      section: { id: 'metrics', title: 'Metrics' },
      parts: [
        table(['metric', ...Object.keys(columns)], names.map((name) => [name, ...Object.values(columns).map((m) => m[name] ?? null)])),
        ...warnings.map((w) => `<p class="note">warning: ${escapeHtml(w)}</p>`),
      ],
    });
  }

  if (evaluation) {
    const { charts, notes } = evaluationCharts(evaluation);
    sections.push({ section: { id: 'evaluation', title: 'Evaluation' }, parts: [charts, ...notes.map((n) => `<p class="note">${escapeHtml(n)}</p>`)] });
  }

  if (history && history.epochs.length > 0) {
    const facts = [
      `${history.epochsRun} epoch${history.epochsRun === 1 ? '' : 's'} run`,
      ...(history.stopReason ? [`stopped: ${history.stopReason}`] : []),
      ...(history.restoredEpoch ? [`weights restored from epoch ${history.restoredEpoch}`] : []),
      ...(history.checkpointEpoch ? [`best checkpoint: epoch ${history.checkpointEpoch}`] : []),
    ];
    sections.push({ section: { id: 'learning-curves', title: 'Learning curves' }, parts: [`<p>${escapeHtml(facts.join('; '))}.</p>`, learningCurveCharts(history)] });
  }

  if (explanation) {
    sections.push({
      section: { id: 'contributions', title: 'Per-input contribution' },
      parts: [
        `<p>Drop in each metric when one input's columns are permuted across rows (${explanation.repeats} seeded permutation${explanation.repeats === 1 ? '' : 's'}, seed ${explanation.seed}; ` +
          `positive means the model relies on the input; 95% Student-t interval of the mean). Data: ${escapeHtml(explanation.dataSource)} (${explanation.rowsUsed}, ${explanation.rows} rows).</p>`,
        explanationTable(explanation),
        explanationCharts(explanation),
      ],
    });
  }

  if (summary) sections.push({ section: { id: 'model', title: 'Model summary' }, parts: [`<pre>${escapeHtml(summary)}</pre>`] });
  sections.push({ section: { id: 'manifest', title: 'Resolved manifest' }, parts: [`<pre>${escapeHtml(JSON.stringify(manifest, null, 2))}</pre>`] });

  const allCharts: RenderedChart[] = [];
  const rendered: Section[] = [];
  for (const { section, parts } of sections) {
    let body = '';
    for (const part of parts) {
      if (typeof part === 'string') body += part;
      else {
        const charts = await renderCharts(part.map((c) => ({ ...c, id: uniqueId(c.id, allCharts) })));
        allCharts.push(...charts);
        body += chartsBlock(charts);
      }
    }
    rendered.push({ ...section, body });
  }
  const title = `${meta.name}: Polymodal report`;
  const subtitle = [input.generatedBy, evaluation ? `evaluated on ${evaluation.title}` : undefined].filter(Boolean).join(', ');
  return { html: page(title, subtitle || `${meta.task} model`, rendered), charts: allCharts };
}

function uniqueId(id: string, existing: readonly { id: string }[]): string {
  if (!existing.some((c) => c.id === id)) return id;
  let n = 2;
  while (existing.some((c) => c.id === `${id}-${n}`)) n++;
  return `${id}-${n}`;
}
