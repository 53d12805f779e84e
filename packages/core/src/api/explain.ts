import { join, resolve } from 'node:path';
import { splitMetrics } from '../evaluation/split-metrics.js';
import { predictOutputs } from '../evaluation/predict-outputs.js';
import { DEFAULT_METRICS } from '@polymodal/metrics';
import type { FittedInput } from '../model/fitted-input.js';
import type { Row } from '../plugin/contracts.js';
import { splitPrepared } from '../pipeline/prepare-data.js';
import { withTransformPool } from '../pipeline/transform-pool.js';
import type { EvaluationData } from '../evaluation/evaluation-data.js';
import { EXPLANATION_FILE, type ContributionEstimate, type Explanation } from '../evaluation/explanation.js';
import { meanWithInterval } from '../evaluation/statistics.js';
import { createBatchSource } from '../training/batch-source.js';
import { silentReporter } from '../training/reporter.js';
import { writeJsonAtomic } from '../util/atomic-write.js';
import { createRandom } from '../util/random.js';
import { PolymodalError } from '../errors.js';
import type { SkippedRows } from '../pipeline/skipped-rows.js';
import { readCheckedRows } from './evaluate.js';
import { loadModel, type LoadModelOptions } from './load-model.js';
import { isOptional } from '../pipeline/presence.js';

export interface ExplainOptions extends LoadModelOptions {
  /** Labelled data; default: the test split of the training data, rebuilt from the manifest's seed. */
  data?: string;
  onInvalidRow?: 'fail' | 'skip';
  /** Permutations per input (default 5). */
  repeats?: number;
  /** Seed of the permutations (default: the model's training seed). */
  seed?: number;
  /** Metrics to explain (default: the manifest's evaluation metrics, else the task's defaults). */
  metrics?: readonly string[];
  /** Write explanation.json into the model folder (default true); a report then shows it (see @polymodal/report). */
  write?: boolean;
}

export interface ExplainResult extends Explanation {
  skippedRows: SkippedRows;
  /** Files written into the model folder. */
  files: string[];
  /** The unpermuted predictions on the rows explained, for a report's curves. */
  evaluation: EvaluationData;
}

/** Metrics that are better when lower: their "drop" is permuted minus baseline. */
export const LOWER_IS_BETTER = new Set(['logLoss', 'brier', 'hammingLoss', 'mae', 'mse', 'rmse', 'mape']);

/** Rows with the columns of `columns` taken from row `permutation[i]` instead of row i (the other columns stay). */
export function permuteColumns(rows: readonly Row[], columns: readonly string[], permutation: readonly number[]): Row[] {
  return rows.map((row, i) => {
    const source = rows[permutation[i]];
    const copy: Record<string, Row[string]> = { ...row };
    for (const column of columns) copy[column] = source[column];
    return copy;
  });
}

/**
 * Per-input permutation importance: for each input, its raw columns are shuffled across rows (one seeded
 * permutation per repeat, all of the input's columns together), the rows are transformed by the model's own
 * preprocessing and predicted, and the drop in each metric is recorded. Works for any encoder. An optional input
 * also gets its masked drop: the metrics with the input removed from every row (presence 0).
 */
