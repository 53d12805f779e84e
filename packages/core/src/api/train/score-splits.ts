import type * as tf from '@tensorflow/tfjs';
import type { EvaluationData } from '../../evaluation/evaluation-data.js';
import { predictOutputs } from '../../evaluation/predict-outputs.js';
import { chooseThreshold, splitMetrics, type SplitMetrics } from '../../evaluation/split-metrics.js';
import type { Manifest } from '../../manifest/types.js';
import type { PreparedSplits, SplitData } from './prepare-splits.js';
import type { MetricsReport } from '../../artifacts/run-records.js';

export interface ScoredSplits {
  metrics: MetricsReport;
  /** The test split's predictions (the validation split's when there is no test split), for the report. */
  evaluation: EvaluationData;
  warnings: string[];
}

function decisionThreshold(manifest: Manifest, splits: PreparedSplits, validationOutputs: Float32Array, warn: (m: string) => void): number {
  const setting = manifest.evaluation.threshold;
  if (setting !== 'maxF1') return typeof setting === 'number' ? setting : 0.5;
  if (splits.validation.rows.length === 0) {
    warn('evaluation.threshold "maxF1" needs validation rows; using 0.5');
    return 0.5;
  }
  return chooseThreshold(splits.validation.targets, validationOutputs);
}

/** Predicts every split with the trained model and computes the manifest's metrics on each. */
export async function scoreSplits(model: tf.LayersModel, manifest: Manifest, splits: PreparedSplits, dataPath: string, warn: (m: string) => void): Promise<ScoredSplits> {
  const parts: SplitData[] = [splits.train, splits.validation, splits.test];
  const outputs = await Promise.all(parts.map((s) => predictOutputs(model, s.source, manifest.training.batchSize)));
  const threshold = decisionThreshold(manifest, splits, outputs[1], warn);
  const names = manifest.evaluation.metrics ?? [];
  const [train, validation, test]: SplitMetrics[] = parts.map((s, i) => splitMetrics(splits.data.labels, s.targets, outputs[i], names, threshold));
  const warnings = [...new Set([...train.warnings, ...validation.warnings, ...test.warnings])];
  const metrics: MetricsReport = {
    task: manifest.output.task,
    threshold,
    rows: { train: splits.train.rows.length, validation: splits.validation.rows.length, test: splits.test.rows.length },
    train: train.values,
    validation: validation.values,
    test: test.values,
    warnings,
    skippedRows: splits.data.skipped,
  };
  const useTest = splits.test.rows.length > 0 || splits.validation.rows.length === 0;
  const which = useTest ? 2 : 1;
  const evaluation: EvaluationData = {
    title: `${useTest ? 'test' : 'validation'} split of ${dataPath}`,
    task: manifest.output.task,
    classes: splits.data.labels.classes,
    threshold,
    rows: parts[which].rows.length,
    targets: parts[which].targets,
    scores: splits.data.labels.fromModelOutput(outputs[which]),
    metrics: useTest ? test.values : validation.values,
    warnings: useTest ? test.warnings : validation.warnings,
  };
  return { metrics, evaluation, warnings };
}
