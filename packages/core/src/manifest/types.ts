/** The manifest after validation: every default from the schema is filled in. Mirrors schema/manifest.v1.json. */
export type BackendName = 'auto' | 'tensorflow-gpu' | 'tensorflow' | 'wasm' | 'cpu';
export type Task = 'binary' | 'multiclass' | 'multilabel' | 'regression';
export type MonitorMode = 'auto' | 'min' | 'max';

export type PluginReference = string | { package: string; options?: Record<string, unknown> };

export interface InputEntry {
  encoder: string;
  column?: string;
  columns?: string[];
  options: Record<string, unknown>;
  /** false: rows may lack this input; the fusion must handle missing inputs (default true). */
  required: boolean;
}

export interface EarlyStoppingConfig {
  monitor: string;
  patience: number;
  minDelta: number;
  mode: MonitorMode;
  restoreBestWeights: boolean;
  baseline?: number;
  startFromEpoch: number;
}

export interface CheckpointConfig {
  monitor: string;
  saveBestOnly: boolean;
  mode: MonitorMode;
}

export type LearningRateSchedule =
  | { type: 'reduceOnPlateau'; monitor: string; factor: number; patience: number; minDelta: number; cooldown: number; minLearningRate: number; mode: MonitorMode }
  | { type: 'exponential'; decayRate: number; every: number }
  | { type: 'step'; every: number; factor: number }
  | { type: 'cosine'; minLearningRate: number; warmupEpochs: number };

export interface OptimizerConfig {
  type: 'adam' | 'adamax' | 'sgd' | 'momentum' | 'rmsprop' | 'adagrad' | 'adadelta';
  learningRate: number;
  momentum?: number;
  beta1?: number;
  beta2?: number;
  epsilon?: number;
}

export interface TrainingConfig {
  backend: BackendName;
  optimizer: OptimizerConfig;
  epochs: number;
  batchSize: number;
  seed: number;
  shuffle: boolean;
  classWeight?: 'balanced' | Record<string, number>;
  earlyStopping?: EarlyStoppingConfig;
  checkpoint?: CheckpointConfig;
  learningRateSchedule?: LearningRateSchedule;
  /** Probability of dropping a present optional input in a training row: one for all, or per input name. */
  modalityDropout?: number | Record<string, number>;
}

export interface Manifest {
  $schema?: string;
  version: 1;
  name: string;
  description?: string;
  /** `polymodal tune`'s search space; its shape is @polymodal/tune's to check, train ignores it. */
  search?: Record<string, unknown>;
  plugins: PluginReference[];
  data: {
    source: string;
    format?: 'csv' | 'jsonl';
    delimiter?: string;
    split: { validation: number; test: number; stratify: boolean; seed: number; column?: string };
    onInvalidRow: 'fail' | 'skip';
    workers: number | 'auto';
    /** Folder (relative to the manifest) that paths inside cells must stay in; default: the data file's folder. */
    root?: string;
    allowPathsOutsideRoot?: boolean;
  };
  inputs: Record<string, InputEntry>;
  fusion: { type: string; options: Record<string, unknown> };
  output: {
    column: string | string[];
    task: Task;
    classes?: (string | number)[];
    positiveClass?: string | number;
    separator?: string;
    hiddenUnits: number[];
  };
  training: TrainingConfig;
  evaluation: { metrics?: string[]; threshold: number | 'maxF1' };
}

/** A validated manifest plus where it came from; paths in it are relative to `dir`. */
export interface ResolvedManifest {
  readonly manifest: Manifest;
  /** Absolute path of the manifest file (or a virtual name for in-memory manifests). */
  readonly path: string;
  readonly dir: string;
  /** Absolute path of data.source. */
  readonly dataPath: string;
}

/** Whether rows may lack the input (`required: false`); a manifest not yet defaulted counts as required. */
export function isOptionalInput(entry: InputEntry): boolean {
  return entry.required === false;
}

export function inputColumns(entry: InputEntry): string[] {
  return entry.columns ?? (entry.column === undefined ? [] : [entry.column]);
}

export function labelColumns(manifest: Manifest): string[] {
  const column = manifest.output.column;
  return Array.isArray(column) ? column : [column];
}
