import 'reflect-metadata';

export { API_VERSION } from './plugin/api-version.js';
export { TOKENS } from './tokens.js';
export { PolymodalError, isPolymodalError } from './errors.js';
export { fileSystemError } from './util/file-system-error.js';
export { listenForInterrupts, exitCodeForSignal, INTERRUPT_SIGNALS, type InterruptSignal, type InterruptListener } from './util/interrupts.js';
export { TrainingInterrupted, isTrainingInterrupted } from './training/interrupted.js';
export { closestMatch, didYouMean } from './util/did-you-mean.js';

// Plugin contracts
export type {
  BuildContext, EncoderDefinition, EncoderOutput, FeatureArrays, FeatureKind, FeatureSpec, FusionDefinition, FusionOutput,
  InputSpec, InvalidValue, JsonSchema, JsonValue, PolymodalPlugin, Preprocessor, RawValue, Row,
  SerializableLayerClass, TransformContext,
} from './plugin/contracts.js';
export { definePlugin, type PluginDefinition } from './plugin/define-plugin.js';
export { PluginRegistry } from './plugin/registry.js';
export { loadPlugins, type LoadPluginsOptions } from './plugin/load-plugins.js';
export { resolveCellPath, type CellPathSpec } from './plugin/resolve-cell-path.js';

// Manifest
export type { Manifest, ResolvedManifest, Task, BackendName, TrainingConfig, InputEntry } from './manifest/types.js';
export { loadManifest, resolveManifestValue, checkManifestFile, checkManifestValue, type ManifestCheck, type LoadedManifest, type ManifestOverrides, type LoadManifestOptions } from './manifest/load-manifest.js';
export { setAtPointer, valueAtPointer, parsePointer, applyPointerSettings, type PointerSetting } from './manifest/set-pointer.js';
export { extraMonitoredMetrics, checkMonitors } from './manifest/monitors.js';
export { manifestSchema, mergedManifestSchema } from './manifest/schema.js';

// Backends
export { selectBackend, type BackendInfo } from './backend/select-backend.js';
export { fileSystemHandler, registerFileRouterIfMissing } from './backend/fs-io-handler.js';
export {
  acceleratedRoutines, registerAcceleratedRoutines, type AcceleratedRoutines, type RecurrentProductRoutine, type FusedLstmRoutine, type FusedGruRoutine, type Conv2dReluRoutine, type Conv2dReluProductRoutine,
} from './backend/accelerated-routines.js';

// Data
export { cell, numberCell, toNumber } from './data/cell.js';
export { parseCsv } from './data/csv.js';
export { readTable, type Table } from './data/table.js';
export { randomSplit, type Split } from './data/split.js';
export { createRandom, type Random } from './util/random.js';

// Model, training, evaluation
export { summarizeModel, formatSummary, type ModelSummary } from './model/summary.js';
export type { Trainer, TrainingJob, TrainingResult, EpochRecord } from './training/trainer.js';
export { DefaultTrainer } from './training/trainer.js';
export type { CallbackState, TrainingCallback, TrainingControl } from './training/callbacks/training-callback.js';
export { hasTrainingBackup, removeTrainingBackups } from './training/training-backup.js';
export type { Reporter, RunEvent, EpochLogs } from './training/reporter.js';
export * from '@polymodal/metrics';

// Operations (the CLI is a thin layer over these)
export { train, type TrainOptions, type TrainResult, type MetricsReport, type TrainedFolder } from './api/train.js';
export { checkOutputFile, chooseOutputFolder } from './artifacts/output-target.js';
export { isPolymodalFolder } from './artifacts/folder-owner.js';
export { evaluate, type EvaluateOptions, type EvaluateResult } from './api/evaluate.js';
export { predict, type PredictOptions, type PredictResult, type Prediction } from './api/predict.js';
export type { Reliance } from './api/prediction-details.js';
export { loadPredictor, isRowError, type Predictor, type PredictRowsOptions, type PredictorResult, type RowError, type LoadPredictorOptions, type PredictorColumn, type PredictorColumnType, type PredictorRow, type PredictorCell } from './api/predictor.js';
export { isCompilerSkip, type CompiledModel, type CompilerSkip, type ModelCompiler } from './model/compiled-model.js';
export type { CompiledTrainingStep, TrainingStepCompiler, TrainingStepOptions, TrainingStepResult } from './training/compiled-step.js';
export { inspect, type InspectOptions } from './api/inspect.js';
export { validate } from './api/validate.js';
export { manifestSchemaFor, type ManifestSchema } from './api/manifest-schema.js';
export { loadModel, type LoadedModel, type LoadModelOptions, type DataAccess } from './api/load-model.js';
export { sealModelFolder } from './artifacts/model-integrity.js';
export { listPlugins, type PluginListing } from './api/plugins.js';
export type { ConfigureContainer } from './api/run-container.js';
export { ARTIFACT_FILES, type ArtifactMeta } from './artifacts/artifact.js';
export type { HistoryFile, MetricsFile } from './artifacts/run-records.js';
export { readArtifacts, type ArtifactContents } from './artifacts/read-artifacts.js';
export type { EvaluationData } from './evaluation/evaluation-data.js';
export type { SkippedRows, SkippedRow } from './pipeline/skipped-rows.js';
// Complete-or-absent output, for packages that add files to model folders (e.g. @polymodal/report)
export { stagingDirectory, commitDirectory, discardStaging, type CommitOptions } from './artifacts/commit-directory.js';
export { writeFileAtomic, writeJsonAtomic } from './util/atomic-write.js';
export { isProcessAlive } from './util/process-alive.js';

// Shared layers and building blocks for plugin authors (the test kits are on `@polymodal/core/testing`)
export * from './layers/index.js';

// Explanations and cross-validation (their HTML reports are @polymodal/report's)
export { EXPLANATION_FILE, type ContributionEstimate, type Explanation } from './evaluation/explanation.js';
export { explain, permuteColumns, LOWER_IS_BETTER, type ExplainOptions, type ExplainResult } from './api/explain.js';
export {
  crossval, runFold, summarizeFolds, type CrossvalOptions, type CrossvalResult, type FoldJob, type FoldResult, type MetricSummary,
  type RunFoldOptions,
} from './api/crossval.js';
export { mean, meanWithInterval, standardDeviation, tQuantile975 } from './evaluation/statistics.js';
export { kFoldSplit, kFoldAssignment, type KFoldOptions } from './data/kfold-split.js';
export type { TrainFold } from './api/train.js';
