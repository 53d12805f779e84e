import * as tf from '@tensorflow/tfjs';
import { join, resolve } from 'node:path';
import { ARTIFACT_FILES, ARTIFACT_FORMAT, type ArtifactMeta, type PreprocessingState } from '../artifacts/artifact.js';
import { ModelFolderChanged, VerifiedFolderReader } from '../artifacts/model-integrity.js';
import { loadModelArtifacts } from '../backend/fs-io-handler.js';
import { selectBackend, type BackendInfo } from '../backend/select-backend.js';
import { LabelCodec } from '../data/labels.js';
import { PolymodalError } from '../errors.js';
import { type LoadedManifest, resolveManifestValue } from '../manifest/load-manifest.js';
import type { BackendName, Manifest } from '../manifest/types.js';
import type { FittedInput } from '../model/fitted-input.js';
import type { PolymodalPlugin } from '../plugin/contracts.js';
import { pluginModuleOf } from '../plugin/plugin-modules.js';
import { inputSpecs } from '../pipeline/prepare-data.js';
import type { Reporter } from '../training/reporter.js';
import { loadLockedPlugins } from './load-locked-plugins.js';

export interface LoadModelOptions {
  backend?: BackendName;
  reporter?: Reporter;
  /** Plugin objects to use instead of resolving their packages (matched by name; still checked against the lock). */
  plugins?: readonly PolymodalPlugin[];
  /** Further folders to resolve plugin packages from, after the current directory. The model folder never is one. */
  pluginSearchDirs?: readonly string[];
  /** Accept module paths in the model's plugin list (resolved from the current directory). Off: package names only. */
  allowLocalPlugins?: boolean;
}

/** Where image (and audio) paths inside cells may point, for data given to a loaded model. */
export interface DataAccess {
  /** Cell paths must resolve inside this folder (default: the data file's folder). */
  root?: string;
  /** Lift the confinement to `root`. */
  allowPathsOutsideRoot?: boolean;
}

/** A trained model folder, restored: the tfjs model, fitted preprocessors and label codec. */
export interface LoadedModel {
  readonly dir: string;
  readonly meta: ArtifactMeta;
  readonly manifest: Manifest;
  readonly loaded: LoadedManifest;
  readonly model: tf.LayersModel;
  /**
   * Preprocessors restored for data in `dataDir` (relative paths inside cells resolve from there). Cell paths are
   * confined to `access.root`, by default `dataDir`: the model folder's manifest has no say over the caller's data.
   */
  inputsFor(dataDir: string, access?: DataAccess): FittedInput[];
  readonly labels: LabelCodec;
  readonly backend: BackendInfo;
  /**
   * The prediction followed by the fusion's reliance tensors (`meta.reliance`, in order), sharing `model`'s
   * weights; `model` itself when the fusion exposes none. Disposed with `model`.
   */
  readonly explainModel: tf.LayersModel;
}

/** Everything loadModel takes from the folder, read once and checked against one polymodal.json. */
interface ModelFiles {
  readonly meta: ArtifactMeta;
  readonly manifest: unknown;
  readonly preprocessing: PreprocessingState;
  readonly artifacts: tf.io.ModelArtifacts;
}

const NOT_A_MODEL_HINT = 'Give the folder that `polymodal train` wrote (it holds polymodal.json, model/ and preprocessing.json).';

/** Between two reads, so a folder being swapped into place (rename aside, rename in) has time to appear. */
const RETRY_DELAY_MS = 100;

/** `missingMeansChanged`: a missing file may be a folder in the middle of being replaced, worth another read. */
async function readJson<T>(reader: VerifiedFolderReader, file: string, missingMeansChanged = false): Promise<T> {
  let bytes: Buffer;
  try {
    bytes = await reader.read(file);
  } catch (error) {
    if (error instanceof ModelFolderChanged || error instanceof PolymodalError) throw error;
    if (missingMeansChanged && (error as NodeJS.ErrnoException).code === 'ENOENT') throw new ModelFolderChanged(join(reader.dir, file));
    throw new PolymodalError(`${reader.dir}: not a Polymodal model folder (no ${file})`, { hint: NOT_A_MODEL_HINT, exitCode: 2 });
  }
  try {
    return JSON.parse(bytes.toString('utf8')) as T;
  } catch (error) {
    throw new PolymodalError(`${join(reader.dir, file)}: corrupt ${file} (${(error as Error).message})`, { hint: 'Train the model again.' });
  }
}

function checkMeta(absolute: string, meta: ArtifactMeta): void {
  if (meta === null || typeof meta !== 'object' || meta.format !== ARTIFACT_FORMAT) {
    const looksLikeManifest = (meta as unknown as { inputs?: unknown } | null)?.inputs !== undefined;
    throw new PolymodalError(`${absolute}: ${ARTIFACT_FILES.meta} is not a Polymodal model description${looksLikeManifest ? ' (it is a manifest: this is a project folder)' : ''}`, {
      hint: `Give the model folder that \`polymodal train\` wrote (by default ${join('runs', '<name>')} beside the manifest, or its --out).`,
      exitCode: 2,
    });
  }
  const files = meta.files as unknown;
  if (files !== undefined && (files === null || typeof files !== 'object' || Array.isArray(files))) {
    throw new PolymodalError(`${join(absolute, ARTIFACT_FILES.meta)}: corrupt "files" list`, { hint: 'Train the model again.', exitCode: 2 });
  }
}

