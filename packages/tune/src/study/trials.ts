import type { Assignment, Direction } from '../space/types.js';
import type { EndRecord, JournalRecord, StudyRecord, TrialState } from './journal.js';

/** One trial as the journal tells it. */
export interface TrialView {
  number: number;
  params: Assignment;
  seed: number;
  state: TrialState;
  /** The objective after each epoch, as reported (null where an epoch did not log it). */
  values: (number | null)[];
  value?: number;
  error?: string;
  outDir?: string;
  epochs: number;
  seconds?: number;
  retryOf?: number;
  metrics?: EndRecord['metrics'];
  startedAt: string;
}

export interface StudyView {
  study: StudyRecord;
  trials: TrialView[];
}

/** The trials in the order they started; a trial with no end record is still `running` (or was, before a crash). */
export function replayTrials(records: readonly JournalRecord[]): { study?: StudyRecord; trials: TrialView[] } {
  let study: StudyRecord | undefined;
  const trials = new Map<number, TrialView>();
  for (const record of records) {
    if (record.op === 'study') study ??= record;
    else if (record.op === 'start') {
      trials.set(record.trial, { number: record.trial, params: record.params, seed: record.seed, state: 'running', values: [], epochs: 0, retryOf: record.retryOf, startedAt: record.at });
    } else {
      const trial = trials.get(record.trial);
      if (!trial) continue;
      if (record.op === 'epoch') {
        trial.values[record.epoch - 1] = record.value;
        trial.epochs = Math.max(trial.epochs, record.epoch);
      } else {
        Object.assign(trial, { state: record.state, value: record.value, error: record.error, outDir: record.outDir, seconds: record.seconds, metrics: record.metrics, epochs: Math.max(trial.epochs, record.epochs) });
      }
    }
  }
  return { study, trials: [...trials.values()] };
}

/** Trials that count towards --trials: finished one way or another (an interrupted one is rerun instead). */
export function countsTowardsTotal(trial: TrialView): boolean {
  return trial.state === 'complete' || trial.state === 'pruned' || trial.state === 'failed';
}

/** The objective as "lower is better". */
export function lossOf(value: number, direction: Direction): number {
  return direction === 'max' ? -value : value;
}

export function bestTrial(trials: readonly TrialView[], direction: Direction): TrialView | undefined {
  let best: TrialView | undefined;
  for (const trial of trials) {
    if (trial.state !== 'complete' || trial.value === undefined) continue;
    if (!best || lossOf(trial.value, direction) < lossOf(best.value!, direction)) best = trial;
  }
  return best;
}
