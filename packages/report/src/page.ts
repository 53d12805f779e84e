import { renderSvg } from './render-svg.js';
import type { Chart, RenderedChart } from './types.js';

/** Building blocks of a self-contained HTML page: no scripts, no external resources, charts inlined as SVG. */

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}

export function formatValue(value: number | null | undefined): string {
  if (value === null || value === undefined) return '-';
  if (!Number.isFinite(value)) return String(value);
  const magnitude = Math.abs(value);
  if (Number.isInteger(value) && magnitude < 1e9) return String(value);
  return magnitude !== 0 && (magnitude < 1e-3 || magnitude >= 1e5) ? value.toExponential(3) : value.toFixed(4);
}

/** A table; cells are escaped text (numbers formatted). */
export function table(headers: readonly string[], rows: readonly (readonly (string | number | null | undefined)[])[], className = ''): string {
  const cell = (v: string | number | null | undefined) => (typeof v === 'number' || v === null || v === undefined ? `<td class="num">${formatValue(v as number | null | undefined)}</td>` : `<td>${escapeHtml(v)}</td>`);
  return `<table${className ? ` class="${className}"` : ''}><thead><tr>${headers.map((h) => `<th>${escapeHtml(h)}</th>`).join('')}</tr></thead>` +
    `<tbody>${rows.map((row) => `<tr>${row.map(cell).join('')}</tr>`).join('')}</tbody></table>`;
}

/** Renders each chart to SVG (ids made unique per chart). */
export async function renderCharts(charts: readonly Chart[]): Promise<RenderedChart[]> {
  const seen = new Map<string, number>();
  const rendered: RenderedChart[] = [];
  for (const chart of charts) {
    const count = seen.get(chart.id) ?? 0;
    seen.set(chart.id, count + 1);
    const id = count === 0 ? chart.id : `${chart.id}-${count + 1}`;
    rendered.push({ ...chart, id, svg: await renderSvg(chart.spec, id) });
  }
  return rendered;
}

export function figure(chart: RenderedChart): string {
  return `<figure class="chart" id="chart-${escapeHtml(chart.id)}" data-chart="${escapeHtml(chart.id)}">${chart.svg}<figcaption>${escapeHtml(chart.title)}</figcaption></figure>`;
}

export interface Section {
  id: string;
  title: string;
  body: string;
}

const STYLE = `
body{font-family:system-ui,-apple-system,"Segoe UI",Roboto,Helvetica,Arial,sans-serif;margin:0;color:#1d2433;background:#f6f7f9}
header{background:#1d2433;color:#fff;padding:18px 32px}header h1{margin:0 0 4px;font-size:22px}header p{margin:0;color:#c9d1e0;font-size:14px}
nav{padding:8px 32px;background:#e9ecf2;font-size:14px}nav a{margin-right:16px;color:#24528f;text-decoration:none}
main{padding:8px 32px 40px}section{background:#fff;border:1px solid #dde1e8;border-radius:6px;margin:16px 0;padding:8px 20px 16px}
h2{font-size:18px;margin:12px 0}.charts{display:flex;flex-wrap:wrap;gap:16px}
figure.chart{margin:0;padding:8px;border:1px solid #eceef2;border-radius:4px;background:#fff}figure.chart svg{display:block;max-width:100%;height:auto}
figcaption{font-size:12px;color:#5b6475;text-align:center}
table{border-collapse:collapse;font-size:13px;margin:8px 0}th,td{border-bottom:1px solid #e3e6ec;padding:4px 10px;text-align:left}td.num{text-align:right;font-variant-numeric:tabular-nums}
pre{background:#f3f4f7;padding:10px;overflow:auto;font-size:12px;max-height:480px}.note{color:#8a5a00;font-size:13px}dl{display:grid;grid-template-columns:max-content auto;gap:2px 14px;font-size:14px}dt{color:#5b6475}dd{margin:0}
`;

/** The whole page. A Content-Security-Policy forbids any network access or script. */
export function page(title: string, subtitle: string, sections: readonly Section[]): string {
  return [
    '<!DOCTYPE html>',
    '<html lang="en"><head><meta charset="utf-8">',
    `<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; img-src data:">`,
    '<meta name="viewport" content="width=device-width, initial-scale=1">',
    `<title>${escapeHtml(title)}</title><style>${STYLE}</style></head><body>`,
    `<header><h1>${escapeHtml(title)}</h1><p>${escapeHtml(subtitle)}</p></header>`,
    `<nav>${sections.map((s) => `<a href="#${escapeHtml(s.id)}">${escapeHtml(s.title)}</a>`).join('')}</nav>`,
    '<main>',
    ...sections.map((s) => `<section id="${escapeHtml(s.id)}"><h2>${escapeHtml(s.title)}</h2>${s.body}</section>`),
    '</main></body></html>',
    '',
  ].join('\n');
}
