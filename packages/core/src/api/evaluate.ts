import { resolve } from 'node:path';
import { FLAG_SKIP_HINT, readTable, type Table } from '../data/table.js';
import { splitMetrics } from '../evaluation/split-metrics.js';
import { predictOutputs } from '../evaluation/predict-outputs.js';
import { classificationReport, confusionMatrix, METRIC_NAMES } from '@polymodal/metrics';
import { writeJsonAtomic } from '../util/atomic-write.js';
import type { Row } from '../plugin/contracts.js';
import { checkColumnsExist } from '../pipeline/check-columns.js';
import { checkRows } from '../pipeline/check-rows.js';
import { verifyRows } from '../pipeline/verify-rows.js';
import { inputChecks } from '../pipeline/presence.js';
import { columnUses, dataDirOf, splitPrepared } from '../pipeline/prepare-data.js';
import type { SkippedRows } from '../pipeline/skipped-rows.js';
import { createBatchSource } from '../training/batch-source.js';
import { withTransformPool } from '../pipeline/transform-pool.js';
import { silentReporter } from '../training/reporter.js';
import { createRandom } from '../util/random.js';
import { loadModel, type LoadModelOptions, type LoadedModel } from './load-model.js';
import { droppedInputs } from './dropped-inputs.js';
import type { EvaluationData } from '../evaluation/evaluation-data.js';

export interface EvaluateOptions extends LoadModelOptions {
  /** Data with labels; default: the test split of the training data, rebuilt from the manifest's seed. */
  data?: string;
  onInvalidRow?: 'fail' | 'skip';
  /** Write every metric, the confusion matrix and the classification report to this JSON file. */
  metricsFile?: string;
  /** Optional inputs treated as missing in every row (`--drop INPUT`): how the model does without them. */
  drop?: readonly string[];
}

export interface EvaluateResult {
  dataSource: string;
  /** 'test split' when evaluating the training data's test split, else 'all rows'. */
  rowsUsed: 'test split' | 'all rows';
  rows: number;
  /** The inputs removed from every row (`drop`), in the order given. */
  dropped: string[];
  threshold: number;
  metrics: Record<string, number>;
  warnings: string[];
  skippedRows: SkippedRows;
  classes: string[];
  /** Rows: true class, columns: predicted class, in `classes` order (binary and multiclass). */
  confusionMatrix?: number[][];
  /** scikit-learn's classification report for classification tasks. */
  report?: string;
  /** The predictions behind the metrics, for a report's confusion matrix and curves (see @polymodal/report). */
  evaluation: EvaluationData;
}

/** Reads a data file with the model's restored preprocessing, applying the run's row policy. */
export async function readCheckedRows(model: LoadedModel, path: string, withLabels: boolean, policy: 'fail' | 'skip', warn: (m: string) => void) {
  const manifest = model.manifest;
  const rowPolicy = { onInvalidRow: policy, skipHint: FLAG_SKIP_HINT, warn };
  const table: Table = await readTable(path, path === model.meta.trainingData
    ? { format: manifest.data.format, delimiter: manifest.data.delimiter, missingHint: 'The model was trained on this file; give --data FILE to evaluate on another.', ...rowPolicy }
    : { missingHint: 'Check the path given on the command line (relative to the current directory).', ...rowPolicy });
  const uses = columnUses(manifest, withLabels).filter((use) => use.pointer !== '/data/split/column' || path === model.meta.trainingData);
  checkColumnsExist(table, uses);
  // The training data is read under the rules it was trained under (its data.root and opt-out); any other file
  // is confined to its own folder.
  const trainingAccess = path === model.meta.trainingData ? {
    root: manifest.data.root === undefined ? undefined : resolve(model.meta.manifestDir ?? model.dir, manifest.data.root),
    allowPathsOutsideRoot: manifest.data.allowPathsOutsideRoot === true,
  } : undefined;
  const inputs = model.inputsFor(dataDirOf(table), trainingAccess);
  const checks = [
    ...(withLabels ? [(row: Row) => model.labels.check(row)] : []),
    ...inputChecks(inputs),
  ];
  const checked = checkRows(table, checks, policy, warn, FLAG_SKIP_HINT);
  const { valid, skipped } = await verifyRows(table, checked, inputs, policy, warn, FLAG_SKIP_HINT);
  return { table, inputs, valid, skipped };
}

