import * as tf from '@tensorflow/tfjs';
import { readdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { restoreSeededTfjsRandom, seededTfjsRandomState } from '../backend/seeded-tfjs-random.js';
import { PolymodalError } from '../errors.js';
import type { TrainingConfig } from '../manifest/types.js';
import type { Random, RandomState } from '../util/random.js';
import { linkTree } from './backup-files.js';
import type { TrainingCallback } from './callbacks/training-callback.js';
import { captureOptimizerState, restoreOptimizerState } from './optimizer-state.js';
import type { BackupFingerprint, LoadedBackup, TrainingSnapshot } from './training-backup.js';
import type { EpochRecord } from './training-job.js';

/** The parts of a running training a backup captures and a resume overwrites. */
export interface ResumableRun {
  readonly model: tf.LayersModel;
  readonly optimizer: tf.Optimizer;
  readonly callbacks: readonly TrainingCallback[];
  /** The run's own random streams by purpose; the seeded Math.random tfjs draws from is added as 'tfjs'. */
  readonly randoms: ReadonlyMap<string, Random>;
  readonly fingerprint: BackupFingerprint;
  /** Where the checkpoint callback writes; its files travel with the backup. */
  readonly checkpointDir?: string;
}

const TFJS_STREAM = 'tfjs';
/** What BestCheckpoint writes in its folder (and nothing else there is touched). */
const CHECKPOINT_NAMES = /^(best|last)(\.saving)?$/;

/** JSON with sorted keys, so the same settings always compare equal. */
function stableJson(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) =>
    typeof v === 'object' && v !== null && !Array.isArray(v) ? Object.fromEntries(Object.entries(v).sort(([a], [b]) => a.localeCompare(b))) : v);
}

export function fingerprintOf(model: tf.LayersModel, config: TrainingConfig, trainRows: number, validationRows: number): BackupFingerprint {
  // The backend only changes the last bits of the arithmetic; resuming elsewhere is allowed.
  const { backend: _backend, ...settings } = config;
  return {
    weights: model.weights.map((w) => ({ shape: w.shape.map(Number), dtype: w.dtype })),
    trainRows,
    validationRows,
    settings: stableJson(settings),
  };
}

function stateful(callbacks: readonly TrainingCallback[]): TrainingCallback[] {
  return callbacks.filter((c) => c.stateKey !== undefined && c.saveState && c.restoreState);
}

/**
 * A snapshot of the run after `history.length` epochs. Its tensors are copies (weights, optimizer slots) or
 * still belong to their callback; release it with disposeSnapshot.
 */
export async function captureSnapshot(run: ResumableRun, progress: { history: readonly EpochRecord[]; learningRate: number; stopReason?: string }): Promise<TrainingSnapshot> {
  const randoms: Record<string, RandomState> = {};
  for (const [name, random] of run.randoms) randoms[name] = random.state();
  const tfjs = seededTfjsRandomState();
  if (tfjs) randoms[TFJS_STREAM] = tfjs;
  const callbacks = Object.fromEntries(stateful(run.callbacks).map((c) => {
    const state = c.saveState!();
    return [c.stateKey!, { values: state.values, tensors: state.tensors ?? [] }];
  }));
  return {
    epochs: progress.history.length,
    learningRate: progress.learningRate,
    stopReason: progress.stopReason,
    history: progress.history,
    randoms,
    fingerprint: run.fingerprint,
    weights: run.model.getWeights(),
    optimizer: await captureOptimizerState(run.optimizer),
    callbacks,
  };
}

/** Frees what captureSnapshot copied (the callbacks' own tensors stay with them). */
export function disposeSnapshot(snapshot: TrainingSnapshot): void {
  tf.dispose([...snapshot.optimizer.tensors]);
}

function mismatch(backup: string, what: string, hint = 'resume with the manifest, data and flags of the interrupted run, or run without --resume to start over'): PolymodalError {
  return new PolymodalError(`the training backup ${backup} was written ${what}`, { exitCode: 2, hint });
}

