/**
 * Text and structured classification report, like `sklearn.metrics.classification_report`.
 */
import { averagePrf, labelCounts, prfFromCounts } from './classification.js';
import { formatFixed, padLeft } from './format.js';
import { uniqueSorted } from './numeric.js';
import type { Numeric } from './types.js';
import { checkFinite, checkNonEmpty, checkSameLength } from './validate.js';

export interface ReportRow {
  precision: number;
  recall: number;
  f1Score: number;
  support: number;
}

export interface ReportClassRow extends ReportRow {
  label: number;
  /** display name: the target name, or the label as a string */
  name: string;
}

export interface ClassificationReportData {
  classes: ReportClassRow[];
  /**
   * Accuracy, present when the micro average equals accuracy: the labels cover every label seen in
   * yTrue/yPred (scikit-learn >= 1.3 rule). Otherwise `microAvg` is present instead.
   */
  accuracy?: number;
  microAvg?: ReportRow;
  macroAvg: ReportRow;
  weightedAvg: ReportRow;
  /** Zero-division warnings (the ill-defined values are reported as 0.0). */
  warnings: string[];
}

export interface ClassificationReportOptions {
  /** Labels to include, in row order. Default: sorted union of labels in yTrue and yPred. */
  labels?: readonly number[];
  /** Display names matching `labels` (same length). Default: the labels as strings. */
  targetNames?: readonly string[];
  /** Decimal places in the text report (default 2). */
  digits?: number;
}

/** The numbers behind `classification_report` (its `output_dict=True` form). */
export function classificationReportData(
  yTrue: Numeric,
  yPred: Numeric,
  options: ClassificationReportOptions = {},
): ClassificationReportData {
  checkSameLength('classificationReport', yTrue, yPred);
  checkNonEmpty('classificationReport', yTrue);
  checkFinite('classificationReport', 'yTrue', yTrue);
  checkFinite('classificationReport', 'yPred', yPred);
  const present = uniqueSorted(yTrue, yPred);
  const labels = options.labels ? [...options.labels] : present;
  if (labels.length === 0) throw new Error('classificationReport: no labels');
  const names = options.targetNames ? [...options.targetNames] : labels.map((l) => String(l));
  if (names.length !== labels.length) {
    throw new Error(
      `classificationReport: ${labels.length} labels but ${names.length} targetNames; they must match one to one`,
    );
  }
  const counts = labelCounts(yTrue, yPred, labels);
  const perClass = prfFromCounts(counts);
  const warnings = new Set(perClass.warnings);
  const support = counts.trueSum.reduce((a, b) => a + b, 0);
  const avg = (average: 'micro' | 'macro' | 'weighted'): ReportRow => {
    const r = averagePrf(counts, average);
    r.warnings.forEach((w) => warnings.add(w));
    return { precision: r.value.precision, recall: r.value.recall, f1Score: r.value.fScore, support };
  };
  const labelSet = new Set(labels);
  const microIsAccuracy = present.every((l) => labelSet.has(l));
  const classes = labels.map((label, i) => ({
    label,
    name: names[i],
    precision: perClass.value.precision[i],
    recall: perClass.value.recall[i],
    f1Score: perClass.value.fScore[i],
    support: perClass.value.support[i],
  }));
  const micro = avg('micro');
  const data: ClassificationReportData = {
    classes,
    ...(microIsAccuracy ? { accuracy: micro.precision } : { microAvg: micro }),
    macroAvg: avg('macro'),
    weightedAvg: avg('weighted'),
    warnings: [...warnings],
  };
  return data;
}

/** Renders report data in scikit-learn's text layout. */
export function formatClassificationReport(data: ClassificationReportData, digits = 2): string {
  const headers = ['precision', 'recall', 'f1-score', 'support'];
  const width = Math.max(...data.classes.map((c) => [...c.name].length), 'weighted avg'.length, digits);
  const num = (v: number) => ` ${padLeft(formatFixed(v, digits), 9)}`;
  const row = (name: string, r: ReportRow) =>
    `${padLeft(name, width)} ${num(r.precision)}${num(r.recall)}${num(r.f1Score)} ${padLeft(String(r.support), 9)}\n`;
  let out = `${padLeft('', width)} ${headers.map((h) => ` ${padLeft(h, 9)}`).join('')}\n\n`;
  for (const c of data.classes) out += row(c.name, c);
  out += '\n';
  if (data.accuracy !== undefined) {
    const support = data.macroAvg.support;
    out += `${padLeft('accuracy', width)} ${' '.repeat(10)}${' '.repeat(10)}${num(data.accuracy)} ${padLeft(String(support), 9)}\n`;
  } else if (data.microAvg) {
    out += row('micro avg', data.microAvg);
  }
  out += row('macro avg', data.macroAvg);
  out += row('weighted avg', data.weightedAvg);
  return out;
}

/**
 * The string `sklearn.metrics.classification_report(y_true, y_pred, labels=..., target_names=...,
 * digits=...)` returns, byte for byte (including the trailing newline). The structured form (and
 * the zero-division warnings) come from `classificationReportData` with the same arguments.
 */
export function classificationReport(yTrue: Numeric, yPred: Numeric, options: ClassificationReportOptions = {}): string {
  return formatClassificationReport(classificationReportData(yTrue, yPred, options), options.digits ?? 2);
}
