import { mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { PolymodalError, type PointerSetting } from '@polymodal/core';
import type { Curve, Pruner } from '../pruners/pruner.js';
import { RandomSource } from '../samplers/random-source.js';
import type { Observation, Sampler } from '../samplers/sampler.js';
import type { SearchSpace } from '../space/search-space.js';
import type { Assignment, Direction } from '../space/types.js';
import { Journal, JOURNAL_FILE, type EndRecord, type StudyRecord } from './journal.js';
import { acquireStudyLock } from './study-lock.js';
import { countsTowardsTotal, lossOf, replayTrials, type StudyView, type TrialView } from './trials.js';

/** What a trial runner needs: the parameters, the manifest changes they make, a seed and a model folder. */
export interface TrialJob {
  number: number;
  params: Assignment;
  settings: PointerSetting[];
  seed: number;
  outDir: string;
}

export interface TrialOutcome {
  /** The objective of the finished model. */
  value: number;
  outDir: string;
  epochs: number;
  metrics: { validation: Record<string, number>; test: Record<string, number> };
}

/** Runs one trial somewhere (a child process, a queue); rejects with the trial's error; stops when `signal` aborts. */
export interface TrialExecutor {
  run(job: TrialJob, onEpoch: (epoch: number, logs: Record<string, number>) => void, signal: AbortSignal): Promise<TrialOutcome>;
}

export interface StudyOptions {
  dir: string;
  /** Recorded in the journal; resuming with another manifest is refused. */
  manifest: string;
  trials: number;
  parallel?: number;
  /** Start no trial after this many seconds (running ones finish). */
  timeoutSeconds?: number;
  space: SearchSpace;
  /** The search section as given (recorded, compared on resume). */
  section: unknown;
  sampler: Sampler;
  pruner: Pruner;
  objective: string;
  direction: Direction;
  seed: number;
  executor: TrialExecutor;
  /** Checks a trial's manifest before it runs; a PolymodalError fails the trial without running it. */
  checkTrial?: (job: TrialJob) => Promise<void>;
  /** Called whenever a trial starts, reports an epoch or ends. */
  onChange?: (view: StudyView, trial: TrialView, what: 'start' | 'epoch' | 'end') => void;
  /** Aborting it stops the study: running trials are stopped and recorded as interrupted (rerun on resume). */
  signal?: AbortSignal;
}

export const TRIALS_DIR = 'trials';

export function trialDir(dir: string, number: number): string {
  return join(dir, TRIALS_DIR, String(number).padStart(4, '0'));
}

function checkSameStudy(recorded: StudyRecord, wanted: StudyRecord, dir: string): void {
  const differs = (['manifest', 'algorithm', 'objective', 'direction', 'seed'] as const).filter((k) => recorded[k] !== wanted[k]);
  if (JSON.stringify(recorded.space) !== JSON.stringify(wanted.space)) differs.push('space' as never);
  if (differs.length === 0) return;
  throw new PolymodalError(`${dir} holds another study (its ${differs.join(', ')} differ${differs.length === 1 ? 's' : ''})`, {
    problems: differs.map((k) => `${k}: the study has ${JSON.stringify(recorded[k])}, this command asks for ${JSON.stringify(wanted[k])}`),
    hint: 'Resume it with the same options, or give another --out folder for a new study.',
    exitCode: 2,
  });
}

function messageOf(error: unknown): string {
  if (error instanceof PolymodalError) return error.describe();
  return error instanceof Error ? error.message : String(error);
}

/**
 * Runs (or resumes) a study until `trials` trials have finished: complete, pruned or failed. Trials that were
 * running when a previous coordinator died are recorded as interrupted and rerun once with the same
 * parameters and seed; a rerun that is interrupted again is recorded as failed. Nothing finished is rerun.
 */
export async function runStudy(options: StudyOptions): Promise<StudyView> {
  const parallel = Math.max(1, options.parallel ?? 1);
  mkdirSync(options.dir, { recursive: true });
  const releaseLock = acquireStudyLock(options.dir);
  const journal = Journal.open(join(options.dir, JOURNAL_FILE));
  try {
    return await coordinate(options, journal, parallel);
  } finally {
    journal.close();
    releaseLock();
  }
}

async function coordinate(options: StudyOptions, journal: Journal, parallel: number): Promise<StudyView> {
  const now = () => new Date().toISOString();
  const wanted: StudyRecord = {
    op: 'study', version: 1, manifest: options.manifest, algorithm: options.sampler.name, objective: options.objective,
    direction: options.direction, space: options.section, seed: options.seed, createdAt: now(),
  };
  const replayed = replayTrials(journal.records);
  if (replayed.study) checkSameStudy(replayed.study, wanted, options.dir);
  else journal.append(wanted);
  const view: StudyView = { study: replayed.study ?? wanted, trials: replayed.trials };
  const record = (end: Omit<EndRecord, 'op' | 'at'>) => {
    journal.append({ op: 'end', at: now(), ...end });
    const trial = view.trials.find((t) => t.number === end.trial)!;
    Object.assign(trial, { state: end.state, value: end.value, error: end.error, outDir: end.outDir, seconds: end.seconds, metrics: end.metrics, epochs: Math.max(trial.epochs, end.epochs) });
    options.onChange?.(view, trial, 'end');
  };

  // Trials the last coordinator left running: recorded, their folders removed. A first attempt is rerun once
  // (below); a rerun that was interrupted too is failed.
  for (const trial of view.trials.filter((t) => t.state === 'running')) {
    rmSync(trialDir(options.dir, trial.number), { recursive: true, force: true });
    if (trial.retryOf !== undefined) record({ trial: trial.number, state: 'failed', error: 'interrupted twice (the coordinator stopped while it ran)', epochs: trial.epochs, seconds: 0 });
    else record({ trial: trial.number, state: 'interrupted', error: 'the coordinator stopped while it ran; rerun', epochs: trial.epochs, seconds: 0 });
  }
  // Every interrupted first attempt without a rerun yet (a crash, Ctrl-C, or a crash before its rerun started).
  const retries = view.trials.filter((t) => t.state === 'interrupted' && t.retryOf === undefined && !view.trials.some((r) => r.retryOf === t.number));

  const started = Date.now();
  const running = new Map<number, { controller: AbortController; promise: Promise<void> }>();
  let exhausted = false;
  const stopping = () => options.signal?.aborted === true;
  const timeUp = () => options.timeoutSeconds !== undefined && (Date.now() - started) / 1000 >= options.timeoutSeconds;
  const counted = () => view.trials.filter(countsTowardsTotal).length;

  const curves = (): Curve[] => view.trials.map((t) => ({
    number: t.number,
    state: t.state === 'interrupted' ? 'failed' : t.state,
    losses: t.values.map((v) => (v === null || v === undefined ? NaN : lossOf(v, options.direction))),
  }));

  const launch = (params: Assignment, seed: number, retryOf?: number) => {
    const number = view.trials.reduce((max, t) => Math.max(max, t.number + 1), 0);
    const job: TrialJob = { number, params, settings: options.space.settingsOf(params), seed, outDir: join(trialDir(options.dir, number), 'model') };
    journal.append({ op: 'start', trial: number, params, seed, at: now(), retryOf });
    const trial: TrialView = { number, params, seed, state: 'running', values: [], epochs: 0, retryOf, startedAt: now() };
    view.trials.push(trial);
    options.onChange?.(view, trial, 'start');
    const controller = new AbortController();
    const began = Date.now();
    const seconds = () => (Date.now() - began) / 1000;
    let pruned = false;
    const onEpoch = (epoch: number, logs: Record<string, number>) => {
      const raw = logs[options.objective];
      const value = typeof raw === 'number' && Number.isFinite(raw) ? raw : null;
      journal.append({ op: 'epoch', trial: number, epoch, value });
      trial.values[epoch - 1] = value;
      trial.epochs = Math.max(trial.epochs, epoch);
      options.onChange?.(view, trial, 'epoch');
      if (!pruned && value !== null && options.pruner.shouldPrune(curves().find((c) => c.number === number)!, curves())) {
        pruned = true;
        controller.abort(new Error('pruned'));
      }
    };
    const run = async () => {
      await options.checkTrial?.(job);
      return options.executor.run(job, onEpoch, controller.signal);
    };
    const promise = run().then(
      (outcome) => {
        if (!Number.isFinite(outcome.value)) {
          record({ trial: number, state: 'failed', error: `the objective ${options.objective} is ${outcome.value}`, epochs: outcome.epochs, seconds: seconds() });
        } else {
          record({ trial: number, state: 'complete', value: outcome.value, outDir: outcome.outDir, epochs: outcome.epochs, seconds: seconds(), metrics: outcome.metrics });
        }
      },
      (error: unknown) => {
        rmSync(trialDir(options.dir, number), { recursive: true, force: true });
        if (pruned) {
          const last = [...trial.values].reverse().find((v) => v !== null && v !== undefined);
          record({ trial: number, state: 'pruned', value: last ?? undefined, epochs: trial.epochs, seconds: seconds() });
        } else if (stopping()) {
          record({ trial: number, state: 'interrupted', error: 'the study was stopped while it ran', epochs: trial.epochs, seconds: seconds() });
        } else {
          record({ trial: number, state: 'failed', error: messageOf(error), epochs: trial.epochs, seconds: seconds() });
        }
      },
    ).finally(() => running.delete(number));
    running.set(number, { controller, promise });
  };

  const seedOf = (number: number) => (options.seed + 1 + number) % 2147483647;
  const nextParams = (): Assignment | undefined => {
    const observations: Observation[] = view.trials.flatMap((t): Observation[] => {
      if (t.state === 'complete' && t.value !== undefined) return [{ number: t.number, assignment: t.params, state: 'complete' as const, loss: lossOf(t.value, options.direction), steps: t.epochs }];
      if (t.state === 'pruned') {
        const last = [...t.values].reverse().find((v) => v !== null && v !== undefined);
        return last === undefined || last === null ? [] : [{ number: t.number, assignment: t.params, state: 'pruned' as const, loss: lossOf(last, options.direction), steps: t.epochs }];
      }
      return [];
    });
    const next = view.trials.reduce((max, t) => Math.max(max, t.number + 1), 0);
    return options.sampler.next({
      space: options.space,
      observations,
      running: view.trials.filter((t) => t.state === 'running').map((t) => t.params),
      issued: view.trials.filter((t) => t.state !== 'interrupted').map((t) => t.params),
      random: new RandomSource(`${options.seed}/trial-${next}`),
    });
  };

  const stopAll = () => running.forEach((r) => r.controller.abort(new Error('stopped')));
  options.signal?.addEventListener('abort', stopAll, { once: true });
  try {
    for (;;) {
      while (!stopping() && !timeUp() && running.size < parallel && counted() + running.size < options.trials) {
        const retry = retries.shift();
        if (retry) {
          launch(retry.params, retry.seed, retry.number);
          continue;
        }
        if (exhausted) break;
        const params = nextParams();
        if (!params) {
          exhausted = true;
          break;
        }
        launch(params, seedOf(view.trials.reduce((max, t) => Math.max(max, t.number + 1), 0)));
      }
      if (running.size === 0) break;
      await Promise.race([...running.values()].map((r) => r.promise));
    }
  } finally {
    options.signal?.removeEventListener('abort', stopAll);
  }
  return view;
}
