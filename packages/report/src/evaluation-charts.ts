import { auc, averagePrecisionScore, calibrationCurve, confusionMatrix, precisionRecallCurve, rocCurve } from '@polymodal/metrics';
import { calibrationChart, confusionMatrixChart, type CurveSeries, precisionRecallChart, predictedActualChart, rocChart } from './charts.js';
import type { EvaluationData } from '@polymodal/core';
import type { Chart } from './types.js';

export interface EvaluationCharts {
  charts: Chart[];
  /** Why an expected chart or curve is missing (e.g. a class with no rows). */
  notes: string[];
}

function argmax(values: ArrayLike<number>, offset: number, length: number): number {
  let best = 0;
  for (let i = 1; i < length; i++) if (values[offset + i] > values[offset + best]) best = i;
  return best;
}

/** One-vs-rest 0/1 targets and scores of column `c` of a flat rows*k matrix (or of class index targets). */
function column(data: EvaluationData, c: number): { yTrue: number[]; yScore: number[] } {
  const k = data.classes.length;
  const yTrue = Array.from({ length: data.rows }, (_, r) => (data.task === 'multilabel' ? data.targets[r * k + c] : data.targets[r] === c ? 1 : 0));
  const yScore = Array.from({ length: data.rows }, (_, r) => data.scores[r * k + c]);
  return { yTrue, yScore };
}

/** Confusion matrix, ROC and PR curves, calibration or predicted-vs-actual, as fits the task. */
export function evaluationCharts(data: EvaluationData): EvaluationCharts {
  const charts: Chart[] = [];
  const notes: string[] = [];
  if (data.rows === 0) return { charts, notes: [`${data.title}: no rows, so no evaluation charts`] };
  // Chart subtitles keep file names only, so long paths do not widen the charts (the page shows full paths).
  const subtitle = `${data.title.replace(/(?:[A-Za-z]:)?[^\s]*[\\/]([^\\/\s]+)/g, '$1')}, ${data.rows} rows`;
  if (data.task === 'regression') {
    charts.push(predictedActualChart(data.targets, data.scores, subtitle));
    return { charts, notes };
  }
  const k = data.classes.length;
  // One-vs-rest problems: binary has one (the positive class), multiclass and multilabel one per class.
  const problems: { label: string; yTrue: number[]; yScore: number[] }[] = [];
  if (data.task === 'binary') {
    const yTrue = Array.from(data.targets);
    const yScore = Array.from(data.scores);
    const predicted = yScore.map((s) => (s >= data.threshold ? 1 : 0));
    charts.push(confusionMatrixChart(confusionMatrix(yTrue, predicted, { labels: [0, 1] }), data.classes, `${subtitle}, threshold ${round(data.threshold)}`));
    problems.push({ label: data.classes[1], yTrue, yScore });
  } else {
    if (data.task === 'multiclass') {
      const predicted = Array.from({ length: data.rows }, (_, r) => argmax(data.scores, r * k, k));
      charts.push(confusionMatrixChart(confusionMatrix(Array.from(data.targets), predicted, { labels: data.classes.map((_, i) => i) }), data.classes, subtitle));
    } else {
      notes.push('multilabel: no confusion matrix (one 2x2 matrix per label would be needed); see the per-label curves');
    }
    data.classes.forEach((label, c) => problems.push({ label, ...column(data, c) }));
  }
  const roc: CurveSeries[] = [];
  const pr: CurveSeries[] = [];
  for (const problem of problems) {
    const positives = problem.yTrue.filter((y) => y === 1).length;
    if (positives === 0 || positives === problem.yTrue.length) {
      notes.push(`class "${problem.label}": ${positives === 0 ? 'no' : 'only'} positive rows in ${data.title}, so no ROC or PR curve`);
      continue;
    }
    const r = rocCurve(problem.yTrue, problem.yScore).value;
    const p = precisionRecallCurve(problem.yTrue, problem.yScore).value;
    const name = data.task === 'binary' ? `${problem.label}` : `${problem.label} vs rest`;
    roc.push({ label: `${name} (AUC ${round(auc(r.fpr, r.tpr))})`, x: r.fpr, y: r.tpr });
    pr.push({ label: `${name} (AP ${round(averagePrecisionScore(problem.yTrue, problem.yScore).value)})`, x: p.recall, y: p.precision });
  }
  if (roc.length > 0) {
    charts.push(rocChart(roc, subtitle));
    charts.push(precisionRecallChart(pr, subtitle));
  }
  if (data.task === 'binary') {
    const curve = calibrationCurve(Array.from(data.targets), Array.from(data.scores), { nBins: 10 });
    charts.push(calibrationChart(curve.bins, `${subtitle}, 10 uniform bins`));
  }
  return { charts, notes };
}

function round(value: number): string {
  return Number.isFinite(value) ? value.toFixed(3) : String(value);
}
