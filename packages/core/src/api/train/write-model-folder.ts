import * as tf from '@tensorflow/tfjs';
import { join } from 'node:path';
import { ARTIFACT_FILES, ARTIFACT_FORMAT, ARTIFACT_FORMAT_VERSION, type ArtifactMeta, type PreprocessingState, type RelianceMeta } from '../../artifacts/artifact.js';
import type { RelianceOutput } from '../../model/compose-model.js';
import type { HistoryFile, MetricsReport } from '../../artifacts/run-records.js';
import { fileSystemHandler } from '../../backend/fs-io-handler.js';
import type { BackendInfo } from '../../backend/select-backend.js';
import type { EvaluationData } from '../../evaluation/evaluation-data.js';
import type { LoadedManifest } from '../../manifest/load-manifest.js';
import type { Manifest } from '../../manifest/types.js';
import { modelInputLayout } from '../../model/fitted-input.js';
import { formatSummary, summarizeModel } from '../../model/summary.js';
import type { TrainingResult } from '../../training/trainer.js';
import { writeFileAtomic, writeJsonAtomic } from '../../util/atomic-write.js';
import { CORE_VERSION } from '../../util/core-version.js';
import type { PreparedSplits } from './prepare-splits.js';

/** A model folder written in its staging place, before it is committed: what a report needs to describe it. */
export interface TrainedFolder {
  /** The staging folder: files added here (a report) are committed with the model. */
  readonly dir: string;
  /** Where the folder will be once committed. */
  readonly target: string;
  readonly meta: ArtifactMeta;
  readonly manifest: Manifest;
  readonly history: HistoryFile;
  readonly metrics: MetricsReport;
  readonly summary: string;
  readonly evaluation: EvaluationData;
}

export interface ModelFolderContents {
  loaded: LoadedManifest;
  backend: BackendInfo;
  splits: PreparedSplits;
  model: tf.LayersModel;
  /** The fusion's reliance tensors in `model`'s graph: saved as extra outputs. */
  reliance?: readonly RelianceOutput[];
  training: TrainingResult;
  metrics: MetricsReport;
  evaluation: EvaluationData;
}

function relianceMeta(output: RelianceOutput): RelianceMeta {
  return { name: output.name, layer: output.tensor.sourceLayer.name, columns: [...output.columns] };
}

/**
 * The model as saved: the trained model, plus the reliance tensors as further outputs when the fusion has any
 * (layers that lead only to them would otherwise not be saved). loadModel hands out the prediction alone.
 */
function savedModel(model: tf.LayersModel, reliance: readonly RelianceOutput[] | undefined): tf.LayersModel {
  if (!reliance || reliance.length === 0) return model;
  return tf.model({ name: model.name, inputs: model.inputs, outputs: [model.outputs[0], ...reliance.map((r) => r.tensor)] });
}

function describeModel({ loaded, backend, splits, metrics, reliance }: ModelFolderContents): ArtifactMeta {
  const { manifest, dir, dataPath } = loaded.resolved;
  const { inputs, labels } = splits.data;
  return {
    format: ARTIFACT_FORMAT,
    formatVersion: ARTIFACT_FORMAT_VERSION,
    name: manifest.name,
    createdAt: new Date().toISOString(),
    coreVersion: CORE_VERSION,
    backend: { name: backend.name, tfjsBackend: backend.tfjsBackend, gpu: backend.gpu },
    plugins: loaded.registry.list().map((p) => ({ name: p.name, version: p.version, apiVersion: p.apiVersion })),
    task: manifest.output.task,
    classes: [...labels.classes],
    threshold: metrics.threshold,
    inputs: inputs.map((input) => ({ name: input.spec.name, encoder: input.spec.encoder, columns: [...input.spec.columns], required: input.spec.required !== false })),
    modelInputs: modelInputLayout(inputs).map((entry) => entry.name),
    ...(reliance && reliance.length > 0 ? { reliance: reliance.map(relianceMeta) } : {}),
    seed: manifest.training.seed,
    trainingData: dataPath,
    manifestDir: dir,
  };
}

function historyOf(training: TrainingResult): HistoryFile {
  return {
    epochs: training.history,
    epochsRun: training.epochsRun,
    stopReason: training.stopReason ?? null,
    restoredEpoch: training.restoredEpoch ?? null,
    checkpointEpoch: training.checkpointEpoch ?? null,
    resumedAfterEpoch: training.resumedAfterEpoch ?? null,
  };
}

/** Writes the model, its preprocessing, the resolved manifest, history, metrics, summary and polymodal.json. */
export async function writeModelFolder(staging: string, target: string, contents: ModelFolderContents): Promise<TrainedFolder> {
  const { loaded, splits, model, training, metrics } = contents;
  const manifest = loaded.resolved.manifest;
  const preprocessing: PreprocessingState = {
    inputs: Object.fromEntries(splits.data.inputs.map((input) => [input.spec.name, input.preprocessor.state()])),
    labels: splits.data.labels.state(),
  };
  const meta = describeModel(contents);
  const history = historyOf(training);
  const summary = formatSummary(summarizeModel(model)) + '\n';
  await savedModel(model, contents.reliance).save(fileSystemHandler(join(staging, ARTIFACT_FILES.model)));
  await writeJsonAtomic(join(staging, ARTIFACT_FILES.preprocessing), preprocessing);
  await writeJsonAtomic(join(staging, ARTIFACT_FILES.manifest), manifest);
  await writeJsonAtomic(join(staging, ARTIFACT_FILES.history), history);
  await writeJsonAtomic(join(staging, ARTIFACT_FILES.metrics), metrics);
  await writeFileAtomic(join(staging, ARTIFACT_FILES.summary), summary);
  await writeJsonAtomic(join(staging, ARTIFACT_FILES.meta), meta);
  return { dir: staging, target, meta, manifest, history, metrics, summary, evaluation: contents.evaluation };
}
