import type { BackendInfo } from '../backend/select-backend.js';
import type { LabelState } from '../data/labels.js';
import type { Manifest, Task } from '../manifest/types.js';
import type { JsonValue } from '../plugin/contracts.js';

export const ARTIFACT_FORMAT = 'polymodal-model';
export const ARTIFACT_FORMAT_VERSION = 1;

/** File names inside a model folder. */
export const ARTIFACT_FILES = {
  meta: 'polymodal.json',
  model: 'model',
  preprocessing: 'preprocessing.json',
  manifest: 'manifest.json',
  history: 'history.json',
  metrics: 'metrics.json',
  summary: 'summary.txt',
  checkpoints: 'checkpoints',
} as const;

/** polymodal.json: what produced the model and how to read it back. */
export interface ArtifactMeta {
  format: typeof ARTIFACT_FORMAT;
  formatVersion: number;
  name: string;
  createdAt: string;
  coreVersion: string;
  backend: Pick<BackendInfo, 'name' | 'tfjsBackend' | 'gpu'>;
  /** The plugin lock: exact versions the model was built with. */
  plugins: { name: string; version: string; apiVersion: number }[];
  task: Task;
  classes: string[];
  /** Binary decision threshold (fixed, or chosen on validation). */
  threshold: number;
  /** `required: false` marks an optional input (absent in older folders: every input was required). */
  inputs: { name: string; encoder: string; columns: string[]; required?: boolean }[];
  /** The model's inputs in order: encoder features, then `<input>__present` per optional input. */
  modelInputs: string[];
  /**
   * What the fusion exposes about each prediction (absent when nothing): `model/` then holds the model with these
   * as extra outputs after the prediction, in this order; `layer` is the layer whose output each is, `columns`
   * the input of each column.
   */
  reliance?: RelianceMeta[];
  seed: number;
  /** The training data file (absolute) and its split, so `evaluate` can rebuild the same test split. */
  trainingData: string;
  /** The manifest's folder (absolute), where paths in encoder options resolved from. */
  manifestDir?: string;
  /** sha256 of every other file of the folder, by `/`-separated relative path (model-integrity.ts); absent in older folders. */
  files?: Record<string, string>;
}

export interface RelianceMeta {
  name: string;
  layer: string;
  columns: string[];
}

export interface PreprocessingState {
  inputs: Record<string, JsonValue>;
  labels: LabelState;
}

export type { Manifest };
