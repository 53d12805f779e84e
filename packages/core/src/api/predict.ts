import { resolve } from 'node:path';
import type { SkippedRows } from '../pipeline/skipped-rows.js';
import { createBatchSource } from '../training/batch-source.js';
import { withTransformPool } from '../pipeline/transform-pool.js';
import { silentReporter } from '../training/reporter.js';
import { checkOutputFile } from '../artifacts/output-target.js';
import { writeFileAtomic } from '../util/atomic-write.js';
import { createRandom } from '../util/random.js';
import { readCheckedRows } from './evaluate.js';
import type { LabelCodec } from '../data/labels.js';
import { loadModel, type LoadModelOptions } from './load-model.js';
import { cell } from '../data/cell.js';
import type { Table } from '../data/table.js';
import { PolymodalError } from '../errors.js';
import type { RawValue } from '../plugin/contracts.js';
import { didYouMean } from '../util/did-you-mean.js';
import { predictWithDetails, withDetails, type Reliance } from './prediction-details.js';

export interface PredictOptions extends LoadModelOptions {
  /** CSV or JSONL with the model's input columns (labels not needed). */
  input: string;
  /** JSONL file to write; when absent the predictions are only returned. */
  output?: string;
  /** Replace an existing `output` file. */
  overwrite?: boolean;
  onInvalidRow?: 'fail' | 'skip';
  /** A column (an identifier) copied into each prediction as `id`. */
  idColumn?: string;
  /** Add each row's `reliance` (presence of each input, and what the fusion exposes: attention, gates). */
  explain?: boolean;
}

export interface Prediction {
  /** Line of the row in the input file. */
  row: number;
  /** The row's `idColumn` value, when one was asked for. */
  id?: RawValue;
  /** Class name (binary, multiclass), list of class names (multilabel) or value (regression). */
  prediction: string | number | (string | number)[];
  /** Probability per class, for classification tasks. */
  probabilities?: Record<string, number>;
  /** The inputs the row had (manifest order); written when the model has optional inputs, or with `explain`. */
  modalities?: string[];
  /** With `explain`: per reliance name (`presence`, `attention`, `gates`...), a value per input. */
  reliance?: Reliance;
}

export interface PredictResult {
  predictions: Prediction[];
  skippedRows: SkippedRows;
  output?: string;
}

function round(value: number): number {
  return Math.round(value * 1e6) / 1e6;
}

export function toPredictions(labels: LabelCodec, outputs: Float32Array, lines: readonly number[], threshold: number, ids?: readonly RawValue[]): Prediction[] {
  const values = labels.fromModelOutput(outputs);
  const k = labels.outputUnits;
  const predictions = lines.map((row, r): Prediction => {
    switch (labels.task) {
      case 'regression':
        return { row, prediction: values[r] };
      case 'binary': {
        const p = values[r];
        return { row, prediction: labels.className(p >= threshold ? 1 : 0), probabilities: { [labels.classes[0]]: round(1 - p), [labels.classes[1]]: round(p) } };
      }
      case 'multiclass': {
        const scores = values.subarray(r * k, (r + 1) * k);
        let best = 0;
        scores.forEach((score, c) => { if (score > scores[best]) best = c; });
        return { row, prediction: labels.className(best), probabilities: Object.fromEntries(labels.classes.map((name, c) => [name, round(scores[c])])) };
      }
      case 'multilabel': {
        const scores = values.subarray(r * k, (r + 1) * k);
        return {
          row,
          prediction: labels.classes.flatMap((_, c) => (scores[c] >= threshold ? [labels.className(c)] : [])),
          probabilities: Object.fromEntries(labels.classes.map((name, c) => [name, round(scores[c])])),
        };
      }
    }
  });
  return ids ? predictions.map(({ row, ...rest }, r) => ({ row, id: ids[r], ...rest })) : predictions;
}

/** Each usable row's `idColumn` value; the column must exist in the file. */
function readIds(table: Table, valid: readonly number[], idColumn: string): RawValue[] {
  if (!table.columns.includes(idColumn)) {
    throw new PolymodalError(`${table.source}: --id-column "${idColumn}" is not a column of the file.${didYouMean(idColumn, table.columns)}`, {
      hint: `The file's columns are: ${table.columns.join(', ')}.`,
      exitCode: 2,
    });
  }
  return valid.map((i) => cell(table.rows[i], idColumn));
}

/** Predicts every row of a file with a trained model folder; writes JSONL when `output` is given. */
export async function predict(dir: string, options: PredictOptions): Promise<PredictResult> {
  const reporter = options.reporter ?? silentReporter;
  // Checked before the model loads, so a bad --output fails at once.
  const output = options.output === undefined ? undefined : await checkOutputFile(options.output, { overwrite: options.overwrite ?? false, flag: '--output' });
  const model = await loadModel(dir, options);
  try {
    const path = resolve(options.input);
    const policy = options.onInvalidRow ?? model.manifest.data.onInvalidRow;
    const { table, inputs, valid, skipped } = await readCheckedRows(model, path, false, policy, (message) => reporter.event({ type: 'warning', message }));
    const ids = options.idColumn === undefined ? undefined : readIds(table, valid, options.idColumn);
    const rows = valid.map((i) => table.rows[i]);
    const source = await withTransformPool(model.manifest.data.workers, inputs, rows.length, (pool) =>
      createBatchSource({ inputs, rows, targetWidth: 1, random: createRandom(model.meta.seed), pool }));
    const { outputs, details } = await predictWithDetails(model, inputs, source, rows, options.explain === true);
    const predictions = withDetails(toPredictions(model.labels, outputs, valid.map((i) => table.lines[i]), model.meta.threshold, ids), details);
    if (output) await writeFileAtomic(output, predictions.map((p) => JSON.stringify(p)).join('\n') + '\n');
    return { predictions, skippedRows: skipped, output };
  } finally {
    model.model.dispose();
  }
}
