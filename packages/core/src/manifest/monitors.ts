import { PolymodalError } from '../errors.js';
import { METRIC_NAMES } from '@polymodal/metrics';
import type { Manifest } from './types.js';

/** What tfjs logs by itself each epoch; every other monitor is computed from validation predictions. */
const TFJS_LOGGED = new Set(['loss', 'val_loss', 'accuracy', 'val_accuracy']);

export interface Monitor {
  readonly name: string;
  readonly pointer: string;
}

/** Every value the manifest asks training to watch (early stopping, checkpoints, reduce-on-plateau). */
export function monitorsOf(manifest: Manifest): Monitor[] {
  const { earlyStopping, checkpoint, learningRateSchedule } = manifest.training;
  const list: Monitor[] = [];
  if (earlyStopping) list.push({ name: earlyStopping.monitor, pointer: '/training/earlyStopping/monitor' });
  if (checkpoint) list.push({ name: checkpoint.monitor, pointer: '/training/checkpoint/monitor' });
  if (learningRateSchedule?.type === 'reduceOnPlateau') list.push({ name: learningRateSchedule.monitor, pointer: '/training/learningRateSchedule/monitor' });
  return list;
}

export interface MonitorCheck {
  /** Metrics (without `val_`) that must be computed from validation predictions each epoch. */
  readonly extra: string[];
  readonly problems: string[];
}

/**
 * Monitors must name something each epoch logs: loss, val_loss, accuracy, val_accuracy (classification), or
 * val_<metric> for a metric of the task. `hasValidation`: whether the split gives validation rows.
 */
export function checkMonitors(manifest: Manifest, hasValidation: boolean): MonitorCheck {
  const task = manifest.output.task;
  const extra = new Set<string>();
  const problems: string[] = [];
  for (const { name, pointer } of monitorsOf(manifest)) {
    if (name.startsWith('val_') && !hasValidation) {
      problems.push(`${pointer}: "${name}" needs a validation split, but data.split.validation gives no rows`);
      continue;
    }
    if (TFJS_LOGGED.has(name) && !(name.endsWith('accuracy') && task === 'regression')) continue;
    const metric = name.replace(/^val_/, '');
    if (name.startsWith('val_') && METRIC_NAMES[task].includes(metric)) {
      extra.add(metric);
      continue;
    }
    problems.push(`${pointer}: cannot monitor "${name}"; use loss, val_loss${task === 'regression' ? '' : ', accuracy, val_accuracy'} or val_<metric> with a ${task} metric (${METRIC_NAMES[task].join(', ')})`);
  }
  return { extra: [...extra], problems };
}

/** As checkMonitors, for training (which knows whether the split gave validation rows): throws on a problem. */
export function extraMonitoredMetrics(manifest: Manifest, hasValidation: boolean): string[] {
  const { extra, problems } = checkMonitors(manifest, hasValidation);
  if (problems.length > 0) throw new PolymodalError('the manifest monitors values that are never logged', { problems, exitCode: 2 });
  return extra;
}

/** Whether the manifest's split can give validation rows (a split column decides per row, so it may). */
export function splitMayGiveValidation(manifest: Manifest): boolean {
  return manifest.data.split.column !== undefined || manifest.data.split.validation > 0;
}