function checkFingerprint(path: string, saved: BackupFingerprint, current: BackupFingerprint): void {
  const savedWeights = Array.isArray(saved.weights) ? saved.weights : [];
  if (savedWeights.length !== current.weights.length) {
    throw mismatch(path, `for a different model: it has ${savedWeights.length} weight tensors, this model has ${current.weights.length}`);
  }
  current.weights.forEach((weight, i) => {
    const other = savedWeights[i];
    if (stableJson(other) !== stableJson(weight)) {
      throw mismatch(path, `for a different model: weight ${i + 1} has shape [${other?.shape?.join(', ')}] there and [${weight.shape.join(', ')}] here`);
    }
  });
  if (saved.trainRows !== current.trainRows || saved.validationRows !== current.validationRows) {
    throw mismatch(path, `for different data: ${saved.trainRows} training and ${saved.validationRows} validation rows there, ${current.trainRows} and ${current.validationRows} here`);
  }
  if (saved.settings !== current.settings) {
    const before = JSON.parse(saved.settings) as Record<string, unknown>;
    const now = JSON.parse(current.settings) as Record<string, unknown>;
    const keys = [...new Set([...Object.keys(before), ...Object.keys(now)])].filter((k) => stableJson(before[k]) !== stableJson(now[k]));
    throw mismatch(path, `with different training settings (${keys.map((k) => `training.${k}`).join(', ')})`);
  }
}

function checkStreams(path: string, saved: Readonly<Record<string, RandomState>>, wanted: readonly string[]): void {
  const missing = wanted.filter((name) => saved[name] === undefined);
  if (missing.length > 0) throw mismatch(path, `with different settings: it has no state for the random stream(s) ${missing.join(', ')}`);
}

/**
 * Puts a backup's state into the run: model weights, optimizer slots, callback states, checkpoint files and
 * every random stream, the seeded Math.random last (nothing may draw from it between here and the next batch).
 * Takes over the snapshot's tensors: callback tensors go to their callbacks, the rest are disposed.
 */
export async function applyBackup(run: ResumableRun, backup: LoadedBackup): Promise<void> {
  const { snapshot, path } = backup;
  const handedOver = new Set<tf.Tensor>();
  try {
    checkFingerprint(path, snapshot.fingerprint, run.fingerprint);
    const tfjsActive = seededTfjsRandomState() !== undefined;
    checkStreams(path, snapshot.randoms, [...run.randoms.keys(), ...(tfjsActive ? [TFJS_STREAM] : [])]);
    run.model.setWeights([...snapshot.weights]);
    await restoreOptimizerState(run.optimizer, { iterations: snapshot.optimizer.iterations, tensors: [...snapshot.optimizer.tensors] });
    for (const callback of stateful(run.callbacks)) restoreCallback(path, callback, snapshot, handedOver);
    if (run.checkpointDir) await restoreCheckpoints(backup.files, run.checkpointDir);
    for (const [name, random] of run.randoms) random.restore(snapshot.randoms[name]);
    if (tfjsActive) restoreSeededTfjsRandom(snapshot.randoms[TFJS_STREAM]);
  } finally {
    // Model and optimizer variables share the data of these tensors (tfjs counts references), so they can go.
    const all = [...snapshot.weights, ...snapshot.optimizer.tensors, ...Object.values(snapshot.callbacks).flatMap((s) => s.tensors)];
    tf.dispose(all.filter((t) => !handedOver.has(t)));
  }
}

/**
 * The checkpoint folder goes back to what it held at the backup's epoch: a checkpoint written after it (the
 * interrupted run got further) belongs to an epoch the resumed run trains again.
 */
async function restoreCheckpoints(saved: string | undefined, checkpointDir: string): Promise<void> {
  for (const name of await readdir(checkpointDir).catch(() => [] as string[])) {
    if (CHECKPOINT_NAMES.test(name)) await rm(join(checkpointDir, name), { recursive: true, force: true });
  }
  if (saved) await linkTree(saved, checkpointDir);
}

function restoreCallback(path: string, callback: TrainingCallback, snapshot: TrainingSnapshot, handedOver: Set<tf.Tensor>): void {
  const state = snapshot.callbacks[callback.stateKey!];
  if (!state) throw mismatch(path, `with different settings: it has no ${callback.stateKey} state`);
  try {
    callback.restoreState!(state);
  } catch (error) {
    throw new PolymodalError(`the training backup ${path} is damaged: ${callback.stateKey}: ${(error as Error).message}`, { exitCode: 2, hint: 'run without --resume to start over' });
  }
  state.tensors.forEach((t) => handedOver.add(t));
}
