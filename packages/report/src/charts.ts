import type { HistoryFile } from '@polymodal/core';
import type { Chart } from './types.js';

/** Vega-Lite specs for the report's charts: pure functions of plain data. */

const WIDTH = 360;
const HEIGHT = 240;
const MAX_POINTS = 2000;

/** Keeps at most `max` points of a curve, always keeping both ends, so large sets stay small on the page. */
export function thin<T>(points: readonly T[], max = MAX_POINTS): T[] {
  if (points.length <= max) return [...points];
  const step = (points.length - 1) / (max - 1);
  return Array.from({ length: max }, (_, i) => points[Math.round(i * step)]);
}

function safeId(text: string): string {
  return text.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '') || 'x';
}

/** One chart per logged quantity (loss, accuracy, val_<metric> ...): train and validation per epoch. */
export function learningCurveCharts(history: HistoryFile): Chart[] {
  const bases: string[] = [];
  for (const record of history.epochs) {
    for (const key of Object.keys(record.logs)) {
      const base = key.replace(/^val_/, '');
      if (!bases.includes(base)) bases.push(base);
    }
  }
  return bases.map((base) => {
    const values = history.epochs.flatMap((record) => [
      ...(Number.isFinite(record.logs[base]) ? [{ epoch: record.epoch, value: record.logs[base], split: 'train' }] : []),
      ...(Number.isFinite(record.logs[`val_${base}`]) ? [{ epoch: record.epoch, value: record.logs[`val_${base}`], split: 'validation' }] : []),
    ]);
    const title = `Learning curve: ${base}`;
    return {
      id: `learning-curve-${safeId(base)}`,
      title,
      spec: {
        title,
        width: WIDTH,
        height: HEIGHT,
        data: { values },
        mark: { type: 'line', point: true },
        encoding: {
          x: { field: 'epoch', type: 'quantitative', title: 'epoch', axis: { tickMinStep: 1 } },
          y: { field: 'value', type: 'quantitative', title: base, scale: { zero: false } },
          color: { field: 'split', type: 'nominal', title: null, scale: { domain: ['train', 'validation'] } },
        },
      },
    };
  });
}

/** A heatmap of counts, true class down, predicted class across, each cell labelled with its count. */
export function confusionMatrixChart(matrix: readonly (readonly number[])[], classes: readonly string[], subtitle: string): Chart {
  const values = matrix.flatMap((row, t) => row.map((count, p) => ({ actual: classes[t], predicted: classes[p], count })));
  const max = Math.max(1, ...values.map((v) => v.count));
  const size = Math.min(480, Math.max(160, classes.length * 48));
  const title = 'Confusion matrix';
  return {
    id: 'confusion-matrix',
    title,
    spec: {
      title: { text: title, subtitle },
      width: size,
      height: size,
      data: { values },
      encoding: {
        x: { field: 'predicted', type: 'nominal', sort: [...classes], title: 'predicted', axis: { labelAngle: 0 } },
        y: { field: 'actual', type: 'nominal', sort: [...classes], title: 'actual' },
      },
      layer: [
        { mark: 'rect', encoding: { color: { field: 'count', type: 'quantitative', title: 'rows', scale: { scheme: 'blues', domainMin: 0 } } } },
        {
          mark: { type: 'text', fontSize: 13 },
          encoding: {
            text: { field: 'count', type: 'quantitative' },
            color: { condition: { test: `datum.count > ${max / 2}`, value: 'white' }, value: 'black' },
          },
        },
      ],
    },
  };
}

export interface CurveSeries {
  label: string;
  x: readonly number[];
  y: readonly number[];
}

function curveChart(id: string, title: string, subtitle: string, series: readonly CurveSeries[], axes: { x: string; y: string }, diagonal: boolean): Chart {
  const values = series.flatMap((s) => thin(s.x.map((x, i) => ({ x, y: s.y[i], order: i }))).map((p) => ({ ...p, curve: s.label })));
  const layers: unknown[] = [];
  if (diagonal) {
    layers.push(identityLine(0, 1));
  }
  layers.push({
    data: { values },
    mark: { type: 'line', interpolate: id === 'pr-curve' ? 'step-after' : 'linear' },
    encoding: {
      x: { field: 'x', type: 'quantitative', title: axes.x, scale: { domain: [0, 1] } },
      y: { field: 'y', type: 'quantitative', title: axes.y, scale: { domain: [0, 1] } },
      color: { field: 'curve', type: 'nominal', title: null },
      order: { field: 'order', type: 'quantitative' },
    },
  });
  return { id, title, spec: { title: { text: title, subtitle }, width: WIDTH, height: WIDTH, layer: layers } as Chart['spec'] };
}