export async function explain(dir: string, options: ExplainOptions = {}): Promise<ExplainResult> {
  const reporter = options.reporter ?? silentReporter;
  const warn = (message: string) => reporter.event({ type: 'warning', message });
  const repeats = options.repeats ?? 5;
  if (!Number.isInteger(repeats) || repeats < 1) throw new PolymodalError(`repeats must be an integer >= 1, got ${repeats}`, { exitCode: 2 });
  const write = options.write ?? true;
  const model = await loadModel(dir, options);
  try {
    const manifest = model.manifest;
    const seed = options.seed ?? model.meta.seed;
    const path = options.data ? resolve(options.data) : model.meta.trainingData;
    const policy = options.onInvalidRow ?? manifest.data.onInvalidRow;
    const { table, inputs, valid, skipped } = await readCheckedRows(model, path, true, policy, warn);
    let rows = valid.map((i) => table.rows[i]);
    if (!options.data) {
      const split = splitPrepared(manifest, { table, rows, lines: valid.map((i) => table.lines[i]), skipped, labels: model.labels, inputs });
      rows = split.test.map((i) => rows[i]);
    }
    if (rows.length < 2) {
      throw new PolymodalError(`${path}: ${rows.length} labelled row${rows.length === 1 ? '' : 's'} to explain; permuting needs at least 2`, {
        hint: options.data ? 'Give a file with more labelled rows.' : 'The test split is (nearly) empty; give --data FILE with labelled rows.',
      });
    }
    const names = options.metrics ?? manifest.evaluation.metrics ?? DEFAULT_METRICS[model.labels.task];
    const targets = model.labels.targets(rows);
    const score = (outputs: Float32Array) => splitMetrics(model.labels, targets, outputs, names, model.meta.threshold);

    const { baselineOutputs, perInput } = await withTransformPool(manifest.data.workers, inputs, rows.length, async (pool) => {
      const predictRows = async (batchRows: Row[], drop?: ReadonlySet<string>) => {
        const source = await createBatchSource({ inputs, rows: batchRows, targetWidth: 1, random: createRandom(model.meta.seed), pool, drop });
        return predictOutputs(model.model, source, manifest.training.batchSize);
      };
      const baselineOutputs = await predictRows(rows);
      const perInput: { input: FittedInput; values: Record<string, number>[]; masked?: Record<string, number> }[] = [];
      for (const input of inputs) {
        const values: Record<string, number>[] = [];
        for (let r = 0; r < repeats; r++) {
          const permutation = createRandom(seed).fork(`explain/${input.spec.name}/${r}`).shuffle(rows.map((_, i) => i));
          values.push(score(await predictRows(permuteColumns(rows, input.spec.columns, permutation))).values);
          reporter.event({ type: 'info', message: `explain: ${input.spec.name} permutation ${r + 1}/${repeats}` });
        }
        // An optional input can also be removed outright: the model was trained to do without it.
        const masked = isOptional(input) ? score(await predictRows(rows, new Set([input.spec.name]))).values : undefined;
        perInput.push({ input, values, masked });
      }
      return { baselineOutputs, perInput };
    });
    const baseline = score(baselineOutputs);
    for (const warning of baseline.warnings) warn(warning);
    const metricNames = Object.keys(baseline.values);
    const explanation: Explanation = {
      dataSource: path,
      rowsUsed: options.data ? 'all rows' : 'test split',
      rows: rows.length,
      repeats,
      seed,
      baseline: baseline.values,
      lowerIsBetter: metricNames.filter((m) => LOWER_IS_BETTER.has(m)),
      inputs: perInput.map(({ input, values, masked }) => {
        const dropOf = (metric: string, value: number) => (LOWER_IS_BETTER.has(metric) ? -1 : 1) * (baseline.values[metric] - value);
        return {
          name: input.spec.name,
          columns: [...input.spec.columns],
          metrics: Object.fromEntries(metricNames.map((metric): [string, ContributionEstimate] => {
            const drops = values.map((v) => dropOf(metric, v[metric]));
            const { mean, ci95 } = meanWithInterval(drops);
            return [metric, { drop: mean, ci95, drops }];
          })),
          ...(masked ? { masked: Object.fromEntries(metricNames.map((metric) => [metric, dropOf(metric, masked[metric])])) } : {}),
        };
      }),
    };
    const evaluation: EvaluationData = {
      title: options.data ? `${path} (all rows)` : `test split of ${path}`,
      task: model.labels.task,
      classes: model.labels.classes,
      threshold: model.meta.threshold,
      rows: rows.length,
      targets,
      scores: model.labels.fromModelOutput(baselineOutputs),
      metrics: baseline.values,
      warnings: baseline.warnings,
      skippedRows: skipped,
    };
    const files: string[] = [];
    if (write) {
      await writeJsonAtomic(join(model.dir, EXPLANATION_FILE), explanation);
      files.push(join(model.dir, EXPLANATION_FILE));
    }
    return { ...explanation, skippedRows: skipped, files, evaluation };
  } finally {
    model.model.dispose();
  }
}
