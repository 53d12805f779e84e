import type { SearchSpace } from '../space/search-space.js';
import type { Direction } from '../space/types.js';
import { bestTrial, lossOf, type StudyView } from '../study/trials.js';
import { parameterImportance } from './importance.js';

type ReportModule = typeof import('@polymodal/report');
type Chart = import('@polymodal/report').Chart;

function objectiveChart(view: StudyView, objective: string, direction: Direction): Chart {
  let best: number | undefined;
  const values = view.trials.filter((t) => t.state === 'complete' && t.value !== undefined).map((t) => {
    if (best === undefined || lossOf(t.value!, direction) < lossOf(best, direction)) best = t.value!;
    return { trial: t.number, value: t.value!, best };
  });
  return {
    id: 'objective-by-trial',
    title: `${objective} by trial, with the best so far`,
    spec: {
      $schema: 'https://vega.github.io/schema/vega-lite/v5.json',
      width: 460, height: 260, data: { values },
      layer: [
        { mark: { type: 'point', filled: true }, encoding: { x: { field: 'trial', type: 'quantitative', title: 'trial' }, y: { field: 'value', type: 'quantitative', title: objective, scale: { zero: false } } } },
        { mark: { type: 'line', interpolate: 'step-after', color: '#d62728' }, encoding: { x: { field: 'trial', type: 'quantitative' }, y: { field: 'best', type: 'quantitative' } } },
      ],
    },
  };
}

function parameterCharts(view: StudyView, space: SearchSpace, objective: string): Chart[] {
  return space.params.map((param) => {
    const values = view.trials
      .filter((t) => t.state === 'complete' && t.value !== undefined && Object.prototype.hasOwnProperty.call(t.params, param.name))
      .map((t) => ({ value: t.params[param.name] === null || typeof t.params[param.name] !== 'object' ? t.params[param.name] : JSON.stringify(t.params[param.name]), objective: t.value! }));
    const numeric = param.spec.type === 'int' || param.spec.type === 'float';
    const log = numeric && (param.spec as { log?: boolean }).log === true;
    return {
      id: `param-${param.name}`,
      title: `${objective} against ${param.name}`,
      spec: {
        $schema: 'https://vega.github.io/schema/vega-lite/v5.json',
        width: 300, height: 200, data: { values },
        mark: { type: 'point', filled: true, opacity: 0.8 },
        encoding: {
          x: numeric ? { field: 'value', type: 'quantitative', title: param.name, scale: log ? { type: 'log' } : { zero: false } } : { field: 'value', type: 'nominal', title: param.name },
          y: { field: 'objective', type: 'quantitative', title: objective, scale: { zero: false } },
        },
      },
    };
  });
}

function importanceChart(rows: readonly { param: string; importance: number }[]): Chart {
  return {
    id: 'parameter-importance',
    title: 'Parameter importance (|Spearman| for numbers, correlation ratio for choices)',
    spec: {
      $schema: 'https://vega.github.io/schema/vega-lite/v5.json',
      width: 360, height: { step: 22 }, data: { values: rows.map((r) => ({ ...r })) },
      mark: 'bar',
      encoding: { y: { field: 'param', type: 'nominal', sort: '-x', title: null }, x: { field: 'importance', type: 'quantitative', scale: { domain: [0, 1] } } },
    },
  };
}

/** The study page: objective by trial, importance, each parameter against the objective, and every trial. */
export async function buildStudyReport(report: ReportModule, view: StudyView, space: SearchSpace): Promise<string> {
  const { objective, direction } = view.study;
  const complete = view.trials.filter((t) => t.state === 'complete' && t.value !== undefined).map((t) => ({ params: t.params, value: t.value! }));
  const importance = parameterImportance(space, complete);
  const charts = await report.renderCharts([objectiveChart(view, objective, direction), importanceChart(importance), ...parameterCharts(view, space, objective)]);
  const best = bestTrial(view.trials, direction);
  const names = space.params.map((p) => p.name);
  const rows = view.trials.map((t) => [t.number, t.state, t.value ?? null, t.epochs, ...names.map((n) => (Object.prototype.hasOwnProperty.call(t.params, n) ? JSON.stringify(t.params[n]) : '-')), t.error ?? '']);
  const counts = ['complete', 'pruned', 'failed', 'interrupted'].map((s) => `${view.trials.filter((t) => t.state === s).length} ${s}`).join(', ');
  return report.page(`Study: ${view.study.manifest}`, `${view.study.algorithm} search, ${objective} (${direction === 'min' ? 'lower' : 'higher'} is better); ${counts}`, [
    {
      id: 'best', title: 'Best trial',
      body: best
        ? report.table(['trial', objective, ...names], [[best.number, best.value!, ...names.map((n) => (Object.prototype.hasOwnProperty.call(best.params, n) ? JSON.stringify(best.params[n]) : '-'))]])
        : '<p class="note">No trial completed.</p>',
    },
    { id: 'charts', title: 'Charts', body: `<div class="charts">${charts.map((c) => report.figure(c)).join('')}</div>` },
    { id: 'trials', title: 'Trials', body: report.table(['trial', 'state', objective, 'epochs', ...names, 'error'], rows) },
  ]);
}
