import 'reflect-metadata';

export { API_VERSION } from './plugin/api-version.js';
export { TOKENS } from './tokens.js';
export { PolymodalError, isPolymodalError } from './errors.js';
export { closestMatch, didYouMean } from './util/did-you-mean.js';

// Plugin contracts
export type {
  BuildContext, EncoderDefinition, EncoderOutput, FeatureArrays, FeatureKind, FeatureSpec, FusionDefinition,
  InputSpec, InvalidValue, JsonSchema, JsonValue, PolymodalPlugin, Preprocessor, RawValue, Row,
  SerializableLayerClass, TransformContext,
} from './plugin/contracts.js';
export { definePlugin, type PluginDefinition } from './plugin/define-plugin.js';
export { PluginRegistry } from './plugin/registry.js';
export { loadPlugins } from './plugin/load-plugins.js';

// Manifest
export type { Manifest, ResolvedManifest, Task, BackendName, TrainingConfig, InputEntry } from './manifest/types.js';
export { loadManifest, resolveManifestValue, type LoadedManifest, type ManifestOverrides, type LoadManifestOptions } from './manifest/load-manifest.js';
export { manifestSchema, mergedManifestSchema } from './manifest/schema.js';

// Backends
export { selectBackend, type BackendInfo } from './backend/select-backend.js';
export { fileSystemHandler, registerFileRouterIfMissing } from './backend/fs-io-handler.js';
export { registerWasmTrainingKernels } from './backend/wasm-kernels/index.js';

// Data
export { cell, toNumber } from './data/cell.js';
export { parseCsv } from './data/csv.js';
export { readTable, type Table } from './data/table.js';
export { randomSplit, type Split } from './data/split.js';
export { createRandom, type Random } from './util/random.js';

// Model, training, evaluation
export { summarizeModel, formatSummary, type ModelSummary } from './model/summary.js';
export type { Trainer, TrainingJob, TrainingResult, EpochRecord } from './training/trainer.js';
export { DefaultTrainer } from './training/trainer.js';
export type { TrainingCallback, TrainingControl } from './training/callbacks/training-callback.js';
export type { Reporter, RunEvent, EpochLogs } from './training/reporter.js';
export * from './metrics/index.js';

// Operations (the CLI is a thin layer over these)
export { train, type TrainOptions, type TrainResult, type MetricsReport } from './api/train.js';
export { evaluate, type EvaluateOptions, type EvaluateResult } from './api/evaluate.js';
export { predict, type PredictOptions, type PredictResult, type Prediction } from './api/predict.js';
export { inspect, type InspectOptions } from './api/inspect.js';
export { validate } from './api/validate.js';
export { loadModel, type LoadedModel, type LoadModelOptions } from './api/load-model.js';
export { listPlugins, type PluginListing } from './api/plugins.js';
export type { ConfigureContainer } from './api/run-container.js';
export { ARTIFACT_FILES, type ArtifactMeta } from './artifacts/artifact.js';

// Shared layers and the layer test harness for plugin authors
export * from './layers/index.js';
export * from './testing/index.js';

// Reports, explanations and cross-validation
export * from './report/index.js';
export { explain, permuteColumns, LOWER_IS_BETTER, type ExplainOptions, type ExplainResult } from './api/explain.js';
export {
  crossval, runFold, summarizeFolds, type CrossvalOptions, type CrossvalResult, type FoldJob, type FoldResult, type MetricSummary,
} from './api/crossval.js';
export { buildCrossvalReport } from './report/crossval-report.js';
export { meanWithInterval, standardDeviation, tQuantile975 } from './report/statistics.js';
export { kFoldSplit, kFoldAssignment, type KFoldOptions } from './data/kfold-split.js';
export type { TrainFold } from './api/train.js';
