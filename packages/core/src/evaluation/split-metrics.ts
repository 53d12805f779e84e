import type { LabelCodec } from '../data/labels.js';
import { bestF1Threshold, computeMetrics } from '@polymodal/metrics';

export interface SplitMetrics {
  readonly rows: number;
  readonly values: Record<string, number>;
  readonly warnings: string[];
}

/** Metrics of one split from raw targets (class index, 0/1 matrix or value) and the model's outputs. */
export function splitMetrics(labels: LabelCodec, targets: Float32Array, outputs: Float32Array, names: readonly string[], threshold: number): SplitMetrics {
  const rows = labels.task === 'multilabel' ? targets.length / labels.classes.length : targets.length;
  if (rows === 0) return { rows, values: {}, warnings: [] };
  const { values, warnings } = computeMetrics(
    { task: labels.task, yTrue: targets, yScore: labels.fromModelOutput(outputs), numClasses: Math.max(1, labels.classes.length), threshold },
    names,
  );
  return { rows, values, warnings };
}

/** The binary threshold (predict positive when score >= it) that maximises F1 on these rows, for `evaluation.threshold: "maxF1"`. */
export function chooseThreshold(targets: Float32Array, outputs: Float32Array): number {
  return bestF1Threshold(targets, outputs).value.threshold;
}