/** The dashed y = x reference line from (lo, lo) to (hi, hi) that chance, calibration and regression charts share. */
function identityLine(lo: number, hi: number) {
  return {
    data: { values: [{ x: lo, y: lo }, { x: hi, y: hi }] },
    mark: { type: 'line' as const, strokeDash: [4, 4], color: '#999' },
    encoding: { x: { field: 'x', type: 'quantitative' as const }, y: { field: 'y', type: 'quantitative' as const } },
  };
}

export function rocChart(series: readonly CurveSeries[], subtitle: string): Chart {
  return curveChart('roc-curve', 'ROC curve', subtitle, series, { x: 'false positive rate', y: 'true positive rate' }, true);
}

export function precisionRecallChart(series: readonly CurveSeries[], subtitle: string): Chart {
  return curveChart('pr-curve', 'Precision-recall curve', subtitle, series, { x: 'recall', y: 'precision' }, false);
}

/** Reliability diagram: fraction of positives against mean predicted probability per bin, with the diagonal. */
export function calibrationChart(bins: readonly { meanPredicted: number; fractionPositive: number; count: number }[], subtitle: string): Chart {
  const title = 'Calibration';
  return {
    id: 'calibration',
    title,
    spec: {
      title: { text: title, subtitle },
      width: WIDTH,
      height: WIDTH,
      layer: [
        identityLine(0, 1),
        {
          data: { values: bins.map((b) => ({ x: b.meanPredicted, y: b.fractionPositive, rows: b.count })) },
          mark: { type: 'line', point: true },
          encoding: {
            x: { field: 'x', type: 'quantitative', title: 'mean predicted probability', scale: { domain: [0, 1] } },
            y: { field: 'y', type: 'quantitative', title: 'fraction of positives', scale: { domain: [0, 1] } },
          },
        },
      ],
    } as Chart['spec'],
  };
}

/** Regression: predicted against actual values, with the identity line. */
export function predictedActualChart(actual: ArrayLike<number>, predicted: ArrayLike<number>, subtitle: string): Chart {
  const points = thin(Array.from(actual, (a, i) => ({ actual: a, predicted: predicted[i] })));
  const all = points.flatMap((p) => [p.actual, p.predicted]);
  const lo = Math.min(...all);
  const hi = Math.max(...all);
  const title = 'Predicted vs actual';
  return {
    id: 'predicted-vs-actual',
    title,
    spec: {
      title: { text: title, subtitle },
      width: WIDTH,
      height: WIDTH,
      layer: [
        identityLine(lo, hi),
        {
          data: { values: points },
          mark: { type: 'point', filled: true, opacity: 0.5 },
          encoding: {
            x: { field: 'actual', type: 'quantitative', title: 'actual', scale: { zero: false } },
            y: { field: 'predicted', type: 'quantitative', title: 'predicted', scale: { zero: false } },
          },
        },
      ],
    } as Chart['spec'],
  };
}

/** Bars of the mean drop per input with 95% interval whiskers, for one metric. */
export function contributionChart(metric: string, rows: readonly { input: string; drop: number; lo: number | null; hi: number | null }[], subtitle: string): Chart {
  const title = `Per-input contribution: ${metric}`;
  return {
    id: `contribution-${safeId(metric)}`,
    title,
    spec: {
      title: { text: title, subtitle },
      width: WIDTH,
      height: Math.max(60, rows.length * 28),
      data: { values: rows.map((r) => ({ ...r, lo: r.lo ?? r.drop, hi: r.hi ?? r.drop })) },
      encoding: { y: { field: 'input', type: 'nominal', title: 'input permuted', sort: '-x' } },
      layer: [
        { mark: 'bar', encoding: { x: { field: 'drop', type: 'quantitative', title: `drop in ${metric}` } } },
        { mark: { type: 'rule', color: 'black' }, encoding: { x: { field: 'lo', type: 'quantitative' }, x2: { field: 'hi' } } },
      ],
    } as Chart['spec'],
  };
}

/** Each fold's value of one metric as a point, with the mean as a rule. */
export function foldMetricChart(metric: string, values: readonly { fold: string; value: number }[], subtitle: string): Chart {
  const title = `Cross-validation: ${metric}`;
  return {
    id: `crossval-${safeId(metric)}`,
    title,
    spec: {
      title: { text: title, subtitle },
      width: WIDTH,
      height: 60,
      data: { values: [...values] },
      layer: [
        { mark: { type: 'point', filled: true, size: 60 }, encoding: { x: { field: 'value', type: 'quantitative', title: metric, scale: { zero: false } }, tooltip: { field: 'fold' } } },
        { mark: { type: 'rule', color: 'firebrick' }, encoding: { x: { aggregate: 'mean', field: 'value', type: 'quantitative' } } },
      ],
    } as Chart['spec'],
  };
}
