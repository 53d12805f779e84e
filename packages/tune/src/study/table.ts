import type { Direction } from '../space/types.js';
import { bestTrial, type StudyView, type TrialView } from './trials.js';

function formatValue(value: unknown): string {
  if (typeof value === 'number') {
    if (Number.isInteger(value)) return String(value);
    const magnitude = Math.abs(value);
    return magnitude !== 0 && (magnitude < 1e-3 || magnitude >= 1e5) ? value.toExponential(2) : value.toPrecision(4);
  }
  return typeof value === 'string' ? value : JSON.stringify(value);
}

export function formatParams(params: Record<string, unknown>): string {
  return Object.entries(params).map(([k, v]) => `${k}=${formatValue(v)}`).join(' ');
}

function objectiveText(trial: TrialView): string {
  if (trial.value !== undefined) return formatValue(trial.value);
  const last = [...trial.values].reverse().find((v) => v !== null && v !== undefined);
  return last === undefined || last === null ? '-' : `(${formatValue(last)})`;
}

/** What a trial's steps are: epochs, or folds for an objective on cross-validation folds (cv_<metric>). */
function stepName(objective: string): 'epoch' | 'fold' {
  return objective.startsWith('cv_') ? 'fold' : 'epoch';
}

/** The live table: one row per trial (the last `maxRows`), and the best so far under it. */
export function studyTable(view: StudyView, total: number, maxRows = 20): string {
  const { objective, direction } = view.study;
  const header = ['trial', 'state', objective, `${stepName(objective)}s`, 'parameters'];
  const rows = view.trials.slice(-maxRows).map((t) => [String(t.number), t.state, objectiveText(t), String(t.epochs), formatParams(t.params)]);
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (cells: string[]) => cells.map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i]))).join('  ');
  const done = view.trials.filter((t) => t.state === 'complete' || t.state === 'pruned' || t.state === 'failed').length;
  return [line(header), ...rows.map(line), bestLine(view, direction) + `  (${done}/${total} trials done)`].join('\n');
}

export function bestLine(view: StudyView, direction: Direction): string {
  const best = bestTrial(view.trials, direction);
  return best ? `best so far: trial ${best.number}, ${view.study.objective} ${formatValue(best.value)}, ${formatParams(best.params)}` : 'best so far: none yet';
}

/** One plain line per trial event, for logs and pipes. */
export function trialEventLine(view: StudyView, trial: TrialView, what: 'start' | 'epoch' | 'end'): string | undefined {
  if (what === 'epoch') return undefined;
  if (what === 'start') return `trial ${trial.number} started: ${formatParams(trial.params)}${trial.retryOf !== undefined ? ` (rerun of trial ${trial.retryOf})` : ''}`;
  const detail = trial.state === 'complete' ? `${view.study.objective} ${formatValue(trial.value)}`
    : trial.state === 'pruned' ? `pruned after ${stepName(view.study.objective)} ${trial.epochs}`
    : `${trial.state}: ${(trial.error ?? '').split('\n')[0]}`;
  return `trial ${trial.number} ${trial.state === 'complete' ? 'complete' : trial.state}: ${detail}; ${bestLine(view, view.study.direction)}`;
}