async function readModelFilesOnce(absolute: string, lastAttempt: boolean): Promise<ModelFiles> {
  const meta = await readJson<ArtifactMeta>(new VerifiedFolderReader(absolute, undefined), ARTIFACT_FILES.meta, !lastAttempt);
  checkMeta(absolute, meta);
  const reader = new VerifiedFolderReader(absolute, meta.files);
  const manifest = await readJson<unknown>(reader, ARTIFACT_FILES.manifest);
  const preprocessing = await readJson<PreprocessingState>(reader, ARTIFACT_FILES.preprocessing);
  let artifacts: tf.io.ModelArtifacts;
  try {
    artifacts = await loadModelArtifacts((path) => reader.read(`${ARTIFACT_FILES.model}/${path}`));
  } catch (error) {
    if (error instanceof ModelFolderChanged || error instanceof PolymodalError) throw error;
    throw new PolymodalError(`${join(absolute, ARTIFACT_FILES.model)}: cannot load the model (${(error as Error).message})`, {
      hint: 'The folder may be incomplete or from an incompatible version; train again.',
      cause: error,
    });
  }
  return { meta, manifest, preprocessing, artifacts };
}

/**
 * Reads the folder's files into memory, each checked against the one polymodal.json read first. A folder
 * replaced meanwhile (a `train` committing the same --out) is read again once, then refused.
 */
async function readModelFiles(absolute: string): Promise<ModelFiles> {
  try {
    return await readModelFilesOnce(absolute, false);
  } catch (error) {
    if (!(error instanceof ModelFolderChanged)) throw error;
  }
  await new Promise((done) => setTimeout(done, RETRY_DELAY_MS));
  try {
    return await readModelFilesOnce(absolute, true);
  } catch (error) {
    if (!(error instanceof ModelFolderChanged)) throw error;
    throw new PolymodalError(`${absolute}: the model folder changed while it was being read; try again`, {
      hint: 'Another process (a `polymodal train` writing this folder?) replaced it meanwhile. Run the command again once it has finished.',
      exitCode: 1,
      cause: error,
    });
  }
}

/**
 * Restores a model folder in a fresh process. Loading runs no code from the folder: its plugins resolve from the
 * current directory (and `pluginSearchDirs`) only, and must match the folder's plugin lock.
 */
export async function loadModel(dir: string, options: LoadModelOptions = {}): Promise<LoadedModel> {
  const absolute = resolve(dir);
  const { meta, manifest: manifestJson, preprocessing, artifacts } = await readModelFiles(absolute);
  const manifestPath = join(absolute, ARTIFACT_FILES.manifest);
  const plugins = await loadLockedPlugins(absolute, meta, manifestJson, options);
  const loaded = await resolveManifestValue(manifestJson, manifestPath, { plugins });
  const backend = await selectBackend(options.backend ?? 'auto');
  const manifest = loaded.resolved.manifest;
  const inputsFor = (dataDir: string, access: DataAccess = {}) => inputSpecs(manifest, dataDir, meta.manifestDir ?? absolute).map((base): FittedInput => {
    const spec = { ...base, dataRoot: resolve(dataDir, access.root ?? '.'), allowPathsOutsideRoot: access.allowPathsOutsideRoot ?? false };
    const encoder = loaded.registry.encoder(spec.encoder);
    const state = preprocessing.inputs[spec.name];
    if (state === undefined) throw new PolymodalError(`${absolute}: ${ARTIFACT_FILES.preprocessing} has no state for input "${spec.name}"`, { exitCode: 2 });
    const module = pluginModuleOf(loaded.registry.providerOf(spec.encoder)!);
    return { spec, encoder, preprocessor: encoder.createPreprocessor(spec, state), module };
  });
  let saved: tf.LayersModel;
  try {
    saved = await tf.loadLayersModel({ load: async () => artifacts });
  } catch (error) {
    throw new PolymodalError(`${join(absolute, ARTIFACT_FILES.model)}: cannot load the model (${(error as Error).message})`, {
      hint: 'The folder may be incomplete or from an incompatible version; train again.',
      cause: error,
    });
  }
  const model = predictionModelOf(saved, absolute, meta);
  return { dir: absolute, meta, manifest, loaded, model, explainModel: saved, inputsFor, labels: LabelCodec.restore(preprocessing.labels), backend };
}

/**
 * The saved model's first output alone, for evaluation and prediction. A folder whose fusion exposes reliance
 * holds them as further outputs (see writeModelFolder); the view over the prediction shares every layer, and its
 * `dispose` disposes the saved model, which holds every layer (the view would miss those that lead to reliance only).
 */
function predictionModelOf(saved: tf.LayersModel, dir: string, meta: ArtifactMeta): tf.LayersModel {
  const expected = 1 + (meta.reliance?.length ?? 0);
  if (saved.outputs.length !== expected) {
    saved.dispose();
    throw new PolymodalError(`${join(dir, ARTIFACT_FILES.model)}: the model has ${saved.outputs.length} outputs, ${ARTIFACT_FILES.meta} describes ${expected}`, {
      hint: 'The folder is inconsistent; train again.',
    });
  }
  if (expected === 1) return saved;
  const view = tf.model({ name: saved.name, inputs: saved.inputs, outputs: saved.outputs[0] });
  view.dispose = () => saved.dispose();
  return view;
}
