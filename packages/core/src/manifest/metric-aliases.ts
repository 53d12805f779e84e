import { metricAlias } from '@polymodal/metrics';
import type { IsClean } from './cross-checks.js';
import type { Manifest } from './types.js';

// Keras and scikit-learn names (`auc` = ROC-AUC, as Keras' AUC defaults to the ROC curve) are defined once, in @polymodal/metrics.
export { metricAlias };

/**
 * Rewrites aliases to the metric names the rest of Polymodal uses, in evaluation.metrics and in monitors
 * (`val_auc` -> `val_rocAuc`), so the saved manifest says what was computed. Parts the schema refused stay as they are.
 */
export function applyMetricAliases(manifest: Manifest, isClean: IsClean = () => true): void {
  if (!isClean('/output/task')) return;
  const task = manifest.output.task;
  const metrics = isClean('/evaluation/metrics') ? manifest.evaluation.metrics : undefined;
  if (metrics !== undefined) {
    manifest.evaluation.metrics = [...new Set(metrics.map((name) => metricAlias(name, task) ?? name))];
  }
  if (!isClean('/training')) return;
  const { earlyStopping, checkpoint, learningRateSchedule } = manifest.training;
  for (const owner of [earlyStopping, checkpoint, learningRateSchedule?.type === 'reduceOnPlateau' ? learningRateSchedule : undefined]) {
    if (!owner || !owner.monitor.startsWith('val_')) continue;
    const target = metricAlias(owner.monitor.slice(4), task);
    if (target !== undefined) owner.monitor = `val_${target}`;
  }
}
