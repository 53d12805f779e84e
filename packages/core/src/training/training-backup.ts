import * as tf from '@tensorflow/tfjs';
import { createHash } from 'node:crypto';
import { readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { PolymodalError } from '../errors.js';
import { isRandomState, type RandomState } from '../util/random.js';
import { commitBackup, linkTree, listBackups, removeBackups, writeDurable } from './backup-files.js';
import type { EpochRecord } from './training-job.js';

/**
 * Everything a run needs to continue after its last complete epoch exactly as if it had never stopped
 * (Keras's BackupAndRestore): weights, optimizer slots, callback states, random streams and history.
 */
export interface TrainingSnapshot {
  /** Epochs complete. */
  readonly epochs: number;
  readonly learningRate: number;
  /** Set when a callback ended training at this epoch (early stopping): a resumed run trains no further. */
  readonly stopReason?: string;
  readonly history: readonly EpochRecord[];
  /** Each random stream's state, by purpose ('shuffle', 'train', 'validation', 'tfjs'). */
  readonly randoms: Readonly<Record<string, RandomState>>;
  /** Identifies the model, data and settings the backup belongs to. */
  readonly fingerprint: BackupFingerprint;
  /** All model weights (trainable and not) in model.weights order. */
  readonly weights: readonly tf.Tensor[];
  readonly optimizer: { readonly iterations: number; readonly tensors: readonly tf.Tensor[] };
  /** Callback states by stateKey. */
  readonly callbacks: Readonly<Record<string, { readonly values: Readonly<Record<string, number>>; readonly tensors: readonly tf.Tensor[] }>>;
}

export interface BackupFingerprint {
  readonly weights: readonly { readonly shape: readonly number[]; readonly dtype: string }[];
  readonly trainRows: number;
  readonly validationRows: number;
  /** The training settings that shape the run, as JSON (the backend may differ). */
  readonly settings: string;
}

const FORMAT = 'polymodal-training-backup';
const VERSION = 1;
const STATE_FILE = 'state.json';
const TENSORS_FILE = 'tensors.bin';
const FILES_DIR = 'files';

interface TensorEntry {
  group: string;
  shape: number[];
  dtype: 'float32' | 'int32';
  byteLength: number;
}

/** JSON has no NaN or Infinity (early stopping starts from Infinity, a metric may be NaN): they travel tagged. */
function replacer(_key: string, value: unknown): unknown {
  return typeof value === 'number' && !Number.isFinite(value) ? { $number: String(value) } : value;
}

function reviver(_key: string, value: unknown): unknown {
  if (typeof value === 'object' && value !== null && Object.keys(value).length === 1 && '$number' in value) {
    return Number((value as { $number: string }).$number);
  }
  return value;
}

function tensorGroups(snapshot: TrainingSnapshot): { group: string; tensors: readonly tf.Tensor[] }[] {
  return [
    { group: 'weights', tensors: snapshot.weights },
    { group: 'optimizer', tensors: snapshot.optimizer.tensors },
    ...Object.entries(snapshot.callbacks).map(([key, state]) => ({ group: `callback/${key}`, tensors: state.tensors })),
  ];
}

async function* tensorBytes(tensors: readonly tf.Tensor[]): AsyncGenerator<Uint8Array> {
  for (const tensor of tensors) {
    const data = (await tensor.data()) as Float32Array | Int32Array;
    yield new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
  }
}

/**
 * Writes `snapshot` as the newest backup in `dir` (see backup-files.ts for why it is all or nothing), with a
 * copy of `files` (the checkpoint folder, whose state the checkpoint callback's numbers refer to).
 */
export async function writeTrainingBackup(dir: string, snapshot: TrainingSnapshot, files?: string): Promise<string> {
  const groups = tensorGroups(snapshot);
  const all = groups.flatMap((g) => g.tensors);
  const entries: TensorEntry[] = groups.flatMap(({ group, tensors }) => tensors.map((t) => {
    if (t.dtype !== 'float32' && t.dtype !== 'int32') throw new Error(`cannot back up a ${t.dtype} tensor (${group})`);
    return { group, shape: [...t.shape], dtype: t.dtype, byteLength: t.size * 4 };
  }));
  return commitBackup(dir, snapshot.epochs, async (folder) => {
    const tensorsSha256 = await writeDurable(join(folder, TENSORS_FILE), tensorBytes(all));
    if (files && (await stat(files).catch(() => undefined))?.isDirectory()) await linkTree(files, join(folder, FILES_DIR));
    const state = {
      format: FORMAT,
      version: VERSION,
      epochs: snapshot.epochs,
      learningRate: snapshot.learningRate,
      stopReason: snapshot.stopReason ?? null,
      history: snapshot.history,
      randoms: snapshot.randoms,
      fingerprint: snapshot.fingerprint,
      optimizerIterations: snapshot.optimizer.iterations,
      callbacks: Object.fromEntries(Object.entries(snapshot.callbacks).map(([key, s]) => [key, s.values])),
      tensors: entries,
      tensorsSha256,
    };
    await writeDurable(join(folder, STATE_FILE), [Buffer.from(JSON.stringify(state, replacer, 1))]);
  });
}

/** A backup read back: the snapshot (its tensors are the caller's to dispose) and where its copied files are. */
export interface LoadedBackup {
  readonly path: string;
  readonly snapshot: TrainingSnapshot;
  /** The copy of the folder passed as `files` when written, if there was one. */
  readonly files?: string;
}

function corrupt(path: string, why: string): PolymodalError {
  return new PolymodalError(`the training backup ${path} is damaged: ${why}`, {
    exitCode: 2,
    hint: `remove ${path} to resume from an older backup, or run without --resume to start over`,
  });
}

function parseState(path: string, text: string): Record<string, unknown> {
  let state: unknown;
  try {
    state = JSON.parse(text, reviver);
  } catch (error) {
    throw corrupt(path, `${STATE_FILE} is not valid JSON (${(error as Error).message})`);
  }
  if (typeof state !== 'object' || state === null || (state as { format?: unknown }).format !== FORMAT) {
    throw corrupt(path, `${STATE_FILE} is not a Polymodal training backup`);
  }
  const version = (state as { version?: unknown }).version;
  if (version !== VERSION) {
    throw new PolymodalError(`the training backup ${path} has format version ${String(version)}; this Polymodal reads version ${VERSION}`, {
      exitCode: 2,
      hint: 'resume with the Polymodal version that wrote it, or run without --resume to start over',
    });
  }
  return state as Record<string, unknown>;
}

function decodeTensors(path: string, bytes: Buffer, entries: TensorEntry[]): Map<string, tf.Tensor[]> {
  const groups = new Map<string, tf.Tensor[]>();
  let offset = 0;
  const expected = entries.reduce((sum, e) => sum + e.byteLength, 0);
  if (expected !== bytes.length) throw corrupt(path, `${TENSORS_FILE} has ${bytes.length} bytes, the state lists ${expected}`);
  for (const entry of entries) {
    const copy = bytes.buffer.slice(bytes.byteOffset + offset, bytes.byteOffset + offset + entry.byteLength);
    const values = entry.dtype === 'int32' ? new Int32Array(copy) : new Float32Array(copy);
    if (!groups.has(entry.group)) groups.set(entry.group, []);
    groups.get(entry.group)!.push(tf.tensor(values, entry.shape, entry.dtype));
    offset += entry.byteLength;
  }
  return groups;
}

function checkShape(path: string, state: Record<string, unknown>): void {
  const problems: string[] = [];
  if (!Number.isInteger(state.epochs) || (state.epochs as number) < 1) problems.push('epochs');
  if (typeof state.learningRate !== 'number') problems.push('learningRate');
  if (!Array.isArray(state.history) || state.history.length !== state.epochs) problems.push('history');
  if (typeof state.randoms !== 'object' || state.randoms === null || !Object.values(state.randoms).every(isRandomState)) problems.push('randoms');
  if (typeof state.fingerprint !== 'object' || state.fingerprint === null) problems.push('fingerprint');
  if (!Number.isInteger(state.optimizerIterations)) problems.push('optimizerIterations');
  if (typeof state.callbacks !== 'object' || state.callbacks === null) problems.push('callbacks');
  const entries = state.tensors;
  const entryOk = (e: unknown) => typeof e === 'object' && e !== null && typeof (e as TensorEntry).group === 'string'
    && Array.isArray((e as TensorEntry).shape) && ((e as TensorEntry).dtype === 'float32' || (e as TensorEntry).dtype === 'int32')
    && (e as TensorEntry).byteLength === (e as TensorEntry).shape.reduce((p, d) => p * d, 1) * 4;
  if (!Array.isArray(entries) || !entries.every(entryOk)) problems.push('tensors');
  if (problems.length > 0) throw corrupt(path, `${STATE_FILE} lacks or garbles: ${problems.join(', ')}`);
}

/** The newest backup in `dir`, checked against its hash; a clear error (exit 2) when there is none or it is damaged. */
export async function readTrainingBackup(dir: string): Promise<LoadedBackup> {
  const [newest] = await listBackups(dir);
  if (!newest) {
    throw new PolymodalError(`there is no training backup in ${dir} to resume from`, {
      exitCode: 2,
      hint: 'a backup is written at the end of every epoch; run without --resume to start training from the beginning',
    });
  }
  const path = newest.path;
  const text = await readFile(join(path, STATE_FILE), 'utf8').catch((error: NodeJS.ErrnoException) => {
    throw corrupt(path, `cannot read ${STATE_FILE} (${error.code ?? error.message})`);
  });
  const state = parseState(path, text);
  checkShape(path, state);
  const bytes = await readFile(join(path, TENSORS_FILE)).catch((error: NodeJS.ErrnoException) => {
    throw corrupt(path, `cannot read ${TENSORS_FILE} (${error.code ?? error.message})`);
  });
  if (createHash('sha256').update(bytes).digest('hex') !== state.tensorsSha256) throw corrupt(path, `${TENSORS_FILE} does not match its recorded SHA-256`);
  const groups = decodeTensors(path, bytes, state.tensors as TensorEntry[]);
  const callbacks = Object.fromEntries(Object.entries(state.callbacks as Record<string, Record<string, number>>)
    .map(([key, values]) => [key, { values, tensors: groups.get(`callback/${key}`) ?? [] }]));
  const files = (await stat(join(path, FILES_DIR)).catch(() => undefined))?.isDirectory() ? join(path, FILES_DIR) : undefined;
  return {
    path,
    files,
    snapshot: {
      epochs: state.epochs as number,
      learningRate: state.learningRate as number,
      stopReason: (state.stopReason as string | null) ?? undefined,
      history: state.history as EpochRecord[],
      randoms: state.randoms as Record<string, RandomState>,
      fingerprint: state.fingerprint as BackupFingerprint,
      weights: groups.get('weights') ?? [],
      optimizer: { iterations: state.optimizerIterations as number, tensors: groups.get('optimizer') ?? [] },
      callbacks,
    },
  };
}

/** Whether `dir` holds a backup a run could resume from (it is checked fully only when read). */
export async function hasTrainingBackup(dir: string): Promise<boolean> {
  return (await listBackups(dir)).length > 0;
}

/** Removes every backup (and abandoned temporary folder) Polymodal wrote in `dir`; other files stay. */
export async function removeTrainingBackups(dir: string): Promise<void> {
  await removeBackups(dir);
}