export async function evaluate(dir: string, options: EvaluateOptions = {}): Promise<EvaluateResult> {
  const reporter = options.reporter ?? silentReporter;
  const warn = (message: string) => reporter.event({ type: 'warning', message });
  const model = await loadModel(dir, options);
  try {
    const manifest = model.manifest;
    const drop = droppedInputs(model, options.drop ?? []);
    const path = options.data ? resolve(options.data) : model.meta.trainingData;
    const policy = options.onInvalidRow ?? manifest.data.onInvalidRow;
    const { table, inputs, valid, skipped } = await readCheckedRows(model, path, true, policy, warn);
    let rows = valid.map((i) => table.rows[i]);
    if (!options.data) {
      const lines = valid.map((i) => table.lines[i]);
      const split = splitPrepared(manifest, { table, rows, lines, skipped, labels: model.labels, inputs });
      rows = split.test.map((i) => rows[i]);
    }
    const source = await withTransformPool(model.manifest.data.workers, inputs, rows.length, (pool) =>
      createBatchSource({ inputs, rows, targetWidth: 1, random: createRandom(model.meta.seed), pool, drop }));
    const outputs = await predictOutputs(model.model, source, manifest.training.batchSize);
    const targets = model.labels.targets(rows);
    // Every metric of the task, the manifest's choice first: evaluation is where people look for all of them.
    const names = [...new Set([...(manifest.evaluation.metrics ?? []), ...METRIC_NAMES[model.labels.task]])];
    const { values, warnings } = splitMetrics(model.labels, targets, outputs, names, model.meta.threshold);
    let report: string | undefined;
    let matrix: number[][] | undefined;
    if ((model.labels.task === 'binary' || model.labels.task === 'multiclass') && rows.length > 0) {
      const k = model.labels.classes.length;
      const predicted = Array.from({ length: rows.length }, (_, r) =>
        k === 2 && model.labels.task === 'binary' ? (outputs[r] >= model.meta.threshold ? 1 : 0) : argmax(outputs, r * k, k));
      const labels = model.labels.classes.map((_, i) => i);
      report = classificationReport(Array.from(targets), predicted, { labels, targetNames: [...model.labels.classes] });
      matrix = confusionMatrix(Array.from(targets), predicted, { labels });
    }
    const without = drop.size > 0 ? `, without ${[...drop].join(', ')}` : '';
    const evaluation: EvaluationData = {
      title: (options.data ? `${path} (all rows)` : `test split of ${path}`) + without,
      task: model.labels.task,
      classes: model.labels.classes,
      threshold: model.meta.threshold,
      rows: rows.length,
      targets,
      scores: model.labels.fromModelOutput(outputs),
      metrics: values,
      warnings,
      skippedRows: skipped,
    };
    const result: EvaluateResult = {
      dataSource: path,
      rowsUsed: options.data ? 'all rows' : 'test split',
      rows: rows.length,
      dropped: [...drop],
      threshold: model.meta.threshold,
      classes: [...model.labels.classes],
      metrics: values,
      confusionMatrix: matrix,
      warnings,
      skippedRows: skipped,
      report,
      evaluation,
    };
    if (options.metricsFile) {
      // The per-row predictions stay out of the metrics file: they are not metrics, and can be large.
      const { evaluation: _evaluation, ...serialisable } = result;
      await writeJsonAtomic(resolve(options.metricsFile), serialisable);
    }
    return result;
  } finally {
    model.model.dispose();
  }
}

function argmax(values: Float32Array, offset: number, length: number): number {
  let best = 0;
  for (let i = 1; i < length; i++) if (values[offset + i] > values[offset + best]) best = i;
  return best;
}
